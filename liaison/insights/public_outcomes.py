"""A district's outcomes for the public: published by the district's admins for a closed school year,
and exactly the stored release a district-wide evaluator gets (liaison/insights/outcomes_release.py).

Nothing here decides what to hide: the public figures are the release of the whole district's
records (every agency's), the district's months and each school's, the year beside the year before,
each year as it was released when it closed. So the public learns nothing a district-wide evaluator
does not, and nothing unreleased; never a live month or an open year.

One thing the release does not know is checked before publishing: the public also reads the
published MOU figures of the district's agencies (liaison/insights/public_figures.py), which count
the same enforcement actions. The district-wide release is not protected around them (an agency
evaluator's is), so publishing fixes each agreement's public figures of the year (built as the public
page would build them) and runs the engine's audit over both together: the district's outcomes, its
schools' and every agreement's public figures, with the district's enforcement, referrals, arrests
and actions judged within and outside the MOU as the sum of the agencies'. An agency no page shows
(no MOU, or its figures not stored) is in that sum all the same, as counts never shown: the district's
43 arrests beside one agency's 40 give the other's 3 away even when it has no page. Publishing is
refused, with `NOT_SAFE_BESIDE_MOUS`, when a hidden count could be worked out.

The other way round: an agreement whose public figures of a year are first built after the district
published that year (an MOU signed later and dated back into it, or figures published later) is
released around the published outcomes and the other agencies' stored figures, fixed as the public
read them (`district_outcomes_link`): the engine hides what the new page would give away, and when
what was shown before already pins a small count down, the page shows no enforcement figure at all.

An agency's admins publish its outcomes the same way: the public reads exactly the stored release an
evaluator with a grant for the agency gets (`outcomes_release.restricted_agency_year`: its months in
every district it served, released with each district's stored release of its records). Before
publishing, the engine's audit runs over everything the public then reads together (`public_audit`):
the agency's months, the published outcomes of each district it served (every agency's records, tied
to the sum of the agencies' parts), every agreement's public MOU figures, and every other agency's
published outcomes beside them; the agency's part in each district is never shown. A district's
publishing check reads the published agencies' outcomes the same way. Publishing is refused when a
hidden count could be worked out.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from liaison.accounts.audit import audit_record
from liaison.accounts.roles import Role
from liaison.accounts.scope import user_scope
from liaison.agreements.models import Agreement
from liaison.directory import access as directory_access
from liaison.directory.models import Agency, District, School
from liaison.directory.validators import validate_school_year
from liaison.lib.disclosure import Table
from liaison.lib.disclosure_audit import AuditReport, audit
from liaison.lib.school_years import school_year_days

from .access import EquityScope
from .crdc import crdc_counted
from .disclosure import release, threshold
from .figures import CRDC, EQUITY, crdc_already, equity_already, restricted_table, scope_key
from .models import FigureSnapshot, PublicOutcomes
from .mou_pages import MOU_TIES, agencies_table, agency_cell, tie_agencies, tie_equity, tie_sum
from .outcomes import Year, outcomes_year, previous_school_year
from .outcomes_release import (
    ADDITIVE,
    OUTCOMES,
    agency_counts_table,
    agency_districts,
    agency_scope_key,
    cell,
    crdc_tied,
    hidden_outcome_cells,
    in_district,
    outcomes_scope_of,
    outcomes_table,
    partnerships_in,
    relate_year,
    released_payload,
    restricted_agency_body,
    restricted_agency_year,
    restricted_outcomes_body,
    restricted_school_body,
    restricted_year,
    schools_table,
    shown_again,
)
from .public_figures import (
    Link,
    agreement_public_figures,
)
from .selectors import equity_counted
from .snapshots import check_school_year_closed, snapshot_get_or_build

PUBLIC_OUTCOMES = "public_outcomes"
NOT_DISTRICT_ADMIN = "A district's outcomes are published for the public by the district's admins."
NOT_AGENCY_ADMIN = "An agency's outcomes are published for the public by the agency's admins."
NOT_SAFE_BESIDE_MOUS = (
    "The {year} outcomes were not published: beside the published MOU figures and outcomes of the district's "
    "agencies, a suppressed count could be worked out. They stay for evaluators only."
)
NOT_SAFE_BESIDE_DISTRICTS = (
    "The {year} outcomes were not published: beside the published outcomes of the districts the agency served "
    "and the published MOU figures, a suppressed count could be worked out. They stay for evaluators only."
)
PUBLISHED = "The {year} outcomes of {owner} are public."
CHECKING = (
    "The {year} outcomes of {owner} are being checked beside the other published figures of the same records; "
    "they become public when the check passes (a minute or more for a large district). This page says when."
)
WITHDRAWN = "The {year} outcomes of {owner} are no longer public."

Owner = District | Agency


def public_scope(district: District) -> EquityScope:
    """Whose records the public figures count: every agency's about the district's schools, the scope
    of a district-wide evaluator (`figures.restricted_scopes`)."""
    return EquityScope(district, None, None, suppressed=True)


# --- who may publish ---------------------------------------------------------------------------------


def district_for_publishing(user: Any, uuid: UUID | str) -> District:
    """The district, for its admins and the platform admin; 404 for one the user does not see, 403
    for one they see but do not run."""
    district = directory_access.district_get_for_user(user, uuid)
    scope = user_scope(user)
    if not (scope.platform_admin or district.pk in scope.district_admin_ids):
        raise PermissionDenied(NOT_DISTRICT_ADMIN)
    return district


def agency_for_publishing(user: Any, uuid: UUID | str) -> Agency:
    """The agency, for its admins and the platform admin; 404 for one the user does not see, 403 for
    one they see but do not run."""
    agency = directory_access.agency_get_for_user(user, uuid)
    scope = user_scope(user)
    if not (scope.platform_admin or agency.pk in scope.agencies(Role.AGENCY_ADMIN)):
        raise PermissionDenied(NOT_AGENCY_ADMIN)
    return agency


def _owned_by(owner: Owner) -> dict[str, Owner]:
    """The `PublicOutcomes` filter of one owner."""
    return {"district": owner} if isinstance(owner, District) else {"agency": owner}


# --- publishing ----------------------------------------------------------------------------------------


def public_outcomes_publish_set(
    *, actor: Any, owner: Owner, school_year: str, published: bool, today: datetime.date
) -> PublicOutcomes | None:
    """Publish (or withdraw) a closed year's outcomes of a district or an agency; audited in its log.

    Publishing builds the year's release and the year before's if they are not stored yet (as an
    evaluator's first request would), and refuses (ValidationError naming `school_year`) an open
    year, or a release from which a hidden count could be worked out beside what the public already
    reads of the same records (`public_audit`). Withdrawing what was never published does nothing (None)."""
    found = PublicOutcomes.objects.filter(**_owned_by(owner), school_year=school_year).first()
    if not published:
        if found is None or not found.published:
            return found
        return _set(actor, found, published=False)
    check_school_year_closed(school_year, today)
    for year in (school_year, previous_school_year(school_year)):
        if isinstance(owner, District):
            _check_district_year(owner, year, today)
        else:
            _check_agency_year(owner, year, today)
    if found is None:
        found = PublicOutcomes(**_owned_by(owner), school_year=school_year, published=False)
    if found.published:
        return found
    return _set(actor, found, published=True)


def _check_district_year(district: District, year: str, today: datetime.date) -> None:
    """A district's year for the public: its release (built if not stored, then protected around the
    MOU pages), audited again when it was stored before (the MOU pages may have moved since) or when
    an agency's published outcomes read its records too."""
    stored_before = _public_stored(district, year)
    public_release(district, year, today)
    if stored_before or _published_agencies(year, [district]):
        if not public_audit(district, year, today).passed:
            raise ValidationError({"school_year": [NOT_SAFE_BESIDE_MOUS.format(year=year)]})


