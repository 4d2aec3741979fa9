"""The insights figures described to the disclosure engine (liaison/lib/disclosure.py).

Each function states what a restricted audience is shown — every count, every total, every
figure computed from them — as one `Table`, and returns the engine's `Release`. The selectors then
blank what the release hides. Nothing here decides by itself what is small.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence

from django.conf import settings

from liaison.lib.disclosure import Release, Table, protect_or_hide_all

logger = logging.getLogger(__name__)


def threshold() -> int:
    return int(getattr(settings, "DISCLOSURE_THRESHOLD", 10))


def release(table: Table, *, already: Mapping[object, bool] | None = None) -> Release:
    """`already`: what the same audience was shown before, in snapshots that cannot be taken back.
    When those already give a small count away (figures stored before they were protected together),
    every other count that may still be hidden is hidden, and the pinned count is logged."""
    released = protect_or_hide_all(table, threshold=threshold(), already=already)
    if not released.report.passed:
        pinned = sorted(map(repr, released.report.unprotected))
        logger.warning("Figures released around earlier ones that already give counts away: %s", pinned)
    return released


# --- Equity (relative rate index) -----------------------------------------------------------


def equity_table(
    events: Mapping[str, Mapping[str, int]], *, groups: Sequence[str], reference: str, first: str
) -> Table:
    """Events per decision point and group (unknown race included), each point's total, and per
    group its rate and its index (RRI, interval, flag and finding: one figure), computed from its
    count, the reference group's count and, after the first point, both groups' referrals (the base)."""
    table = Table()
    for point, counts in events.items():
        for group in groups:
            table.cell((point, group), counts.get(group, 0))
        table.total((point, "total"), [(point, group) for group in groups])
    for point in events:
        if point == first:
            continue
        for group in groups:  # each is a kind of referral; the rest are children too
            rest = table.cell(
                (point, group, "not"), table.cells[(first, group)] - table.cells[(point, group)], sensitive=True
            )
            table.relate((first, group), [(point, group), rest])
    for point in events:
        bases = [] if point == first else [(first, reference)]
        for group in groups:
            own_base = [] if point == first else [(first, group)]
            table.derive(f"rate:{point}:{group}", (point, group), *own_base)
            table.derive(f"index:{point}:{group}", (point, group), (point, reference), *own_base, *bases)
    return table


# --- CRDC ------------------------------------------------------------------------------------


def crdc_kind_cells(
    table: Table,
    prefix: tuple[object, ...],
    *,
    instances: int,
    without_key: int,
    students: int | None,
    splits: Mapping[str, Mapping[str, int]],
    reported: int | None,
) -> None:
    """One school's figures of one kind (referred or arrested).

    The actions without a student key are a second split of the instances (the rest, with a key,
    are never shown); unique students split four ways, each adding up to the same students, who
    are never more than the actions."""
    instances_key = table.cell((*prefix, "instances"), instances)
    table.cell((*prefix, "without_key"), without_key)
    table.cell((*prefix, "with_key"), instances - without_key, published=False)
    table.relate(instances_key, [(*prefix, "with_key"), (*prefix, "without_key")])
    if reported is not None:
        table.cell((*prefix, "reported"), reported)
        table.derive(f"gap:{prefix}", instances_key, (*prefix, "reported"))
    if students is None:
        return
    students_key = table.cell((*prefix, "students"), students)
    table.at_most(students_key, instances_key)
    for split, counts in splits.items():
        for value, count in counts.items():
            table.cell((*prefix, split, value), count)
        table.relate(students_key, [(*prefix, split, value) for value in counts])


def subset_of(table: Table, pairs: Iterable[tuple[object, object]]) -> None:
    """Each (part, whole): the part's children are among the whole's, and those left over (referred
    but not arrested) are children too, never shown and never to be worked out."""
    for part, whole in pairs:
        if part in table.cells and whole in table.cells:
            rest = table.cell((whole, "not", part), table.cells[whole] - table.cells[part], sensitive=True)
            table.relate(whole, [part, rest])
