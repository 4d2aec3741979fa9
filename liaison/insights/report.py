"""The annual program report: one document per agency or district and school year, for a council or
a school board (docs/reports.md).

The report is a list of sections. Each section names the audiences it is for and a function that
reads its figures from the same selectors the pages call (the presence page, the MOU dashboard, the
equity and CRDC pages, the survey results, the public figures page); nothing here counts anything of
its own. A build renders every section once, to HTML, and the PDF from that HTML, and stores both,
so a report is downloaded again exactly as it was built.

Three audiences: the program's leaders (everything, live); evaluators (restricted: the equity and
CRDC figures as the disclosure engine released them for a closed school year, the survey results
suppressed under 10, and the public figures); the public (the figures the parties published with
their MOU, through the same engine, and the survey results). Another app adds a section with
`register_section`.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from liaison.accounts.audit import audit_record
from liaison.agreements import dashboard
from liaison.agreements import selectors as agreement_selectors
from liaison.agreements.models import Agreement
from liaison.agreements.vocabulary import Outcome
from liaison.directory.models import Agency, Assignment, District, Officer, School
from liaison.directory.selectors import agency_today, schools_partnered_with
from liaison.lib.school_years import school_year_days
from liaison.programs import selectors as program_selectors
from liaison.surveys.models import Wave, WaveSchool
from liaison.surveys.selectors import wave_results
from liaison.surveys.vocabulary import WaveStatus

from . import outcome_charts
from .access import EquityScope, report_owner_kind
from .contacts_trust_outputs import contacts_trust_scatter
from .crdc import KINDS, crdc_counts, school_counts_from_body
from .figures import CRDC, EQUITY, figure_body
from .models import ProgramReport
from .outcome_tables import MEASURES, body_table, measure_table, trust_rows
from .outcomes import (
    AGENCY,
    DISTRICT,
    SCHOOL,
    ContactsAndTrust,
    OutcomesScope,
    agency_schools,
    contacts_and_trust,
    outcomes_timeline,
)
from .outcomes_release import restricted_agency_body, restricted_outcomes_body
from .public_figures import agreement_public_figures
from .public_outcomes import public_outcomes_body, public_outcomes_of
from .released_contacts_trust import public_contacts_and_trust, released_contacts_and_trust
from .snapshots import school_year_closed

logger = logging.getLogger(__name__)
# The PDF uses the site's stylesheet, whose screen rules WeasyPrint warns about on every render.
logging.getLogger("weasyprint").setLevel(logging.ERROR)

Audience = ProgramReport.Audience
FULL, RESTRICTED, PUBLIC = Audience.FULL, Audience.RESTRICTED, Audience.PUBLIC
EVERYONE = frozenset({FULL, RESTRICTED, PUBLIC})

PDF_TEMPLATE = "insights/report/pdf.html"
STYLESHEET = "css/liaison.css"
BUILD_FAILED = "The report could not be built. The error was logged; please try again."

Owner = Agency | District | School


@dataclass(frozen=True)
class ReportScope:
    """What one report covers: an agency's, a district's or a school's school year, for one audience."""

    owner: Owner
    school_year: str
    audience: str
    today: datetime.date
    schools: list[School] = field(default_factory=list)

    @property
    def is_agency(self) -> bool:
        return isinstance(self.owner, Agency)

    @property
    def first(self) -> datetime.date:
        return school_year_days(self.school_year)[0]

    @property
    def last(self) -> datetime.date:
        return school_year_days(self.school_year)[1]

    @property
    def as_of(self) -> datetime.date:
        """The figures run to the year's last day, or to today while the year runs."""
        return min(self.today, self.last)

    @property
    def closed(self) -> bool:
        return school_year_closed(self.school_year, self.today)

    @property
    def is_school(self) -> bool:
        return isinstance(self.owner, School)

    def districts(self) -> list[District]:
        if isinstance(self.owner, District):
            return [self.owner]
        if isinstance(self.owner, School):
            return [self.owner.district]
        ids = {school.district_id for school in self.schools}
        return list(District.objects.filter(pk__in=ids).order_by("name"))

    def equity_scope(self, district: District) -> EquityScope:
        """Whose records the equity and CRDC figures count: the agency's about the district, or every
        agency's about a district's schools; the same scopes the evaluators' snapshots are built for."""
        agencies = frozenset({self.owner.pk}) if self.is_agency else None
        schools = frozenset({self.owner.pk}) if self.is_school else None  # the principal's own scope
        return EquityScope(district, agencies, schools, suppressed=self.audience != FULL)


