"""The outcomes view for restricted audiences (evaluators): a closed year's months through the
disclosure engine, stored once, and protected together with the equity and CRDC figures of the same
records.

What the engine is told (`outcomes_table`), per month and for the year:

- counts about students and contacts with them: all contacts, positive, liaison work, enforcement,
  each triad role, mentees met, actions judged against the MOU and those within it, referrals and
  arrests. Counts of 1 to 9 are hidden, and more where needed;
- how they add up: all contacts are positive + liaison work + enforcement, and the sum of the three
  roles; each count's year is the sum of its months (mentees met excepted: the year counts each
  relationship once, so a month's is at most the year's); the judged actions split into those within
  the MOU and the rest (counted as shown, hidden when small: the public MOU page shows them), the
  referrals into arrests and the rest, the enforcement actions into referrals and the rest (these
  two never shown, and protected as children all the same); judged actions are among the
  enforcement actions (all of them, when every action was judged);
- the year's referrals and arrests are the equity analysis's decision-point totals of the same scope,
  whose stored figures (with the CRDC counts) are fixed before these: what they showed stays shown
  and counts in the audit, what they hid stays hidden. The same holds for an agency's public MOU
  page of the same records (its enforcement total and actions within the MOU), whichever is stored
  first (`outcomes_link` for the public page stored second);
- every rate and share with the counts it is computed from: it is shown only when all of them are.
  Enrollment is public (the rates per student would otherwise give the count back with it).

Presence (school weeks with a visit, the longest gap) and classes delivered are shown as they are:
they count an officer's weeks and sessions, not students.

Only a whole, closed school year is released, built once and stored: a figure recomputed after each
new record, or a year-to-date figure refreshed monthly, gives single records away by differencing.

An agency's evaluators also get the agency's months across the districts it served
(`build_agency_year`): each count the sum of the districts' over the same records, released in one
table with every one of those districts' stored releases (their months and schools', equity, CRDC,
public MOU page), whose cells keep what they showed and hid, so no district's hidden count is the
agency's total minus the other districts'.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from liaison.accounts.models import Membership
from liaison.accounts.roles import Role as AccountRole
from liaison.agreements.models import Agreement
from liaison.directory.models import Agency, District, Partnership, School
from liaison.interactions.vocabulary import Role
from liaison.lib.disclosure import Band, Release, Table
from liaison.lib.disclosure_audit import AuditReport, ShowingTrials
from liaison.lib.school_years import school_year_days

from .access import EquityScope
from .crdc import crdc_counted
from .disclosure import release, threshold
from .figures import (
    CRDC,
    EQUITY,
    crdc_already,
    equity_already,
    figure_body,
    restricted_scopes,
    restricted_table,
    scope_key,
)
from .figures import _linked as public_linked
from .figures import _stored_public as stored_public
from .models import FigureSnapshot
from .mou_pages import agencies_table, tie_agencies, tie_equity
from .outcome_tables import month_figures, trust_body, year_body
from .outcomes import (
    AGENCY,
    DISTRICT,
    SCHOOL,
    Month,
    OutcomesScope,
    Year,
    outcomes_year,
    previous_school_year,
    trust_waves,
)
from .public_figures import Link, page_table, public_already
from .selectors import equity_counted
from .snapshots import check_school_year_closed, last_closed_school_year, snapshot_get_or_build

OUTCOMES = "outcomes"
# Another figure's cell, and our year's count that equals it: the equity decision points' totals, a
# public MOU page's enforcement total and actions within the MOU (liaison/insights/public_figures.py).
LINKED: tuple[tuple[Any, str], ...] = (
    (("referral", "total"), "referrals"),
    (("arrest", "total"), "arrests"),
    ("enforcement_total", "enforcement"),
    ("positive_contacts", "positive"),
    ("within_mou", "within"),
    ("not_within_mou", "judged-not-within"),
)
ROLE_CELLS = tuple(f"role:{role}" for role in Role.values)
ADDITIVE = ("contacts", "positive", "liaison", "enforcement", *ROLE_CELLS, "judged", "within", "referrals", "arrests")
# Each figure of a month by its API field, and the cells it is computed from (enrollment, school
# weeks and classes are public or not about students; see above).
FIELDS: dict[str, tuple[str, ...]] = {
    "contacts": ("contacts",),
    "positive": ("positive",),
    "liaison": ("liaison",),
    "enforcement": ("enforcement",),
    "referrals": ("referrals",),
    "arrests": ("arrests",),
    "mentees_met": ("mentees_met",),
    "positive_per_100": ("positive",),
    "positive_share": ("positive", "contacts"),
    **{f"role_{role}": (f"role:{role}", "contacts") for role in Role.values},
    "within_share": ("within", "judged"),
    "referrals_per_1000": ("referrals",),
    "arrests_per_1000": ("arrests",),
}


def cell(school_year: str, label: str, name: str, school: int | None = None) -> tuple[Any, ...]:
    """A count's key: label is the month (YYYY-MM) or "year"; a school's counts end with its pk (the
    scope's own, the district's, have none)."""
    return ("outcomes", school_year, label, name) if school is None else ("outcomes", school_year, label, name, school)


def figure_name(school_year: str, label: str, field: str, school: int | None = None) -> str:
    """A derived figure's name (a month's field as the API serves it)."""
    name = f"outcomes:{school_year}:{label}:{field}"
    return name if school is None else f"{name}:{school}"


def _counts(month: Month) -> dict[str, int]:
    return {
        "contacts": month.contacts,
        "positive": month.positive,
        "liaison": month.liaison,
        "enforcement": month.enforcement,
        **{f"role:{role}": n for role, n in month.by_role.items()},
        "mentees_met": month.mentees_met,
        "judged": month.evaluated_total,
        "within": month.within_mou,
        "referrals": month.referrals,
        "arrests": month.arrests,
    }


def _labelled(year: Year) -> list[tuple[str, Month]]:
    return [*((f"{m.month:%Y-%m}", m) for m in year.months), ("year", year.total)]


def _month_cells(table: Table, school_year: str, label: str, month: Month, school: int | None) -> None:
    def key(name: str) -> tuple[Any, ...]:
        return cell(school_year, label, name, school)

    for name, value in _counts(month).items():
        table.cell(key(name), value)
    table.relate(key("contacts"), [key("positive"), key("liaison"), key("enforcement")])
    table.relate(key("contacts"), [key(name) for name in ROLE_CELLS])
    # The rest of each (actions outside the MOU, referred but not arrested, enforcement actions that
    # were no referral: a search, a warning) are children too: never shown, never to be worked out.
    # Those outside the MOU are modelled as shown (hidden when small): the public page shows them.
    for part, whole in (("within", "judged"), ("arrests", "referrals"), ("referrals", "enforcement")):
        if table.cells[key(part)] <= table.cells[key(whole)]:
            value = table.cells[key(whole)] - table.cells[key(part)]
            rest = table.cell(key(f"{whole}-not-{part}"), value, sensitive=part != "within")
            table.relate(key(whole), [key(part), rest])
    # Judged actions are among the enforcement actions; when every action was judged (as recorded
    # actions are), an attacker may know that too (the public page's "not within the MOU" says it).
    if table.cells[key("judged")] == table.cells[key("enforcement")]:
        table.relate(key("enforcement"), [key("judged")])
    elif table.cells[key("judged")] < table.cells[key("enforcement")]:
        table.at_most(key("judged"), key("enforcement"))
    for field, cells in FIELDS.items():
        table.derive(figure_name(school_year, label, field, school), *(key(c) for c in cells))


def outcomes_table(year: Year, school: int | None = None) -> Table:
    """One closed year's outcome counts (of the scope, or of one of its schools), how they add up,
    and what is computed from them."""
    table = Table()
    labelled = _labelled(year)
    for label, month in labelled:
        _month_cells(table, year.school_year, label, month, school)
    months = [label for label, _ in labelled if label != "year"]
    y = year.school_year
    for name in ADDITIVE:
        table.relate(cell(y, "year", name, school), [cell(y, m, name, school) for m in months])
    for m in months:
        table.at_most(cell(y, m, "mentees_met", school), cell(y, "year", "mentees_met", school))
    return table


def linked_table(year: Year, scope: EquityScope) -> Table:
    """The outcomes table with the equity and CRDC figures of the same scope and year: the year's
    referrals and arrests are the equity decision points' totals."""
    analysis = equity_counted(scope, year.school_year)
    table = restricted_table(analysis, crdc_counted(scope, year.school_year)).merge(outcomes_table(year))
    relate_year(table, year.school_year)
    return table


