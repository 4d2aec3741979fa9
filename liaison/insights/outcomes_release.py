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
"""

from __future__ import annotations

import datetime
from typing import Any

from liaison.directory.models import District, School
from liaison.interactions.vocabulary import Role
from liaison.lib.disclosure import Release, Table
from liaison.lib.disclosure_audit import audit
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
from .outcome_tables import month_figures, trust_body, year_body
from .outcomes import DISTRICT, Month, OutcomesScope, Year, outcomes_year, previous_school_year, trust_waves
from .public_figures import enforcement_counts, enforcement_table, public_already
from .selectors import equity_counted
from .snapshots import check_school_year_closed, last_closed_school_year, snapshot_get_or_build

OUTCOMES = "outcomes"
# Another figure's cell, and our year's count that equals it: the equity decision points' totals, a
# public MOU page's enforcement total and actions within the MOU (liaison/insights/public_figures.py).
LINKED: tuple[tuple[Any, str], ...] = (
    (("referral", "total"), "referrals"),
    (("arrest", "total"), "arrests"),
    ("enforcement_total", "enforcement"),
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


def cell(school_year: str, label: str, name: str) -> tuple[str, str, str, str]:
    """A count's key: label is the month (YYYY-MM) or "year"."""
    return ("outcomes", school_year, label, name)


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


def _month_cells(table: Table, school_year: str, label: str, month: Month) -> None:
    def key(name: str) -> tuple[str, str, str, str]:
        return cell(school_year, label, name)

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
        table.derive(f"outcomes:{school_year}:{label}:{field}", *(key(c) for c in cells))


def outcomes_table(year: Year) -> Table:
    """One closed year's outcome counts, how they add up, and what is computed from them."""
    table = Table()
    labelled = _labelled(year)
    for label, month in labelled:
        _month_cells(table, year.school_year, label, month)
    months = [label for label, _ in labelled if label != "year"]
    for name in ADDITIVE:
        table.relate(cell(year.school_year, "year", name), [cell(year.school_year, m, name) for m in months])
    for m in months:
        table.at_most(cell(year.school_year, m, "mentees_met"), cell(year.school_year, "year", "mentees_met"))
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
    the headline counts first. The audit is the engine's: nothing here decides what is safe."""
    hidden = set(released.hidden)
    candidates = [
        key
        for name in SHOW_FIRST
        for key in sorted(released.hidden, key=repr)
        if isinstance(key, tuple) and key[0] == "outcomes" and key[3] == name and key not in released.primary
    ]
    report = released.report
    for key in candidates:
        if key in already or key not in hidden:
            continue
        trial = audit(released.table, hidden - {key}, threshold=threshold, primary=released.primary)
        if trial.passed:
            hidden.discard(key)
            report = trial
    return Release(released.table, frozenset(hidden), released.primary, report)


def _released_month(released: Release, school_year: str, label: str, month: Month) -> dict[str, Any]:
    figures = {"month": label if label != "year" else school_year, **month_figures(month)}
    hidden = sorted(field for field in FIELDS if not released.shows(f"outcomes:{school_year}:{label}:{field}"))
    return {**figures, **dict.fromkeys(hidden, None), "hidden": hidden}


def released_year_body(year: Year, released: Release) -> dict[str, Any]:
    """`year_body` with what the release hides set to null and named in each month's `hidden`."""
    labelled = _labelled(year)
    return {
        **year_body(year),
        "months": [_released_month(released, year.school_year, label, m) for label, m in labelled[:-1]],
        "total": _released_month(released, year.school_year, "year", year.total),
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
    by_type, within = enforcement_counts(agreement.agency_id, agreement.district_id, first, last)
    already.update(public_already(payload))
    return public_linked(table.merge(enforcement_table(by_type, within)))


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
    for key in table.cells:
        if isinstance(key, tuple) and key[0] == "outcomes" and key not in table.unpublished:
            already[key] = key[2:] not in hidden
    relate_year(table, school_year)
    return table, already


def build_year(scope: EquityScope, school_year: str, today: datetime.date) -> dict[str, Any]:
    """One closed year's released months and total, and its closed survey waves (not stored)."""
    outcomes_scope = outcomes_scope_of(scope)
    year = outcomes_year(outcomes_scope, school_year, as_of=today)
    table = linked_table(year, scope)
    already = _already(scope, school_year, table)
    table = _with_public(table, scope, school_year, already)
    already = _keep_tied(table, school_year, already)
    released = shown_again(release(table, already=already), threshold(), already)
    first, last = school_year_days(school_year)
    return {
        "year": released_year_body(year, released),
        "trust": trust_body(trust_waves(outcomes_scope, since=first, through=last)),
        # which counts the release hid (not served): for figures of the same records stored later
        "hidden_cells": sorted(
            [key[2], key[3]] for key in released.hidden if isinstance(key, tuple) and key[0] == "outcomes"
        ),
    }


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


def restricted_outcomes_body(scope: EquityScope, school_year: str, today: datetime.date) -> dict[str, Any]:
    """The outcomes body (the API's shape) of a closed year beside the year before, each year its own
    stored release, so a month is released the same way whichever year it is shown beside."""
    current = restricted_year(scope, school_year, today)
    previous = restricted_year(scope, previous_school_year(school_year), today)
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
    which the view shows beside it. Each is built as a request would build it, after the equity and
    CRDC snapshots of the same scope and year. Returns how many snapshots were stored."""
    school_year = school_year or last_closed_school_year(today)
    check_school_year_closed(school_year, today)
    before = FigureSnapshot.objects.count()
    for district in District.objects.order_by("pk"):
        for scope in restricted_scopes(district):
            for year in (previous_school_year(school_year), school_year):
                restricted_year(scope, year, today)
    return FigureSnapshot.objects.count() - before
