"""The equity and CRDC figures as every door shows them (page, CSV, API): one body per figure.

Unrestricted audiences (the district's admins, an agency's leaders, a principal) get the body
computed now. Restricted audiences (evaluators) get it for a closed school year only, from the
stored snapshot (liaison/insights/snapshots.py), after the disclosure engine.
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any
from uuid import UUID

from liaison.accounts.models import Membership
from liaison.accounts.roles import Role
from liaison.agreements.models import Agreement
from liaison.directory.models import District
from liaison.lib.disclosure import Table
from liaison.lib.school_years import school_year_days, school_year_of

from .access import EquityScope
from .crdc import KINDS, SchoolCounts, crdc_counted, crdc_counts, crdc_released, crdc_schools, crdc_table
from .disclosure import release
from .models import FigureSnapshot
from .mou_pages import EQUITY_TIES, agencies_table, tie_equity
from .public_figures import PUBLIC_FIGURES, Link, page_table, public_already
from .rows import point_rows, total_shown
from .selectors import EquityAnalysis, equity_analysis, equity_counted, equity_disclosure_table, equity_released
from .snapshots import check_school_year_closed, last_closed_school_year, snapshot_get_or_build
from .state import state_body

EQUITY = "equity"
CRDC = "crdc"


def scope_key(scope: EquityScope) -> str:
    """Whose records a restricted scope counts: the snapshot's name for it."""
    key = f"district:{scope.district.uuid}"
    if scope.agency_ids is not None:
        key += ";agencies:" + ",".join(str(pk) for pk in sorted(scope.agency_ids))
    if scope.school_ids is not None:
        key += ";schools:" + ",".join(str(pk) for pk in sorted(scope.school_ids))
    return key


def equity_body(scope: EquityScope, school_year: str) -> dict[str, Any]:
    return _equity_body(equity_analysis(scope, school_year))


def _equity_body(analysis: EquityAnalysis) -> dict[str, Any]:
    scope = analysis.scope
    return {
        "district": scope.district.uuid,
        "schools": [school.uuid for school in analysis.schools],
        "school_year": analysis.school_year,
        "every_agency": scope.agency_ids is None,
        "suppressed": scope.suppressed,
        "enrollment_total": analysis.enrollment_total,
        "enrollment_complete": analysis.enrollment_complete,
        "points": [
            {
                "key": point.key,
                "label": point.definition.label,
                "base_label": point.definition.base_label,
                "per": point.definition.per,
                "total": total_shown(point),
                "groups": [{**row.__dict__, "finding": row.finding} for row in point_rows(analysis, point)],
            }
            for point in analysis.points
        ],
    }


def _kind_body(counts: SchoolCounts, kind: str) -> dict[str, Any]:
    found = counts.kinds[kind]
    return {
        "instances": found.instances,
        "school_reported": counts.school_reported(kind),
        "school_reported_entered": counts.reported_value(kind) is not None,
        "gap": counts.gap(kind),
        "without_student_key": found.without_key,
        "students_collected": found.students.collected,
        "students": found.students.total,
        "splits": found.students.splits,
    }


def crdc_body(scope: EquityScope, school_year: str) -> dict[str, Any]:
    return _crdc_body(scope, school_year, crdc_counts(scope, school_year))


def _crdc_body(scope: EquityScope, school_year: str, counts: list[SchoolCounts]) -> dict[str, Any]:
    return {
        "district": scope.district.uuid,
        "school_year": school_year,
        "every_agency": scope.agency_ids is None,
        "suppressed": scope.suppressed,
        "schools": [
            {
                "school": school.school.uuid,
                "name": school.school.name,
                "nces_id": school.school.nces_id,
                **{kind: _kind_body(school, kind) for kind, _, _ in KINDS},
            }
            for school in counts
        ],
    }


