"""The disclosure engine and its audit: whatever the engine releases, the attacker's linear
programme cannot pin a small hidden count; and the audit catches a table that gives one away."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from liaison.lib.disclosure import (
    HOPELESS_CHECK_ROUND,
    THRESHOLD_TOO_LOW,
    CannotProtect,
    Table,
    protect,
    protect_or_hide_all,
)
from liaison.lib.disclosure_audit import ShowingTrials, audit

BOUNDED = settings(
    max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
# counts as they come: many zeros, many small ones, some large
counts = st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 60))


def one_way(values: list[int]) -> Table:
    table = Table()
    for i, value in enumerate(values):
        table.cell(("group", i), value)
    table.total("all", [("group", i) for i in range(len(values))])
    return table


def two_way(rows: list[list[int]]) -> Table:
    """A table with row, column and grand totals, all shown."""
    table = Table()
    height, width = len(rows), len(rows[0])
    for i, j in itertools.product(range(height), range(width)):
        table.cell((i, j), rows[i][j])
    for i in range(height):
        table.total(("row", i), [(i, j) for j in range(width)])
    for j in range(width):
        table.total(("column", j), [(i, j) for i in range(height)])
    table.total("all", [("row", i) for i in range(height)])
    table.relate("all", [("column", j) for j in range(width)])
    return table


def assert_safe(table: Table) -> None:
    release = protect(table)
    assert release.report.passed
    # an independent audit of exactly what is shown agrees
    again = audit(table, release.hidden, threshold=10)
    assert again.passed
    for key in release.primary:
        assert key in release.hidden
    for key, value in table.cells.items():
        if value == 0:
            assert release.value(key) == 0  # zero stays zero, never "suppressed"


@BOUNDED
@given(st.lists(counts, min_size=1, max_size=8))
def test_a_released_breakdown_with_its_total_always_passes_the_audit(values):
    assert_safe(one_way(values))


@BOUNDED
@given(st.integers(1, 9), st.integers(1, 8), st.integers(0, 8))
def test_a_single_non_zero_group_is_never_given_away_by_the_total(small, before, after):
    values = [0] * before + [small] + [0] * after
    release = protect(one_way(values))
    assert release.value("all") is None
    assert release.value(("group", before)) is None


@BOUNDED
@given(st.integers(2, 5).flatmap(lambda w: st.lists(st.lists(counts, min_size=w, max_size=w), min_size=2, max_size=5)))
def test_a_released_two_way_table_with_margins_always_passes_the_audit(rows):
    assert_safe(two_way(rows))


@BOUNDED
@given(st.lists(counts, min_size=2, max_size=6), st.lists(counts, min_size=2, max_size=4))
def test_two_breakdowns_of_the_same_children_pass_together(first, second):
    """Students split by race and by sex: two relations on one total."""
    table = one_way(first)
    total = table.cells["all"]
    rest = max(total - sum(second[:-1]), 0)
    second = [*second[:-1], rest] if sum(second[:-1]) <= total else [total] + [0] * (len(second) - 1)
    for i, value in enumerate(second):
        table.cell(("sex", i), value)
    table.relate("all", [("sex", i) for i in range(len(second))])
    assert_safe(table)


def test_the_audit_catches_a_hidden_cell_that_is_the_only_unknown_in_its_row():
    table = one_way([7, 31, 12])
    report = audit(table, {("group", 0)}, threshold=10)
    assert not report.passed
    assert report.ranges[("group", 0)].low == report.ranges[("group", 0)].high == 7


def test_the_audit_catches_a_hidden_cell_recoverable_through_the_other_dimension():
    """Hidden in pairs along rows, but the column total gives one back."""
    table = two_way([[5, 20], [12, 15]])
    report = audit(table, {(0, 0), (0, 1)}, threshold=10)  # the row is covered, the column is not
    assert report.unprotected == {(0, 0)}


def test_the_audit_catches_a_hidden_cell_the_other_groups_zeros_give_away():
    table = one_way([0, 0, 4, 0])
    report = audit(table, {("group", 2)}, threshold=10)
    assert report.ranges[("group", 2)].high == 4
    assert not report.passed


def test_a_rounded_share_is_attacker_knowledge():
    """Within the MOU: 3 of 12, shown as 25% (rounded to a whole percent): pins the 3."""
    table = Table()
    table.cell("within", 3)
    table.cell("outside", 9)
    table.total("all", ["within", "outside"])
    table.band({"within": 1, "all": -0.245}, low=0)
    table.band({"within": 1, "all": -0.255}, high=0)
    report = audit(table, {"within", "outside"}, threshold=10)
    assert report.ranges["within"].high == pytest.approx(3.06)
    assert not report.passed


def test_a_derived_value_hides_with_any_cell_it_is_computed_from():
    table = one_way([7, 31, 40])
    table.derive("rri:1", ("group", 1), ("group", 0))
    table.derive("rate:2", ("group", 2))
    release = protect(table)
    assert not release.shows("rri:1")
    assert release.shows("rate:2") == (release.value(("group", 2)) is not None)


def test_a_cell_that_is_never_published_is_not_a_figure_but_counts_in_the_arithmetic():
    """Actions without a student key: a second split of the same actions."""
    table = Table()
    table.cell("instances", 5)
    table.cell("without_key", 5)
    table.cell("with_key", 0, published=False)
    table.relate("instances", ["with_key", "without_key"])
    release = protect(table)
    assert release.value("without_key") is None
    assert release.value("instances") is None


def test_the_threshold_is_never_lower_than_ten():
    with pytest.raises(ValueError, match=THRESHOLD_TOO_LOW):
        protect(one_way([3]), threshold=5)


def test_a_higher_threshold_hides_more():
    assert protect(one_way([12, 40]), threshold=15).value(("group", 0)) is None


def test_what_was_shown_before_stays_shown_and_the_engine_hides_around_it():
    """An earlier snapshot showed the 20: the complement must be another cell."""
    table = one_way([5, 20, 30])
    release = protect(table, already={("group", 1): True})
    assert release.value(("group", 1)) == 20
    assert release.value(("group", 0)) is None
    assert release.report.passed


def test_what_was_hidden_before_stays_hidden():
    release = protect(one_way([5, 20, 30, 40]), already={("group", 3): False})
    assert release.value(("group", 3)) is None and release.report.passed


def test_a_small_count_shown_before_cannot_be_protected_now():
    with pytest.raises(ValueError, match="shown before"):
        protect(one_way([5, 20]), already={("group", 0): True})


@BOUNDED
@given(st.lists(counts, min_size=2, max_size=6), st.data())
def test_whatever_was_shown_before_the_release_passes_the_audit(values, data):
    table = one_way(values)
    large = [("group", i) for i, v in enumerate(values) if v >= 10]
    before = (
        {key: data.draw(st.booleans()) for key in data.draw(st.lists(st.sampled_from(large), unique=True))}
        if large
        else {}
    )
    try:
        release = protect(table, already=before)
    except RuntimeError:
        return  # the earlier release itself gave too much away: nothing can be shown now
    assert release.report.passed
    assert all(release.is_hidden(key) != shown for key, shown in before.items())


def _pinned_by_an_earlier_total(rows: int) -> tuple[Table, dict]:
    """A two-column table whose first row (3 and 7) had its total, 10, shown before: each of the two is
    then at most 9 whatever else is hidden. The other rows (large counts) tie the columns together,
    so each round finds more complements to try, one row at a time."""
    table = two_way([[3, 7], *([20 + i, 30 + i] for i in range(rows))])
    return table, {("row", 0): True}


def test_a_count_that_earlier_figures_give_away_ends_the_rounds_at_once(monkeypatch):
    """No choice of complements protects it: the engine finds that out after two rounds, with one audit
    of everything it may hide, not after one round per row until nothing is left to hide."""
    from liaison.lib import disclosure

    table, before = _pinned_by_an_earlier_total(rows=40)
    audits = []
    real = disclosure.audit
    monkeypatch.setattr(disclosure, "audit", lambda *a, **k: audits.append(k) or real(*a, **k))
    with pytest.raises(CannotProtect):
        protect(table, already=before)
    assert len(audits) == HOPELESS_CHECK_ROUND + 1
    release = protect_or_hide_all(table, already=before)  # what is released instead: every count hidden
    assert release.value(("row", 0)) == 10
    assert release.report.unprotected == {(0, 0), (0, 1)}
    assert all(release.value(key) is None for key, value in table.cells.items() if key != ("row", 0) and value)


@BOUNDED
@given(st.lists(st.lists(counts, min_size=2, max_size=4), min_size=2, max_size=4), st.data())
def test_the_engine_gives_up_exactly_when_hiding_everything_would_not_protect(rows, data):
    """Giving up early changes no release: the engine gives up when, and only when, hiding every cell it
    may hide leaves a small count pinned down."""
    width = min(len(row) for row in rows)
    table = two_way([row[:width] for row in rows])
    large = sorted((key for key, value in table.cells.items() if value >= 10), key=repr)
    before = (
        {key: data.draw(st.booleans()) for key in data.draw(st.lists(st.sampled_from(large), unique=True))}
        if large
        else {}
    )
    hideable = {key for key, value in table.cells.items() if value > 0 and not before.get(key)}
    small = {key for key, value in table.cells.items() if 0 < value < 10}
    hopeless = not audit(table, hideable, threshold=10, primary=small).passed
    try:
        release = protect(table, already=before)
    except CannotProtect:
        assert hopeless
        return
    assert not hopeless and release.report.passed


def test_the_children_left_over_between_two_shown_counts_are_protected_too():
    """15 referred and 12 of them arrested, both shown, say 3 were referred and not arrested."""
    table = Table()
    table.cell("referred", 15)
    table.cell("arrested", 12)
    table.cell("referred_not_arrested", 3, sensitive=True)
    table.relate("referred", ["arrested", "referred_not_arrested"])
    assert not audit(table, set(), threshold=10, primary={"referred_not_arrested"}).passed
    release = protect(table)
    assert release.report.passed
    assert release.value("referred") is None or release.value("arrested") is None
    assert release.value("referred_not_arrested") is None  # never shown


def test_a_renamed_table_is_the_same_table_under_other_keys():
    """Two audiences' tables of the same months side by side: renamed apart, both are protected."""
    table = Table()
    table.cell("white", 3)
    table.cell("black", 30, sensitive=False)
    table.cell("not_published", 5, published=False)
    table.total("all", ["white", "black"])
    table.derive("share", "white", "all")
    table.at_most("white", "black")
    renamed = table.renamed(lambda key: ("district-wide", key))
    assert renamed.cells == {("district-wide", k): v for k, v in table.cells.items()}
    assert renamed.relations == [(("district-wide", "all"), (("district-wide", "white"), ("district-wide", "black")))]
    assert renamed.unpublished == {("district-wide", "not_published")}
    assert renamed.derived == {"share": (("district-wide", "white"), ("district-wide", "all"))}
    assert set(renamed.bands[0].terms) == {("district-wide", "white"), ("district-wide", "black")}
    both = protect(table.merge(renamed))
    assert both.value(("district-wide", "white")) is None and both.value("white") is None
    assert audit(both.table, both.hidden, threshold=10).passed


