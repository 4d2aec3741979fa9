# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""API for MOUs, their versions, evaluation, reviews and reminders. Every object is reached
through agreements.access (or directory.access for schools, agencies and partnerships)."""

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from liaison.accounts.scope import user_scope
from liaison.directory import access as directory_access
from liaison.directory.selectors import agency_by_id, schools_partnered_with
from liaison.interactions.services import enforcement_read_audit
from liaison.interactions.vocabulary import ReasonCategory
from liaison.lib.api_errors import ERROR_RESPONSES
from liaison.lib.paging import KeysetPagination
from liaison.lib.replica import reads_from_replica

from . import access, dashboard, selectors, services
from .evaluation import EvaluationResult, action_facts, mou_evaluate_action
from .forms import PERIOD_REVERSED
from .read_audit import reviews_api_page_read_audit
from .schemas import (
    AgreementDetailOut,
    AgreementFilters,
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    CloseIn,
    CommentIn,
    CommentOut,
    DashboardOut,
    DashboardQuery,
    DiffOut,
    DiffQuery,
    EvaluateIn,
    EvaluationOut,
    NewVersionIn,
    RemindersOut,
    RemindersQuery,
    ReviewDetailOut,
    ReviewFilters,
    ReviewOut,
    RuleIn,
    RuleOut,
    SectionIn,
    SectionOut,
    SignIn,
    SubmitIn,
    VersionDetailOut,
    VersionPatch,
)
from .vocabulary import Element, Outcome

if TYPE_CHECKING:
    from liaison.directory.models import Agency, Partnership, School

    from .models import Agreement, AgreementVersion, Review, Rule, Section

router = Router(tags=["agreements"])

REFERENCE_NOT_FOUND = "No such record that you can see."
AGENCY_REQUIRED = "Name the agency whose MOU applies: you belong to none or to several."

T = TypeVar("T")


def _reference(getter: Callable[..., T], request: HttpRequest, uuid: UUID, field: str, *, write: bool = False) -> T:
    """Resolve a UUID named in a request; an unknown one is a field error."""
    try:
        return getter(request.user, uuid, write=write)
    except Http404:
        raise ValidationError({field: REFERENCE_NOT_FOUND}) from None


def _single(status: int, schema: Any) -> dict[int, Any]:
    return {status: schema, **ERROR_RESPONSES}


def _agreement(request: HttpRequest, uuid: UUID) -> "Agreement":
    """The agreement with its versions loaded, ready for AgreementDetailOut."""
    agreement = access.agreement_get_for_user(request.user, uuid)
    prefetch_related_objects([agreement], "versions")
    return agreement


def _version(request: HttpRequest, uuid: UUID) -> "AgreementVersion":
    """The version with what VersionDetailOut reads loaded."""
    version = access.version_get_for_user(request.user, uuid)
    prefetch_related_objects([version], "sections", "rules", "agreement__versions")
    return version


def _require_drafter_for(request: HttpRequest, partnership: "Partnership") -> None:
    """Only the partnership's agency admin or district admin drafts its MOUs."""
    if not access.partnership_draftable(request.user, partnership):
        raise PermissionDenied(directory_access.NOT_ALLOWED)


# --- agreements -------------------------------------------------------------------------------------


@router.get("", response=_single(200, list[AgreementOut]))
@paginate
def agreement_list(request: HttpRequest, filters: Query[AgreementFilters]) -> "QuerySet[Agreement]":
    """MOUs you may see, each with its status and the version in force today."""
    queryset = access.agreements_visible_to(request.user).select_related("agency", "district", "partnership")
    return filters.filter(queryset.prefetch_related("versions"))


@router.post("", response=_single(201, AgreementDetailOut))
def agreement_create(request: HttpRequest, payload: AgreementIn) -> Status:
    """A new MOU for a partnership, with a first draft: every element, the default rules, all schools."""
    if not access.may_draft_agreements(request.user):
        raise PermissionDenied(directory_access.NOT_ALLOWED)
    fields = payload.dict()
    getter = directory_access.partnership_get_for_user
    partnership = _reference(getter, request, fields.pop("partnership"), "partnership")
    _require_drafter_for(request, partnership)
    agreement = services.agreement_create(actor=request.user, partnership=partnership, **fields)
    return Status(201, _agreement(request, agreement.uuid))