def relate_year(table: Table, school_year: str) -> list[tuple[Any, Any]]:
    """Tie the year's counts to the same counts in the other figures of the table (the equity totals,
    a public page's enforcement total and actions within the MOU), where they are equal; returns the
    pairs (theirs, ours) tied."""
    tied = []
    for theirs, name in LINKED:
        ours = cell(school_year, "year", name)
        if theirs in table.cells and ours in table.cells and table.cells[theirs] == table.cells[ours]:
            if (theirs, (ours,)) not in table.relations:
                table.relate(theirs, [ours])
            tied.append((theirs, ours))
    return tied


def _keep_tied(table: Table, school_year: str, already: dict[Any, bool]) -> dict[Any, bool]:
    """A year's count tied to a figure released before is shown or hidden as that figure was."""
    for theirs, ours in relate_year(table, school_year):
        if theirs in already:
            already[ours] = already[theirs]
    return already


# The figures a reader looks for first: a complement hidden among them is tried back first.
SHOW_FIRST = ("positive", "contacts", *ROLE_CELLS, "liaison", "mentees_met", "enforcement", "referrals", "judged")


def shown_again(released: Release, threshold: int, already: dict[Any, bool]) -> Release:
    """The engine's release with needless complements shown again.

    The engine adds complements greedily and never takes one back, so a month's positive contacts
    can stay hidden after a later complement (liaison work, say) already protects its small
    enforcement count. Each outcome count hidden as a complement (never a small one, never one an
    earlier release showed or hid) is shown again when the engine's audit still passes without hiding it,
    the headline counts first. The audit is the engine's: nothing here decides what is safe. Only the
    scope's own counts are tried (not its schools'): each trial is an audit of the whole table."""
    hidden = set(released.hidden)
    candidates = [
        key
        for name in SHOW_FIRST
        for key in sorted(released.hidden, key=repr)
        if isinstance(key, tuple)
        and key[0] == "outcomes"
        and len(key) == 4
        and key[3] == name
        and key not in released.primary
    ]
    ranges = dict(released.report.ranges)
    # Showing the key changes only the linear programme of the hidden cells linked to it: the audit
    # of that part is the whole table's audit, every other part's ranges staying as they are.
    trials = ShowingTrials(released.table, hidden, threshold, released.primary, known=released.report.ranges)
    for key in candidates:
        if key in already or key not in hidden:
            continue
        trial = trials.show_if_safe(key)
        if trial.passed:
            hidden.discard(key)
            ranges = {
                cell: found for cell, found in ranges.items() if cell != key and cell not in trial.ranges
            } | trial.ranges
    report = AuditReport(ranges, frozenset(), threshold)
    return Release(released.table, frozenset(hidden), released.primary, report)


