"""Programs pages: curricula, sessions and their calendar, the teacher feedback link, mentoring,
supervisor notices, presence, liaison meetings and school calendars.

Every object is reached through `programs.access`; every change goes through `programs.services`.
Two pages are open without signing in, each behind an unguessable token: the iCalendar feed and
the teacher feedback form.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.accounts.scope import user_scope
from liaison.directory.access import (
    NOT_ALLOWED,
    agencies_managed_by,
    district_get_for_user,
    districts_visible_to,
    own_officer,
)
from liaison.directory.choices import OfficerStatus
from liaison.lib.form_pages import done as _done
from liaison.lib.form_pages import form_submit
from liaison.lib.form_pages import posted as _posted
from liaison.lib.paging import BAD_CURSOR, keyset_links, keyset_page
from liaison.lib.school_pages import school_page
from liaison.lib.school_years import school_year_days, school_year_of
from liaison.ratelimits import store
from liaison.ratelimits.client import client_address

from . import access, calendars, charts, exports, feeds, forms, presence_html, selectors, services
from .vocabulary import RelationshipStatus, SessionStatus

if TYPE_CHECKING:
    from liaison.directory.models import Agency, Officer, School

    from .models import LiaisonMeeting, MentoringRelationship, Session

PAGE_SIZE = 50
SCHEDULED = "Scheduled {title} on {day:%a %b %-d}."
SESSION_CHANGED = "Saved the changes to the session."
DELIVERED = "Marked delivered. It counts as a classroom-instruction contact."
UNDELIVERED = "Marked not delivered; its contact was voided."
CANCELLED = "Cancelled the session."
CURRICULUM_SAVED = "Saved {title}."
RELATIONSHIP_STARTED = "Started the mentoring relationship."
STATUS_SAVED = "The relationship is now {status}."
MEETING_SAVED = "Recorded the meeting. It counts as a mentoring contact."
MEETING_REMOVED = "Removed the meeting; its contact was voided."
NOTICE_ACKNOWLEDGED = "Acknowledged."
LIAISON_SAVED = "Saved the meeting."
CALENDAR_SAVED = "Saved the {year} calendar."
FEED_RESET = "The calendar feed has a new address; the old one no longer works."
FEEDBACK_THANKS = "Thank you. Your feedback was sent to the officer and their supervisor."
FEEDBACK_TOO_MANY = "Too many attempts from here. Please try again in an hour."
FEEDBACK_LIMIT, FEEDBACK_WINDOW = 10, 3600
FEED_LIMIT, FEED_WINDOW = 120, 3600


# --- helpers -----------------------------------------------------------------------------------


def agency_time(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Times on programs pages are typed and shown in the agency's time zone, as officers live them."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with timezone.override(access.user_time_zone(request.user) or timezone.get_default_timezone()):
            return view(request, *args, **kwargs)

    return wrapped


def _save(form: Any, action: Callable[[dict[str, Any]], Any]) -> Any:
    """Call the service on a valid form, in one transaction; its errors go onto the form's fields.
    The result, or None."""
    return form_submit(form, transaction.atomic(action))


def _today() -> datetime.date:
    """Today in the active (agency) time zone."""
    return timezone.localdate()


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _may_schedule(user: Any) -> bool:
    return access.officers_schedulable_by(user).exists()


# --- overview ----------------------------------------------------------------------------------


@login_required
@agency_time
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    access.require_program_viewer(request.user)
    today = _today()
    upcoming = access.sessions_visible_to(request.user).filter(starts_on__gte=today, status=SessionStatus.SCHEDULED)[
        :10
    ]
    undelivered = access.sessions_visible_to(request.user).filter(
        starts_at__lt=timezone.now(), status=SessionStatus.SCHEDULED
    )
    relationships = access.relationships_visible_to(request.user).exclude(status=RelationshipStatus.CLOSED)
    due = [d for d in selectors.relationships_dosage(relationships, as_of=today) if d.overdue]
    context = {
        "upcoming": upcoming,
        "undelivered_count": undelivered.count(),
        "mentoring_due": len(due),
        "open_notices": access.notices_visible_to(request.user).filter(acknowledged_at__isnull=True).count(),
        "check_ins_due": _check_ins_due(request.user, today),
        "may_schedule": _may_schedule(request.user),
        "may_see_notices": bool(
            user_scope(request.user).managing_agency_ids or user_scope(request.user).platform_admin
        ),
    }
    return render(request, "programs/home.html", context)


def _check_ins_due(user: Any, today: datetime.date) -> list[selectors.CheckInDue]:
    schools = access.presence_schools_for(user)
    return selectors.schools_without_check_in(schools, as_of=today)


# --- curricula ---------------------------------------------------------------------------------


def _curriculum_agencies(user: Any) -> Any:
    return agencies_managed_by(user)


@login_required
@agency_time
@require_GET
def curriculum_list(request: HttpRequest) -> HttpResponse:
    curricula = access.curricula_visible_to(request.user).order_by("-active", "title")
    if request.GET.get("format") == "csv":
        return exports.csv_response("curricula", exports.CURRICULUM_COLUMNS, curricula)
    context = {"curricula": curricula, "may_add": _curriculum_agencies(request.user).exists()}
    return render(request, "programs/curricula.html", context)


@login_required
@agency_time
@require_http_methods(["GET", "POST"])
def curriculum_create(request: HttpRequest) -> HttpResponse:
    agencies = _curriculum_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied(NOT_ALLOWED)
    form = forms.CurriculumForm(_posted(request))
    agency: Agency = agencies.order_by("name").first()  # type: ignore[assignment]
    if request.method == "POST":
        saved = _save(form, lambda data: services.curriculum_create(actor=request.user, agency=agency, **data))
        if saved is not None:
            return _done(request, CURRICULUM_SAVED.format(title=saved.title), reverse("programs:curricula"))
    return render(request, "programs/form.html", {"form": form, "title": f"New curriculum for {agency.name}"})


@login_required
@agency_time
@require_http_methods(["GET", "POST"])
def curriculum_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    curriculum = access.curriculum_get_for_user(request.user, uuid, write=True)
    initial = {name: getattr(curriculum, name) for name in forms.CurriculumForm.base_fields}
    form = forms.CurriculumForm(_posted(request), initial=initial)
    if request.method == "POST":
        saved = _save(
            form, lambda data: services.curriculum_update(actor=request.user, curriculum=curriculum, changes=data)
        )
        if saved is not None:
            return _done(request, CURRICULUM_SAVED.format(title=saved.title), reverse("programs:curricula"))
    return render(request, "programs/form.html", {"form": form, "title": f"Edit {curriculum.title}"})


# --- sessions ----------------------------------------------------------------------------------


def _filtered_sessions(request: HttpRequest) -> tuple[Any, Any]:
    form = forms.SessionFilterForm(request.GET or None, user=request.user)
    sessions = access.sessions_visible_to(request.user).select_related("interaction")
    if form.is_valid():
        data = form.cleaned_data
        if data["school"]:
            sessions = sessions.filter(school=data["school"])
        if data["officer"]:
            sessions = sessions.filter(officer=data["officer"])
        if data["status"]:
            sessions = sessions.filter(status=data["status"])
        if data["since"]:
            sessions = sessions.filter(starts_on__gte=data["since"])
        if data["until"]:
            sessions = sessions.filter(starts_on__lte=data["until"])
    elif form.is_bound:
        sessions = sessions.none()
    return form, sessions.order_by("-starts_at", "-id")


@login_required
@agency_time
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    access.require_program_viewer(request.user)
    form, sessions = _filtered_sessions(request)
    if request.GET.get("format") == "csv":
        return exports.csv_response("sessions", exports.SESSION_COLUMNS, sessions)
    query = request.GET.copy()
    query["format"] = "csv"
    query.pop("page", None)
    context = {
        "filters": form,
        "page": _page(request, sessions),
        "csv_query": query.urlencode(),
        "may_schedule": _may_schedule(request.user),
    }
    return render(request, "programs/sessions.html", context)


@login_required
@agency_time
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    if not _may_schedule(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    initial = {"school": request.GET.get("school")} if request.GET.get("school") else None
    form = forms.SessionForm(_posted(request), user=request.user, initial=initial)
    if request.method == "POST":
        saved = _save(form, lambda data: services.session_schedule(actor=request.user, **data))
        if saved is not None:
            message = SCHEDULED.format(title=saved.curriculum.title, day=saved.starts_on)
            return _done(request, message, reverse("programs:session", args=[saved.uuid]))
    return render(request, "programs/form.html", {"form": form, "title": "Schedule a session"})


@login_required
@agency_time
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Reschedule or correct a session that has not been delivered."""
    session = access.session_get_for_user(request.user, uuid, write=True)
    fields = [name for name in forms.SessionForm.base_fields if name != "officer"]
    initial = {name: getattr(session, name) for name in fields}
    initial["school"], initial["curriculum"] = session.school.uuid, session.curriculum.uuid
    initial["starts_at"] = timezone.localtime(session.starts_at)
    form = forms.SessionForm(_posted(request), user=request.user, initial=initial, fixed_officer=session.officer)

    def change(data: dict[str, Any]) -> Session:
        changes = {name: data[name] for name in fields if data.get(name) != getattr(session, name)}
        changes["co_teacher_role"] = data["co_teacher_role"] or ""
        return services.session_reschedule(actor=request.user, session=session, changes=changes)

    if request.method == "POST":
        saved = _save(form, change)
        if saved is not None:
            return _done(request, SESSION_CHANGED, reverse("programs:session", args=[saved.uuid]))
    return render(request, "programs/form.html", {"form": form, "title": f"Change {session.curriculum.title}"})