def crdc_school_body(scope: EquityScope, school_year: str, school: UUID, today: datetime.date) -> dict[str, Any] | None:
    """The CRDC figure of one school of the scope (None: not one of its schools). Unrestricted: that
    school's actions only are read. Restricted: the school's part of the stored snapshot (the engine
    released every school together)."""
    if scope.suppressed:
        body = figure_body(CRDC, scope, school_year, today)
        schools = [item for item in body["schools"] if str(item["school"]) == str(school)]
        return {**body, "schools": schools} if schools else None
    found = [pk for pk, uuid, _ in crdc_schools(scope) if uuid == school]
    if not found:
        return None
    return _crdc_body(scope, school_year, crdc_counts(scope, school_year, only=found))


def restricted_table(analysis: EquityAnalysis, counts: list[SchoolCounts]) -> Table:
    """The equity analysis and the CRDC counts of one scope and year as one table: they count the
    same actions (each point's total is the sum of the schools' instances), so a count hidden in
    one must not come back from the other."""
    table = equity_disclosure_table(analysis).merge(crdc_table(counts))
    for point, kind in (("referral", "referred"), ("arrest", "arrested")):
        table.relate((point, "total"), [(school.school.pk, kind, "instances") for school in counts])
    return table


def restricted_bodies(scope: EquityScope, school_year: str) -> dict[str, dict[str, Any]]:
    """Both figures a restricted audience sees for a year, protected together, and together with
    the public page's figures of the same records when those were stored first."""
    analysis = equity_counted(scope, school_year)
    counts = crdc_counted(scope, school_year)
    table = restricted_table(analysis, counts)
    already: dict[Any, bool] = {}
    public = _stored_public(scope, school_year)
    if public is not None:
        agreement, payload = public
        first, last = school_year_days(school_year)
        table = _linked(table.merge(page_table(agreement.agency_id, agreement.district_id, first, last)))
        already = public_already(payload)
    table = _with_mou_pages(table, scope, school_year, already)
    released = release(table, already=already)
    return {
        EQUITY: _equity_body(equity_released(analysis, released)),
        CRDC: _crdc_body(scope, school_year, crdc_released(counts, released)),
    }


def _with_mou_pages(table: Table, scope: EquityScope, school_year: str, already: dict[Any, bool]) -> Table:
    """A district-wide scope's table with every agency's public MOU figures of the year, fixed as
    stored, and the agencies without (liaison/insights/mou_pages.py), each decision point's total tied
    to their sum: its readers can read every MOU page of the district (`already` is updated in place)."""
    if scope.agency_ids is not None or scope.school_ids is not None:
        return table
    agencies, shown, ties = agencies_table(scope.district, school_year)
    table = table.merge(agencies)
    tie_equity(table, ties)
    already.update(shown)
    return table


BUILDERS = {EQUITY: equity_body, CRDC: crdc_body}


def figure_body(figure: str, scope: EquityScope, school_year: str, today: datetime.date) -> dict[str, Any]:
    """The figure for this scope: live when unrestricted; a closed year's snapshot when restricted."""
    if not scope.suppressed:
        return BUILDERS[figure](scope, school_year)
    check_school_year_closed(school_year, today)
    key = scope_key(scope)
    bodies: dict[str, dict[str, Any]] = {}

    def build(name: str) -> dict[str, Any]:
        if not bodies:
            bodies.update(restricted_bodies(scope, school_year))
        return bodies[name]

    found = {}
    for name in BUILDERS:  # both figures are stored together, from one protected table
        found[name] = snapshot_get_or_build(
            figure=name, scope=key, period=school_year, district=scope.district, build=partial(build, name)
        )
    return found[figure]


def restricted_scopes(district: District) -> list[EquityScope]:
    """Every restricted scope in use for a district: a district-wide evaluator, and each agency
    with an evaluator (over its records about the district)."""
    evaluators = Membership.objects.filter(role=Role.EVALUATOR)
    scopes = []
    if evaluators.filter(district=district).exists():
        scopes.append(EquityScope(district, None, None, suppressed=True))
    agencies = evaluators.filter(agency__partnerships__district=district).values_list("agency_id", flat=True)
    for agency in sorted(set(agencies)):
        scopes.append(EquityScope(district, frozenset({agency}), None, suppressed=True))
    return scopes


