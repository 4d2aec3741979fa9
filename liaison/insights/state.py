"""The state view: every agency and district in one state, for a state-wide evaluator (docs/state-view.md).

A state school-safety office or a legislature's study sees, for a closed school year: coverage
(schools with an officer), MOU adherence (enforcement actions judged within the MOU), the equity and
CRDC counts (referrals to law enforcement and school-related arrests, per district, per agency, and
state-wide by race/ethnicity with rates) and students' trust (each school's latest closed survey).

Who: evaluators whose membership names the state, and platform admins. Nobody else, and a state
evaluator sees nothing else: no district's or agency's own pages.

Every count about students passes the disclosure engine as ONE table, so that nothing hidden comes
back from the rest: each district's and each agency's figure is the sum of the (never shown) counts
of the agency–district pairs, the state's total is the sum of the districts' and of the agencies',
and the race/ethnicity breakdown adds up to the state's total. The pairs' own counts are protected
like any small count (a district served by two agencies must not give one agency's handful away
through the agencies' totals). The figures are those of a closed school year, computed once and
stored (FigureSnapshot "state", scope "state:XX"), never recomputed after a new record.

Schools, officers and enrollment are not counts about what happened to students: shown as they are.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from functools import cache
from typing import Any

from django.db.models import Count, Q
from django.http import Http404

from liaison.accounts.scope import user_scope
from liaison.agreements.models import Evaluation
from liaison.agreements.vocabulary import Outcome
from liaison.directory.models import Agency, Assignment, District, Enrollment, Partnership, School
from liaison.interactions.models import EnforcementDetail
from liaison.lib.disclosure import Release, Table
from liaison.lib.school_years import school_year_days
from liaison.lib.states import STATE_FIPS

from .disclosure import release, subset_of
from .public_figures import schools_trust
from .selectors import GROUPS, UNKNOWN
from .snapshots import check_school_year_closed, snapshot_get_or_build

STATE = "state"
MEASURES = ("actions", "within_mou", "not_within_mou", "referred", "arrested")
UNKNOWN_LABEL = "Unknown"


def state_for_user(user: Any, state: str) -> str:
    """The state code, for a state evaluator of that state or a platform admin; 404 for anyone else
    (and for a state that does not exist)."""
    code = state.upper()
    scope = user_scope(user)
    if code not in STATE_FIPS or not (scope.platform_admin or code in scope.evaluator_states):
        raise Http404
    return code


def state_evaluated_by(user: Any) -> str | None:
    """The first state the user evaluates (for the landing page and links), if any."""
    states = sorted(user_scope(user).evaluator_states)
    return states[0] if states else None


def scope_key(state: str) -> str:
    return f"state:{state}"


def state_body(state: str, school_year: str, today: datetime.date) -> dict[str, Any]:
    """The state's figures for a closed school year, as stored when first asked for."""
    check_school_year_closed(school_year, today)
    return snapshot_get_or_build(
        figure=STATE, scope=scope_key(state), period=school_year, district=None, build=lambda: build(state, school_year)
    )


# --- counting ---------------------------------------------------------------------------------------


def _pair_counts(
    districts: list[District], first: datetime.date, last: datetime.date
) -> tuple[dict[tuple[int, int], dict[str, int]], dict[str, dict[str, int]]]:
    """Per agency–district pair, the counts of MEASURES; and state-wide, referrals and arrests by
    race/ethnicity."""
    details = EnforcementDetail.objects.filter(
        interaction__district__in=districts, interaction__occurred_on__range=(first, last), interaction__voided=False
    )
    pairs: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    grouped = details.values("interaction__agency_id", "interaction__district_id").annotate(
        actions=Count("*"),
        referred=Count("pk", filter=Q(counts_as_referral=True)),
        arrested=Count("pk", filter=Q(counts_as_arrest=True)),
    )
    for row in grouped:
        found = pairs[(row["interaction__agency_id"], row["interaction__district_id"])]
        found.update(actions=row["actions"], referred=row["referred"], arrested=row["arrested"])
    within = (
        Evaluation.objects.kept()
        .filter(interaction__in=details.values("interaction_id"), outcome=Outcome.WITHIN)
        .values("interaction__agency_id", "interaction__district_id")
        .annotate(n=Count("*"))
    )
    for row in within:
        pairs[(row["interaction__agency_id"], row["interaction__district_id"])]["within_mou"] = row["n"]
    for found in pairs.values():
        found["not_within_mou"] = found["actions"] - found["within_mou"]
    by_group: dict[str, dict[str, int]] = {"referred": {}, "arrested": {}}
    for measure, rule in (("referred", Q(counts_as_referral=True)), ("arrested", Q(counts_as_arrest=True))):
        for row in details.filter(rule).values("race_ethnicity").annotate(n=Count("*")):
            by_group[measure][row["race_ethnicity"]] = row["n"]
    return dict(pairs), by_group


