"""The annual program report: built in the background, stored, its figures the pages' own, for every
role as that role may see them, and a public version from which no suppressed count comes back."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from liaison.accounts.models import AuditEntry
from liaison.agreements import services as agreement_services
from liaison.agreements.models import Evaluation
from liaison.agreements.tests.mous import mou_in_force
from liaison.agreements.vocabulary import Outcome
from liaison.insights import report as reports
from liaison.insights.models import ProgramReport
from liaison.insights.public_figures import enforcement_table
from liaison.insights.tests.test_equity import YEAR, _action, _enrollment
from liaison.interactions.models import EnforcementDetail
from liaison.interactions.services import interaction_record
from liaison.interactions.vocabulary import ActionType
from liaison.lib.disclosure_audit import audit

TODAY = datetime.date(2026, 12, 6)  # YEAR has closed
IN_YEAR = datetime.datetime(2025, 11, 12, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture
def program(world):
    """A year with an MOU in force, enrollment, positive contacts and enforcement actions with small cells."""
    agreement = mou_in_force(world)
    _enrollment(world, world.elementary, 400, white=250, black=50, hispanic=100, asian=0)
    _enrollment(world, world.high, 500, white=250, black=50, hispanic=200, asian=0)
    for _ in range(12):
        interaction_record(
            actor=world.officer.user,
            officer=world.officer,
            school=world.elementary,
            kind="positive",
            occurred_at=IN_YEAR,
        )
    actions = {
        "white": ["referral_to_law_enforcement"] * 7,
        "black": ["referral_to_law_enforcement"] * 19 + ["arrest"] * 3,
        "hispanic_latino": ["referral_to_law_enforcement"] * 14 + ["warning"] * 12,
    }
    for race, types in actions.items():
        for i, action_type in enumerate(types):
            _action(world, action_type, race, school=world.high if i % 2 else world.elementary)
    world.agreement = agreement
    return world


def report_url(owner, kind="agency"):
    return reverse("insights:report", args=[kind, owner.uuid])


def build(client, owner, kind="agency", audience=ProgramReport.Audience.FULL):
    response = client.post(reverse("insights:report_build", args=[kind, owner.uuid]), {"school_year": YEAR})
    assert response.status_code == 302, response.status_code
    return ProgramReport.objects.get(**{kind: owner}, school_year=YEAR, audience=audience)


# --- built in the background, stored, a tagged PDF ---------------------------------------------------------


def test_the_agency_report_is_built_stored_and_downloaded_as_a_tagged_pdf(program, page_as):
    client = page_as("agency_admin")
    report = build(client, program.agency)
    assert report.status == ProgramReport.Status.DONE, report.error
    assert report.progress == 100 and report.seconds is not None
    page = client.get(report_url(program.agency), {"school_year": YEAR})
    assert page.status_code == 200
    text = page.content.decode()
    for section in reports.sections_for(ProgramReport.Audience.FULL):
        assert f'id="report-{section.key}"' in text
    pdf = client.get(reverse("insights:report_pdf", args=[report.uuid]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = pdf.content
    assert body.startswith(b"%PDF")
    document = PdfReader(io.BytesIO(body))
    assert "/StructTreeRoot" in document.trailer["/Root"]  # tagged
    assert document.trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert document.metadata.title == report.title
    assert document.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]  # the title is shown, not the file name
    # downloaded again, the same stored bytes
    assert client.get(reverse("insights:report_pdf", args=[report.uuid])).content == body


def test_progress_is_polled_and_the_page_reloads_when_ready(program, page_as):
    client = page_as("district_admin")
    report = build(client, program.district, "district")
    ProgramReport.objects.filter(pk=report.pk).update(status=ProgramReport.Status.BUILDING, progress=40, step="Equity")
    partial = client.get(reverse("insights:report_status", args=[report.uuid]), HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert 'hx-trigger="every' in text and 'value="40"' in text and "Equity" in text
    assert "HX-Refresh" not in partial
    ProgramReport.objects.filter(pk=report.pk).update(status=ProgramReport.Status.DONE, progress=100)
    done = client.get(reverse("insights:report_status", args=[report.uuid]), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true" and "hx-trigger" not in done.content.decode()


def test_a_build_asked_for_twice_while_waiting_is_queued_once(program, world):
    queued = []
    first = reports.report_request(
        actor=world.users["agency_admin"], owner=world.agency, school_year=YEAR, audience="full", enqueue=queued.append
    )
    again = reports.report_request(
        actor=world.users["agency_admin"], owner=world.agency, school_year=YEAR, audience="full", enqueue=queued.append
    )
    assert first.pk == again.pk and len(queued) == 1


def test_pdf_downloads_are_audit_logged_as_exports(program, page_as):
    client = page_as("supervisor")
    report = build(client, program.agency)
    client.get(reverse("insights:report_pdf", args=[report.uuid]))
    entry = AuditEntry.objects.filter(action="export", object_type="export.pdf").latest("pk")
    assert entry.actor_username == "supervisor" and entry.object_uuid == report.uuid
    assert entry.agency_id == program.agency.pk and YEAR in entry.summary


# --- every figure is the pages' own -------------------------------------------------------------------------


def _figures(html, name):
    return [m for m in re.findall(rf'data-figure="{name}">([^<]*)<', html)]


def test_report_figures_are_those_of_the_pages_they_summarise(program, page_as):
    world = program
    client = page_as("agency_admin")
    build(client, world.agency)
    figures = reports.section_figures(reports.report_scope(world.agency, YEAR, "full", TODAY))

    equity_page = client.get(reverse("insights:equity", args=[world.district.uuid]), {"school_year": YEAR})
    page_points = {p[0]["key"]: p[1] for p in equity_page.context["points"]}
    (district,) = figures["equity"]["districts"]
    for point in district["body"]["points"]:
        assert [(g["group"], g["events"], g["rri"]) for g in point["groups"]] == [
            (g["group"], g["events"], g["rri"]) for g in page_points[point["key"]]
        ]

    crdc_page = client.get(reverse("insights:crdc", args=[world.district.uuid]), {"school_year": YEAR})
    page_crdc = {c.school.pk: [row[1].instances for row in kinds] for c, kinds, _ in crdc_page.context["schools"]}
    (crdc,) = figures["crdc"]["districts"]
    assert {c.school.pk: [k[1] for k in kinds] for c, kinds in crdc["rows"]} == page_crdc

    first, last = datetime.date(2025, 7, 1), datetime.date(2026, 6, 30)
    mou_page = client.get(
        reverse("agreements:dashboard", args=["agency", world.agency.uuid]),
        {"start": figures["mou"]["period"].start, "end": figures["mou"]["period"].end},
    )
    assert figures["mou"]["period"].start == first and figures["mou"]["period"].end == last
    assert [(s.school, [m.counts for m in s.months]) for s in mou_page.context["by_school"]] == [
        (s.school, [m.counts for m in s.months]) for s in figures["mou"]["figures"].by_school
    ]
    assert mou_page.context["arrests"] == figures["mou"]["figures"].arrests

    presence = client.get(reverse("programs:presence"), {"school_year": YEAR})
    page_rows = {
        c.school.pk: (c.contacts, c.weeks_with_contact, c.longest_gap.days) for c, _ in presence.context["rows"]
    }
    report_rows = {
        c.school.pk: (c.contacts, c.weeks_with_contact, c.longest_gap.days) for c, _ in figures["coverage"]["rows"]
    }
    assert report_rows == {pk: page_rows[pk] for pk in report_rows}
    page_split = {s.officer.pk: [r.count for r in s.roles] for s in presence.context["splits"]}
    for split in figures["activities"]["splits"]:
        assert [r.count for r in split.roles] == page_split[split.officer.pk]

    # and the stored document says what the figures say
    html = ProgramReport.objects.get(agency=world.agency, school_year=YEAR, audience="full").html
    assert _figures(html, "contacts") == [str(c.contacts) for c, _ in figures["coverage"]["rows"]]
    events = ["" if g["events"] is None else str(g["events"]) for p in district["body"]["points"] for g in p["groups"]]
    assert _figures(html, "events") == events


# --- who sees what ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "kind", "expected"),
    [
        ("platform_admin", "agency", 200),
        ("agency_admin", "agency", 200),
        ("supervisor", "agency", 200),
        ("officer", "agency", 403),
        ("district_admin", "district", 200),
        ("district_admin", "agency", 403),
        ("school_admin", "district", 403),
        ("evaluator", "agency", 200),
        ("evaluator", "district", 403),
        ("outsider_agency_admin", "agency", 404),
        ("outsider_district_admin", "district", 404),
        ("anonymous", "agency", 302),
    ],
)
def test_who_reads_the_report(program, page_as, role, kind, expected):
    owner = program.agency if kind == "agency" else program.district
    client = page_as(role)
    assert client.get(report_url(owner, kind), {"school_year": YEAR}).status_code == expected
    build_url = reverse("insights:report_build", args=[kind, owner.uuid])
    assert client.post(build_url, {"school_year": YEAR}).status_code == (302 if expected == 200 else expected)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("platform_admin", 200),
        ("agency_admin", 200),
        ("supervisor", 200),
        ("officer", 403),
        ("district_admin", 403),
        ("school_admin", 403),
        ("evaluator", 403),  # the leaders' version: the evaluator has their own
        ("outsider_agency_admin", 404),
        ("outsider_district_admin", 404),
        ("anonymous", 302),
    ],
)
def test_who_downloads_the_leaders_report_and_its_progress(program, page_as, role, expected):
    report = build(page_as("agency_admin"), program.agency)
    client = page_as(role)
    assert client.get(reverse("insights:report_pdf", args=[report.uuid])).status_code == expected
    assert client.get(reverse("insights:report_status", args=[report.uuid])).status_code == expected


def test_the_district_report_is_the_districts_admins(program, page_as):
    report = build(page_as("district_admin"), program.district, "district")
    assert report.status == ProgramReport.Status.DONE, report.error
    assert page_as("district_admin").get(reverse("insights:report_pdf", args=[report.uuid])).status_code == 200
    for role in ("agency_admin", "supervisor", "school_admin", "officer"):
        assert page_as(role).get(reverse("insights:report_pdf", args=[report.uuid])).status_code == 403, role


def test_evaluators_get_the_restricted_figures_only(program, page_as):
    client = page_as("evaluator")
    report = build(client, program.agency, audience=ProgramReport.Audience.RESTRICTED)
    assert report.audience == ProgramReport.Audience.RESTRICTED and report.status == ProgramReport.Status.DONE
    assert 'id="report-equity"' in report.html and 'id="report-crdc"' in report.html
    for leaders_only in ("coverage", "activities", "mou"):
        assert f'id="report-{leaders_only}"' not in report.html
    figures = reports.section_figures(reports.report_scope(program.agency, YEAR, "restricted", TODAY))
    (district,) = figures["equity"]["districts"]
    assert district["body"]["suppressed"] is True
    referral = next(p for p in district["body"]["points"] if p["key"] == "referral")
    white = next(g for g in referral["groups"] if g["group"] == "white")
    assert white["events"] is None  # 7: suppressed
    assert ">7<" not in report.html
    # the evaluator's page and API show the same released figures
    page = client.get(reverse("insights:equity", args=[program.district.uuid]), {"school_year": YEAR})
    page_referral = next(rows for p, rows, _ in page.context["points"] if p["key"] == "referral")
    assert [g["events"] for g in page_referral] == [g["events"] for g in referral["groups"]]
    crdc_page = client.get(reverse("insights:crdc", args=[program.district.uuid]), {"school_year": YEAR})
    page_crdc = {c.school.pk: [row[1].instances for row in kinds] for c, kinds, _ in crdc_page.context["schools"]}
    (crdc,) = figures["crdc"]["districts"]
    assert {c.school.pk: [k[1] for k in kinds] for c, kinds in crdc["rows"]} == page_crdc
    assert client.get(reverse("insights:report_pdf", args=[report.uuid])).status_code == 200


def test_evaluators_cannot_build_a_year_that_has_not_closed(program, page_as):
    client = page_as("evaluator")
    response = client.post(
        reverse("insights:report_build", args=["agency", program.agency.uuid]), {"school_year": "2026-2027"}
    )
    assert response.status_code == 404
    assert not ProgramReport.objects.exists()


# --- the public version --------------------------------------------------------------------------------------


def _publish(world):
    agreement_services.agreement_publish(
        actor=world.users["agency_admin"], agreement=world.agreement, published=True, figures=True
    )
    client = Client()
    client.force_login(world.users["agency_admin"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("insights:report_publish", args=["agency", world.agency.uuid]), {"school_year": YEAR, "publish": "yes"}
    )
    assert response.status_code == 302
    return ProgramReport.objects.get(agency=world.agency, school_year=YEAR, audience="public")


def test_the_public_version_is_published_by_the_agencys_admin(program, page_as):
    for role in ("supervisor", "evaluator", "district_admin", "officer"):
        response = page_as(role).post(
            reverse("insights:report_publish", args=["agency", program.agency.uuid]), {"school_year": YEAR}
        )
        assert response.status_code in (403, 404), role
    report = _publish(program)
    assert report.published and report.status == ProgramReport.Status.DONE, report.error
    anonymous = Client()
    page = anonymous.get(reverse("public_report", args=[report.uuid]))
    assert page.status_code == 200
    assert report.title in page.content.decode()
    assert anonymous.get(reverse("public_report_pdf", args=[report.uuid])).content.startswith(b"%PDF")
    assert report.title in anonymous.get(reverse("public_reports")).content.decode()
    for leaders_only in ("coverage", "activities", "mou", "equity", "crdc"):
        assert f'id="report-{leaders_only}"' not in report.html
    assert AuditEntry.objects.filter(object_uuid=report.uuid, action="update").exists()
    # withdrawn, it is gone from the public pages
    client = page_as("agency_admin")
    client.post(
        reverse("insights:report_publish", args=["agency", program.agency.uuid]), {"school_year": YEAR, "publish": "no"}
    )
    assert anonymous.get(reverse("public_report", args=[report.uuid])).status_code == 404
    assert anonymous.get(reverse("public_report_pdf", args=[report.uuid])).status_code == 404


def test_an_unpublished_or_leaders_report_is_not_public(program, page_as):
    report = build(page_as("agency_admin"), program.agency)
    assert Client().get(reverse("public_report", args=[report.uuid])).status_code == 404
    assert Client().get(reverse("public_report_pdf", args=[report.uuid])).status_code == 404


def test_no_suppressed_count_is_recoverable_from_the_public_report(program):
    """The attacker reads every figure the public report shows about enforcement and works out the
    feasible range of every hidden one: none is pinned below 10."""
    report = _publish(program)
    html = report.html
    labels = {str(label): value for value, label in ActionType.choices}
    shown = {}
    for label, value in re.findall(r'<th scope="row">([^<]+)</th><td data-figure="action">([^<]*)<', html):
        if value.strip().isdigit():
            shown[("action", labels[label])] = int(value)
    for name in ("enforcement_total", "referrals"):
        (value,) = _figures(html, name)
        if value.strip().isdigit():
            shown[name] = int(value)
    details = EnforcementDetail.objects.filter(interaction__agency=program.agency, interaction__voided=False)
    by_type = {row["action_type"]: row["n"] for row in details.values("action_type").annotate(n=Count("*"))}
    within = Evaluation.objects.filter(interaction__in=details.values("interaction_id"), outcome=Outcome.WITHIN).count()
    truth = enforcement_table(by_type, within)
    for key, value in shown.items():
        assert truth.cells[key] == value, key  # every shown figure is the true one
    assert ("action", "arrest") not in shown  # 3 arrests: suppressed
    (share,) = _figures(html, "within_mou_percent")
    if share.strip() and share.strip() != "Not shown":
        shown["within_mou"] = truth.cells["within_mou"]
        shown["not_within_mou"] = truth.cells["not_within_mou"]
    hidden = {key for key in truth.cells if key not in shown}
    assert hidden, "the fixture has small cells"
    found = audit(truth, hidden, threshold=10)
    assert found.passed, {key: found.ranges[key] for key in found.unprotected}
    assert ">3<" not in html


def test_the_command_builds_and_writes_the_report(program, tmp_path):
    out = io.StringIO()
    path = tmp_path / "report.pdf"
    call_command(
        "program_report",
        "--district",
        str(program.district.uuid),
        "--school-year",
        YEAR,
        "--pdf",
        str(path),
        stdout=out,
    )
    assert path.read_bytes().startswith(b"%PDF")
    assert "Trust survey results" in out.getvalue() and "Built" in out.getvalue()
    report = ProgramReport.objects.get(district=program.district, school_year=YEAR, audience="full")
    assert report.status == ProgramReport.Status.DONE and report.requested_by is None


def test_the_outcomes_section_is_the_outcomes_views(program, page_as):
    world = program
    for role, kind, owner, url in (
        ("agency_admin", "agency", world.agency, "insights:outcomes-agency"),
        ("district_admin", "district", world.district, "insights:outcomes-district"),
    ):
        client = page_as(role)
        page = client.get(reverse(url, args=[owner.uuid]), {"school_year": YEAR})
        assert page.status_code == 200
        section = reports.outcomes_section(reports.report_scope(owner, YEAR, "full", TODAY))
        shown = {measure.key: table for measure, table, _ in page.context["sections"]}
        assert section["measures"], kind
        for measure, table, chart in section["measures"]:
            assert table == shown[measure.key], (kind, measure.key)
            assert "<svg" in str(chart) and 'role="img"' in str(chart)
        assert section["trust"] == page.context["trust"]


@pytest.mark.parametrize(
    ("role", "agency_link", "district_link"),
    [
        ("agency_admin", True, False),
        ("supervisor", True, False),
        ("officer", False, False),
        ("district_admin", False, True),
        ("school_admin", False, False),
        ("evaluator", True, False),
    ],
)
def test_the_agency_and_district_pages_link_to_the_report_for_those_who_read_it(
    world, page_as, role, agency_link, district_link
):
    client = page_as(role)
    agency = client.get(reverse("directory:agency_detail", args=[world.agency.uuid]))
    district = client.get(reverse("directory:district_detail", args=[world.district.uuid]))
    if agency.status_code == 200:
        assert (report_url(world.agency) in agency.content.decode()) is agency_link
    else:
        assert not agency_link
    if district.status_code == 200:
        assert (report_url(world.district, "district") in district.content.decode()) is district_link
    else:
        assert not district_link


def test_a_failed_build_says_so_and_can_be_built_again(program, page_as, monkeypatch):
    def broken(scope):
        raise RuntimeError("boom")

    sections = [reports.Section(s.key, s.title, s.template, broken, s.audiences) for s in reports.SECTIONS]
    monkeypatch.setattr(reports, "SECTIONS", sections)
    client = page_as("agency_admin")
    report = build(client, program.agency)
    assert report.status == ProgramReport.Status.FAILED and report.error == reports.BUILD_FAILED
    page = client.get(report_url(program.agency), {"school_year": YEAR}).content.decode()
    assert "could not be built" in page and "boom" not in page
    assert client.get(reverse("insights:report_pdf", args=[report.uuid])).status_code == 404
    monkeypatch.undo()
    assert build(client, program.agency).status == ProgramReport.Status.DONE


# --- a district of hundreds of schools: the rows that need attention, the rest on the pages ----------------


def test_beyond_the_listed_limit_the_report_lists_the_rows_that_need_attention(program, page_as, monkeypatch):
    """With more schools than the report names (here the limit is lowered to 1 for the two schools of
    the fixture), the coverage table lists the school a visit missed most, the CRDC table the largest
    difference from what a school reported, the program names no school, and each says how many there
    are in all; the figures themselves (every school's) are still the pages'."""
    from liaison.insights.services import school_reported_set

    world = program
    monkeypatch.setattr(reports, "LISTED", 1)
    school_reported_set(
        actor=world.users["district_admin"],
        school=world.high,
        school_year=YEAR,
        referral_instances=3,
        arrest_instances=0,
    )
    school_reported_set(
        actor=world.users["district_admin"],
        school=world.elementary,
        school_year=YEAR,
        referral_instances=19,
        arrest_instances=2,
    )
    scope = reports.report_scope(world.district, YEAR, "full", TODAY)
    coverage = reports.coverage_section(scope)
    assert len(coverage["rows"]) == 2 and len(coverage["listed"]) == 1
    (least,) = coverage["listed"]
    assert least == min(coverage["rows"], key=lambda row: reports._least_present(row[0]))
    assert coverage["without_contact"] == sum(1 for c, _ in coverage["rows"] if not c.contacts)
    (crdc,) = reports.crdc_section(scope)["districts"]
    gaps = {c.school: [c.gap(kind) for kind, _, _ in reports.KINDS] for c, _ in crdc["rows"]}
    largest = max(gaps, key=lambda school: max(abs(gap or 0) for gap in gaps[school]))
    assert [c.school for c, _ in crdc["listed"]] == [largest]
    assert crdc["summary"]["schools"] == 2
    assert crdc["summary"]["differ"] + crdc["summary"]["agree"] + crdc["summary"]["not_compared"] == 2
    report = build(page_as("district_admin"), world.district, kind="district")
    assert report.status == ProgramReport.Status.DONE, report.error
    assert "2 schools, more than this report lists by name (1)" in report.html
    assert "Across all 2 schools" in report.html and "every school is on the presence page" in report.html
    assert "every school is on the CRDC page" in report.html
    coverage_html = report.html.split('id="report-coverage"')[1].split("</section>")[0]
    assert coverage_html.count("<tr data-school=") == 1 and str(least[0].school.uuid) in coverage_html
    crdc_html = report.html.split('id="report-crdc"')[1].split("</section>")[0]
    assert {str(largest.uuid)} == set(re.findall(r'<tr data-school="([^"]+)"', crdc_html))
    monkeypatch.setattr(reports, "LISTED", 0)
    activities = reports.activities_section(scope)
    assert activities["splits"] and activities["by_officer"] is False
    html = reports.report_render(scope)
    assert f"{len(activities['splits'])} officer" in html and "records by role are on the presence page" in html
    assert 'id="report-activities-officers"' not in html
