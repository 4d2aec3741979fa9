"""The officer's pages: the quick log (their home page), the enforcement form, and one record with its history.

Every record is reached through `interactions.access`; every write goes through `interactions.services`.
Times are shown and entered in the agency's time zone.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.accounts.scope import user_scope
from liaison.directory.access import NOT_ALLOWED, officers_visible_to
from liaison.directory.access import own_officer as _own_officer
from liaison.directory.choices import OfficerStatus
from liaison.directory.selectors import agency_first_of, agency_today, schools_partnered_with, schools_served_by
from liaison.lib.form_pages import add_service_errors
from liaison.lib.form_pages import posted as _posted

from . import access, selectors, services
from .choices import InteractionSource
from .forms import EnforcementForm, InteractionChangeForm, QuickLogForm, VoidForm
from .history import history_of
from .offline_views import offline_page
from .vocabulary import POSITIVE_MEANS, Kind, NibrsOffense

if TYPE_CHECKING:
    from liaison.directory.models import Agency, Officer, School

    from .models import Interaction

SESSION_SCHOOL = "interactions.quick_log_school"
UNDO_REASON = "Undone by the officer"
# The server accepts an undo this long after saving; the page offers the button for UNDO_SECONDS.
UNDO_WINDOW = datetime.timedelta(minutes=2)
UNDO_SECONDS = 10
RECENT_LIMIT = 200

NOT_AN_OFFICER = "The quick log is for officers, and your account has no officer profile."
NOT_A_RECORDER = "Enforcement actions are recorded by officers, or for them by their supervisors and agency admins."
TOO_LATE_TO_UNDO = "Too late to undo: open the record to void it with a reason."
ENFORCEMENT_SAVED = "Saved the enforcement action."
ENFORCEMENT_SAVED_WITHIN = "Saved the enforcement action: within the MOU."
ENFORCEMENT_SAVED_FLAGGED = (
    "Saved the enforcement action: {outcome}. {explanation} Your justification is recorded with it, "
    "and a review is open for your supervisor and the school's administrator."
)
CHANGE_SAVED = "Saved the changes."
AMENDMENT_SAVED = "Amended the record; the earlier values are kept in its history."
RECORD_VOIDED = "Voided the record. It stays on file, marked void, and no longer counts."
RECORD_IS_VOID = "This record is void and can no longer be changed."

QUICK_LOG_PAGE = "interactions/quick_log.html"
QUICK_LOG_RESPONSE = "interactions/partials/quick_log_response.html"
REFUSED_PAGE = "interactions/refused.html"


# --- who is asking ------------------------------------------------------------------------------


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, REFUSED_PAGE, {"message": message}, status=403)


def _zone(agency: Agency) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(agency.time_zone)


# --- the quick log --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    """What the status line says: a hint, saved (with undo), undone, not saved, or too late to undo."""

    state: str = ""
    record: Interaction | None = None
    undoable: bool = False


def _undoable(user: Any, record: Interaction) -> bool:
    fresh = timezone.now() - record.created_at <= UNDO_WINDOW
    return fresh and not record.voided and record.created_by_id == user.pk


def _status_of(user: Any, record: Interaction) -> Status:
    if record.voided:
        return Status("undone", record)
    return Status("saved", record, undoable=_undoable(user, record))


def _quick_log_form(request: HttpRequest, schools: list[School], data: Any = None) -> QuickLogForm:
    """The form, with the school the officer last logged at (if still theirs), else the main assignment."""
    keys = [str(school.uuid) for school in schools]
    remembered = request.session.get(SESSION_SCHOOL)
    school = remembered if remembered in keys else (keys[0] if keys else None)
    return QuickLogForm(data, schools=schools, initial={"school": school, "client_uuid": uuid4()})


def _activity(officer: Officer, today: datetime.date) -> dict[str, Any]:
    """Today's records, the rest of this week's, and the week at a glance (from the rollups)."""
    start, end = selectors.week_bounds(today)
    records = list(selectors.officer_records_between(officer=officer, since=start, until=end)[:RECENT_LIMIT])
    return {
        "today": today,
        "today_records": [record for record in records if record.occurred_on == today],
        "earlier_records": [record for record in records if record.occurred_on != today],
        "week": selectors.officer_week_summary(officer=officer, week_of=today),
        "positive_means": POSITIVE_MEANS,
    }


def _quick_log_context(officer: Officer, form: QuickLogForm | None, status: Status) -> dict[str, Any]:
    return {"form": form, "status": status, "officer": officer, "undo_seconds": UNDO_SECONDS}


def _status_from_query(request: HttpRequest, officer: Officer) -> Status:
    """After a form post without JavaScript, ?saved=<uuid> or ?undone=<uuid> says what happened."""
    value = request.GET.get("saved") or request.GET.get("undone")
    try:
        key = UUID(value or "")
    except ValueError:
        return Status()
    visible = access.interactions_visible_to(request.user).select_related("school")
    record = visible.filter(uuid=key, officer=officer).first()
    return _status_of(request.user, record) if record is not None else Status()


@login_required
@offline_page
@require_http_methods(["GET", "POST"])
def quick_log(request: HttpRequest) -> HttpResponse:
    """The officer's home page: tap what you did, and it is saved at the school you are at."""
    officer = _own_officer(request.user)
    if officer is None:
        return _refused(request, NOT_AN_OFFICER)
    today = agency_today(officer.agency)
    schools = selectors.officer_recording_schools(officer=officer, on=today)
    form = _quick_log_form(request, schools, _posted(request))
    with timezone.override(_zone(officer.agency)):
        if request.method == "POST":
            return _quick_log_submit(request, officer, form, today)
        context = _quick_log_context(officer, form, _status_from_query(request, officer))
        return render(request, QUICK_LOG_PAGE, {**context, **_activity(officer, today)})


