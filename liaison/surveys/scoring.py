"""Survey scores, as plain functions over answers: the pages, the API and the CSV exports all use these.

- An item's value is its answer; agree items worded negatively are reverse-scored (6 − answer).
- A scale score is the mean of the respondent's answered items when at least half are answered.
- A group's scale result: respondents with a score, the mean with a 95% confidence interval
  (mean ± t(0.975, n−1)·s/√n), the percent favourable (agree scales: score ≥ 4; the 0–10 pulse:
  score ≥ 7), and Cronbach's alpha over respondents who answered every item of the scale.
- The trust index (0–100) per respondent is the mean of the parts they have: the pulse score × 10
  and (legitimacy score − 1) × 25; a group's index is the mean over respondents, with its 95% CI.
- Two waves compare by the difference of means with Welch's 95% interval; a change is
  distinguishable from none when the interval excludes zero.
- Any group of fewer than 10 respondents is suppressed (liaison.lib.suppression).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from liaison.lib.suppression import complementary, is_suppressed

from .vocabulary import SCORED_SCALES, ItemKind, Scale

AGREE_MAX = 5
FAVOURABLE = {ItemKind.AGREE: 4.0, ItemKind.RATING: 7.0}
TRUST_INDEX_HELP = (
    "Trust index (0–100): for each respondent, the mean of the parts they answered — the pulse score "
    "(mean of the three 0–10 items) × 10, and (legitimacy score − 1) × 25 on its 1–5 scale. "
    "The school's index is the mean over respondents, shown with its 95% confidence interval."
)

Answers = Mapping[str, Any]


class ItemLike(Protocol):
    code: str
    kind: str
    scale: str
    reverse_scored: bool


# --- one respondent ------------------------------------------------------------------------------


def item_value(item: ItemLike, answers: Answers) -> float | None:
    """The answer as a number after reverse-scoring, or None when skipped."""
    raw = answers.get(item.code)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    return float(AGREE_MAX + 1 - raw) if item.reverse_scored else float(raw)


def scale_score(items: Sequence[ItemLike], answers: Answers) -> float | None:
    """Mean of the answered items when at least half of them are answered."""
    values = [v for v in (item_value(item, answers) for item in items) if v is not None]
    if not values or 2 * len(values) < len(items):
        return None
    return statistics.fmean(values)


def trust_score(pulse: float | None, legitimacy: float | None) -> float | None:
    parts = []
    if pulse is not None:
        parts.append(pulse * 10)
    if legitimacy is not None:
        parts.append((legitimacy - 1) * 25)
    return statistics.fmean(parts) if parts else None


# --- statistics ----------------------------------------------------------------------------------


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + aa * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-14:
            break
    return h


def _incomplete_beta(a: float, b: float, x: float) -> float:
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1 - front * _betacf(b, a, 1 - x) / b


def t_cdf(t: float, df: float) -> float:
    tail = 0.5 * _incomplete_beta(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t >= 0 else tail


@cache  # the same (p, df) recurs for every scale of a group of the same size
def t_quantile(p: float, df: float) -> float:
    """The t distribution's p-quantile (0.5 < p < 1), by bisection on its CDF."""
    low, high = 0.0, 1e4
    for _ in range(200):
        mid = (low + high) / 2
        if mid in (low, high):  # adjacent floats: every further step would change nothing
            break
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2


@dataclass(frozen=True)
class Estimate:
    n: int
    mean: float
    sd: float | None
    low: float | None
    high: float | None


def estimate(values: Sequence[float]) -> Estimate | None:
    """Mean with a 95% t interval (no interval for fewer than two values)."""
    if not values:
        return None
    n, mean = len(values), statistics.fmean(values)
    if n < 2:
        return Estimate(n, mean, None, None, None)
    sd = statistics.stdev(values)
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    return Estimate(n, mean, sd, mean - half, mean + half)


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> float | None:
    """α = k/(k−1)·(1 − Σ item variances / variance of totals), sample variances, complete rows only."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    k = len(rows[0])
    item_variances = sum(statistics.variance([row[i] for row in rows]) for i in range(k))
    total_variance = statistics.variance([sum(row) for row in rows])
    if total_variance == 0:
        return None
    return k / (k - 1) * (1 - item_variances / total_variance)


@dataclass(frozen=True)
class Comparison:
    difference: float
    low: float
    high: float

    @property
    def distinguishable(self) -> bool:
        """Whether the 95% interval excludes no change."""
        return self.low > 0 or self.high < 0


def compare(before: Estimate | None, after: Estimate | None) -> Comparison | None:
    """after − before with Welch's 95% interval."""
    if before is None or after is None or before.sd is None or after.sd is None:
        return None
    va, vb = before.sd**2 / before.n, after.sd**2 / after.n
    se = math.sqrt(va + vb)
    difference = after.mean - before.mean
    if se == 0:
        return Comparison(difference, difference, difference)
    df = (va + vb) ** 2 / (va**2 / (before.n - 1) + vb**2 / (after.n - 1))
    half = t_quantile(0.975, df) * se
    return Comparison(difference, difference - half, difference + half)