def report_scope(owner: Owner, school_year: str, audience: str, today: datetime.date) -> ReportScope:
    if isinstance(owner, Agency):
        schools = list(schools_partnered_with(agency=owner).select_related("district").order_by("name"))
    elif isinstance(owner, School):
        schools = list(School.objects.filter(pk=owner.pk).select_related("district"))
    else:
        schools = list(School.objects.filter(district=owner).select_related("district").order_by("name"))
    return ReportScope(owner, school_year, audience, today, schools)


def owner_today(owner: Owner) -> datetime.date:
    return agency_today(owner) if isinstance(owner, Agency) else timezone.localdate()


def owner_kind(owner: Owner) -> str:
    return report_owner_kind(owner)


def report_title(owner: Owner, school_year: str, audience: str) -> str:
    title = f"{owner.name}: annual program report, {school_year.replace('-', '–')}"
    return title + (" (public version)" if audience == PUBLIC else "")


# --- the sections -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    template: str
    build: Callable[[ReportScope], dict[str, Any]]
    audiences: frozenset[str] = EVERYONE


def _officers(scope: ReportScope) -> list[Officer]:
    """Officers assigned to the report's schools at any time in the school year (for an agency, its own)."""
    assignments = Assignment.objects.filter(school__in=scope.schools, start_date__lte=scope.as_of).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=scope.first)
    )
    if isinstance(scope.owner, Agency):
        assignments = assignments.filter(agency=scope.owner)
    ids = assignments.values("officer_id")
    return list(Officer.objects.filter(pk__in=ids).select_related("user", "agency").order_by("agency__name", "pk"))


def _agreements(scope: ReportScope) -> list[Agreement]:
    owner = {"agency": scope.owner} if scope.is_agency else {"district__in": scope.districts()}
    return list(Agreement.objects.filter(**owner).select_related("agency", "district").order_by("pk"))


# A report names each school and officer, row by row, up to this many; beyond it (a city's district of
# hundreds of schools) its tables list the rows that most need a council's attention, say how many
# there are in all, and leave every row to the pages and their CSV, which have them. A 390-school
# district's report was 111 pages, and 14 s of its 41 s went to laying them out (docs/reports.md).
LISTED = 40


def program_section(scope: ReportScope) -> dict[str, Any]:
    officers = _officers(scope)
    return {
        "listed": LISTED,
        "list_schools": len(scope.schools) <= LISTED,
        "list_officers": len(officers) <= LISTED,
        "schools": scope.schools,
        "districts": scope.districts(),
        "officers": officers,
        "officer_count": len(officers),
        "agencies": sorted({officer.agency.name for officer in officers}),
        "agreements": _agreement_rows(scope),
        "show_names": scope.audience == FULL,
    }


def coverage_section(scope: ReportScope) -> dict[str, Any]:
    """The presence page's figures (programs.selectors): weeks with a visit, the longest gap, positive
    contacts per 100 students a month, and each school's officers and turnover."""
    consistency = program_selectors.schools_consistency(scope.schools, school_year=scope.school_year, as_of=scope.as_of)
    persistence = program_selectors.schools_persistence(scope.schools, as_of=scope.as_of)
    rows = list(zip(consistency, persistence, strict=True))
    return {
        "rows": rows,
        "listed": rows if len(rows) <= LISTED else sorted(rows, key=lambda row: _least_present(row[0]))[:LISTED],
        "every_week": sum(1 for c, _ in rows if c.has_calendar and c.school_weeks and c.week_share == 1),
        "without_calendar": sum(1 for c, _ in rows if not c.has_calendar),
        "without_contact": sum(1 for c, _ in rows if not c.contacts),
    }