def _released_month(
    released: Release, school_year: str, label: str, month: Month, school: int | None
) -> dict[str, Any]:
    figures = {"month": label if label != "year" else school_year, **month_figures(month)}
    hidden = sorted(field for field in FIELDS if not released.shows(figure_name(school_year, label, field, school)))
    return {**figures, **dict.fromkeys(hidden, None), "hidden": hidden}


def released_year_body(year: Year, released: Release, school: int | None = None) -> dict[str, Any]:
    """`year_body` with what the release hides set to null and named in each month's `hidden`."""
    labelled = _labelled(year)
    y = year.school_year
    return {
        **year_body(year),
        "months": [_released_month(released, y, label, m, school) for label, m in labelled[:-1]],
        "total": _released_month(released, y, "year", year.total, school),
    }


def outcomes_scope_of(scope: EquityScope) -> OutcomesScope:
    """The district's schools over the evaluator's records: the equity scope's."""
    district = scope.district
    return OutcomesScope(
        level=DISTRICT,
        name=district.name,
        uuid=str(district.uuid),
        schools=tuple(School.objects.filter(district=district).order_by("name")),
        agency_ids=scope.agency_ids,
        district_ids=frozenset({district.pk}),
    )


def _already(scope: EquityScope, school_year: str, table: Table) -> dict[Any, bool]:
    """What the stored equity and CRDC figures of the same scope and year showed and hid."""
    stored = {
        s.figure: s.payload
        for s in FigureSnapshot.objects.filter(scope=scope_key(scope), period=school_year, figure__in=[EQUITY, CRDC])
    }
    if len(stored) < 2:
        return {}
    return equity_already(stored[EQUITY]) | crdc_already(stored[CRDC], crdc_counted(scope, school_year))


def _with_public(table: Table, scope: EquityScope, school_year: str, already: dict[Any, bool]) -> Table:
    """With the stored public figures of the same records (an agency's published MOU in the
    district), when there are (`already` is updated in place)."""
    public = stored_public(scope, school_year)
    if public is None:
        return table
    agreement, payload = public
    first, last = school_year_days(school_year)
    already.update(public_already(payload))
    return public_linked(table.merge(page_table(agreement.agency_id, agreement.district_id, first, last)))


def _with_mou_pages(table: Table, scope: EquityScope, school_year: str, already: dict[Any, bool]) -> Table:
    """A district-wide scope's table with every agency's public MOU figures of the year, fixed as
    stored, and the agencies without (liaison/insights/mou_pages.py): its readers can read every MOU
    page of the district (`already` is updated in place)."""
    if scope.agency_ids is not None or scope.school_ids is not None:
        return table
    agencies, shown, ties = agencies_table(scope.district, school_year)
    table = table.merge(agencies)
    tie_agencies(table, lambda name: cell(school_year, "year", name), ties)
    tie_equity(table, ties)
    already.update(shown)
    return table


