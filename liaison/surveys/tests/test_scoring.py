"""Scores against values worked out by hand (t quantiles from a printed table, not from the code)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from liaison.surveys import scoring
from liaison.surveys.scoring import Estimate

T_975 = {1: 12.706205, 3: 3.182446, 4: 2.776445, 9: 2.262157, 30: 2.042272}  # from a t table


@dataclass
class FakeItem:
    code: str
    kind: str = "agree"
    scale: str = "voice"
    reverse_scored: bool = False


A, B, C = FakeItem("a"), FakeItem("b"), FakeItem("c", reverse_scored=True)
RESPONDENTS = [
    {"a": 4, "b": 5, "c": 2},  # c reversed to 4: score 13/3
    {"a": 2, "b": 3, "c": 4},  # c reversed to 2: score 7/3
    {"a": 5, "c": 1},  # two of three answered: (5 + 5) / 2 = 5
    {"a": 3},  # one of three: no score
    {"a": 3, "b": 3, "c": 3},  # score 3
]


@pytest.mark.parametrize("df", sorted(T_975))
def test_the_t_quantile_matches_the_printed_table(df: int) -> None:
    assert scoring.t_quantile(0.975, df) == pytest.approx(T_975[df], abs=1e-5)


def test_negatively_worded_items_are_reverse_scored() -> None:
    assert scoring.item_value(C, {"c": 1}) == 5
    assert scoring.item_value(C, {"c": 4}) == 2
    assert scoring.item_value(A, {"a": 4}) == 4


def test_a_scale_score_needs_at_least_half_of_its_items() -> None:
    assert scoring.scale_score([A, B, C], RESPONDENTS[2]) == 5
    assert scoring.scale_score([A, B, C], RESPONDENTS[3]) is None
    assert scoring.scale_score([A, B], {"a": 2}) == 2  # one of two is half


def test_the_scale_mean_interval_favourable_and_alpha_match_the_hand_computation() -> None:
    result = scoring.scale_result("voice", [A, B, C], RESPONDENTS)
    # scores 13/3, 7/3, 5, 3: mean 11/3; squared deviations 4/9, 16/9, 16/9, 4/9 → variance 40/27
    mean, sd = 11 / 3, math.sqrt(40 / 27)
    half = T_975[3] * sd / 2
    assert result.estimate is not None
    assert result.estimate.n == 4
    assert result.estimate.mean == pytest.approx(mean)
    assert result.estimate.low == pytest.approx(mean - half, abs=1e-5)
    assert result.estimate.high == pytest.approx(mean + half, abs=1e-5)
    assert result.favourable == pytest.approx(50.0)  # 13/3 and 5 are at least 4
    # complete rows (4,5,4), (2,3,2), (3,3,3): item variances 1, 4/3, 1; totals 13, 7, 9 → variance 28/3
    assert result.alpha == pytest.approx(1.5 * (1 - (10 / 3) / (28 / 3)))
    assert result.alpha == pytest.approx(27 / 28)


def test_the_trust_index_averages_the_pulse_and_legitimacy_parts_each_respondent_has() -> None:
    pulse = [FakeItem(c, kind="rating", scale="pulse") for c in ("p1", "p2", "p3")]
    legitimacy = [FakeItem(c, scale="legitimacy") for c in ("l1", "l2")]
    answers = [
        {"p1": 8, "p2": 6, "p3": 7, "l1": 4, "l2": 5},  # pulse 7 → 70; legitimacy 4.5 → 87.5; index 78.75
        {"p1": 5, "l1": 2},  # pulse has 1 of 3 (no part); legitimacy 2 → 25; index 25
    ]
    assert scoring.trust_scores([*pulse, *legitimacy], answers) == pytest.approx([78.75, 25.0])


def test_welch_comparison_of_two_waves() -> None:
    before = Estimate(n=5, mean=3.0, sd=math.sqrt(2.5), low=None, high=None)
    after = Estimate(n=6, mean=5.5, sd=math.sqrt(3.5), low=None, high=None)
    change = scoring.compare(before, after)
    assert change is not None
    se = math.sqrt(2.5 / 5 + 3.5 / 6)  # 1.0408
    # Welch df = 1.0833² / (0.5²/4 + 0.5833²/5) = 8.99: t lies between the table's t(9) and t(8) = 2.306
    assert change.difference == pytest.approx(2.5)
    assert 2.5 - 2.306 * se < change.low < 2.5 - T_975[9] * se
    assert change.distinguishable
    flat = scoring.compare(before, Estimate(n=6, mean=3.4, sd=math.sqrt(3.5), low=None, high=None))
    assert flat is not None and not flat.distinguishable


def test_a_group_under_ten_is_suppressed_and_carries_no_figures() -> None:
    small = scoring.group_result([A, B, C], RESPONDENTS * 1)
    assert small.suppressed and small.scales == [] and small.trust is None
    enough = scoring.group_result([A, B, C], RESPONDENTS * 2)
    assert not enough.suppressed and enough.respondents == 10


def test_subgroups_hide_a_lone_small_group_and_its_complement() -> None:
    answers = [{"a": 4, "g": "x"}] * 12 + [{"a": 3, "g": "y"}] * 11 + [{"a": 2, "g": "z"}] * 3
    groups = scoring.subgroup_results([A], answers, "g")
    assert groups["z"].suppressed
    assert groups["y"].suppressed  # the next smallest, so z is not total − x − y
    assert not groups["x"].suppressed
