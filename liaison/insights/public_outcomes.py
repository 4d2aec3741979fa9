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
and actions judged within and outside the MOU as the sum of the agencies'. Publishing is refused,
with `NOT_SAFE_BESIDE_MOUS`, when a hidden count could be worked out.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from liaison.accounts.audit import audit_record
from liaison.accounts.scope import user_scope
from liaison.agreements.models import Agreement
from liaison.directory import access as directory_access
from liaison.directory.models import District, School
from liaison.directory.validators import validate_school_year
from liaison.lib.disclosure import Table
from liaison.lib.disclosure_audit import AuditReport, audit
from liaison.lib.school_years import school_year_days

from .access import EquityScope
from .disclosure import threshold
from .figures import scope_key
from .models import FigureSnapshot, PublicOutcomes
from .outcomes import outcomes_year, previous_school_year
from .outcomes_release import (
    OUTCOMES,
    cell,
    outcomes_scope_of,
    outcomes_table,
    restricted_outcomes_body,
    restricted_school_body,
    schools_table,
)
from .public_figures import (
    PUBLIC_FIGURES,
    agreement_public_figures,
    enforcement_counts,
    enforcement_table,
    public_already,
)
from .snapshots import check_school_year_closed

NOT_DISTRICT_ADMIN = "A district's outcomes are published for the public by the district's admins."
NOT_SAFE_BESIDE_MOUS = (
    "The {year} outcomes were not published: beside the published MOU figures of the district's agencies, "
    "a suppressed count could be worked out. They stay for evaluators only."
)
PUBLISHED = "The {year} outcomes of {district} are public."
CHECKING = (
    "The {year} outcomes of {district} are being checked beside the agencies' published MOU figures; "
    "they become public when the check passes (a minute or more for a large district). This page says when."
)
WITHDRAWN = "The {year} outcomes of {district} are no longer public."

# The district's year (ours) is the sum of its agencies' public figures (theirs), where the counts say so.
MOU_TIES = (
    ("enforcement_total", "enforcement"),
    ("referrals", "referrals"),
    (("action", "arrest"), "arrests"),
    ("within_mou", "within"),
    ("not_within_mou", "judged-not-within"),
)


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


# --- publishing ----------------------------------------------------------------------------------------


def public_outcomes_publish_set(
    *, actor: Any, district: District, school_year: str, published: bool, today: datetime.date
) -> PublicOutcomes | None:
    """Publish (or withdraw) a closed year's outcomes of the district; audited in the district's log.

    Publishing builds the year's release and the year before's if they are not stored yet (as an
    evaluator's first request would), and refuses (ValidationError naming `school_year`) an open
    year, or a release from which a hidden count could be worked out beside the agencies' published
    MOU figures. Withdrawing what was never published does nothing (None)."""
    found = PublicOutcomes.objects.filter(district=district, school_year=school_year).first()
    if not published:
        if found is None or not found.published:
            return found
        return _set(actor, found, published=False)
    check_school_year_closed(school_year, today)
    restricted_outcomes_body(public_scope(district), school_year, today)  # built (and stored) if need be
    for year in (school_year, previous_school_year(school_year)):
        report = public_audit(district, year, today)
        if not report.passed:
            raise ValidationError({"school_year": [NOT_SAFE_BESIDE_MOUS.format(year=year)]})
    if found is None:
        found = PublicOutcomes(district=district, school_year=school_year, published=False)
    if found.published:
        return found
    return _set(actor, found, published=True)


def public_outcomes_publish_request(
    *,
    district: District,
    school_year: str,
    today: datetime.date,
    enqueue: Callable[[PublicOutcomes, Any], None],
    actor: Any,
) -> PublicOutcomes:
    """Ask for a closed year's outcomes to be published: `public_outcomes_publish_checked` runs in the
    background (`enqueue`), since the check beside the MOU figures takes longer than a request may.
    Refuses an open year at once (ValidationError naming `school_year`)."""
    check_school_year_closed(school_year, today)
    found, _ = PublicOutcomes.objects.get_or_create(
        district=district, school_year=school_year, defaults={"published": False}
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
            actor=actor, district=found.district, school_year=found.school_year, published=True, today=today
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
            summary=(PUBLISHED if published else WITHDRAWN).format(year=found.school_year, district=found.district),
            before={"published": not published},
            after={"published": published, "school_year": found.school_year},
            district_id=found.district_id,
        )
    return found


# --- the audit beside the public MOU figures ------------------------------------------------------------


def _mou_cell(agreement: Agreement, key: Any) -> tuple[Any, ...]:
    return ("mou", agreement.pk, key)