def outcomes_link(
    table: Table, already: dict[Any, bool], scope: EquityScope, school_year: str, today: datetime.date
) -> tuple[Table, dict[Any, bool]]:
    """For figures stored after this scope's outcomes of the year (the public page of the same
    records): the outcomes table merged in, and what the stored release showed and hid."""
    stored = FigureSnapshot.objects.filter(figure=OUTCOMES, scope=scope_key(scope), period=school_year).first()
    if stored is None:
        return table, already
    year = outcomes_year(outcomes_scope_of(scope), school_year, as_of=today)
    table = table.merge(outcomes_table(year))
    hidden = {tuple(key) for key in stored.payload["hidden_cells"]}
    if "schools" in stored.payload:  # the schools' months, released with the district's
        table, _ = schools_table(table, scope, year, today)
        crdc_tied(table, scope, school_year)
        hidden |= {tuple(key) for key in stored.payload["school_hidden_cells"]}
    for key in table.cells:
        if isinstance(key, tuple) and key[0] == "outcomes" and key not in table.unpublished:
            already[key] = key[2:] not in hidden
    relate_year(table, school_year)
    return table, already


def build_year(scope: EquityScope, school_year: str, today: datetime.date) -> dict[str, Any]:
    """One closed year's released months and total of the district and of each of its schools, and
    their closed survey waves (not stored). The schools' months are in the same table as the
    district's, tied to them (each district count is the sum of the schools') and to each school's
    CRDC row, so the district's months minus the schools' give no hidden count back: the audit runs
    over all of them, with the equity and CRDC figures and the public page of the same records."""
    outcomes_scope = outcomes_scope_of(scope)
    year = outcomes_year(outcomes_scope, school_year, as_of=today)
    table = linked_table(year, scope)
    already = _already(scope, school_year, table)
    table = _with_public(table, scope, school_year, already)
    table = _with_mou_pages(table, scope, school_year, already)
    already = _keep_tied(table, school_year, already)
    table, years = schools_table(table, scope, year, today)
    for theirs, ours in crdc_tied(table, scope, school_year):  # shown or hidden as the CRDC page did
        if theirs in already:
            already[ours] = already[theirs]
    released = shown_again(release(table, already=already), threshold(), already)
    first, last = school_year_days(school_year)
    trust = {
        str(school.uuid): trust_body(trust_waves(school_scope_of(scope, school), since=first, through=last))
        for school in years
    }
    return released_payload(
        year, years, released, trust_body(trust_waves(outcomes_scope, since=first, through=last)), trust
    )


def released_payload(
    year: Year, years: dict[School, Year], released: Release, trust: list[Any], schools_trust: dict[str, list[Any]]
) -> dict[str, Any]:
    """What is stored of a district's released year: its months and each school's as released, their
    survey waves (`schools_trust` by the school's uuid), and which counts the release hid."""
    outcome_keys = [key for key in released.hidden if isinstance(key, tuple) and key[0] == "outcomes"]
    return {
        "year": released_year_body(year, released),
        "trust": trust,
        "schools": {
            str(school.uuid): {
                "year": released_year_body(school_year_body, released, school=school.pk),
                "trust": schools_trust[str(school.uuid)],
            }
            for school, school_year_body in years.items()
        },
        # which counts the release hid (not served): for figures of the same records stored later
        "hidden_cells": sorted([key[2], key[3]] for key in outcome_keys if len(key) == 4),
        "school_hidden_cells": sorted([key[2], key[3], key[4]] for key in outcome_keys if len(key) == 5),
    }


def hidden_outcome_cells(payload: dict[str, Any], school_year: str) -> set[Any]:
    """The outcome cells (the district's and its schools') a stored release hid."""
    hidden: set[Any] = {("outcomes", school_year, *key) for key in payload["hidden_cells"]}
    return hidden | {("outcomes", school_year, *key) for key in payload.get("school_hidden_cells", [])}


def restricted_year(scope: EquityScope, school_year: str, today: datetime.date) -> dict[str, Any]:
    """A closed year's stored release, built on first use after the equity and CRDC snapshots of the
    same scope and year (so it is protected around what they show)."""
    check_school_year_closed(school_year, today)
    figure_body(EQUITY, scope, school_year, today)  # stores the equity and CRDC figures first
    return snapshot_get_or_build(
        figure=OUTCOMES,
        scope=scope_key(scope),
        period=school_year,
        district=scope.district,
        build=lambda: build_year(scope, school_year, today),
    )


Stored = Callable[[EquityScope, str, datetime.date], dict[str, Any]]


def restricted_outcomes_body(
    scope: EquityScope | RestrictedSchool | RestrictedAgency,
    school_year: str,
    today: datetime.date,
    *,
    stored: Stored = restricted_year,
) -> dict[str, Any]:
    """The outcomes body (the API's shape) of a closed year beside the year before, each year its own
    stored release, so a month is released the same way whichever year it is shown beside. `stored`:
    the release of one year (the evaluators'; the public's is protected around more pages)."""
    if isinstance(scope, RestrictedSchool):
        return restricted_school_body(scope.scope, scope.school, school_year, today, stored=stored)
    if isinstance(scope, RestrictedAgency):
        return restricted_agency_body(scope.agency, school_year, today)
    current = stored(scope, school_year, today)
    previous = stored(scope, previous_school_year(school_year), today)
    district = scope.district
    return {
        "level": DISTRICT,
        "uuid": str(district.uuid),
        "name": district.name,
        "schools": [
            str(uuid)
            for uuid in School.objects.filter(district=district).order_by("name").values_list("uuid", flat=True)
        ],
        "every_agency": scope.agency_ids is None,
        "restricted": True,
        "school_year": school_year,
        "current": current["year"],
        "previous": previous["year"],
        "trust": [*previous["trust"], *current["trust"]],
    }