def _least_present(found: program_selectors.Consistency) -> tuple[Any, ...]:
    """The schools a visit missed most first: the smallest share of school weeks with a visit, then the
    longest gap; a school without a calendar (no weeks to count) after those with one."""
    share = found.week_share
    return (not found.has_calendar, 1.0 if share is None else share, -found.longest_gap.days, found.school.name)


def activities_section(scope: ReportScope) -> dict[str, Any]:
    """Each officer's records across NASRO's triad (the presence page's split), and the program's
    totals per role: the sum of the officers' rows."""
    officers = [o for o in _officers(scope) if o.status == Officer.Status.ACTIVE]
    at = scope.schools if scope.is_school else None  # a school's report counts its own records only
    splits = program_selectors.officers_role_split(officers, first=scope.first, last=scope.as_of, schools=at)
    totals: dict[str, dict[str, Any]] = {}
    for split in splits:
        for role in split.roles:
            found = totals.setdefault(role.role, {"label": role.label, "count": 0})
            found["count"] += role.count
    everything = sum(row["count"] for row in totals.values())
    roles = [
        {**row, "share": row["count"] / everything if everything else None, "role": key} for key, row in totals.items()
    ]
    return {"splits": splits, "roles": roles, "records": everything, "by_officer": len(splits) <= LISTED}


def mou_section(scope: ReportScope) -> dict[str, Any]:
    """The MOU dashboard's figures (agreements.dashboard) over the school year: each school's
    actions by outcome, the categories most often outside the MOU, arrests after consultation."""
    period = dashboard.Period(start=scope.first, end=scope.as_of)
    figures = dashboard.dashboard_figures(scope=dashboard.Scope.of(scope.owner), period=period, now=timezone.now())
    outcomes = [value for value, _ in Outcome.choices]
    schools = []
    for school in figures.by_school:
        totals = {outcome: sum(month.counts.get(outcome, 0) for month in school.months) for outcome in outcomes}
        schools.append({"school": school.school, "totals": [totals[o] for o in outcomes]})
    return {
        "figures": figures,
        "period": period,
        "outcome_labels": [label for _, label in Outcome.choices],
        "schools_outcomes": schools,
        "agreements": _agreement_rows(scope),
    }


def _agreement_rows(scope: ReportScope) -> list[dict[str, Any]]:
    """Each MOU of the owner and its version in force on the report's last day."""
    return [
        {"agreement": a, "in_force": agreement_selectors.agreement_current_version(a, scope.as_of)}
        for a in _agreements(scope)
    ]


def equity_section(scope: ReportScope) -> dict[str, Any]:
    """The equity page's body for each district (insights.figures.figure_body): live for the
    program's leaders, the stored and released snapshot of a closed year for evaluators."""
    if scope.audience != FULL and not scope.closed:
        return {"districts": [], "not_closed": True}
    found = []
    for district in scope.districts():
        found.append(
            {
                "district": district,
                "body": figure_body(EQUITY, scope.equity_scope(district), scope.school_year, scope.today),
            }
        )
    return {"districts": found, "not_closed": False}


def crdc_section(scope: ReportScope) -> dict[str, Any]:
    """The CRDC page's counts for each district, as that page reads them."""
    if scope.audience != FULL and not scope.closed:
        return {"districts": [], "not_closed": True}
    found = []
    for district in scope.districts():
        equity_scope = scope.equity_scope(district)
        if equity_scope.suppressed:
            counts = school_counts_from_body(figure_body(CRDC, equity_scope, scope.school_year, scope.today))
        else:
            counts = crdc_counts(equity_scope, scope.school_year)
        rows = [
            (
                c,
                [
                    (label, c.kinds[kind].instances, c.school_reported(kind), c.gap_text(kind))
                    for kind, _, label in KINDS
                ],
            )
            for c in counts
        ]
        found.append({"district": district, "rows": rows, **_crdc_listed(counts, rows)})
    return {"districts": found, "kinds": [label for _, _, label in KINDS], "not_closed": False}