def _check_agency_year(agency: Agency, year: str, today: datetime.date) -> None:
    """An agency's year for the public: its evaluators' stored release (built if not stored), which
    was not protected around anything the public reads, so always audited."""
    restricted_agency_year(agency, year, today)
    if not public_audit(agency, year, today).passed:
        raise ValidationError({"school_year": [NOT_SAFE_BESIDE_DISTRICTS.format(year=year)]})


def public_outcomes_publish_request(
    *,
    owner: Owner,
    school_year: str,
    today: datetime.date,
    enqueue: Callable[[PublicOutcomes, Any], None],
    actor: Any,
) -> PublicOutcomes:
    """Ask for a closed year's outcomes to be published: `public_outcomes_publish_checked` runs in the
    background (`enqueue`), since the check beside the other public figures takes longer than a
    request may. Refuses an open year at once (ValidationError naming `school_year`)."""
    check_school_year_closed(school_year, today)
    found, _ = PublicOutcomes.objects.get_or_create(
        **_owned_by(owner), school_year=school_year, defaults={"published": False}
    )
    if found.published or found.checking:
        return found
    found.checking, found.refusal = True, ""
    found.save(update_fields=["checking", "refusal", "changed_at"])
    enqueue(found, actor)
    return found


def public_outcomes_publish_checked(*, found: PublicOutcomes, actor: Any, today: datetime.date) -> bool:
    """The background half of publishing: check, then publish or keep the refusal for the page to show."""
    try:
        public_outcomes_publish_set(
            actor=actor, owner=found.owner, school_year=found.school_year, published=True, today=today
        )
    except ValidationError as error:
        why = " ".join(error.message_dict.get("school_year", error.messages))
        PublicOutcomes.objects.filter(pk=found.pk).update(checking=False, refusal=why[:300])
        return False
    PublicOutcomes.objects.filter(pk=found.pk).update(checking=False, refusal="")
    return True