# --- versions ------------------------------------------------------------------------------------------


@router.get("/versions/{uuid}", response=_single(200, VersionDetailOut))
def version_detail(request: HttpRequest, uuid: UUID) -> "AgreementVersion":
    """Sections, rules, schools, signatures, status and completeness of one version."""
    return _version(request, uuid)


def _schools(request: HttpRequest, uuids: list[UUID]) -> "list[School]":
    found = list(directory_access.schools_visible_to(request.user).filter(uuid__in=uuids))
    if len(found) != len(set(uuids)):
        raise ValidationError({"schools": REFERENCE_NOT_FOUND})
    return found


@router.patch("/versions/{uuid}", response=_single(200, VersionDetailOut))
def version_update(request: HttpRequest, uuid: UUID, payload: VersionPatch) -> "AgreementVersion":
    """Change a draft's dates or the schools it covers."""
    version = access.version_get_for_user(request.user, uuid, write=True)
    changes = payload.dict(exclude_unset=True)
    if changes.get("schools") is not None:
        changes["schools"] = _schools(request, changes["schools"])
    services.version_update(actor=request.user, version=version, **changes)
    return _version(request, uuid)


@router.put("/versions/{uuid}/sections/{element}", response=_single(200, SectionOut))
def section_put(request: HttpRequest, uuid: UUID, element: Element, payload: SectionIn) -> "Section":
    version = access.version_get_for_user(request.user, uuid, write=True)
    return services.section_update(actor=request.user, version=version, element=element, text=payload.text)


@router.put("/versions/{uuid}/rules/{category}", response=_single(200, RuleOut))
def rule_put(request: HttpRequest, uuid: UUID, category: ReasonCategory, payload: RuleIn) -> "Rule":
    """Set a behaviour category's involvement level and conditions in a draft."""
    version = access.version_get_for_user(request.user, uuid, write=True)
    return services.rule_set(actor=request.user, version=version, category=category, **payload.dict())


@router.delete("/versions/{uuid}/rules/{category}", response={204: None, **ERROR_RESPONSES})
def rule_delete(request: HttpRequest, uuid: UUID, category: ReasonCategory) -> Status:
    """Remove a category's rule from a draft: any enforcement for it is then outside the MOU."""
    version = access.version_get_for_user(request.user, uuid, write=True)
    if not version.rules.filter(category=category).exists():
        raise Http404
    services.rule_remove(actor=request.user, version=version, category=category)
    return Status(204, None)


@router.post("/versions/{uuid}/submit", response=_single(200, VersionDetailOut))
def version_submit(request: HttpRequest, uuid: UUID, payload: SubmitIn | None = None) -> "AgreementVersion":
    """Freeze a draft and ask the parties to sign. A draft with missing or empty elements needs
    `acknowledge_missing: true` (a 400 naming the field lists them); the acknowledgement is audited."""
    version = access.version_get_for_user(request.user, uuid, write=True)
    acknowledged = payload.acknowledge_missing if payload is not None else False
    services.version_submit(actor=request.user, version=version, acknowledge_missing=acknowledged)
    return _version(request, uuid)


@router.post("/versions/{uuid}/sign", response=_single(200, VersionDetailOut))
def version_sign(request: HttpRequest, uuid: UUID, payload: SignIn) -> "AgreementVersion":
    """Sign for one party: the agency head (the agency's admin) or the superintendent (the district's)."""
    version = access.version_get_for_user(request.user, uuid)
    services.version_sign(actor=request.user, version=version, party=payload.party)
    return _version(request, uuid)


