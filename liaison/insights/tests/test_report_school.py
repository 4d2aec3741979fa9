"""A school's annual program report, for its principal: the page and the PDF, every figure the
school's own pages' (every agency's records about the school, nothing from another school), and
nobody else's school."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from liaison.accounts.models import AuditEntry
from liaison.insights import report as reports
from liaison.insights.models import ProgramReport
from liaison.insights.tests.test_equity import YEAR
from liaison.insights.tests.test_report import IN_YEAR, TODAY, build, program, report_url  # noqa: F401
from liaison.interactions.services import interaction_record


def _school_report(client, world):
    return build(client, world.elementary, "school")


def test_the_principal_builds_their_schools_report_and_downloads_it_as_a_tagged_pdf(program, page_as):  # noqa: F811
    client = page_as("school_admin")
    report = _school_report(client, program)
    assert report.status == ProgramReport.Status.DONE, report.error
    assert report.school == program.elementary and report.title.startswith(program.elementary.name)
    page = client.get(report_url(program.elementary, "school"), {"school_year": YEAR})
    assert page.status_code == 200
    text = page.content.decode()
    for section in reports.sections_for(ProgramReport.Audience.FULL):
        assert f'id="report-{section.key}"' in text, section.key
    assert reverse("directory:school_detail", args=[program.elementary.uuid]) in text  # back to the school
    assert reverse("insights:report_publish", args=["school", program.elementary.uuid]) not in text
    pdf = client.get(reverse("insights:report_pdf", args=[report.uuid]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    document = PdfReader(io.BytesIO(pdf.content))
    assert "/StructTreeRoot" in document.trailer["/Root"] and document.metadata.title == report.title
    entry = AuditEntry.objects.filter(action="export", object_type="export.pdf").latest("pk")
    assert entry.actor_username == "school_admin" and entry.object_uuid == report.uuid
    assert entry.district_id == program.district.pk  # the school's district finds it in its audit log


# --- every figure is the school's pages' own -----------------------------------------------------------------


def test_the_school_report_figures_are_those_of_the_principals_pages(program, page_as):  # noqa: F811
    world = program
    client = page_as("school_admin")
    figures = reports.section_figures(reports.report_scope(world.elementary, YEAR, "full", TODAY))

    assert [s.pk for s in figures["program"]["schools"]] == [world.elementary.pk]
    outcomes = client.get(reverse("insights:outcomes-school", args=[world.elementary.uuid]), {"school_year": YEAR})
    assert outcomes.status_code == 200
    shown = {measure.key: table for measure, table, _ in outcomes.context["sections"]}
    for measure, table, _ in figures["outcomes"]["measures"]:
        assert table == shown[measure.key], measure.key
    assert figures["outcomes"]["trust"] == outcomes.context["trust"]
    assert "contacts_trust" not in figures["outcomes"]  # a district's scatter, not a school's

    equity = client.get(reverse("insights:equity", args=[world.district.uuid]), {"school_year": YEAR})
    page_points = {p[0]["key"]: p[1] for p in equity.context["points"]}
    (district,) = figures["equity"]["districts"]
    for point in district["body"]["points"]:
        assert [(g["group"], g["events"]) for g in point["groups"]] == [
            (g["group"], g["events"]) for g in page_points[point["key"]]
        ], point["key"]

    crdc = client.get(reverse("insights:crdc", args=[world.district.uuid]), {"school_year": YEAR})
    page_crdc = {c.school.pk: [row[1].instances for row in kinds] for c, kinds, _ in crdc.context["schools"]}
    (counts,) = figures["crdc"]["districts"]
    assert {c.school.pk: [k[1] for k in kinds] for c, kinds in counts["rows"]} == page_crdc
    assert set(page_crdc) == {world.elementary.pk}

    # the MOU dashboard's actions of the school alone (the fixture has some at both schools)
    assert {s.school for s in figures["mou"]["figures"].by_school} == {world.elementary.name}


def test_the_school_report_counts_no_record_of_another_school(program, page_as):  # noqa: F811
    """The officer also works at the high school: those records are not the elementary's."""
    world = program

    def activities():
        scope = reports.report_scope(world.elementary, YEAR, "full", TODAY)
        return reports.activities_section(scope)["records"], reports.outcomes_section(scope)["timeline"]

    records, timeline = activities()
    for _ in range(5):
        interaction_record(
            actor=world.officer.user, officer=world.officer, school=world.high, kind="positive", occurred_at=IN_YEAR
        )
    again, later = activities()
    assert again == records
    assert later.current.total.positive == timeline.current.total.positive