def _quick_log_record(request: HttpRequest, officer: Officer, form: QuickLogForm) -> Interaction | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        recorded = services.interaction_record(
            actor=request.user,
            officer=officer,
            school=data["school"],
            kind=data["kind"],
            occurred_at=timezone.now(),
            client_uuid=data["client_uuid"],
            role=data["role"] or None,
            source=InteractionSource.QUICK_LOG,
            **form.optional_fields(),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    return recorded.interaction


def _quick_log_submit(request: HttpRequest, officer: Officer, form: QuickLogForm, today: datetime.date) -> HttpResponse:
    record = _quick_log_record(request, officer, form)
    if record is None:
        context = _quick_log_context(officer, form, Status("not_saved"))
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, QUICK_LOG_RESPONSE, context)
        return render(request, QUICK_LOG_PAGE, {**context, **_activity(officer, today)})
    request.session[SESSION_SCHOOL] = str(record.school.uuid)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect(f"{reverse('interactions:quick_log')}?saved={record.uuid}")
    fresh = _quick_log_form(request, list(form.schools.values()))
    context = _quick_log_context(officer, fresh, _status_of(request.user, record))
    return render(request, QUICK_LOG_RESPONSE, {**context, **_activity(officer, today)})


@login_required
@require_POST
def quick_log_undo(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Undo a record just made: it is voided (kept, marked void), never deleted."""
    record = access.interaction_get_for_user(request.user, uuid, write=True)
    officer = _own_officer(request.user)
    if officer is None or record.officer_id != officer.pk:
        raise PermissionDenied(NOT_ALLOWED)
    undone = record.voided or _undoable(request.user, record)
    if undone and not record.voided:
        services.interaction_void(actor=request.user, interaction=record, reason=UNDO_REASON)
    if not request.htmx:  # type: ignore[attr-defined]
        if not undone:
            messages.error(request, TOO_LATE_TO_UNDO)
            return redirect("interactions:detail", uuid=record.uuid)
        return redirect(f"{reverse('interactions:quick_log')}?undone={record.uuid}")
    with timezone.override(_zone(officer.agency)):
        context = _quick_log_context(officer, None, Status("undone" if undone else "too_late", record))
        activity = _activity(officer, agency_today(officer.agency)) if undone else {}
        return render(request, QUICK_LOG_RESPONSE, {**context, **activity})


# --- the enforcement form --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorders:
    """Whom the user may record an enforcement action for (None: only themselves), at which schools, in which zone."""

    own: Officer | None
    officers: QuerySet[Officer] | None
    schools: QuerySet[School]
    zone: zoneinfo.ZoneInfo


def _recorders(user: Any) -> Recorders | None:
    own = _own_officer(user)
    managed = user_scope(user).managing_agency_ids
    if managed:
        officers = officers_visible_to(user).filter(agency_id__in=managed, status=OfficerStatus.ACTIVE)
        schools = schools_served_by(agency_ids=managed)
        agency = own.agency if own is not None else agency_first_of(managed)
        ordered = officers.select_related("user", "agency").order_by("user__last_name", "user__first_name")
        return Recorders(own, ordered, schools.order_by("name"), _zone(agency))  # type: ignore[arg-type]
    if own is not None:
        return Recorders(own, None, schools_partnered_with(agency=own.agency).order_by("name"), _zone(own.agency))
    return None


def _enforcement_form(request: HttpRequest, recorders: Recorders) -> EnforcementForm:
    key_districts = selectors.student_key_district_ids(recorders.schools)
    initial: dict[str, Any] = {
        "client_uuid": uuid4(),
        "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
        "officer": recorders.own,
    }
    if recorders.own is not None:
        today = agency_today(recorders.own.agency)
        schools = selectors.officer_recording_schools(officer=recorders.own, on=today)
        initial["school"] = schools[0] if schools else None
    return EnforcementForm(
        _posted(request),
        officers=recorders.officers,
        schools=recorders.schools,
        key_district_ids=frozenset(key_districts),
        initial=initial,
    )


def _enforcement_record(request: HttpRequest, form: EnforcementForm, recorders: Recorders) -> Interaction | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    officer = data.get("officer") or recorders.own
    if officer is None or not access.may_record_for(request.user, officer):
        raise PermissionDenied(NOT_ALLOWED)
    try:
        recorded = services.interaction_record(
            actor=request.user,
            officer=officer,
            school=data["school"],
            kind=Kind.ENFORCEMENT,
            occurred_at=data["occurred_at"],
            client_uuid=data["client_uuid"],
            enforcement=form.enforcement_fields(),
            source=InteractionSource.FORM,
            justification=data.get("justification", ""),
            **form.optional_fields(),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    return recorded.interaction


@login_required
@offline_page
@require_http_methods(["GET", "POST"])
def enforcement_new(request: HttpRequest) -> HttpResponse:
    """A deliberate record of one enforcement action, with what equity reporting needs."""
    recorders = _recorders(request.user)
    if recorders is None:
        return _refused(request, NOT_A_RECORDER)
    with timezone.override(recorders.zone):
        form = _enforcement_form(request, recorders)
        record = _enforcement_record(request, form, recorders) if request.method == "POST" else None
        if record is not None:
            messages.success(request, _saved_message(record))
            return redirect("interactions:detail", uuid=record.uuid)
        context = {
            "form": form,
            "nibrs_codes": NibrsOffense.choices,
            "own": recorders.own,
            "mou": _mou_preview(form, recorders) if request.method == "POST" else None,
        }
        return render(request, "interactions/enforcement_form.html", context)


def _saved_message(record: Interaction) -> str:
    """What the officer is told on saving: the judgment and, when flagged, that a review opened."""
    judgment = services.enforcement_steps().judgment(interaction=record)
    if judgment is None:
        return ENFORCEMENT_SAVED
    kept = judgment.kept
    if judgment.review is None:
        return ENFORCEMENT_SAVED_WITHIN
    return ENFORCEMENT_SAVED_FLAGGED.format(outcome=kept.get_outcome_display().lower(), explanation=kept.explanation)


def _mou_preview(form: EnforcementForm, recorders: Recorders) -> Any:
    """The MOU rule that applies to the action as filled in so far (nothing is saved)."""
    if not hasattr(form, "cleaned_data"):
        form.is_valid()
    officer = form.cleaned_data.get("officer") or recorders.own
    return form.mou_preview(officer)


@login_required
@require_http_methods(["POST"])
def enforcement_mou_check(request: HttpRequest) -> HttpResponse:
    """htmx: show the officer the MOU rule that applies before they save."""
    recorders = _recorders(request.user)
    if recorders is None:
        return _refused(request, NOT_A_RECORDER)
    with timezone.override(recorders.zone):
        form = _enforcement_form(request, recorders)
        context = {"form": form, "mou": _mou_preview(form, recorders)}
        return render(request, "interactions/partials/mou_check_result.html", context)


# --- one record: its page, its history, changes and voiding ------------------------------------------------------


def _detail_page(request: HttpRequest, record: Interaction, void_form: VoidForm | None = None) -> HttpResponse:
    enforcement = getattr(record, "enforcement", None) if record.is_enforcement else None
    if enforcement is not None:
        services.enforcement_read_audit(actor=request.user, interactions=[record], through="the record page")
    writable = access.interaction_writable(request.user, record) and not record.voided
    own = _own_officer(request.user)
    with timezone.override(_zone(record.agency)):
        context = {
            "record": record,
            "enforcement": enforcement,
            "history": history_of(record),
            "writable": writable,
            "amendment_needed": writable and services.amendment_required(actor=request.user, interaction=record),
            "void_form": void_form or VoidForm(),
            "back_to_log": own is not None,
            "edit_window_hours": settings.EDIT_WINDOW_HOURS,
            # Whoever sees the record sees its review (agreements.access scopes reviews by the same roles).
            "judgment": services.enforcement_steps().judgment(interaction=record) if enforcement is not None else None,
        }
        return render(request, "interactions/detail.html", context)


@login_required
@require_GET
def detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """One record, its enforcement details (an audited read) and every amendment."""
    return _detail_page(request, access.interaction_get_for_user(request.user, uuid))


def _change(request: HttpRequest, form: InteractionChangeForm, record: Interaction) -> bool:
    if not form.is_valid():
        return False
    try:
        services.interaction_change(
            actor=request.user, interaction=record, changes=form.changes(), reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Change a record: directly within the officer's edit window, otherwise as an amendment with a reason."""
    record = access.interaction_get_for_user(request.user, uuid, write=True)
    if record.voided:
        messages.error(request, RECORD_IS_VOID)
        return redirect("interactions:detail", uuid=record.uuid)
    amendment = services.amendment_required(actor=request.user, interaction=record)
    with timezone.override(_zone(record.agency)):
        schools = schools_partnered_with(agency=record.agency).order_by("name")
        form = InteractionChangeForm(_posted(request), interaction=record, schools=schools, amendment=amendment)
        if request.method == "POST" and _change(request, form, record):
            messages.success(request, AMENDMENT_SAVED if amendment else CHANGE_SAVED)
            return redirect("interactions:detail", uuid=record.uuid)
        return render(request, "interactions/edit.html", {"form": form, "record": record, "amendment": amendment})


@login_required
@require_POST
def void(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Void a record with a reason: it stays on file, marked void, and leaves every count."""
    record = access.interaction_get_for_user(request.user, uuid, write=True)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.interaction_void(actor=request.user, interaction=record, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, RECORD_VOIDED)
            return redirect("interactions:detail", uuid=record.uuid)
    return _detail_page(request, record, void_form=form)
