"""Every agency's public MOU figures of a district's school year, as the disclosure engine sees them.

The public page of an MOU (liaison/insights/public_figures.py) shows one agency's enforcement actions
in one district over a closed school year, released and stored once. Whoever reads a district's
outcomes (a district-wide evaluator, the public) can read every such page of the district too, and
the district's counts are the sum of its agencies': two agencies arrest 40 and 3 students, the first
agency's page shows 40, the district's year 43, and the second agency's 3 comes back. So those
releases put every agency's counts in their table (`agencies_table`) and tie the district's to their
sum (`tie_agencies`): an agency's stored page as it was shown (fixed), an agency without one as
counts never shown (protected all the same: they are about students).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from liaison.agreements.models import Agreement
from liaison.directory.models import District
from liaison.interactions.models import DailyRollup, EnforcementDetail
from liaison.interactions.vocabulary import POSITIVE_KINDS, ActionType
from liaison.lib.disclosure import Table
from liaison.lib.school_years import school_year_days

from .models import FigureSnapshot
from .public_figures import PUBLIC_FIGURES, page_table, public_already

# The district's year (ours) is the sum of its agencies' public figures (theirs), where the counts say so.
MOU_TIES = (
    ("enforcement_total", "enforcement"),
    ("positive_contacts", "positive"),
    ("referrals", "referrals"),
    (("action", "arrest"), "arrests"),
    ("within_mou", "within"),
    ("not_within_mou", "judged-not-within"),
)


Prefix = tuple[Any, ...] | None


def _key(prefix: Prefix, key: Any) -> Any:
    """A cell of one agency's figures: under its page's prefix, or (None) the keys the public page's
    release uses."""
    return key if prefix is None else (*prefix, key)


def _keyed(own: Table, prefix: Prefix, *, shown: bool) -> Table:
    """An agency's `enforcement_table` under `prefix`, shown on a page, or never shown (`shown`
    False: counts about students all the same)."""
    table = Table()
    for key, value in own.cells.items():
        table.cell(_key(prefix, key), value, sensitive=not shown)
    for total, parts in own.relations:
        table.relate(_key(prefix, total), [_key(prefix, part) for part in parts])
    return table


def _stored_mou(agreement: Agreement, school_year: str) -> dict[str, Any] | None:
    found = FigureSnapshot.objects.filter(
        figure=PUBLIC_FIGURES, scope=f"agreement:{agreement.uuid}", period=school_year
    ).first()
    return None if found is None else found.payload


def agencies_table(
    district: District, school_year: str, *, building: Agreement | None = None
) -> tuple[Table, dict[Any, bool], dict[Any, list[Any]]]:
    """Every agency's enforcement counts of the year in the district as the public reads them: on an
    agreement's stored public figures (shown or hidden as stored), or nowhere (an agency with no MOU,
    or none stored yet: never shown, and protected as counts about students). `building`: the
    agreement whose public figures are being released now, under the public page's own keys.

    Returns the table, what the public was already shown (True) or not (False), and per cell of
    `enforcement_table` (a key such as "referrals") each agency's cell of it, which add up to the
    district's count."""
    first, last = school_year_days(school_year)
    by_agency: dict[int, list[Agreement]] = {}
    for agreement in Agreement.objects.filter(district=district).order_by("pk"):
        by_agency.setdefault(agreement.agency_id, []).append(agreement)
    acting = set(
        EnforcementDetail.objects.filter(
            interaction__district=district, interaction__occurred_on__range=(first, last), interaction__voided=False
        ).values_list("interaction__agency_id", flat=True)
    )
    acting |= set(  # and every agency with a positive contact there: the district's are their sum too
        DailyRollup.objects.filter(district=district, day__range=(first, last), kind__in=POSITIVE_KINDS)
        .values_list("agency_id", flat=True)
        .distinct()
    )
    table, already = Table(), dict[Any, bool]()
    ties: dict[Any, list[Any]] = {}
    for agency_id in sorted(set(by_agency) | set(acting)):
        own = page_table(agency_id, district.pk, first, last)
        pages = _pages(agency_id, by_agency.get(agency_id, []), school_year, building)
        first_page = pages[0][0]
        for prefix, payload in pages:
            table = table.merge(_keyed(own, prefix, shown=prefix is None or prefix[0] == "mou"))
            if payload is not None:
                already |= {_key(prefix, k): shown for k, shown in public_already(payload).items()}
            if prefix != first_page:  # the same agency's records: the same counts on each of its pages
                for k in own.cells:
                    table.relate(_key(first_page, k), [_key(prefix, k)])
        for k in own.cells:
            ties.setdefault(k, []).append(_key(first_page, k))
    return table, already, ties


def _pages(
    agency_id: int, agreements: list[Agreement], school_year: str, building: Agreement | None
) -> list[tuple[Prefix, dict[str, Any] | None]]:
    """Where the public reads one agency's figures of the year in a district: each agreement's stored
    page (its prefix and payload; `building` under the public page's own keys), or, when no page shows
    them, the agency's never-shown counts (the first is the one the district's counts are tied to)."""
    pages: list[tuple[Prefix, dict[str, Any] | None]] = []
    for agreement in agreements:
        if building is not None and agreement.pk == building.pk:
            pages.append((None, None))
        elif (payload := _stored_mou(agreement, school_year)) is not None:
            pages.append((("mou", agreement.pk), payload))
    return pages or [(("agency", agency_id), None)]


def agency_cell(district: District, school_year: str, agency_id: int, key: Any) -> Any:
    """An agency's cell of `enforcement_table` (a key such as "referrals") in `agencies_table` of the
    district: on its first page, the one tied to the district's counts."""
    agreements = list(Agreement.objects.filter(district=district, agency_id=agency_id).order_by("pk"))
    return _key(_pages(agency_id, agreements, school_year, None)[0][0], key)


def tie_agencies(table: Table, whole_of: Callable[[str], Any], ties: dict[Any, list[Any]]) -> None:
    """The district's year (`whole_of` an outcome count's name: its key) is the sum of its agencies'
    counts (`MOU_TIES`)."""
    for name, ours in MOU_TIES:
        tie_sum(table, whole_of(ours), ties.get(name, []))


# Each equity decision point's total, and the public page's counts it is the sum of.
EQUITY_TIES = (
    ("referral", ["referrals"]),
    ("citation", [("action", ActionType.NONCRIMINAL_CITATION.value), ("action", ActionType.CRIMINAL_CITATION.value)]),
    ("arrest", [("action", ActionType.ARREST.value)]),
    ("court_referral", [("action", ActionType.COURT_REFERRAL.value)]),
)


def tie_equity(table: Table, ties: dict[Any, list[Any]], *, whole_of: Callable[[Any], Any] = lambda key: key) -> None:
    """Each equity decision point's total of the district (`whole_of` its key: its key in `table`) is
    the sum of its agencies' counts."""
    for point, names in EQUITY_TIES:
        tie_sum(table, whole_of((point, "total")), [cell for name in names for cell in ties.get(name, [])])


def tie_sum(table: Table, whole: Any, parts: list[Any]) -> None:
    """Relate a count of the district to its agencies' where the counts say it is their sum (the
    district's figures count the actions at its schools; an agency's figures, its actions in the
    district)."""
    if whole in table.cells and parts and table.cells[whole] == sum(table.cells[p] for p in parts):
        table.relate(whole, parts)