def outcome_snapshots_build(today: datetime.date, *, school_year: str | None = None) -> int:
    """Store the outcomes releases an evaluator's first request would build: for every restricted
    scope in use (`restricted_scopes`), the closed year (the last one by default) and the year before,
    which the view shows beside it; then each agency with an evaluator, across its districts (after
    their releases). Each is built as a request would build it, after the equity and CRDC snapshots of
    the same scope and year. Returns how many snapshots were stored."""
    school_year = school_year or last_closed_school_year(today)
    check_school_year_closed(school_year, today)
    before = FigureSnapshot.objects.count()
    for district in District.objects.order_by("pk"):
        for scope in restricted_scopes(district):
            for year in (previous_school_year(school_year), school_year):
                restricted_year(scope, year, today)
    for agency in evaluated_agencies():
        for year in (previous_school_year(school_year), school_year):
            restricted_agency_year(agency, year, today)
    return FigureSnapshot.objects.count() - before


# --- each school of the district, released with the district's months ---------------------------------------

NOT_A_SCHOOL_THEN = "{school} has no outcomes released for {year}."


@dataclass(frozen=True)
class RestrictedSchool:
    """An evaluator's view of one school: the district's restricted scope, and the school."""

    scope: EquityScope
    school: School


def school_scope_of(scope: EquityScope, school: School) -> OutcomesScope:
    """One school of the district over the evaluator's records."""
    return OutcomesScope(
        level=SCHOOL,
        name=school.name,
        uuid=str(school.uuid),
        schools=(school,),
        agency_ids=scope.agency_ids,
        district_ids=frozenset({scope.district.pk}),
    )


def _tie(table: Table, whole: Any, parts: list[Any]) -> bool:
    """Relate a total to its parts where the counts say it is their sum (and only then: a month's
    mentees met are counted once per relationship, not once per school); whether they were."""
    if whole in table.cells and all(p in table.cells for p in parts):
        if table.cells[whole] == sum(table.cells[p] for p in parts):
            table.relate(whole, parts)
            return True
    return False


def schools_table(
    table: Table, scope: EquityScope, year: Year, today: datetime.date
) -> tuple[Table, dict[School, Year]]:
    """The district's table with each school's months merged in, and tied to it: each count of the
    district's month is the sum of its schools' (a school's year to its months, as the district's),
    (`crdc_tied` ties a school's year of referrals and arrests to its CRDC row's count)."""
    y = year.school_year
    years = {}
    for school in outcomes_scope_of(scope).schools:
        years[school] = outcomes_year(school_scope_of(scope, school), y, as_of=today)
        table = table.merge(outcomes_table(years[school], school=school.pk))
    for label, _ in _labelled(year):
        for name in (*ADDITIVE, "mentees_met"):
            _tie(table, cell(y, label, name), [cell(y, label, name, school.pk) for school in years])
    return table, years


def crdc_tied(table: Table, scope: EquityScope, school_year: str) -> list[tuple[Any, Any]]:
    """Tie each school's year of referrals and arrests to its CRDC row's count where they are equal
    (the CRDC page shows it); returns the pairs (theirs, ours) tied."""
    tied = []
    for school in outcomes_scope_of(scope).schools:
        for theirs, name in (("referred", "referrals"), ("arrested", "arrests")):
            ours = cell(school_year, "year", name, school.pk)
            if _tie(table, (school.pk, theirs, "instances"), [ours]):
                tied.append(((school.pk, theirs, "instances"), ours))
    return tied


def restricted_school_body(
    scope: EquityScope, school: School, school_year: str, today: datetime.date, *, stored: Stored = restricted_year
) -> dict[str, Any]:
    """One school's outcomes body (the API's shape) for an evaluator: its months as released with
    the district's, the year beside the year before."""
    found = []
    for year in (school_year, previous_school_year(school_year)):
        schools = stored(scope, year, today).get("schools", {})
        if str(school.uuid) not in schools:  # a school added after the year was released (or a year
            # released before schools were)
            raise ValidationError({"school_year": [NOT_A_SCHOOL_THEN.format(school=school.name, year=year)]})
        found.append(schools[str(school.uuid)])
    current, previous = found
    return {
        "level": SCHOOL,
        "uuid": str(school.uuid),
        "name": school.name,
        "schools": [str(school.uuid)],
        "every_agency": scope.agency_ids is None,
        "restricted": True,
        "school_year": school_year,
        "current": current["year"],
        "previous": previous["year"],
        "trust": [*previous["trust"], *current["trust"]],
    }