def _mou_table(agreement: Agreement, school_year: str) -> tuple[Table, set[Any]]:
    """An agreement's public figures of the year as the engine sees them (keys prefixed with the
    agreement), and the cells its stored snapshot hid; the snapshot is built if need be."""
    agreement_public_figures(agreement, school_year)  # stored, as the public page would store it
    stored = FigureSnapshot.objects.get(figure=PUBLIC_FIGURES, scope=f"agreement:{agreement.uuid}", period=school_year)
    first, last = school_year_days(school_year)
    by_type, within = enforcement_counts(agreement.agency_id, agreement.district_id, first, last)
    own = enforcement_table(by_type, within)
    table = Table()
    for key, value in own.cells.items():
        table.cell(_mou_cell(agreement, key), value)
    for total, parts in own.relations:
        table.relate(_mou_cell(agreement, total), [_mou_cell(agreement, p) for p in parts])
    hidden = {_mou_cell(agreement, key) for key, shown in public_already(stored.payload).items() if not shown}
    return table, hidden


def public_audit_table(district: District, school_year: str, today: datetime.date) -> tuple[Table, set[Any]]:
    """Everything the public reads about the district's records of a year: the released outcomes of
    the district and its schools, and each agreement's public figures; and what of it is hidden."""
    scope = public_scope(district)
    stored = FigureSnapshot.objects.get(figure=OUTCOMES, scope=scope_key(scope), period=school_year).payload
    year = outcomes_year(outcomes_scope_of(scope), school_year, as_of=today)
    table, _ = schools_table(outcomes_table(year), scope, year, today)
    hidden: set[Any] = {("outcomes", school_year, *key) for key in stored["hidden_cells"]}
    hidden |= {("outcomes", school_year, *key) for key in stored.get("school_hidden_cells", [])}
    # Never on the outcomes page (its share within the MOU is): known only from the MOU pages.
    hidden |= {key for key in table.cells if isinstance(key, tuple) and key[3] == "judged-not-within"}
    first_of_agency: dict[int, Agreement] = {}
    for agreement in Agreement.objects.filter(district=district).order_by("pk"):
        mou, mou_hidden = _mou_table(agreement, school_year)
        table = table.merge(mou)
        hidden |= mou_hidden
        first = first_of_agency.setdefault(agreement.agency_id, agreement)
        if first != agreement:  # the same agency's records: the same counts
            for mine in mou.cells:
                theirs = ("mou", first.pk, mine[2]) if isinstance(mine, tuple) else mine
                if table.cells[theirs] == table.cells[mine]:
                    table.relate(theirs, [mine])
    for name, ours in MOU_TIES:
        whole = cell(school_year, "year", ours)
        parts = [_mou_cell(a, name) for a in first_of_agency.values()]
        if whole in table.cells and table.cells[whole] == sum(table.cells[p] for p in parts):
            table.relate(whole, parts)
    # A zero is never hidden by the engine; one behind a hidden share is given to the attacker as known.
    return table, {key for key in hidden if table.cells[key] > 0}


def public_audit(district: District, school_year: str, today: datetime.date) -> AuditReport:
    """The attacker's computation over everything the public reads of the year (`public_audit_table`)."""
    table, hidden = public_audit_table(district, school_year, today)
    return audit(table, hidden, threshold=threshold())


# --- what the public reads ------------------------------------------------------------------------------


def public_outcomes_get(uuid: UUID | str, school_year: str) -> PublicOutcomes:
    """A published year of a district's outcomes; 404 for one unpublished, withdrawn or unknown (or
    no school year at all: nothing that is not one reaches the database)."""
    try:
        validate_school_year(school_year)
    except ValidationError:
        raise Http404 from None
    found = (
        PublicOutcomes.objects.select_related("district")
        .filter(district__uuid=uuid, school_year=school_year, published=True)
        .first()
    )
    if found is None:
        raise Http404
    return found


def public_outcomes_body(found: PublicOutcomes, today: datetime.date) -> dict[str, Any]:
    """The district's published outcomes (the API's shape): the stored release, as served to a
    district-wide evaluator."""
    return restricted_outcomes_body(public_scope(found.district), found.school_year, today)


def public_school_body(found: PublicOutcomes, school_uuid: UUID | str, today: datetime.date) -> dict[str, Any]:
    """One school's outcomes as released with its district's published year (404 for another
    district's school, or one added after the year was released)."""
    school = School.objects.filter(uuid=school_uuid, district=found.district).first()
    if school is None:
        raise Http404
    try:
        return restricted_school_body(public_scope(found.district), school, found.school_year, today)
    except ValidationError:
        raise Http404 from None


def public_outcomes_list() -> list[PublicOutcomes]:
    published = PublicOutcomes.objects.filter(published=True).select_related("district")
    return list(published.order_by("district__name", "-school_year"))


def public_outcomes_state(district: District, school_year: str) -> PublicOutcomes | None:
    """The district's year as its admins see it: published, being checked, refused (and why) or never asked."""
    return PublicOutcomes.objects.filter(district=district, school_year=school_year).first()


def public_outcomes_of(district: District) -> list[PublicOutcomes]:
    """A district's published years (links from its public MOU pages and reports)."""
    return list(PublicOutcomes.objects.filter(district=district, published=True).order_by("-school_year"))