def _from_scratch(table: Table, hidden: frozenset, key, *, maximise: bool) -> float:
    """The cell's bound by an LP built and solved afresh (SciPy's linprog), with nothing carried
    over from any other solve: what the audit's warm-started model must agree with."""
    unknown = sorted(hidden, key=repr)
    column = {cell: i for i, cell in enumerate(unknown)}
    equalities, values = [], []
    for total, parts in table.relations:
        row, rhs = [0.0] * len(unknown), 0.0
        for cell, sign in ((total, 1.0), *((part, -1.0) for part in parts)):
            if cell in column:
                row[column[cell]] += sign
            else:
                rhs -= sign * table.cells[cell]
        if any(row):
            equalities.append(row)
            values.append(rhs)
    objective = [0.0] * len(unknown)
    objective[column[key]] = -1.0 if maximise else 1.0
    found = linprog(objective, A_eq=equalities, b_eq=values, bounds=[(1, None)] * len(unknown), method="highs")
    return -found.fun if maximise else found.fun


@BOUNDED
@given(
    st.lists(st.lists(counts, min_size=3, max_size=5), min_size=3, max_size=5).filter(
        lambda r: len({len(x) for x in r}) == 1
    )
)
def test_every_exact_range_from_the_warm_started_model_equals_a_solve_from_scratch(rows):
    """The audit keeps one model per connected part and changes only its objective (and a few caps)
    between solves; a cost or a cap left over from an earlier solve would shift a later range."""
    table = two_way(rows)
    hidden = frozenset(
        key for key, value in table.cells.items() if isinstance(key, tuple) and isinstance(key[0], int) and value > 0
    )
    if not hidden:
        return
    exact = audit(table, hidden, threshold=10, exact=True)
    for key in hidden:
        found = exact.ranges[key]
        assert found.low == pytest.approx(_from_scratch(table, hidden, key, maximise=False), abs=1e-6)
        assert found.high == pytest.approx(_from_scratch(table, hidden, key, maximise=True), abs=1e-6)
    # Without `exact`, the model first caps cells at the threshold to screen many at once: a range
    # is then proven up to the threshold (and down to 1), and exact within them; the caps must not
    # stay on for the solves that follow.
    screened = audit(table, hidden, threshold=10)
    for cell, found in screened.ranges.items():
        assert min(found.high, 10) == pytest.approx(min(exact.ranges[cell].high, 10), abs=1e-6)
        assert max(found.low, 1) == pytest.approx(max(exact.ranges[cell].low, 1), abs=1e-6)