def _set(actor: Any, found: PublicOutcomes, *, published: bool) -> PublicOutcomes:
    with transaction.atomic():
        found.published = published
        found.full_clean()
        found.save()
        audit_record(
            actor=actor,
            action="update",
            obj=found,
            summary=(PUBLISHED if published else WITHDRAWN).format(year=found.school_year, owner=found.owner),
            before={"published": not published},
            after={"published": published, "school_year": found.school_year},
            district_id=found.district_id,
            agency_id=found.agency_id,
        )
    return found


# --- the audit beside the public MOU figures ------------------------------------------------------------


def _outcomes_tables(
    district: District, school_year: str, today: datetime.date
) -> tuple[Table, Year, dict[School, Year]]:
    """The district's and its schools' outcome counts of the year, in one table (`schools_table`)."""
    scope = public_scope(district)
    year = outcomes_year(outcomes_scope_of(scope), school_year, as_of=today)
    table, years = schools_table(outcomes_table(year), scope, year, today)
    return table, year, years


def _never_shown(table: Table) -> set[Any]:
    # Never on the outcomes page (its share within the MOU is): known only from the MOU pages.
    return {
        key for key in table.cells if isinstance(key, tuple) and key[0] == "outcomes" and key[3] == "judged-not-within"
    }


def _outcomes_part(district: District, school_year: str, today: datetime.date) -> tuple[Table, set[Any]]:
    """The publicly released outcomes of the district and its schools, and the cells the release hid."""
    table, _, _ = _outcomes_tables(district, school_year, today)
    stored = FigureSnapshot.objects.get(figure=PUBLIC_OUTCOMES, scope=public_release_key(district), period=school_year)
    return table, hidden_outcome_cells(stored.payload, school_year) | _never_shown(table)


