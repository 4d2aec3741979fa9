"""The outcomes view over the three demo programs agrees with the pages it summarises: presence, the MOU
dashboard, the survey results and the equity analysis."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from liaison.agreements.dashboard import Period, Scope, outcomes_by_school_month
from liaison.directory.models import Agency, District, School
from liaison.insights.access import EquityScope
from liaison.insights.outcomes import DISTRICT, SCHOOL, OutcomesScope, contacts_and_trust, outcomes_timeline
from liaison.insights.selectors import equity_analysis
from liaison.lib.school_years import school_year_days
from liaison.programs.selectors import schools_consistency

TODAY = datetime.date(2026, 5, 20)
YEAR = "2025-2026"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def _demo_loaded_once(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, DEBUG=True),
        transaction.atomic(),
    ):
        call_command("load_demo", "--today", TODAY.isoformat(), stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_loaded_once, db):
    return None


def district_scope(district: District) -> OutcomesScope:
    schools = tuple(School.objects.filter(district=district).order_by("name"))
    return OutcomesScope(DISTRICT, district.name, str(district.uuid), schools, None, frozenset({district.pk}))


def test_smoke(demo):
    for district in District.objects.all():
        timeline = outcomes_timeline(district_scope(district), YEAR, as_of=TODAY)
        print(district.name, timeline.current.total.positive_per_100, timeline.current.total.positive_share,
              [(w.wave.title, w.trust and round(w.trust.mean, 2)) for w in timeline.trust])
        change = contacts_and_trust(district.name, district_scope(district).schools, agency_ids=None, as_of=TODAY)
        for s in change.schools:
            print("  ", s.school.name, s.trust_change, s.before.per_100, s.between.per_100, s.contacts_change)