def _enrollment(schools: list[School], school_year: str) -> tuple[int | None, dict[str, int | None]]:
    rows = list(Enrollment.objects.filter(school__in=schools, school_year=school_year))
    if not schools or len(rows) < len(schools):
        return None, {group: None for group, _ in GROUPS}
    by_group: dict[str, int | None] = {}
    for group, _ in GROUPS:
        values = [getattr(row, group) for row in rows]
        by_group[group] = None if any(v is None for v in values) else sum(values)
    return sum(row.total for row in rows), by_group


@cache
def _group_keys() -> tuple[str, ...]:
    return (*(group for group, _ in GROUPS), UNKNOWN)


def state_table(
    pairs: dict[tuple[int, int], dict[str, int]],
    agency_ids: list[int],
    district_ids: list[int],
    by_group: dict[str, dict[str, int]],
) -> Table:
    """Everything the state view shows about students, as the engine sees it (one table)."""
    table = Table()
    for (agency, district), counts in pairs.items():
        for measure in MEASURES:
            table.cell(("pair", agency, district, measure), counts[measure], sensitive=True)
        table.relate(("pair", agency, district, "actions"), [("pair", agency, district, m) for m in MEASURES[1:3]])
        table.at_most(("pair", agency, district, "referred"), ("pair", agency, district, "actions"))
        table.at_most(("pair", agency, district, "arrested"), ("pair", agency, district, "referred"))
    levels: list[tuple[Any, list[tuple[int, int]]]] = [
        (("agency", agency), [pair for pair in pairs if pair[0] == agency]) for agency in agency_ids
    ] + [(("district", district), [pair for pair in pairs if pair[1] == district]) for district in district_ids]
    for level, members in levels:
        for measure in MEASURES:
            table.total((*level, measure), [("pair", *pair, measure) for pair in members])
    for measure in MEASURES:
        table.total(("state", measure), [("agency", agency, measure) for agency in agency_ids])
        table.relate(("state", measure), [("district", district, measure) for district in district_ids])
    for level in [lvl for lvl, _ in levels] + [("state",)]:
        table.relate((*level, "actions"), [(*level, "within_mou"), (*level, "not_within_mou")])
        subset_of(table, [((*level, "referred"), (*level, "actions")), ((*level, "arrested"), (*level, "referred"))])
        table.derive(f"share:{level}", (*level, "actions"), (*level, "within_mou"), (*level, "not_within_mou"))
        table.derive(f"rate:{level}", (*level, "referred"))
    for measure in ("referred", "arrested"):
        for group in _group_keys():
            table.cell(("group", measure, group), by_group[measure].get(group, 0))
        table.relate(("state", measure), [("group", measure, group) for group in _group_keys()])
    for group in _group_keys():
        subset_of(table, [(("group", "arrested", group), ("group", "referred", group))])
        table.derive(f"rate:group:{group}", ("group", "referred", group))
        table.derive(f"arrest_rate:group:{group}", ("group", "arrested", group), ("group", "referred", group))
    return table