@router.get("/versions/{uuid}/diff", response=_single(200, DiffOut))
def version_diff(request: HttpRequest, uuid: UUID, query: Query[DiffQuery]) -> selectors.VersionDiff:
    """What changed in sections and rules from the `against` version to this one."""
    version = access.version_get_for_user(request.user, uuid)
    base = _reference(access.version_get_for_user, request, query.against, "against")
    if base.agreement_id != version.agreement_id:
        raise ValidationError({"against": selectors.DIFFERENT_AGREEMENTS})
    return selectors.version_diff(base, version)


# --- evaluation -------------------------------------------------------------------------------------------


SCHOOL_NOT_SERVED = "The agency's officers do not record at this school: it is in no district the agency serves."


def _evaluation_agency(request: HttpRequest, uuid: UUID | None) -> "Agency":
    if uuid is not None:
        return _reference(directory_access.agency_get_for_user, request, uuid, "agency")
    agency_ids = user_scope(request.user).any_agency_ids
    if len(agency_ids) != 1:
        raise ValidationError({"agency": AGENCY_REQUIRED})
    return agency_by_id(next(iter(agency_ids)))


@router.post("/evaluate", response=_single(200, EvaluationOut))
def evaluate(request: HttpRequest, payload: EvaluateIn) -> EvaluationResult:
    """A dry run of the MOU evaluation for an action: nothing is recorded."""
    school = _reference(directory_access.school_get_for_user, request, payload.school, "school")
    agency = _evaluation_agency(request, payload.agency)
    if not schools_partnered_with(agency=agency).filter(pk=school.pk).exists():  # where its officers may record
        raise ValidationError({"school": SCHOOL_NOT_SERVED})
    facts = action_facts(agency_id=agency.pk, school_id=school.pk, on=payload.date, details=payload.dict())
    return mou_evaluate_action(facts)


# --- reviews -------------------------------------------------------------------------------------------------


@router.get("/reviews", response=_single(200, list[ReviewOut]))
@paginate(KeysetPagination, ordering=("opened_at", "id"), on_page=reviews_api_page_read_audit)  # by cursor
def review_list(request: HttpRequest, filters: Query[ReviewFilters]) -> "QuerySet[Review]":
    """Reviews of flagged actions you may see, oldest first, each with its age in days. Each page read
    is in the audit log (it shows the actions' justifications)."""
    return filters.filter(access.reviews_visible_to(request.user).select_related("agency", "school", "interaction"))


def _review(request: HttpRequest, uuid: UUID, *, close: bool = False) -> "Review":
    review = access.review_get_for_user(request.user, uuid, close=close)
    prefetch_related_objects([review], "interaction__enforcement", "agency", "closed_by")
    return review


@router.get("/reviews/{uuid}", response=_single(200, ReviewDetailOut))
def review_detail(request: HttpRequest, uuid: UUID) -> "Review":
    """A review with its comments and the action's kind, type and reason (never the student's demographics)."""
    review = _review(request, uuid)
    enforcement_read_audit(actor=request.user, interactions=[review.interaction], through="a review")
    return review


@router.post("/reviews/{uuid}/comments", response=_single(201, CommentOut))
def review_comment(request: HttpRequest, uuid: UUID, payload: CommentIn) -> Status:
    review = access.review_get_for_user(request.user, uuid)
    comment = services.review_comment(actor=request.user, review=review, text=payload.text)
    return Status(201, comment)


@router.post("/reviews/{uuid}/close", response=_single(200, ReviewDetailOut))
def review_close(request: HttpRequest, uuid: UUID, payload: CloseIn) -> "Review":
    """Close a review with a finding (the agency's SRO supervisors and admins)."""
    review = access.review_get_for_user(request.user, uuid, close=True)
    services.review_close(actor=request.user, review=review, finding=payload.finding, comment=payload.comment)
    return _review(request, uuid)


# --- reminders -------------------------------------------------------------------------------------------------