def _crdc_listed(counts: list[Any], rows: list[Any]) -> dict[str, Any]:
    """Every school's rows up to `LISTED` schools; beyond, the schools whose count differs from what
    the school reported, the largest difference first (only differences the audience is shown: a gap
    computed from a hidden count is None and is never ranked), with how many agree and how many
    cannot be compared."""
    if len(rows) <= LISTED:
        return {"listed": rows, "summary": None}
    gaps = [[c.gap(kind) for kind, _, _ in KINDS] for c in counts]
    differ = [i for i, found in enumerate(gaps) if any(gap for gap in found)]
    differ.sort(key=lambda i: (-max(abs(gap or 0) for gap in gaps[i]), counts[i].school.name))
    compared = [i for i, found in enumerate(gaps) if all(gap is not None for gap in found)]
    return {
        "listed": [rows[i] for i in differ[:LISTED]],
        "summary": {
            "schools": len(rows),
            "differ": len(differ),
            "agree": sum(1 for i in compared if i not in differ),
            "not_compared": len(rows) - len(set(compared) | set(differ)),
        },
    }


def trust_section(scope: ReportScope) -> dict[str, Any]:
    """Each closed survey wave of the school year at the report's schools, scored as the survey
    results pages score it (surveys.selectors.wave_results: nothing under 10 respondents)."""
    waves = Wave.objects.filter(
        district__in=scope.districts(), status=WaveStatus.CLOSED, closes_on__range=(scope.first, scope.last)
    ).select_related("instrument")
    found = []
    for wave in waves.order_by("closes_on", "pk"):
        wave_schools = list(
            WaveSchool.objects.filter(wave=wave, school__in=scope.schools)
            .select_related("school", "wave")
            .order_by("school__name")
        )
        if wave_schools:
            found.append(wave_results(wave, wave_schools))
    return {"waves": found}


def public_figures_section(scope: ReportScope) -> dict[str, Any]:
    """The public page's figures of each MOU whose parties published them, for a closed year."""
    if not scope.closed:
        return {"figures": [], "not_closed": True}
    found = []
    for agreement in _agreements(scope):
        if agreement.published and agreement.figures_published:
            found.append(agreement_public_figures(agreement, scope.school_year))
    return {"figures": found, "not_closed": False}


# --- the outcomes charts (liaison/insights/outcomes.py: the outcomes view's figures and charts) -------

REPORT_MEASURES = (
    "positive_per_100",
    "positive_share",
    "week_share",
    "classes",
    "within_share",
    "referrals_per_1000",
    "arrests_per_1000",
)


def outcomes_scope(scope: ReportScope) -> OutcomesScope:
    """The outcomes view's scope of the report's owner, as its own door builds it for the owner's leaders:
    an agency's records at the schools it served in the year; every agency's at the district's schools."""
    owner = scope.owner
    if isinstance(owner, School):
        return OutcomesScope(
            level=SCHOOL,
            name=owner.name,
            uuid=str(owner.uuid),
            schools=(owner,),
            agency_ids=None,
            district_ids=frozenset({owner.district_id}),
        )
    if isinstance(owner, Agency):
        schools = agency_schools(owner.pk, scope.school_year)
        return OutcomesScope(
            level=AGENCY,
            name=owner.name,
            uuid=str(owner.uuid),
            schools=tuple(schools),
            agency_ids=frozenset({owner.pk}),
            district_ids=frozenset(school.district_id for school in schools),
        )
    return OutcomesScope(
        level=DISTRICT,
        name=owner.name,
        uuid=str(owner.uuid),
        schools=tuple(School.objects.filter(district=owner).order_by("name")),
        agency_ids=None,
        district_ids=frozenset({owner.pk}),
    )