@BOUNDED
@given(
    st.lists(st.lists(counts, min_size=3, max_size=4), min_size=3, max_size=4).filter(
        lambda r: len({len(x) for x in r}) == 1
    ),
    st.data(),
)
def test_trying_hidden_cells_back_one_by_one_agrees_with_a_fresh_audit_each_time(rows, data):
    """`ShowingTrials` holds each tried cell at its value in one model per part, where a fresh audit
    builds the part again without it: the verdicts, and so what is shown again, must be the same.
    The hidden cells include totals (a total of two non-zero parts can never be below 2: the verdict
    then turns on that structural floor, found for the piece the part splits into)."""
    table = two_way(rows)
    table.at_most((0, 0), (1, 0))  # a band that states structure
    if table.cells[(0, 0)] > table.cells[(1, 0)]:
        return
    release = protect(table)
    extra = [key for key, value in table.cells.items() if value > 0 and key not in release.hidden]
    hidden = set(release.hidden) | set(data.draw(st.lists(st.sampled_from(extra), unique=True)) if extra else [])
    trials = ShowingTrials(table, hidden, 10, release.primary)
    for key in sorted(hidden - release.primary, key=repr):
        expected = audit(table, hidden - {key}, threshold=10, primary=release.primary).passed
        assert trials.show_if_safe(key).passed == expected, key
        if expected:
            hidden.discard(key)
    assert trials.hidden == hidden
    assert audit(table, hidden, threshold=10).passed


