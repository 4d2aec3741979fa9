"""The relative rate index (OJJDP's method for racial and ethnic disparities), as plain arithmetic.

For a group at a decision point, rate = events / base, where the base is the group's count at the
previous decision point (for the first point, its enrollment). RRI = rate of the group / rate of
the reference group (White). 1 is parity; above 1, the group meets the decision more often.
A group is analysed only when it is at least 1% of enrollment. The 95% confidence interval is on
log(RRI), with standard error sqrt(1/a − 1/n₁ + 1/c − 1/n₂) (a events of n₁ in the group, c of n₂
in the reference); a difference is flagged when the interval excludes 1. See DOMAIN.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054
MIN_SHARE = 0.01  # a group is analysed when at least 1% of enrollment


@dataclass(frozen=True)
class GroupRate:
    """One group at one decision point."""

    group: str
    base: int | None  # None: not collected (enrollment left blank)
    events: int
    analysed: bool  # at least 1% of enrollment, with a base to divide by
    rate: float | None  # events / base
    rri: float | None  # rate / reference rate
    ci_low: float | None
    ci_high: float | None

    @property
    def flagged(self) -> bool:
        """The interval excludes parity: the difference is unlikely to be chance."""
        return self.ci_low is not None and self.ci_high is not None and (self.ci_low > 1 or self.ci_high < 1)


def rate(events: int, base: int | None) -> float | None:
    return events / base if base else None


def rri_interval(a: int, n1: int, c: int, n2: int) -> tuple[float, float] | None:
    """The 95% interval of RRI = (a/n1) / (c/n2); None when a count is 0 (the log is undefined)."""
    if min(a, n1, c, n2) <= 0:
        return None
    estimate = math.log((a / n1) / (c / n2))
    error = math.sqrt(max(0.0, 1 / a - 1 / n1 + 1 / c - 1 / n2))
    return math.exp(estimate - Z_95 * error), math.exp(estimate + Z_95 * error)


def relative_rates(
    *,
    bases: dict[str, int | None],
    events: dict[str, int],
    enrollment: dict[str, int | None],
    enrollment_total: int | None,
    reference: str,
) -> list[GroupRate]:
    """Every group's rate and, for analysed groups, its RRI against the reference group."""
    reference_rate = rate(events.get(reference, 0), bases.get(reference))
    found = []
    for group, base in bases.items():
        count = events.get(group, 0)
        share = (enrollment.get(group) or 0) / enrollment_total if enrollment_total else 0.0
        analysed = share >= MIN_SHARE and bool(base)
        group_rate = rate(count, base)
        rri = group_rate / reference_rate if analysed and group_rate is not None and reference_rate else None
        interval = None
        if rri is not None and base and bases.get(reference):
            interval = rri_interval(count, base, events.get(reference, 0), bases[reference] or 0)
        found.append(
            GroupRate(
                group=group,
                base=base,
                events=count,
                analysed=analysed,
                rate=group_rate,
                rri=rri,
                ci_low=interval[0] if interval else None,
                ci_high=interval[1] if interval else None,
            )
        )
    return found