def _session_context(request: HttpRequest, session: Session, **extra: Any) -> dict[str, Any]:
    writable = access.session_writable(request.user, session)
    show_feedback = access.feedback_visible(request.user, session)
    feedback = getattr(session, "feedback", None) if show_feedback else None
    context = {
        "session": session,
        "writable": writable,
        "feedback": feedback,
        "show_feedback": show_feedback,
        "feedback_url": request.build_absolute_uri(reverse("programs:feedback", args=[session.feedback_token]))
        if writable and session.status == SessionStatus.DELIVERED
        else "",
        "deliver_form": forms.DeliverForm(initial={"delivered_minutes": session.planned_minutes}),
        "cancel_form": forms.ReasonForm(prefix="cancel"),
        "undeliver_form": forms.ReasonForm(prefix="undeliver"),
        "started": session.starts_at <= timezone.now(),
    }
    context.update(extra)
    return context


@login_required
@agency_time
@require_GET
def session_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    session = access.session_get_for_user(request.user, uuid)
    return render(request, "programs/session.html", _session_context(request, session))


@login_required
@agency_time
@require_POST
def session_deliver(request: HttpRequest, uuid: Any) -> HttpResponse:
    session = access.session_get_for_user(request.user, uuid, write=True)
    form = forms.DeliverForm(request.POST)
    saved = _save(form, lambda data: services.session_deliver(actor=request.user, session=session, **data))
    if saved is not None:
        return _done(request, DELIVERED, reverse("programs:session", args=[session.uuid]))
    context = _session_context(request, session, deliver_form=form)
    return render(request, "programs/session.html", context, status=400)