# --- the public's release: the evaluators', protected around the MOU pages too ---------------------------


def public_release_key(district: District) -> str:
    return f"public:{scope_key(public_scope(district))}"


def _public_stored(district: District, school_year: str) -> bool:
    return FigureSnapshot.objects.filter(
        figure=PUBLIC_OUTCOMES, scope=public_release_key(district), period=school_year
    ).exists()


def public_release(district: District, school_year: str, today: datetime.date) -> dict[str, Any]:
    """The public's stored release of a district's closed year (`public_release_build` on first use:
    the publishing check builds it, in the background)."""
    return snapshot_get_or_build(
        figure=PUBLIC_OUTCOMES,
        scope=public_release_key(district),
        period=school_year,
        district=district,
        build=lambda: public_release_build(district, school_year, today),
    )


def public_release_build(district: District, school_year: str, today: datetime.date) -> dict[str, Any]:
    """The district-wide evaluators' release of the year (stored first), with whatever more the
    agencies' public MOU figures need hidden: everything the public reads about the year's records
    (`agencies_table`: each agreement's stored public figures, fixed as shown, and the agencies no page
    shows) in one table with the district's and its schools' months, released by the engine with
    everything the evaluators' release hid kept hidden. So the public never sees a count an evaluator
    does not, and a count the MOU pages would give back is hidden instead of publishing refused."""
    evaluators = restricted_year(public_scope(district), school_year, today)
    table, year, years = _outcomes_tables(district, school_year, today)
    for agreement in Agreement.objects.filter(district=district).order_by("pk"):
        agreement_public_figures(agreement, school_year)  # stored, as the public page would store it
    agencies, already, ties = agencies_table(district, school_year)
    table = table.merge(agencies)
    tie_agencies(table, lambda name: cell(school_year, "year", name), ties)
    already |= dict.fromkeys(hidden_outcome_cells(evaluators, school_year) | _never_shown(table), False)
    released = shown_again(release(table, already=already), threshold(), already)
    schools_trust = {uuid: found["trust"] for uuid, found in evaluators.get("schools", {}).items()}
    schools_trust |= {str(school.uuid): [] for school in years if str(school.uuid) not in schools_trust}
    return released_payload(year, years, released, evaluators["trust"], schools_trust)


def public_year(scope: EquityScope, school_year: str, today: datetime.date) -> dict[str, Any]:
    """The public's stored release of one year (a `Stored`, as `restricted_year` is the evaluators')."""
    return public_release(scope.district, school_year, today)


def district_outcomes_link(agreement: Agreement, school_year: str) -> Link | None:
    """For an agreement's public figures of a year whose district-wide outcomes were released before
    (to the district's evaluators, and to the public if the district published them: an MOU signed,
    or its figures published, later and dated back into the year): that release and the other
    agencies' stored figures, fixed as shown, so that the engine protects the new page around them.
    The evaluators' release is the one fixed: it shows all the public's does (or more, if it was
    stored before it was protected around the MOU pages). None when no such release is stored."""
    district = agreement.district
    stored = _district_release(district, school_year)
    if stored is None:
        return None

    def district_wide(key: Any) -> Any:  # beside an agency evaluator's outcomes of the same months
        return ("district-wide", key)

    def link(public: Table) -> tuple[Table, dict[Any, bool]]:
        wide, fixed = _district_wide(district, school_year, stored)
        agencies, already, ties = agencies_table(district, school_year, building=agreement)
        table = public.merge(wide.renamed(district_wide)).merge(agencies)
        tie_agencies(table, lambda name: district_wide(cell(school_year, "year", name)), ties)
        tie_equity(table, ties, whole_of=district_wide)
        return table, {district_wide(key): shown for key, shown in fixed.items()} | already

    return link


