"""The annual program report renders for the demo's three programs (`manage.py load_demo`)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from liaison.directory.models import Agency, District
from liaison.insights import report as reports
from liaison.insights.models import ProgramReport
from liaison.lib.school_years import school_year_of

TODAY = datetime.date(2026, 5, 20)
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


def test_every_demo_district_and_agency_has_its_report(demo):
    year = school_year_of(TODAY)
    owners = list(District.objects.order_by("name")) + list(Agency.objects.order_by("name"))
    assert len(District.objects.all()) >= 3
    for owner in owners:
        html = reports.report_render(reports.report_scope(owner, year, ProgramReport.Audience.FULL, TODAY))
        for section in reports.sections_for(ProgramReport.Audience.FULL):
            assert f'id="report-{section.key}"' in html, (owner, section.key)
    district = District.objects.order_by("name").first()
    report = ProgramReport.objects.create(district=district, school_year=year, audience=ProgramReport.Audience.FULL)
    reports.report_build(report, today=TODAY)
    assert report.status == ProgramReport.Status.DONE, report.error
    assert bytes(report.pdf).startswith(b"%PDF")