def build(state: str, school_year: str) -> dict[str, Any]:
    """Count, protect and shape the state's figures (the body a snapshot stores)."""
    first, last = school_year_days(school_year)
    districts = list(District.objects.filter(state=state).order_by("name", "pk"))
    pairs, by_group = _pair_counts(districts, first, last)
    partnered = set(
        Partnership.objects.filter(district__in=districts).values_list("agency_id", "district_id").distinct()
    )
    for pair in partnered - set(pairs):
        pairs[pair] = dict.fromkeys(MEASURES, 0)
    agencies = list(
        Agency.objects.filter(Q(state=state) | Q(pk__in={agency for agency, _ in pairs})).order_by("name", "pk")
    )
    table = state_table(pairs, [a.pk for a in agencies], [d.pk for d in districts], by_group)
    released = release(table)
    schools = list(School.objects.filter(district__in=districts).order_by("name"))
    assignments = Assignment.objects.filter(school__in=schools, start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )
    covered = set(assignments.values_list("school_id", flat=True))
    officers_by_agency: dict[int, set[int]] = defaultdict(set)
    schools_by_agency: dict[int, set[int]] = defaultdict(set)
    for agency_id, officer_id, school_id in assignments.values_list("agency_id", "officer_id", "school_id"):
        officers_by_agency[agency_id].add(officer_id)
        schools_by_agency[agency_id].add(school_id)
    enrollment_total, enrollment_by_group = _enrollment(schools, school_year)
    district_rows = []
    trust_all: list[float] = []
    for district in districts:
        own = [school for school in schools if school.district_id == district.pk]
        enrolled, _ = _enrollment(own, school_year)
        trust = [found.trust_index for found in schools_trust(own) if found.trust_index is not None]
        trust_all += trust
        district_rows.append(
            {
                "district": district.uuid,
                "name": district.name,
                "nces_id": district.nces_id,
                "schools": len(own),
                "schools_covered": sum(1 for school in own if school.pk in covered),
                "enrollment": enrolled,
                **_figures(released, ("district", district.pk), enrolled),
                "trust_schools": len(trust),
                "trust_index": round(sum(trust) / len(trust), 1) if trust else None,
            }
        )
    agency_rows = [
        {
            "agency": agency.uuid,
            "name": agency.name,
            "ori": agency.ori,
            "agency_state": agency.state,
            "officers": len(officers_by_agency[agency.pk]),
            "schools_covered": len(schools_by_agency[agency.pk]),
            **_figures(released, ("agency", agency.pk), None),
        }
        for agency in agencies
    ]
    labels = {**dict(GROUPS), UNKNOWN: UNKNOWN_LABEL}
    group_rows = []
    for group in _group_keys():
        referred = released.value(("group", "referred", group))
        arrested = released.value(("group", "arrested", group))
        enrolled_group = enrollment_by_group.get(group)
        group_rows.append(
            {
                "group": group,
                "label": str(labels[group]),
                "enrollment": enrolled_group,
                "referred": referred,
                "arrested": arrested,
                "referrals_per_1000": _rate(referred, enrolled_group, 1000)
                if released.shows(f"rate:group:{group}")
                else None,
                "arrests_per_100_referrals": _rate(arrested, referred, 100)
                if released.shows(f"arrest_rate:group:{group}")
                else None,
            }
        )
    return {
        "state": state,
        "school_year": school_year,
        "totals": {
            "schools": len(schools),
            "schools_covered": len(covered),
            "officers": len({o for found in officers_by_agency.values() for o in found}),
            "enrollment": enrollment_total,
            **_figures(released, ("state",), enrollment_total),
            "trust_schools": len(trust_all),
            "trust_index": round(sum(trust_all) / len(trust_all), 1) if trust_all else None,
        },
        "districts": district_rows,
        "agencies": agency_rows,
        "groups": group_rows,
    }


def _rate(count: int | None, base: int | None, per: int) -> float | None:
    if count is None or not base:
        return None
    return round(per * count / base, 2)


def _figures(released: Release, level: tuple[Any, ...], enrolled: int | None) -> dict[str, Any]:
    found: dict[str, Any] = {measure: released.value((*level, measure)) for measure in MEASURES}
    actions = found["actions"]
    share_shown = released.shows(f"share:{level}") and actions
    found["within_mou_percent"] = round(100 * found["within_mou"] / actions, 1) if share_shown else None
    found["referrals_per_1000"] = _rate(found["referred"], enrolled, 1000) if released.shows(f"rate:{level}") else None
    return found
