"""The insights demo: for the school year most of the demo's activity falls in, each Port Calder
school with referrals or arrests in the officers' records has what it "reported" for the CRDC entered,
and the school with the most arrests reported none of them, as districts have (DOMAIN.md), so the
CRDC page shows a gap to reconcile."""

from __future__ import annotations

import datetime
from typing import Any

from liaison.directory.models import District
from liaison.lib.school_years import school_year_of

from .access import EquityScope
from .crdc import crdc_counts
from .services import school_reported_set

DISTRICT = "Port Calder City Schools"
SOURCE = "CRDC submission (demo)"


def insights_demo_load(*, actor: Any, today: datetime.date) -> int:
    """Enter the schools' reported counts; returns how many schools reported."""
    district = District.objects.filter(name=DISTRICT).first()
    if district is None:
        return 0
    # Half a year back: last school year in the fall, this one (nearly over) in the spring.
    school_year = school_year_of(today - datetime.timedelta(days=183))
    counted = [
        c for c in crdc_counts(EquityScope(district, None, None, suppressed=False), school_year) if c.any_actions
    ]
    most_arrests = max(counted, key=lambda c: c.kinds["arrested"].instances or 0, default=None)
    for counts in counted:
        referrals = counts.kinds["referred"].instances or 0
        arrests = counts.kinds["arrested"].instances or 0
        if counts is most_arrests and arrests:
            referrals, arrests = referrals - arrests, 0  # the arrests went unreported
        school_reported_set(
            actor=actor,
            school=counts.school,
            school_year=school_year,
            referral_instances=referrals,
            arrest_instances=arrests,
            source=SOURCE,
        )
    return len(counted)
