"""The only doors from a user to MOUs and reviews.

MOUs: everyone in the agency or the district sees them (officers need to know the rules they
work under); the agency's admins and the district's admins draft them; each party signs for itself.
Reviews: the agency's supervisors and admins, the officer whose action it is, and the school's and
district's administrators.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from liaison.accounts.roles import Role
from liaison.accounts.scope import user_scope
from liaison.directory import access as directory_access
from liaison.directory.access import NOT_ALLOWED, NOT_FOUND
from liaison.directory.models import Agency, District

from .models import Agreement, AgreementVersion, Review, Signatory

NOTHING = Q(pk__in=[])


def _agreement_rule(user: Any, prefix: str = "") -> Q:
    scope = user_scope(user)
    rule = NOTHING
    if scope.any_agency_ids:
        rule |= Q(**{f"{prefix}agency_id__in": scope.any_agency_ids})
    districts = scope.district_admin_ids | scope.evaluator_district_ids
    if districts:
        rule |= Q(**{f"{prefix}district_id__in": districts})
    if scope.school_admin_ids:
        rule |= Q(**{f"{prefix}district__schools__in": scope.school_admin_ids})
    return rule


def agreements_visible_to(user: Any) -> QuerySet[Agreement]:
    if user_scope(user).platform_admin:
        return Agreement.objects.all()
    rule = _agreement_rule(user)
    return Agreement.objects.none() if rule is NOTHING else Agreement.objects.filter(rule).distinct()


def partnership_draftable(user: Any, partnership: Any) -> bool:
    """Whether the user may draft an MOU for this partnership (as for one of its MOUs)."""
    return agreement_writable(user, Agreement(agency_id=partnership.agency_id, district_id=partnership.district_id))


def agreement_writable(user: Any, agreement: Agreement) -> bool:
    """The people who sign an MOU draft it: the agency's admins and the district's admins."""
    scope = user_scope(user)
    return (
        scope.platform_admin
        or agreement.agency_id in scope.agencies(Role.AGENCY_ADMIN)
        or agreement.district_id in scope.district_admin_ids
    )


def may_draft_agreements(user: Any) -> bool:
    scope = user_scope(user)
    return scope.platform_admin or bool(scope.agencies(Role.AGENCY_ADMIN) or scope.district_admin_ids)


def may_sign(user: Any, version: AgreementVersion, party: str) -> bool:
    """The agency's admins sign for the agency head, the district's admins for the superintendent."""
    scope = user_scope(user)
    if party == Signatory.Party.AGENCY_HEAD:
        return version.agreement.agency_id in scope.agencies(Role.AGENCY_ADMIN)
    return version.agreement.district_id in scope.district_admin_ids


def agreement_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> Agreement:
    try:
        agreement = agreements_visible_to(user).select_related("agency", "district", "partnership").get(uuid=uuid)
    except (Agreement.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if write and not agreement_writable(user, agreement):
        raise PermissionDenied(NOT_ALLOWED)
    return agreement


def version_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> AgreementVersion:
    try:
        version = (
            AgreementVersion.objects.filter(agreement__in=agreements_visible_to(user))
            .select_related("agreement__agency", "agreement__district")
            .get(uuid=uuid)
        )
    except (AgreementVersion.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if write and not agreement_writable(user, version.agreement):
        raise PermissionDenied(NOT_ALLOWED)
    return version


# --- reviews -----------------------------------------------------------------------------------------


def reviews_visible_to(user: Any) -> QuerySet[Review]:
    scope = user_scope(user)
    if scope.platform_admin:
        return Review.objects.all()
    rule = NOTHING
    if scope.managing_agency_ids:
        rule |= Q(agency_id__in=scope.managing_agency_ids)
    if scope.officer_id is not None:
        rule |= Q(interaction__officer_id=scope.officer_id)
    if scope.district_admin_ids:
        rule |= Q(district_id__in=scope.district_admin_ids)
    if scope.school_admin_ids:
        rule |= Q(school_id__in=scope.school_admin_ids)
    return Review.objects.none() if rule is NOTHING else Review.objects.filter(rule)


def review_closable(user: Any, review: Review) -> bool:
    """The SRO supervisor (or the agency's admin) closes a review with a finding."""
    scope = user_scope(user)
    return scope.platform_admin or review.agency_id in scope.managing_agency_ids


def review_get_for_user(user: Any, uuid: UUID | str, *, close: bool = False) -> Review:
    try:
        review = reviews_visible_to(user).select_related("interaction__officer__user", "school").get(uuid=uuid)
    except (Review.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if close and not review_closable(user, review):
        raise PermissionDenied(NOT_ALLOWED)
    return review


# --- the MOU dashboard ---------------------------------------------------------------------------


def dashboard_owner_get_for_user(user: Any, owner: str, uuid: UUID | str) -> Agency | District:
    """The agency (for its admins and supervisors) or the district (for its admins) whose MOU dashboard
    is asked for: 404 when the user cannot see it, 403 when they can but it is not theirs."""
    scope = user_scope(user)
    found: Agency | District
    if owner == "agency":
        found = directory_access.agency_get_for_user(user, uuid)
        allowed = scope.platform_admin or found.pk in scope.managing_agency_ids
    elif owner == "district":
        found = directory_access.district_get_for_user(user, uuid)
        allowed = scope.platform_admin or found.pk in scope.district_admin_ids
    else:
        raise Http404(NOT_FOUND)
    if not allowed:
        raise PermissionDenied(NOT_ALLOWED)
    return found