def _session_reason_action(request: HttpRequest, uuid: Any, prefix: str, action: Any, message: str) -> HttpResponse:
    session = access.session_get_for_user(request.user, uuid, write=True)
    form = forms.ReasonForm(request.POST, prefix=prefix)
    saved = _save(form, lambda data: action(actor=request.user, session=session, reason=data["reason"]))
    if saved is not None:
        return _done(request, message, reverse("programs:session", args=[session.uuid]))
    context = _session_context(request, session, **{f"{prefix}_form": form})
    return render(request, "programs/session.html", context, status=400)


@login_required
@agency_time
@require_POST
def session_cancel(request: HttpRequest, uuid: Any) -> HttpResponse:
    return _session_reason_action(request, uuid, "cancel", services.session_cancel, CANCELLED)


@login_required
@agency_time
@require_POST
def session_undeliver(request: HttpRequest, uuid: Any) -> HttpResponse:
    return _session_reason_action(request, uuid, "undeliver", services.session_undeliver, UNDELIVERED)


# --- the teacher's feedback link (no sign-in) ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The session's own link: rating and comment, editable through the same link. CSRF-protected
    like every form, and limited per link and per address so it cannot be flooded."""
    session = selectors.session_by_feedback_token(token)
    if session is None:
        raise Http404("Not found.")
    with timezone.override(zoneinfo.ZoneInfo(session.agency.time_zone)):
        return _feedback(request, session, token)


def _feedback(request: HttpRequest, session: Session, token: str) -> HttpResponse:
    existing = getattr(session, "feedback", None)
    initial = {"rating": existing.rating, "comment": existing.comment} if existing else None
    form = forms.FeedbackForm(_posted(request), initial=initial)
    context = {
        "session": session,
        "form": form,
        "existing": existing,
        "open": session.status == SessionStatus.DELIVERED,
    }
    if request.method == "POST":
        allowed = store.allow(
            f"feedback:{token}", limit=FEEDBACK_LIMIT, window_seconds=FEEDBACK_WINDOW
        ) and store.allow(
            f"feedback-ip:{client_address(request)}", limit=FEEDBACK_LIMIT * 3, window_seconds=FEEDBACK_WINDOW
        )
        if not allowed:
            context["error"] = FEEDBACK_TOO_MANY
            return render(request, "programs/feedback.html", context, status=429)
        saved = _save(form, lambda data: services.feedback_submit(session=session, **data))
        if saved is not None:
            context.update(thanks=FEEDBACK_THANKS, existing=saved)
            return render(request, "programs/feedback.html", context)
        return render(request, "programs/feedback.html", context, status=400)
    return render(request, "programs/feedback.html", context)


# --- calendars and feeds ---------------------------------------------------------------------------


def _calendar_subject(request: HttpRequest, form: Any) -> tuple[School | None, Officer | None]:
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("officer"):
        return None, data["officer"]
    if data.get("school"):
        return data["school"], None
    own = own_officer(request.user)
    if own is not None:
        return None, own
    return form.fields["school"].queryset.first(), None


def _feed_resettable(user: Any, feed_school: School | None, feed_officer: Officer | None) -> bool:
    scope = user_scope(user)
    if feed_officer is not None:
        return access.may_schedule_for(user, feed_officer)
    assert feed_school is not None
    return (
        scope.platform_admin
        or feed_school.pk in scope.school_admin_ids
        or feed_school.district_id in scope.district_admin_ids
    )


@login_required
@agency_time
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    access.require_program_viewer(request.user)
    form = forms.CalendarForm(request.GET or None, user=request.user)
    school, officer = _calendar_subject(request, form)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "month"
    period = calendars.period_for(view, data.get("date") or _today())
    sessions = access.sessions_visible_to(request.user).filter(starts_on__gte=period.first, starts_on__lte=period.last)
    meetings = access.liaison_meetings_visible_to(request.user).filter(
        starts_on__gte=period.first, starts_on__lte=period.last
    )
    if officer is not None:
        sessions, meetings = sessions.filter(officer=officer), meetings.filter(officer=officer)
    elif school is not None:
        sessions, meetings = sessions.filter(school=school), meetings.filter(school=school)
    else:
        sessions, meetings = sessions.none(), meetings.none()
    feed = None
    if officer is not None or school is not None:
        feed = services.calendar_feed_get(officer=officer, school=school)
    subject = {"school": school.uuid} if school else ({"officer": officer.uuid} if officer else {})
    context = {
        "form": form,
        "school": school,
        "officer": officer,
        "period": period,
        "weeks": calendars.weeks_of(period, [*sessions, *meetings], _today()),
        "subject_query": "&".join(f"{k}={v}" for k, v in subject.items()),
        "feed_url": request.build_absolute_uri(reverse("programs:feed", args=[feed.token])) if feed else "",
        "feed": feed,
        "feed_resettable": feed is not None and _feed_resettable(request.user, school, officer),
        "may_schedule": _may_schedule(request.user),
    }
    return render(request, "programs/calendar.html", context)


@login_required
@agency_time
@require_POST
def feed_reset(request: HttpRequest, uuid: Any) -> HttpResponse:
    feed = selectors.calendar_feed_by_uuid(uuid)
    if feed is None:
        raise Http404("Not found.")
    if feed.officer_id is not None:
        visible = access.officers_visible_on_calendars(request.user).filter(pk=feed.officer_id).exists()
    else:
        visible = access.presence_schools_for(request.user).filter(pk=feed.school_id or 0).exists()
    if not visible:
        raise Http404("Not found.")
    if not _feed_resettable(request.user, feed.school, feed.officer):
        raise PermissionDenied(NOT_ALLOWED)
    services.calendar_feed_reset(actor=request.user, feed=feed)
    query = f"officer={feed.officer.uuid}" if feed.officer else f"school={feed.school.uuid}"  # type: ignore[union-attr]
    return _done(request, FEED_RESET, reverse("programs:calendar") + "?" + query)


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The subscribable iCalendar feed: the unguessable token is the only key, so it carries nothing
    a teacher at the school may not know (feeds.py)."""
    found = selectors.calendar_feed_by_token(token)
    if found is None:
        raise Http404("Not found.")
    if not store.allow(f"feed:{token}", limit=FEED_LIMIT, window_seconds=FEED_WINDOW):
        return HttpResponse("Too many requests.", status=429, content_type="text/plain")
    since = _today() - datetime.timedelta(days=feeds.FEED_HISTORY_DAYS)
    name, sessions, meetings = feeds.feed_contents(found, since=since)
    response = HttpResponse(feeds.calendar_bytes(name, sessions, meetings), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="liaison.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


# --- mentoring ---------------------------------------------------------------------------------


@login_required
@agency_time
@require_GET
def mentoring_list(request: HttpRequest) -> HttpResponse:
    access.require_mentoring_viewer(request.user)
    relationships = access.relationships_visible_to(request.user).select_related("officer__agency")
    status = request.GET.get("status", "open")
    if status == "open":
        relationships = relationships.exclude(status=RelationshipStatus.CLOSED)
    elif status in RelationshipStatus.values:
        relationships = relationships.filter(status=status)
    dosage = selectors.relationships_dosage(relationships, as_of=_today())
    if request.GET.get("due") == "1":
        dosage = [d for d in dosage if d.overdue]
    services.mentee_read_audit(
        actor=request.user, relationships=[d.relationship for d in dosage], through="the mentoring list"
    )
    if request.GET.get("format") == "csv":
        return exports.csv_response("mentoring", exports.MENTORING_COLUMNS, dosage)
    context = {
        "dosage": dosage,
        "due": [d for d in dosage if d.overdue],
        "status": status,
        "statuses": [("open", "Open"), *RelationshipStatus.choices, ("all", "All")],
        "may_start": _may_schedule(request.user),
        "due_days": selectors.MENTORING_DUE_DAYS,
    }
    return render(request, "programs/mentoring.html", context)


@login_required
@agency_time
@require_http_methods(["GET", "POST"])
def relationship_create(request: HttpRequest) -> HttpResponse:
    if not _may_schedule(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    form = forms.RelationshipForm(_posted(request), user=request.user)

    def start(data: dict[str, Any]) -> MentoringRelationship:
        data = {k: v for k, v in data.items() if k != "consent_confirmed"}
        return services.relationship_start(actor=request.user, **data)

    if request.method == "POST":
        saved = _save(form, start)
        if saved is not None:
            return _done(request, RELATIONSHIP_STARTED, reverse("programs:relationship", args=[saved.uuid]))
    return render(request, "programs/form.html", {"form": form, "title": "Start a mentoring relationship"})


def _relationship_context(request: HttpRequest, relationship: MentoringRelationship, **extra: Any) -> dict[str, Any]:
    services.mentee_read_audit(actor=request.user, relationships=[relationship], through="the relationship page")
    try:
        meetings = keyset_page(
            relationship.meetings.all(),
            ordering=selectors.MEETING_ORDER,
            cursor=request.GET.get("cursor", ""),
            size=selectors.MEETINGS_PAGE_SIZE,
        )
    except ValueError:
        raise BadRequest(BAD_CURSOR) from None
    context = {
        "relationship": relationship,
        "dosage": selectors.relationships_dosage([relationship], as_of=_today())[0],
        **keyset_links(request, meetings),
        "writable": access.relationship_writable(request.user, relationship),
        "meeting_form": forms.MeetingForm(),
        "status_form": forms.RelationshipStatusForm(initial={"status": relationship.status}),
    }
    # Each meeting's remove form has ids of its own; a refused removal shows its errors on its own row.
    refused = extra.pop("refused_removal", None)
    context["meetings"] = [
        (m, refused[1] if refused and refused[0].pk == m.pk else _remove_form(m)) for m in meetings.items
    ]
    context.update(extra)
    return context


def _remove_form(meeting: Any, data: Any = None) -> forms.ReasonForm:
    return forms.ReasonForm(data, prefix="remove", auto_id=f"remove-{meeting.uuid.hex[:12]}-%s")


@login_required
@agency_time
@require_GET
def relationship_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    relationship = access.relationship_get_for_user(request.user, uuid)
    return render(request, "programs/relationship.html", _relationship_context(request, relationship))


@login_required
@agency_time
@require_POST
def relationship_status(request: HttpRequest, uuid: Any) -> HttpResponse:
    relationship = access.relationship_get_for_user(request.user, uuid, write=True)
    form = forms.RelationshipStatusForm(request.POST)
    saved = _save(
        form, lambda data: services.relationship_status_set(actor=request.user, relationship=relationship, **data)
    )
    if saved is not None:
        message = STATUS_SAVED.format(status=saved.get_status_display().lower())
        return _done(request, message, reverse("programs:relationship", args=[relationship.uuid]))
    context = _relationship_context(request, relationship, status_form=form)
    return render(request, "programs/relationship.html", context, status=400)


@login_required
@agency_time
@require_POST
def meeting_create(request: HttpRequest, uuid: Any) -> HttpResponse:
    relationship = access.relationship_get_for_user(request.user, uuid, write=True)
    form = forms.MeetingForm(request.POST)

    def record(data: dict[str, Any]) -> Any:
        data["met_at"] = forms.aware(data["met_at"], relationship.officer)
        return services.meeting_record(actor=request.user, relationship=relationship, **data)

    if _save(form, record) is not None:
        return _done(request, MEETING_SAVED, reverse("programs:relationship", args=[relationship.uuid]))
    context = _relationship_context(request, relationship, meeting_form=form)
    return render(request, "programs/relationship.html", context, status=400)


@login_required
@agency_time
@require_POST
def meeting_remove(request: HttpRequest, uuid: Any) -> HttpResponse:
    meeting = access.meeting_get_for_user(request.user, uuid, write=True)
    form = _remove_form(meeting, request.POST)
    url = reverse("programs:relationship", args=[meeting.relationship.uuid])
    if _save(form, lambda data: services.meeting_remove(actor=request.user, meeting=meeting, **data)) is not None:
        return _done(request, MEETING_REMOVED, url)
    context = _relationship_context(request, meeting.relationship, refused_removal=(meeting, form))
    return render(request, "programs/relationship.html", context, status=400)


# --- supervisor notices ---------------------------------------------------------------------------


@login_required
@agency_time
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    access.require_notice_reader(request.user)
    notices = access.notices_listed(request.user)
    return render(request, "programs/notices.html", {"notices": notices, "form": forms.NoticeForm()})


@login_required
@agency_time
@require_POST
def notice_acknowledge(request: HttpRequest, uuid: Any) -> HttpResponse:
    notice = access.notice_get_for_user(request.user, uuid)
    form = forms.NoticeForm(request.POST)
    if _save(form, lambda data: services.notice_acknowledge(actor=request.user, notice=notice, **data)) is None:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("programs:notices")
    return _done(request, NOTICE_ACKNOWLEDGED, reverse("programs:notices"))


# --- presence --------------------------------------------------------------------------------------

# What Officer.display_name reads.
OFFICER_NAME_FIELDS = ("pk", "rank", "user__first_name", "user__last_name", "user__username")


PRESENCE_PAGE_SIZE = 25  # schools per page: each a heat-map row of the year's weeks and a table row


def presence_figures(
    user: Any, school_year: str, as_of: datetime.date, *, only: list[UUID] | None = None
) -> dict[str, Any]:
    """The consistency and persistence of the schools the user sees (`only` these, when given)."""
    visible = access.presence_schools_for(user).select_related("district").order_by("name")
    schools = list(visible if only is None else visible.filter(uuid__in=only))
    contacts = selectors.presence_contacts(schools, school_year=school_year, as_of=as_of)
    consistency = selectors.schools_consistency(schools, school_year=school_year, as_of=as_of, contacts=contacts)
    persistence = selectors.schools_persistence(schools, as_of=as_of)
    return {"schools": schools, "presence_contacts": contacts, "rows": list(zip(consistency, persistence, strict=True))}


@login_required
@agency_time
@require_GET
def presence(request: HttpRequest) -> HttpResponse:
    access.require_program_viewer(request.user)
    form = forms.PresenceForm(request.GET or None)
    today = _today()
    school_year = (form.cleaned_data.get("school_year") if form.is_valid() else "") or school_year_of(today)
    first, last = school_year_days(school_year)
    as_of = min(today, last)
    if request.GET.get("format") == "csv":  # every school
        figures = presence_figures(request.user, school_year, as_of)
        return exports.csv_response(f"presence-{school_year}", exports.PRESENCE_COLUMNS, figures["rows"])
    # One school, or a page of them: a large agency's 390 schools made a 3 MB page, and each school's
    # figures read and walk its year of days.
    choices = list(access.presence_schools_for(request.user).order_by("name").values_list("uuid", "name"))
    selected, page, shown = school_page(request, choices, PRESENCE_PAGE_SIZE)
    figures = presence_figures(request.user, school_year, as_of, only=shown)
    heatmap = selectors.presence_heatmap(
        figures["schools"], school_year=school_year, as_of=as_of, contacts=figures["presence_contacts"]
    )
    officers = access.officers_visible_on_calendars(request.user).filter(status=OfficerStatus.ACTIVE)
    # Only what the triad table shows (an officer's display name): a 300-officer agency's whole officer
    # and user rows, made distinct in PostgreSQL and built as models, cost more than its split.
    officers = officers.only(*OFFICER_NAME_FIELDS)
    splits = selectors.officers_role_split(officers, first=first, last=as_of)
    context = {
        **figures,
        "school_year": school_year,
        "as_of": as_of,
        "heatmap": heatmap,
        "heatmap_svg": charts.heatmap_svg(heatmap),
        "heatmap_rows": presence_html.heatmap_rows_html(heatmap),
        "presence_rows": presence_html.presence_rows_html(figures["rows"], school_year),
        "legend": [(charts.legend_svg(colour), label) for colour, label in charts.LEGEND],
        "splits": splits,
        "role_rows": presence_html.role_rows_html(splits),
        "years": [school_year_of(today.replace(year=today.year - n)) for n in range(3)],
        "choices": choices,
        "selected": selected,
        "page": page,
        "page_size": PRESENCE_PAGE_SIZE,
    }
    return render(request, "programs/presence.html", context)


# --- liaison meetings ---------------------------------------------------------------------------------


def _meeting_forms(meeting: Any) -> tuple[Any, forms.LiaisonHeldForm, forms.ReasonForm]:
    """A meeting with its own held and cancel forms: ids of their own, so a label ticks its meeting's box."""
    key = meeting.uuid.hex[:12]
    held = forms.LiaisonHeldForm(auto_id=f"held-{key}-%s")
    return meeting, held, forms.ReasonForm(prefix="cancel", auto_id=f"cancel-{key}-%s")


@login_required
@agency_time
@require_GET
def liaison_list(request: HttpRequest) -> HttpResponse:
    access.require_program_viewer(request.user)
    meetings = access.liaison_meetings_visible_to(request.user).order_by("-starts_at")
    if request.GET.get("format") == "csv":
        return exports.csv_response("liaison-meetings", exports.LIAISON_COLUMNS, meetings)
    page = _page(request, meetings)
    context = {
        "page": page,
        "meeting_forms": [_meeting_forms(meeting) for meeting in page.object_list],
        "due": _check_ins_due(request.user, _today()),
        "due_days": selectors.CHECK_IN_DUE_DAYS,
        "may_record": access.may_record_liaison(request.user),
    }
    return render(request, "programs/liaison.html", context)


@login_required
@agency_time
@require_http_methods(["GET", "POST"])
def liaison_create(request: HttpRequest) -> HttpResponse:
    if not access.may_record_liaison(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    form = forms.LiaisonMeetingForm(_posted(request), user=request.user)

    def schedule(data: dict[str, Any]) -> LiaisonMeeting:
        school, officer = data.pop("school"), data.pop("officer")
        agency = officer.agency if officer else access.meeting_agency_for(request.user, school)
        data["starts_at"] = forms.aware(data["starts_at"], officer)
        return services.liaison_meeting_schedule(
            actor=request.user, agency=agency, school=school, officer=officer, **data
        )

    if request.method == "POST":
        if _save(form, schedule) is not None:
            return _done(request, LIAISON_SAVED, reverse("programs:liaison"))
    return render(request, "programs/form.html", {"form": form, "title": "Schedule a liaison meeting"})


@login_required
@agency_time
@require_POST
def liaison_held(request: HttpRequest, uuid: Any) -> HttpResponse:
    meeting = access.liaison_meeting_get_for_user(request.user, uuid, write=True)
    form = forms.LiaisonHeldForm(request.POST)
    if _save(form, lambda data: services.liaison_meeting_held(actor=request.user, meeting=meeting, **data)) is None:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("programs:liaison")
    return _done(request, LIAISON_SAVED, reverse("programs:liaison"))


@login_required
@agency_time
@require_POST
def liaison_cancel(request: HttpRequest, uuid: Any) -> HttpResponse:
    meeting = access.liaison_meeting_get_for_user(request.user, uuid, write=True)
    form = forms.ReasonForm(request.POST, prefix="cancel")
    if _save(form, lambda data: services.liaison_meeting_cancel(actor=request.user, meeting=meeting, **data)) is None:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("programs:liaison")
    return _done(request, LIAISON_SAVED, reverse("programs:liaison"))


# --- school calendars ---------------------------------------------------------------------------------


@login_required
@agency_time
@require_GET
def school_calendars(request: HttpRequest) -> HttpResponse:
    found = access.school_calendars_visible_to(request.user).select_related("district", "school")
    districts = [d for d in districts_visible_to(request.user) if access.calendar_writable(request.user, d.pk)]
    return render(
        request,
        "programs/school_calendars.html",
        {"calendars": found.prefetch_related("breaks"), "districts": districts},
    )


@login_required
@agency_time
@require_http_methods(["GET", "POST"])
def school_calendar_set(request: HttpRequest, uuid: Any) -> HttpResponse:
    district = district_get_for_user(request.user, uuid)
    if not access.calendar_writable(request.user, district.pk):
        raise PermissionDenied(NOT_ALLOWED)
    form = forms.SchoolCalendarForm(_posted(request), district=district)
    if request.method == "POST":
        saved = _save(form, lambda data: services.school_calendar_set(actor=request.user, district=district, **data))
        if saved is not None:
            return _done(request, CALENDAR_SAVED.format(year=saved.school_year), reverse("programs:school_calendars"))
    return render(request, "programs/form.html", {"form": form, "title": f"School calendar for {district.name}"})