def snapshots_build(today: datetime.date, *, school_year: str | None = None) -> int:
    """Build the missing snapshots of a closed school year (the last one by default) for every
    restricted scope in use. The plain function the scheduler runs; returns how many were built."""
    school_year = school_year or last_closed_school_year(today)
    check_school_year_closed(school_year, today)
    built = 0
    for district in District.objects.order_by("pk"):
        for scope in restricted_scopes(district):
            before = FigureSnapshot.objects.count()
            figure_body(EQUITY, scope, school_year, today)
            built += FigureSnapshot.objects.count() - before
    states = Membership.objects.filter(role=Role.EVALUATOR).exclude(state="").values_list("state", flat=True)
    for state in sorted(set(states)):  # each state with a state-wide evaluator (insights/state.py)
        before = FigureSnapshot.objects.count()
        state_body(state, school_year, today)
        built += FigureSnapshot.objects.count() - before
    return built


# --- the public page and an agency evaluator count the same records -------------------------------


def _agency_scope(agreement: Agreement) -> EquityScope:
    return EquityScope(agreement.district, frozenset({agreement.agency_id}), None, suppressed=True)


def _stored_public(scope: EquityScope, school_year: str) -> tuple[Agreement, dict[str, Any]] | None:
    """The stored public figures of the same records as a one-agency evaluator scope, if any."""
    if scope.agency_ids is None or len(scope.agency_ids) != 1 or scope.school_ids is not None:
        return None
    agreements = Agreement.objects.filter(
        agency_id__in=scope.agency_ids, district=scope.district, figures_published=True
    ).order_by("pk")
    for agreement in agreements:
        stored = FigureSnapshot.objects.filter(
            figure=PUBLIC_FIGURES, scope=f"agreement:{agreement.uuid}", period=school_year
        ).first()
        if stored is not None:
            return agreement, stored.payload
    return None


def public_link(agreement: Agreement, through: datetime.date) -> Link | None:
    """For the public figures of an agency in a district: the agency evaluator's stored equity and
    CRDC figures of the same records and year, to protect the public figures around them."""
    scope = _agency_scope(agreement)
    school_year = school_year_of(through)
    stored = {
        s.figure: s.payload
        for s in FigureSnapshot.objects.filter(scope=scope_key(scope), period=school_year, figure__in=[EQUITY, CRDC])
    }
    if len(stored) < 2:
        return None

    def link(public: Table) -> tuple[Table, dict[Any, bool]]:
        from .outcomes_release import outcomes_link  # (it builds on this module)

        counts = crdc_counted(scope, school_year)
        table = _linked(restricted_table(equity_counted(scope, school_year), counts).merge(public))
        already = equity_already(stored[EQUITY]) | crdc_already(stored[CRDC], counts)
        return outcomes_link(table, already, scope, school_year, through)

    return link


def _linked(table: Table) -> Table:
    """The public page's action counts are the equity decision points' totals."""
    for point, actions in EQUITY_TIES:
        if table.cells[(point, "total")] == sum(table.cells[a] for a in actions):
            table.relate((point, "total"), actions)
    return table


def equity_already(payload: dict[str, Any]) -> dict[Any, bool]:
    shown: dict[Any, bool] = {}
    for point in payload["points"]:
        shown[(point["key"], "total")] = point["total"] is not None
        for group in point["groups"]:
            shown[(point["key"], group["group"])] = group["events"] is not None
    return shown


def crdc_already(payload: dict[str, Any], counts: list[SchoolCounts]) -> dict[Any, bool]:
    pks = {str(school.school.uuid): school.school.pk for school in counts}
    shown: dict[Any, bool] = {}
    for school in payload["schools"]:
        pk = pks.get(str(school["school"]))
        if pk is None:
            continue
        for kind in ("referred", "arrested"):
            found = school[kind]
            shown[(pk, kind, "instances")] = found["instances"] is not None
            shown[(pk, kind, "without_key")] = found["without_student_key"] is not None
            if found["school_reported_entered"]:
                shown[(pk, kind, "reported")] = found["school_reported"] is not None
            if found["students_collected"]:
                shown[(pk, kind, "students")] = found["students"] is not None
                for split, values in found["splits"].items():
                    for value, count in values.items():
                        shown[(pk, kind, split, value)] = count is not None
    return shown