@router.get("/reminders", response=_single(200, RemindersOut))
def reminders(request: HttpRequest, query: Query[RemindersQuery]) -> dict[str, Any]:
    """Reviews due and versions expiring within 60 days, and schools with officers but no MOU in force."""
    on = query.on or timezone.localdate()
    return {"on": on, "reminders": selectors.mou_reminders(today=on, user=request.user)}


# --- the MOU dashboard -------------------------------------------------------------------------------------


def _dashboard_period(query: DashboardQuery, today: datetime.date) -> dashboard.Period:
    default = dashboard.default_period(today)
    period = dashboard.Period(start=query.start or default.start, end=query.end or default.end)
    if period.end < period.start:
        raise ValidationError({"end": [PERIOD_REVERSED]})
    return period


def _month_out(row: dashboard.MonthRow) -> dict[str, Any]:
    counts = row.counts
    return {
        "month": row.month,
        "within_mou": counts.get(Outcome.WITHIN, 0),
        "outside_mou": counts.get(Outcome.OUTSIDE, 0),
        "no_mou_in_force": counts.get(Outcome.NO_MOU, 0),
        "total": row.total,
    }


@router.get("/dashboard/agency/{uuid}", response=_single(200, DashboardOut))
def agency_dashboard(request: HttpRequest, uuid: UUID, query: Query[DashboardQuery]) -> dict[str, Any]:
    """The agency's MOU dashboard, for its admins and supervisors."""
    return _dashboard(request, "agency", uuid, query)


@router.get("/dashboard/district/{uuid}", response=_single(200, DashboardOut))
def district_dashboard(request: HttpRequest, uuid: UUID, query: Query[DashboardQuery]) -> dict[str, Any]:
    """The district's MOU dashboard (every agency's actions at its schools), for its admins."""
    return _dashboard(request, "district", uuid, query)


@reads_from_replica
def _dashboard(
    request: HttpRequest, owner: Literal["agency", "district"], uuid: UUID, query: DashboardQuery
) -> dict[str, Any]:
    found = access.dashboard_owner_get_for_user(request.user, owner, uuid)
    period = _dashboard_period(query, dashboard.owner_today(found))
    figures = dashboard.dashboard_figures(scope=dashboard.Scope.of(found), period=period, now=timezone.now())
    agreements = (
        selectors.agreements_with_versions(selectors.agreements_of(owner, found))
        .select_related("partnership")
        .order_by("title", "id")
    )
    arrests = figures.arrests
    return {
        "owner": {"kind": owner, "uuid": found.uuid, "name": found.name},
        "period": period,
        "agreements": list(agreements),
        "outcomes_by_school": [
            {"school": row.school, "months": [_month_out(m) for m in row.months], "total": row.total}
            for row in figures.by_school
        ],
        "open_reviews": figures.open_reviews,
        "categories_outside": figures.categories,
        "arrests": {"arrests": arrests.whole, "administrator_consulted": arrests.part, "percent": arrests.percent},
    }


# --- one MOU (last: "/{uuid}" would otherwise catch "/evaluate", "/reviews" and "/reminders") ---


@router.get("/{uuid}", response=_single(200, AgreementDetailOut))
def agreement_detail(request: HttpRequest, uuid: UUID) -> "Agreement":
    return _agreement(request, uuid)


@router.patch("/{uuid}", response=_single(200, AgreementDetailOut))
def agreement_update(request: HttpRequest, uuid: UUID, payload: AgreementPatch) -> "Agreement":
    agreement = access.agreement_get_for_user(request.user, uuid, write=True)
    services.agreement_update(actor=request.user, agreement=agreement, **payload.dict(exclude_unset=True))
    return _agreement(request, uuid)


@router.post("/{uuid}/versions", response=_single(201, VersionDetailOut))
def version_create(request: HttpRequest, uuid: UUID, payload: NewVersionIn) -> Status:
    """A new draft copying the latest version's sections, rules and schools."""
    agreement = access.agreement_get_for_user(request.user, uuid, write=True)
    version = services.version_new_draft(actor=request.user, agreement=agreement, effective_date=payload.effective_date)
    return Status(201, _version(request, version.uuid))