def outcomes_section(scope: ReportScope) -> dict[str, Any]:
    """The outcomes view's timeline (the year beside the one before, month by month) for the key
    measures, with its charts and tables, the trust index of each wave, and for a district the
    contacts-and-trust scatter."""
    found = outcomes_scope(scope)
    timeline = outcomes_timeline(found, scope.school_year, as_of=scope.today)
    measures = []
    for measure in MEASURES:
        if measure.key not in REPORT_MEASURES:
            continue
        table = measure_table(timeline, measure)
        series = [
            outcome_charts.Series(timeline.school_year, [row.current for row in table.rows], current=True),
            outcome_charts.Series(timeline.previous.school_year, [row.previous for row in table.rows], current=False),
        ]
        label = f"{measure.label}, by month, {timeline.school_year} beside {timeline.previous.school_year}"
        chart = outcome_charts.line_chart(label, [row.month for row in table.rows] or ["Jul"], series)
        measures.append((measure, table, chart))
    trust = trust_rows(timeline)
    trust_chart = outcome_charts.interval_chart(
        "Trust index of each survey wave, 0 to 100, with its 95% interval",
        [outcome_charts.Interval(row.short, row.mean, row.low, row.high) for row in trust],
    )
    context: dict[str, Any] = {"timeline": timeline, "measures": measures, "trust": trust, "trust_chart": trust_chart}
    if isinstance(scope.owner, District):
        side_by_side = contacts_and_trust(found.name, found.schools, agency_ids=None, as_of=scope.as_of)
        context["contacts_trust"] = side_by_side
        context["scatter"] = contacts_trust_scatter(side_by_side)
    return context


def public_outcomes_section(scope: ReportScope) -> dict[str, Any]:
    """A district's or an agency's published outcomes of the year (the public outcomes page's stored
    release: the key measures with their charts and tables, hidden figures reading "Suppressed");
    nothing when the owner has not published them (nor for a school, whose outcomes are its district's)."""
    owner = scope.owner
    if not isinstance(owner, District | Agency) or not scope.closed:
        return {"body": None}
    found = next((p for p in public_outcomes_of(owner) if p.school_year == scope.school_year), None)
    if found is None:
        return {"body": None}
    body = public_outcomes_body(found, scope.today)
    context = {"body": body, "found": found, "measures": released_measures(body)}
    if found.district is not None:  # contacts and trust compares a district's schools
        context |= _contacts_trust(public_contacts_and_trust(found, scope.today))
    return context


def released_measures(body: dict[str, Any]) -> list[tuple[Any, Any, Any]]:
    """The key measures of a released outcomes body (the API's shape), each with its table (hidden
    figures marked) and its chart, the year beside the year before."""
    measures = []
    for measure in MEASURES:
        if measure.key not in REPORT_MEASURES:
            continue
        table = body_table(body, measure)
        series = [
            outcome_charts.Series(body["school_year"], [row.current for row in table.rows], current=True),
            outcome_charts.Series(body["previous"]["school_year"], [row.previous for row in table.rows], current=False),
        ]
        label = f"{measure.label}, by month, {body['school_year']} beside {body['previous']['school_year']}"
        chart = outcome_charts.line_chart(label, [row.month for row in table.rows] or ["Jul"], series)
        measures.append((measure, table, chart))
    return measures


def _contacts_trust(found: ContactsAndTrust) -> dict[str, Any]:
    return {"contacts_trust": found, "scatter": contacts_trust_scatter(found)}


def restricted_outcomes_section(scope: ReportScope) -> dict[str, Any]:
    """Evaluators: a closed year's outcomes exactly as their outcomes pages serve them (each year its
    stored release through the disclosure rules, the year beside the year before: the agency's for an
    agency's report, the whole district's for a district's), and for a district, contacts and trust
    computed from the same releases only (liaison/insights/released_contacts_trust.py)."""
    if not scope.closed:
        return {"body": None, "not_closed": True}
    owner = scope.owner
    if isinstance(owner, Agency):
        body = restricted_agency_body(owner, scope.school_year, scope.today)
        return {"body": body, "measures": released_measures(body), "not_closed": False}
    access = scope.equity_scope(scope.districts()[0])
    body = restricted_outcomes_body(access, scope.school_year, scope.today)
    side_by_side = released_contacts_and_trust(access, scope.school_year, scope.today)
    return {"body": body, "measures": released_measures(body), "not_closed": False, **_contacts_trust(side_by_side)}