def test_the_command_builds_a_schools_report_for_its_leaders_only(program, tmp_path):  # noqa: F811
    path = tmp_path / "school.pdf"
    call_command("program_report", "--school", str(program.elementary.uuid), "--school-year", YEAR, "--pdf", str(path))
    assert path.read_bytes().startswith(b"%PDF")
    assert ProgramReport.objects.get(school=program.elementary, school_year=YEAR).status == ProgramReport.Status.DONE
    with pytest.raises(CommandError, match="leaders' version only"):
        call_command(
            "program_report", "--school", str(program.elementary.uuid), "--school-year", YEAR, "--audience", "public"
        )


# --- who reads it -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "school", "expected"),
    [
        ("platform_admin", "elementary", 200),
        ("school_admin", "elementary", 200),
        ("district_admin", "elementary", 200),
        ("school_admin", "high", 404),  # another school of the same district: not theirs to see
        ("school_admin", "other_school", 404),
        ("agency_admin", "elementary", 403),  # their agency's records only: the school's report is everyone's
        ("supervisor", "elementary", 403),
        ("officer", "elementary", 403),
        ("evaluator", "elementary", 403),
        ("outsider_agency_admin", "elementary", 404),
        ("outsider_district_admin", "elementary", 404),
        ("anonymous", "elementary", 302),
    ],
)
def test_who_reads_a_schools_report(program, page_as, role, school, expected):  # noqa: F811
    owner = getattr(program, school)
    client = page_as(role)
    assert client.get(report_url(owner, "school"), {"school_year": YEAR}).status_code == expected
    build_url = reverse("insights:report_build", args=["school", owner.uuid])
    assert client.post(build_url, {"school_year": YEAR}).status_code == (302 if expected == 200 else expected)
    publish_url = reverse("insights:report_publish", args=["school", owner.uuid])
    assert client.post(publish_url, {"school_year": YEAR}).status_code == (403 if expected == 200 else expected)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("platform_admin", 200),
        ("school_admin", 200),
        ("district_admin", 200),
        ("agency_admin", 403),
        ("supervisor", 403),
        ("officer", 403),
        ("evaluator", 403),
        ("outsider_agency_admin", 404),
        ("outsider_district_admin", 404),
        ("anonymous", 302),
    ],
)
def test_who_downloads_a_schools_report_and_its_progress(program, page_as, role, expected):  # noqa: F811
    report = _school_report(page_as("school_admin"), program)
    client = page_as(role)
    assert client.get(reverse("insights:report_pdf", args=[report.uuid])).status_code == expected
    assert client.get(reverse("insights:report_status", args=[report.uuid])).status_code == expected


@pytest.mark.parametrize(
    ("role", "linked"),
    [
        ("school_admin", True),
        ("district_admin", True),
        ("agency_admin", False),
        ("supervisor", False),
        ("officer", False),
        ("evaluator", False),
    ],
)
def test_the_school_page_links_to_the_report_for_those_who_read_it(world, page_as, role, linked):
    page = page_as(role).get(reverse("directory:school_detail", args=[world.elementary.uuid]))
    if page.status_code == 200:
        assert (report_url(world.elementary, "school") in page.content.decode()) is linked
    else:
        assert not linked