# --- a group of respondents ----------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleResult:
    scale: str
    label: str
    estimate: Estimate | None
    favourable: float | None
    alpha: float | None
    items: int


@dataclass(frozen=True)
class ItemDistribution:
    code: str
    counts: dict[str, int]
    answered: int


@dataclass
class GroupResult:
    respondents: int
    suppressed: bool
    trust: Estimate | None = None
    scales: list[ScaleResult] = field(default_factory=list)
    distributions: list[ItemDistribution] = field(default_factory=list)

    def scale(self, name: str) -> ScaleResult | None:
        return next((s for s in self.scales if s.scale == name), None)


def items_by_scale(items: Iterable[ItemLike]) -> dict[str, list[ItemLike]]:
    grouped: dict[str, list[ItemLike]] = {}
    for item in items:
        grouped.setdefault(item.scale, []).append(item)
    return grouped


def scale_result(scale: str, items: Sequence[ItemLike], answers_list: Sequence[Answers]) -> ScaleResult:
    scores = [s for s in (scale_score(items, a) for a in answers_list) if s is not None]
    threshold = FAVOURABLE[ItemKind(items[0].kind)]
    complete = [[item_value(item, a) for item in items] for a in answers_list]
    rows = [[v for v in row if v is not None] for row in complete if all(v is not None for v in row)]
    return ScaleResult(
        scale=scale,
        label=Scale(scale).label,
        estimate=estimate(scores),
        favourable=100 * sum(s >= threshold for s in scores) / len(scores) if scores else None,
        alpha=cronbach_alpha(rows),
        items=len(items),
    )


def trust_scores(items: Sequence[ItemLike], answers_list: Sequence[Answers]) -> list[float]:
    grouped = items_by_scale(items)
    pulse, legitimacy = grouped.get(Scale.PULSE, []), grouped.get(Scale.LEGITIMACY, [])
    scores = (trust_score(scale_score(pulse, a), scale_score(legitimacy, a)) for a in answers_list)
    return [s for s in scores if s is not None]


def distribution(item: ItemLike, answers_list: Sequence[Answers]) -> ItemDistribution:
    counts = Counter(str(a[item.code]) for a in answers_list if a.get(item.code) is not None)
    return ItemDistribution(item.code, dict(counts), sum(counts.values()))


def group_result(items: Sequence[ItemLike], answers_list: Sequence[Answers]) -> GroupResult:
    """Scores of one group; nothing but the flag when it has fewer than 10 respondents."""
    n = len(answers_list)
    if is_suppressed(n):
        return GroupResult(respondents=n, suppressed=True)
    if n == 0:
        return GroupResult(respondents=0, suppressed=False)
    grouped = items_by_scale(items)
    return GroupResult(
        respondents=n,
        suppressed=False,
        trust=estimate(trust_scores(items, answers_list)),
        scales=[scale_result(s, grouped[s], answers_list) for s in SCORED_SCALES if s in grouped],
        distributions=[distribution(i, answers_list) for i in items if i.kind != ItemKind.OPEN],
    )


NOT_ANSWERED = "not_answered"


def subgroup_results(items: Sequence[ItemLike], answers_list: Sequence[Answers], by: str) -> dict[str, GroupResult]:
    """One result per answer to a demographic item (skips grouped as "not_answered"), with
    complementary suppression so a hidden subgroup cannot be recovered from the whole."""
    groups: dict[str, list[Answers]] = {}
    for answers in answers_list:
        groups.setdefault(str(answers.get(by) or NOT_ANSWERED), []).append(answers)
    hidden = complementary({key: len(group) for key, group in groups.items()})
    return {
        key: GroupResult(respondents=len(group), suppressed=True) if key in hidden else group_result(items, group)
        for key, group in sorted(groups.items())
    }