# --- an agency across the districts it serves, released with each district's months -----------------------


@dataclass(frozen=True)
class RestrictedAgency:
    """An agency evaluator's view of their agency: its records in every district it served."""

    agency: Agency


def partnerships_in(school_year: str) -> Any:
    """The partnerships (agency and district) overlapping a school year: who served whom that year."""
    first, last = school_year_days(school_year)
    return Partnership.objects.filter(start_date__lte=last).filter(Q(end_date__isnull=True) | Q(end_date__gte=first))


def agency_districts(agency: Agency, school_year: str) -> list[District]:
    """The districts an agency served in a year (a partnership overlapping it), in a fixed order."""
    partnerships = partnerships_in(school_year).filter(agency=agency)
    return list(District.objects.filter(pk__in=partnerships.values("district_id")).order_by("pk"))


def agency_district_scope(agency: Agency, district: District) -> EquityScope:
    """The agency's records in one district, as its evaluators see that district (`equity_scope_for`)."""
    return EquityScope(district, frozenset({agency.pk}), None, suppressed=True)


def in_district(district: int, key: Any) -> tuple[Any, ...]:
    """A district's cell in the agency's table (the districts' tables use the same keys)."""
    return ("in-district", district, key)


def _within(table: Table, district: int) -> Table:
    """A district's table with each key moved under the district (its derived figures are not the
    agency's: the district's own release decides them)."""

    def key(found: Any) -> tuple[Any, ...]:
        return in_district(district, found)

    return Table(
        {key(k): v for k, v in table.cells.items()},
        [(key(total), tuple(key(p) for p in parts)) for total, parts in table.relations],
        {key(k) for k in table.unpublished},
        {key(k) for k in table.sensitive},
        [Band({key(k): c for k, c in band.terms.items()}, band.low, band.high) for band in table.bands],
    )


def district_as_released(
    scope: EquityScope, school_year: str, today: datetime.date
) -> tuple[Table, dict[Any, bool], Year]:
    """Everything the agency's evaluators read of one district (its months and its schools', the
    equity and CRDC figures, the public MOU page of the same records), stored first, as one table,
    with what the stored releases showed (True) and hid (False)."""
    stored = restricted_year(scope, school_year, today)  # after the equity and CRDC figures
    year = outcomes_year(outcomes_scope_of(scope), school_year, as_of=today)
    table = linked_table(year, scope)
    already = _already(scope, school_year, table)
    table = _with_public(table, scope, school_year, already)
    hidden = {tuple(key) for key in stored["hidden_cells"]}
    if "schools" in stored:  # the schools' months, released with the district's
        table, _ = schools_table(table, scope, year, today)
        crdc_tied(table, scope, school_year)
        hidden |= {tuple(key) for key in stored["school_hidden_cells"]}
    for key in table.cells:
        if isinstance(key, tuple) and key[0] == "outcomes" and key not in table.unpublished:
            already[key] = key[2:] not in hidden
    return table, {key: shown for key, shown in already.items() if key in table.cells}, year


def _summed_month(first: datetime.date, months: list[Month]) -> Month:
    enrollments = [month.enrollment for month in months]
    enrolled = None if not months or None in enrollments else sum(e for e in enrollments if e is not None)
    total = Month(first, enrollment=enrolled)
    for month in months:
        total.add(month)
        total.mentees_met += month.mentees_met  # a relationship is at one school: in one district
    return total


def summed_year(school_year: str, years: list[Year]) -> Year:
    """The agency's year: each month the sum of its districts' (there is at least one)."""
    months = [_summed_month(month.month, [year.months[i] for year in years]) for i, month in enumerate(years[0].months)]
    return Year(
        school_year,
        months,
        _summed_month(years[0].total.month, [year.total for year in years]),
        sum(year.mentees_met for year in years),
        [presence for year in years for presence in year.presence],
        all(year.enrollment_complete for year in years),
    )


def agency_outcomes_scope(agency: Agency, districts: list[District]) -> OutcomesScope:
    """Every school of the districts the agency served, over the agency's records (for the trust
    waves and the schools listed; the months are the districts' summed)."""
    return OutcomesScope(
        level=AGENCY,
        name=agency.name,
        uuid=str(agency.uuid),
        schools=tuple(School.objects.filter(district__in=districts).order_by("name")),
        agency_ids=frozenset({agency.pk}),
        district_ids=frozenset(district.pk for district in districts),
    )