def test_a_count_given_away_before_fails_every_trial_linked_to_it_without_a_solve(monkeypatch):
    """Showing a cell only narrows every range: a count the release's own audit found below the
    threshold stays below it, so trying back a cell linked to it fails, as a fresh audit says, with
    no programme solved."""
    from liaison.lib import disclosure_audit

    table, before = _pinned_by_an_earlier_total(rows=4)
    release = protect_or_hide_all(table, already=before)
    assert release.report.unprotected == {(0, 0), (0, 1)}
    trials = ShowingTrials(table, release.hidden, 10, release.primary, known=release.report.ranges)
    monkeypatch.setattr(disclosure_audit._Model, "solve", lambda *a: pytest.fail("a programme was solved"))
    for key in sorted(release.hidden - release.primary, key=repr):
        trial = trials.show_if_safe(key)
        assert not trial.passed and trial.unprotected <= {(0, 0), (0, 1)}
        monkeypatch.undo()
        assert not audit(table, release.hidden - {key}, threshold=10, primary=release.primary).passed
        monkeypatch.setattr(disclosure_audit._Model, "solve", lambda *a: pytest.fail("a programme was solved"))
    assert trials.hidden == set(release.hidden)


def test_the_solver_prints_nothing_on_a_commands_standard_output():
    """HiGHS prints a banner the first time a model is made in a process, on the process's own
    standard output (not Python's): a command writing a CSV there would carry it. A fresh process,
    so that no earlier test has made a model already."""
    script = (
        "from liaison.lib.disclosure import Table\n"
        "from liaison.lib.disclosure_audit import audit\n"
        "t = Table()\n"
        "[t.cell(('group', i), v) for i, v in enumerate([3, 40, 12])]\n"
        "t.total('all', [('group', i) for i in range(3)])\n"
        "assert audit(t, {('group', 0), ('group', 2)}, threshold=10).passed\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True, cwd=root
    )
    assert done.stdout == ""