SECTIONS: list[Section] = [
    Section("program", "The program and its officers", "insights/report/program.html", program_section),
    Section("coverage", "Coverage and presence", "insights/report/coverage.html", coverage_section, frozenset({FULL})),
    Section(
        "activities",
        "Activities and the triad",
        "insights/report/activities.html",
        activities_section,
        frozenset({FULL}),
    ),
    Section("mou", "The MOU and its adherence", "insights/report/mou.html", mou_section, frozenset({FULL})),
    Section("equity", "Equity analysis", "insights/report/equity.html", equity_section, frozenset({FULL, RESTRICTED})),
    Section("crdc", "CRDC reconciliation", "insights/report/crdc.html", crdc_section, frozenset({FULL, RESTRICTED})),
    Section(
        "public_figures",
        "Published program figures",
        "insights/report/public_figures.html",
        public_figures_section,
        frozenset({RESTRICTED, PUBLIC}),
    ),
    Section("trust", "Trust survey results", "insights/report/trust.html", trust_section),
    Section("outcomes", "Outcomes over the year", "insights/report/outcomes.html", outcomes_section, frozenset({FULL})),
    Section(
        "restricted_outcomes",
        "Outcomes over the year",
        "insights/report/restricted_outcomes.html",
        restricted_outcomes_section,
        frozenset({RESTRICTED}),
    ),
    Section(
        "public_outcomes",
        "Outcomes over the year",
        "insights/report/public_outcomes.html",
        public_outcomes_section,
        frozenset({PUBLIC}),
    ),
]


def register_section(section: Section, *, after: str | None = None) -> None:
    """Add a section (once), after the named one or at the end."""
    if any(s.key == section.key for s in SECTIONS):
        return
    keys = [s.key for s in SECTIONS]
    SECTIONS.insert(keys.index(after) + 1 if after in keys else len(SECTIONS), section)


def sections_for(audience: str) -> list[Section]:
    return [section for section in SECTIONS if audience in section.audiences]


def section_figures(scope: ReportScope) -> dict[str, dict[str, Any]]:
    """Every section's figures for a scope (what a build renders; the tests compare them with the pages)."""
    return {section.key: section.build(scope) for section in sections_for(scope.audience)}


# --- building and storing -----------------------------------------------------------------------------


def _progress(report: ProgramReport, **values: Any) -> None:
    """Saved at once, outside any transaction, so the page polling the report sees it move."""
    for name, value in values.items():
        setattr(report, name, value)
    ProgramReport.objects.filter(pk=report.pk).update(**values)


def report_render(scope: ReportScope, on_section: Callable[[int, Section], None] | None = None) -> str:
    parts = []
    sections = sections_for(scope.audience)
    for i, section in enumerate(sections):
        if on_section is not None:
            on_section(i, section)
        context = {"scope": scope, "section": section, **section.build(scope)}
        parts.append(render_to_string(section.template, context))
    return "\n".join(parts)


def report_pdf(report: ProgramReport) -> bytes:
    """The stored HTML as a tagged PDF (PDF/UA-1) whose title is the report's."""
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(PDF_TEMPLATE, {"report": report})
    stylesheet = finders.find(STYLESHEET)
    assert isinstance(stylesheet, str), f"{STYLESHEET} not found"
    fetcher = URLFetcher(allowed_protocols=["data"])  # nothing from the network or the disk
    pdf: bytes = HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(filename=stylesheet, url_fetcher=fetcher)], pdf_tags=True, pdf_variant="pdf/ua-1"
    )
    return pdf


