"""The annual program report renders for the demo's three programs (`manage.py load_demo`)."""

from __future__ import annotations

from liaison.conftest import DEMO_TODAY
from liaison.directory.models import Agency, District
from liaison.insights import report as reports
from liaison.insights.models import ProgramReport
from liaison.lib.school_years import school_year_of

TODAY = DEMO_TODAY


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
