"""The rows every door shows (page, API, CSV): one place where suppression blanks what must not show."""

from __future__ import annotations

from dataclasses import dataclass

from .equity import GroupRate
from .selectors import REFERENCE_GROUP, UNKNOWN, DecisionPoint, EquityAnalysis

NOT_ANALYSED = "Not analysed (under 1% of enrollment, or no base)"
NO_INDEX = "No index: none among White students to compare with"
HIGHER = "Higher than White students"
LOWER = "Lower than White students"
NO_CLEAR_DIFFERENCE = "No clear difference"
TOO_FEW = "Too few actions to tell"


@dataclass(frozen=True)
class EquityRow:
    point: str
    group: str
    label: str
    base: int | None
    events: int | None
    rate: float | None  # per `per` of the base
    rri: float | None
    ci_low: float | None
    ci_high: float | None
    analysed: bool
    flagged: bool
    reference: bool
    suppressed: bool  # the count is hidden
    index_suppressed: bool = False  # the RRI, interval, flag and finding are hidden (a count they use is)

    @property
    def finding(self) -> str:
        """What the row says, in words (the page's last column)."""
        if self.group == UNKNOWN or self.reference or self.suppressed or self.index_suppressed:
            return ""
        if not self.analysed:
            return NOT_ANALYSED
        if self.rri is None:
            return NO_INDEX
        if self.flagged:
            return HIGHER if self.rri > 1 else LOWER
        return NO_CLEAR_DIFFERENCE if self.ci_low is not None else TOO_FEW


def _row(point: DecisionPoint, group: GroupRate, label: str) -> EquityRow:
    hidden = group.group in point.hidden
    index_hidden = group.group in point.index_hidden
    per = point.definition.per
    return EquityRow(
        point=point.key,
        group=group.group,
        label=label,
        base=None if group.group in point.base_hidden else group.base,
        events=None if hidden else group.events,
        rate=None if group.group in point.rate_hidden or group.rate is None else group.rate * per,
        rri=None if index_hidden else group.rri,
        ci_low=None if index_hidden else group.ci_low,
        ci_high=None if index_hidden else group.ci_high,
        analysed=group.analysed,
        flagged=False if index_hidden else group.flagged,
        reference=group.group == REFERENCE_GROUP,
        suppressed=hidden,
        index_suppressed=index_hidden,
    )


def point_rows(analysis: EquityAnalysis, point: DecisionPoint) -> list[EquityRow]:
    """One row per group, then one for actions whose student's race/ethnicity is unknown."""
    labels = analysis.labels
    rows = [_row(point, group, labels[group.group]) for group in point.rows]
    unknown_hidden = UNKNOWN in point.hidden
    rows.append(
        EquityRow(
            point=point.key,
            group=UNKNOWN,
            label="Unknown race/ethnicity",
            base=None,
            events=None if unknown_hidden else point.unknown,
            rate=None,
            rri=None,
            ci_low=None,
            ci_high=None,
            analysed=False,
            flagged=False,
            reference=False,
            suppressed=unknown_hidden,
        )
    )
    return rows


def total_shown(point: DecisionPoint) -> int | None:
    return None if point.total_hidden else point.total