def _district_wide(district: District, school_year: str, stored: dict[str, Any]) -> tuple[Table, dict[Any, bool]]:
    """Everything a district-wide evaluator was given of the year: the outcomes release of the
    district and its schools (`stored`), and the equity and CRDC figures when stored, in one table
    tied together as their releases were, with what each showed (True) and hid (False)."""
    table, _, _ = _outcomes_tables(district, school_year, school_year_days(school_year)[1])
    hidden = hidden_outcome_cells(stored, school_year) | _never_shown(table)
    fixed = {key: key not in hidden for key in table.cells if key not in table.unpublished}
    scope = public_scope(district)
    snapshots = {
        s.figure: s.payload
        for s in FigureSnapshot.objects.filter(scope=scope_key(scope), period=school_year, figure__in=[EQUITY, CRDC])
    }
    if len(snapshots) == 2:
        counts = crdc_counted(scope, school_year)
        table = table.merge(restricted_table(equity_counted(scope, school_year), counts))
        fixed |= equity_already(snapshots[EQUITY]) | crdc_already(snapshots[CRDC], counts)
        crdc_tied(table, scope, school_year)
        relate_year(table, school_year)
    return table, fixed


def _district_release(district: District, school_year: str) -> dict[str, Any] | None:
    """The district-wide evaluators' stored release of the year, or failing that the public's."""
    for figure, scope in (
        (OUTCOMES, scope_key(public_scope(district))),
        (PUBLIC_OUTCOMES, public_release_key(district)),
    ):
        found = FigureSnapshot.objects.filter(figure=figure, scope=scope, period=school_year).first()
        if found is not None:
            return found.payload
    return None


# --- the audit over everything the public reads of the same records ---------------------------------------

# The outcome counts of a district that are the sum of its agencies' parts.
SUMMED = (*ADDITIVE, "mentees_met")


def _of_district(district: int, key: Any) -> tuple[Any, ...]:
    """A district's cell in the audit's table (its outcomes, its schools', its agencies' MOU pages)."""
    return ("district", district, key)


def _of_agency(agency: int, key: Any) -> tuple[Any, ...]:
    """An agency's cell in the audit's table (its outcomes, and its part in each district it served)."""
    return ("agency-outcomes", agency, key)


def _shown_in(school_year: str) -> list[str]:
    """The published years whose pages show this year: itself, and the next (beside which it is shown)."""
    start = int(school_year[:4]) + 1
    return [school_year, f"{start}-{start + 1}"]


def _published_districts(school_year: str, districts: list[District]) -> set[int]:
    """Of these districts, those whose outcomes of the year the public reads (published, and stored)."""
    published = PublicOutcomes.objects.filter(
        published=True, school_year__in=_shown_in(school_year), district__in=districts
    ).values_list("district_id", flat=True)
    return {
        district.pk for district in districts if district.pk in set(published) and _public_stored(district, school_year)
    }


def _published_agencies(school_year: str, districts: list[District]) -> list[Agency]:
    """The agencies that served any of these districts in the year and whose outcomes of it the public
    reads (published, and stored)."""
    serving = partnerships_in(school_year).filter(district__in=districts).values("agency_id")
    published = PublicOutcomes.objects.filter(
        published=True, school_year__in=_shown_in(school_year), agency_id__in=serving
    ).values("agency_id")
    stored = FigureSnapshot.objects.filter(figure=OUTCOMES, period=school_year).values_list("scope", flat=True)
    keys = set(stored)
    return [a for a in Agency.objects.filter(pk__in=published).order_by("pk") if agency_scope_key(a) in keys]