def _tie_agency(table: Table, year: Year, districts: list[District], already: dict[Any, bool]) -> None:
    """Each agency count is the sum of its districts' (tied); it is shown when every district's part
    was (it is known anyway), and with one district it is shown or hidden as the district's was."""
    y = year.school_year
    for label, _ in _labelled(year):
        for name in (*ADDITIVE, "mentees_met"):
            ours = cell(y, label, name)
            parts = [in_district(district.pk, ours) for district in districts]
            table.relate(ours, parts)
            states = [already.get(part) for part in parts]
            if len(parts) == 1 and states[0] is not None:
                already[ours] = bool(states[0])
            elif states and all(states):
                already[ours] = True


def agency_table(
    agency: Agency, school_year: str, today: datetime.date, *, districts: list[District] | None = None
) -> tuple[Table, dict[Any, bool], Year, list[District]]:
    """The agency's months in one table with each district's stored release (its months, its
    schools', the equity and CRDC figures, the public MOU page), the agency's counts tied to the
    districts' (each is their sum); what those releases showed (True) and hid (False); the agency's
    year and its districts (`districts`: those a stored agency release summed, rather than those
    the agency's partnerships say today)."""
    districts = agency_districts(agency, school_year) if districts is None else districts
    table, years = Table(), []
    already: dict[Any, bool] = {}
    for district in districts:
        found, shown, year = district_as_released(agency_district_scope(agency, district), school_year, today)
        table = table.merge(_within(found, district.pk))
        already |= {in_district(district.pk, key): state for key, state in shown.items()}
        years.append(year)
    year = _agency_year(agency, districts, years, school_year, today)
    table = table.merge(outcomes_table(year))
    if districts:
        _tie_agency(table, year, districts, already)
    return table, already, year, districts


def _agency_year(
    agency: Agency, districts: list[District], years: list[Year], school_year: str, today: datetime.date
) -> Year:
    """The agency's year: its districts' summed, or with no district that year (no school, no MOU
    scope) the months only."""
    if years:
        return summed_year(school_year, years)
    empty = replace(agency_outcomes_scope(agency, districts), level=DISTRICT)
    return outcomes_year(empty, school_year, as_of=today)


def _unshown(table: Table) -> Table:
    """The same counts, none of them ever shown (counts about students all the same)."""
    return Table(dict(table.cells), list(table.relations), set(table.cells), set(table.cells), list(table.bands))


def agency_counts_table(agency: Agency, school_year: str, today: datetime.date) -> tuple[Table, list[District]]:
    """The agency's outcome counts of the year and, under `in_district`, each district's part of them
    (never shown to the public: sensitive), each agency count tied to the sum of its districts'. No
    release: what the public reads of an agency's records is checked against it
    (liaison/insights/public_outcomes.py)."""
    districts = agency_districts(agency, school_year)
    scopes = [outcomes_scope_of(agency_district_scope(agency, district)) for district in districts]
    years = [outcomes_year(scope, school_year, as_of=today) for scope in scopes]
    year = _agency_year(agency, districts, years, school_year, today)
    table = outcomes_table(year)
    for district, district_year in zip(districts, years, strict=True):
        table = table.merge(_within(_unshown(outcomes_table(district_year)), district.pk))
    if districts:
        _tie_agency(table, year, districts, {})
    return table, districts


def build_agency_year(agency: Agency, school_year: str, today: datetime.date) -> dict[str, Any]:
    """One closed year's released months and total of an agency over its records in every district
    it served, released in one table with each district's (`agency_table`): what the districts
    showed stays shown, what they hid stays hidden, and no district's hidden count comes back as the
    agency's total minus the other districts'."""
    table, already, year, districts = agency_table(agency, school_year, today)
    released = shown_again(release(table, already=already), threshold(), already)
    first, last = school_year_days(school_year)
    outcome_keys = [key for key in released.hidden if isinstance(key, tuple) and key[0] == "outcomes"]
    return {
        "year": released_year_body(year, released),
        "trust": trust_body(trust_waves(agency_outcomes_scope(agency, districts), since=first, through=last)),
        "districts": [str(district.uuid) for district in districts],
        "hidden_cells": sorted([key[2], key[3]] for key in outcome_keys if len(key) == 4),
    }


def agency_scope_key(agency: Agency) -> str:
    return f"agency:{agency.uuid}"


def restricted_agency_year(agency: Agency, school_year: str, today: datetime.date) -> dict[str, Any]:
    """A closed year's stored agency release, built on first use after each district's releases."""
    check_school_year_closed(school_year, today)
    return snapshot_get_or_build(
        figure=OUTCOMES,
        scope=agency_scope_key(agency),
        period=school_year,
        district=None,
        build=lambda: build_agency_year(agency, school_year, today),
    )