def report_build(
    report: ProgramReport, *, today: datetime.date | None = None, on_step: Callable[[str], None] | None = None
) -> ProgramReport:
    """Build one requested report: every section, then the PDF. The plain function the task runs."""
    started = time.monotonic()
    owner = report.owner
    scope = report_scope(owner, report.school_year, report.audience, today or owner_today(owner))
    steps = len(sections_for(report.audience)) + 1
    _progress(report, status=ProgramReport.Status.BUILDING, progress=0, step="Starting", error="")
    try:

        def on_section(i: int, section: Section) -> None:
            _progress(report, progress=round(100 * i / steps), step=section.title)
            if on_step is not None:
                on_step(f"{round(100 * i / steps):3d}% {section.title}")

        html = report_render(scope, on_section)
        _progress(report, progress=round(100 * (steps - 1) / steps), step="Making the PDF", html=html)
        report.title = report_title(owner, report.school_year, report.audience)
        pdf = report_pdf(report)
    except Exception:
        logger.exception("program report %s failed", report.uuid)
        _progress(report, status=ProgramReport.Status.FAILED, error=BUILD_FAILED, step="")
        return report
    _progress(
        report,
        status=ProgramReport.Status.DONE,
        progress=100,
        step="",
        title=report.title,
        pdf=pdf,
        built_at=timezone.now(),
        seconds=round(time.monotonic() - started, 2),
    )
    return report


def report_request(
    *, actor: Any, owner: Owner, school_year: str, audience: str, enqueue: Callable[[ProgramReport], None]
) -> ProgramReport:
    """Ask for a (re)build of a report; one stored report per owner, year and audience. A build already
    waiting or running is not asked for twice."""
    kind = owner_kind(owner)
    report, created = ProgramReport.objects.get_or_create(
        **{kind: owner},
        school_year=school_year,
        audience=audience,
        defaults={"requested_by": actor, "title": report_title(owner, school_year, audience)},
    )
    if not created and report.status in (ProgramReport.Status.QUEUED, ProgramReport.Status.BUILDING):
        return report
    _progress(report, status=ProgramReport.Status.QUEUED, progress=0, step="", error="")
    if not created:
        ProgramReport.objects.filter(pk=report.pk).update(requested_by=actor, requested_at=timezone.now())
    try:
        enqueue(report)
    except Exception:
        _progress(report, status=ProgramReport.Status.FAILED, error=BUILD_FAILED)
        raise
    report.refresh_from_db()
    return report


def public_report_refresh(
    *, actor: Any, owner: District | Agency, school_year: str, enqueue: Callable[[ProgramReport], None]
) -> ProgramReport | None:
    """Build a district's or an agency's public report of the year again, if there is one (its outcomes
    section follows the owner's published outcomes: published or withdrawn, the report says so)."""
    stored = ProgramReport.objects.filter(
        **{report_owner_kind(owner): owner}, school_year=school_year, audience=PUBLIC
    ).exists()
    if not stored:
        return None
    return report_request(actor=actor, owner=owner, school_year=school_year, audience=PUBLIC, enqueue=enqueue)


def report_filename(report: ProgramReport) -> str:
    suffix = "-public" if report.audience == PUBLIC else ""
    return f"program-report-{slugify(report.owner.name)}-{report.school_year}{suffix}.pdf"


def report_publish_set(*, actor: Any, report: ProgramReport, published: bool) -> ProgramReport:
    """Publish or withdraw a public version (the owner's admins decide, as the MOU's parties publish
    their MOU); the decision is in the audit log."""
    if report.audience != PUBLIC:
        raise ValueError("Only the public version is published.")
    if report.published == published:
        return report
    report.published = published
    ProgramReport.objects.filter(pk=report.pk).update(published=published)
    audit_record(
        actor=actor,
        action="update",
        obj=report,
        summary=f"{'Published' if published else 'Withdrew'} {report.title or 'a program report'}",
        before={"published": not published},
        after={"published": published},
        agency_id=report.agency_id,
        district_id=report.district_id,
    )
    return report