def _read_together(owner: Owner, school_year: str) -> tuple[list[District], set[int], list[Agency]]:
    """Whose figures of the year the public reads beside the owner's (the owner's counted as read):
    the districts the published agencies served (their MOU pages; their outcomes when published), and
    the published agencies that served a published district, until nothing more is linked."""
    districts: dict[int, District] = {}
    agencies: dict[int, Agency] = {}
    public: set[int] = set()
    if isinstance(owner, District):
        districts[owner.pk] = owner
        public.add(owner.pk)
    else:
        agencies[owner.pk] = owner
    while True:
        for agency in agencies.values():
            districts |= {d.pk: d for d in agency_districts(agency, school_year) if d.pk not in districts}
        public |= _published_districts(school_year, list(districts.values()))
        more = [a for a in _published_agencies(school_year, [districts[pk] for pk in public]) if a.pk not in agencies]
        if not more:
            break
        agencies |= {agency.pk: agency for agency in more}
    return [districts[pk] for pk in sorted(districts)], public, [agencies[pk] for pk in sorted(agencies)]


def _district_part(
    district: District, school_year: str, today: datetime.date, *, outcomes: bool
) -> tuple[Table, set[Any]]:
    """What the public reads of a district's records of a year: every agreement's public figures (stored
    first, as the public page would store them) and the agencies no page shows, and when `outcomes`,
    the released outcomes of the district and its schools, tied to the agencies' sum; and what of it
    is hidden."""
    for agreement in Agreement.objects.filter(district=district).order_by("pk"):
        agreement_public_figures(agreement, school_year)
    table, already, ties = agencies_table(district, school_year)
    hidden = {key for key, shown in already.items() if not shown}
    if outcomes:
        released, released_hidden = _outcomes_part(district, school_year, today)
        table, hidden = released.merge(table), hidden | released_hidden
        tie_agencies(table, lambda name: cell(school_year, "year", name), ties)
    return table, hidden


def _agency_part(agency: Agency, school_year: str, today: datetime.date) -> tuple[Table, set[Any], list[District]]:
    """An agency's published outcomes of a year (its evaluators' stored release) with its part in each
    district it served (never shown); what of it is hidden; and those districts."""
    table, served = agency_counts_table(agency, school_year, today)
    stored = restricted_agency_year(agency, school_year, today)
    return table, hidden_outcome_cells(stored, school_year) | _never_shown(table), served


def _tie_pages(table: Table, agency: Agency, district: District, school_year: str) -> None:
    """The agency's year in the district is what its MOU page there counts (`MOU_TIES`)."""
    for name, ours in MOU_TIES:
        page = _of_district(district.pk, agency_cell(district, school_year, agency.pk, name))
        if page in table.cells:
            tie_sum(table, _of_agency(agency.pk, in_district(district.pk, cell(school_year, "year", ours))), [page])


def _tie_district(table: Table, district: District, agencies: list[Agency], school_year: str) -> None:
    """Each outcome count of a published district is the sum of the published agencies' parts in it and
    the rest (the other agencies' records: never shown; known to be none when no other agency served
    the district that year and none is left)."""
    serving = set(partnerships_in(school_year).filter(district=district).values_list("agency_id", flat=True))
    everyone = serving <= {agency.pk for agency in agencies}
    mine = [key for key in table.cells if isinstance(key, tuple) and key[:2] == ("district", district.pk)]
    for key in mine:
        ours = key[2]
        if not (isinstance(ours, tuple) and len(ours) == 4 and ours[0] == "outcomes" and ours[3] in SUMMED):
            continue
        parts = [_of_agency(agency.pk, in_district(district.pk, ours)) for agency in agencies]
        if not all(part in table.cells for part in parts):
            continue
        rest = table.cells[key] - sum(table.cells[part] for part in parts)
        if rest < 0:
            continue
        if rest or not everyone:
            parts.append(_of_district(district.pk, ("other agencies", ours)))
            table.cell(parts[-1], rest, sensitive=True)
        table.relate(key, parts)