def agency_release_link(agreement: Agreement, school_year: str) -> Link | None:
    """For an agreement's public figures of a year whose agency's release was stored before (an MOU
    page first built after it): the agency's months across its districts and each district's stored
    release (`agency_table`), fixed as the agency's evaluators read them, so that the engine protects
    the new page around them too. The agency's evaluators read the page: its counts are the agency's
    counts in that district, and beside the agency's year (the sum of its districts') they must not
    give another district's hidden count back. None when no such release is stored, or the stored
    one did not count the agreement's district (a partnership dated back into the year after it)."""
    stored = FigureSnapshot.objects.filter(
        figure=OUTCOMES, scope=agency_scope_key(agreement.agency), period=school_year
    ).first()
    if stored is None:
        return None
    districts = list(District.objects.filter(uuid__in=stored.payload["districts"]).order_by("pk"))
    if agreement.district_id not in {district.pk for district in districts}:
        return None

    def agency_wide(key: Any) -> Any:  # apart from the page's own district scope, linked in too
        return ("agency-wide", key)

    def here(key: Any) -> Any:  # the agreement's district in the agency's table
        return agency_wide(in_district(agreement.district_id, key))

    def link(public: Table) -> tuple[Table, dict[Any, bool]]:
        day_after = school_year_days(school_year)[1] + datetime.timedelta(days=1)
        found, already, _, _ = agency_table(agreement.agency, school_year, day_after, districts=districts)
        already |= agency_already(found, stored.payload, school_year)
        table = public.merge(found.renamed(agency_wide))
        own = {key: [key] for key in public.cells}  # the page's counts, each its own "agency"
        tie_agencies(table, lambda name: here(cell(school_year, "year", name)), own)
        tie_equity(table, own, whole_of=here)
        return table, {agency_wide(key): shown for key, shown in already.items()}

    return link


def agency_already(table: Table, payload: dict[str, Any], school_year: str) -> dict[Any, bool]:
    """What a stored agency release showed (True) and hid (False) of the agency's own counts."""
    hidden = hidden_outcome_cells(payload, school_year)
    return {
        key: key not in hidden
        for key in table.cells
        if isinstance(key, tuple) and key[0] == "outcomes" and len(key) == 4 and key not in table.unpublished
    }


def restricted_agency_body(agency: Agency, school_year: str, today: datetime.date) -> dict[str, Any]:
    """The agency's outcomes body (the API's shape): the closed year beside the year before."""
    current = restricted_agency_year(agency, school_year, today)
    previous = restricted_agency_year(agency, previous_school_year(school_year), today)
    districts = District.objects.filter(uuid__in=current["districts"])
    return {
        "level": AGENCY,
        "uuid": str(agency.uuid),
        "name": agency.name,
        "schools": [
            str(uuid)
            for uuid in School.objects.filter(district__in=districts).order_by("name").values_list("uuid", flat=True)
        ],
        "every_agency": False,
        "restricted": True,
        "school_year": school_year,
        "current": current["year"],
        "previous": previous["year"],
        "trust": [*previous["trust"], *current["trust"]],
        "districts": current["districts"],  # (the page's links; not in the API's schema)
    }


def agency_releases_tied_to(scope: str, period: str) -> list[int]:
    """The stored agency releases of a period (their pks) built tied to a stored figure of `scope`:
    the outcomes, equity or CRDC figures of the agency's records in one of its districts
    (`agency_district_scope`), or the public figures of one of its agreements there
    (`district_as_released` fixes them all in the agency's table). A rebuilt one leaves them stale."""
    tied = []
    for stored in FigureSnapshot.objects.filter(figure=OUTCOMES, period=period, scope__startswith="agency:"):
        agency = Agency.objects.filter(uuid=stored.scope.removeprefix("agency:")).first()
        if agency is None:
            continue
        districts = list(District.objects.filter(uuid__in=stored.payload["districts"]))
        scopes = {scope_key(agency_district_scope(agency, district)) for district in districts}
        agreements = Agreement.objects.filter(agency=agency, district__in=districts)
        scopes |= {f"agreement:{uuid}" for uuid in agreements.values_list("uuid", flat=True)}
        if scope in scopes:
            tied.append(stored.pk)
    return tied


def evaluated_agencies() -> list[Agency]:
    """Every agency with an evaluator (whose releases `outcome_snapshots_build` stores ahead)."""
    agencies = Membership.objects.filter(role=AccountRole.EVALUATOR, agency__isnull=False).values("agency_id")
    return list(Agency.objects.filter(pk__in=agencies).order_by("pk"))


def release_pending(access: EquityScope | RestrictedSchool | RestrictedAgency, school_year: str) -> bool:
    """Whether the restricted outcomes body of the year (the year beside the year before) would build
    a release first: a large district's or agency's takes a minute or more, longer than a request may
    run, so the pages ask the worker for it instead (`insights.tasks.outcomes_release_prepare`)."""
    if isinstance(access, RestrictedAgency):
        key = agency_scope_key(access.agency)
    else:
        key = scope_key(access.scope if isinstance(access, RestrictedSchool) else access)
    years = {school_year, previous_school_year(school_year)}
    return FigureSnapshot.objects.filter(figure=OUTCOMES, scope=key, period__in=years).count() < len(years)