def public_audit_table(owner: Owner, school_year: str, today: datetime.date) -> tuple[Table, set[Any]]:
    """Everything the public reads of the records behind an owner's year, in one table: the released
    outcomes of each published district (the owner's included) and its schools, each agreement's public
    figures, each published agency's months (the owner's included) with its never-shown part in each
    district it served, tied to the districts' counts and to its MOU pages; and what of it is hidden."""
    districts, public, agencies = _read_together(owner, school_year)
    table, hidden = Table(), set[Any]()
    for district in districts:
        part, part_hidden = _district_part(district, school_year, today, outcomes=district.pk in public)
        table = table.merge(part.renamed(partial(_of_district, district.pk)))
        hidden |= {_of_district(district.pk, key) for key in part_hidden}
    served: dict[int, list[Agency]] = {}
    for agency in agencies:
        part, part_hidden, its_districts = _agency_part(agency, school_year, today)
        table = table.merge(part.renamed(partial(_of_agency, agency.pk)))
        hidden |= {_of_agency(agency.pk, key) for key in part_hidden}
        for district in its_districts:
            _tie_pages(table, agency, district, school_year)
            served.setdefault(district.pk, []).append(agency)
    for district in districts:
        if district.pk in public:
            _tie_district(table, district, served.get(district.pk, []), school_year)
    # A zero is never hidden by the engine; one behind a hidden share is given to the attacker as known.
    return table, {key for key in hidden if table.cells[key] > 0}


def public_audit(owner: Owner, school_year: str, today: datetime.date) -> AuditReport:
    """The attacker's computation over everything the public reads of the year (`public_audit_table`)."""
    table, hidden = public_audit_table(owner, school_year, today)
    return audit(table, hidden, threshold=threshold())


# --- what the public reads ------------------------------------------------------------------------------


def public_outcomes_get(uuid: UUID | str, school_year: str, *, owner: str = "district") -> PublicOutcomes:
    """A published year of a district's (or, `owner` "agency", an agency's) outcomes; 404 for one
    unpublished, withdrawn or unknown (or no school year at all: nothing that is not one reaches the
    database)."""
    try:
        validate_school_year(school_year)
    except ValidationError:
        raise Http404 from None
    found = (
        PublicOutcomes.objects.select_related(owner)
        .filter(**{f"{owner}__uuid": uuid}, school_year=school_year, published=True)
        .first()
    )
    if found is None:
        raise Http404
    return found


def public_outcomes_body(found: PublicOutcomes, today: datetime.date) -> dict[str, Any]:
    """The published outcomes (the API's shape): the stored release, as served to a district-wide
    evaluator, or for an agency to the agency's evaluators."""
    if found.agency is not None:
        return restricted_agency_body(found.agency, found.school_year, today)
    assert found.district is not None
    return restricted_outcomes_body(public_scope(found.district), found.school_year, today, stored=public_year)


def public_school_body(found: PublicOutcomes, school_uuid: UUID | str, today: datetime.date) -> dict[str, Any]:
    """One school's outcomes as released with its district's published year (404 for another
    district's school, or one added after the year was released)."""
    school = School.objects.filter(uuid=school_uuid, district=found.district).first()
    if school is None or found.district is None:
        raise Http404
    try:
        return restricted_school_body(
            public_scope(found.district), school, found.school_year, today, stored=public_year
        )
    except ValidationError:
        raise Http404 from None


def public_outcomes_list() -> list[PublicOutcomes]:
    """Every published year, the districts' first (by name), then the agencies'."""
    published = PublicOutcomes.objects.filter(published=True).select_related("district", "agency")
    return list(published.order_by("district__name", "agency__name", "-school_year"))


def public_outcomes_state(owner: Owner, school_year: str) -> PublicOutcomes | None:
    """The owner's year as its admins see it: published, being checked, refused (and why) or never asked."""
    return PublicOutcomes.objects.filter(**_owned_by(owner), school_year=school_year).first()


def public_outcomes_of(owner: Owner) -> list[PublicOutcomes]:
    """A district's or an agency's published years (links from its public MOU pages and reports)."""
    return list(PublicOutcomes.objects.filter(**_owned_by(owner), published=True).order_by("-school_year"))
