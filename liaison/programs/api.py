# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""API for curricula, sessions, mentoring, liaison meetings, school calendars and presence figures.

The pages and these endpoints call the same services; objects come through `programs.access`.
"""

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import CursorPagination, paginate

from liaison.directory.access import (
    NOT_ALLOWED,
    agencies_managed_by,
    district_get_for_user,
    officer_get_for_user,
    own_officer,
    school_get_for_user,
)
from liaison.directory.choices import OfficerStatus
from liaison.lib.api_errors import ERROR_RESPONSES
from liaison.lib.paging import KeysetPagination
from liaison.lib.school_years import school_year_days, school_year_of

from . import access, selectors, services
from .schemas import (
    CurriculumIn,
    CurriculumOut,
    CurriculumPatch,
    DeliverIn,
    LiaisonHeldIn,
    LiaisonMeetingIn,
    LiaisonMeetingOut,
    MeetingIn,
    MeetingOut,
    NoticeAcknowledgeIn,
    NoticeOut,
    OfficerPresenceOut,
    ReasonIn,
    RelationshipDosageOut,
    RelationshipIn,
    RelationshipOut,
    SchoolCalendarIn,
    SchoolCalendarOut,
    SchoolPresenceOut,
    SessionDetailOut,
    SessionFilters,
    SessionIn,
    SessionOut,
    SessionPatch,
    StatusIn,
)

if TYPE_CHECKING:
    from liaison.directory.models import Officer, School

    from .models import (
        Curriculum,
        LiaisonMeeting,
        MenteeEnforcementNotice,
        MentoringRelationship,
        SchoolCalendar,
        Session,
    )

router = Router(tags=["programs"])

NO_OFFICER_PROFILE = "You have no officer profile: name the officer."
NO_SUCH_OFFICER = "No such officer that you can see."
NO_SUCH_SCHOOL = "No such school that you can see."
NO_SUCH_CURRICULUM = "No such curriculum that you can see."
NO_SUCH_AGENCY = "Name an agency whose catalogue you keep."


def _officer(request: HttpRequest, uuid: UUID | None) -> "Officer":
    if uuid is None:
        own = own_officer(request.user)
        if own is None:
            raise ValidationError({"officer": NO_OFFICER_PROFILE})
        return own
    try:
        officer = officer_get_for_user(request.user, uuid)
    except Http404:
        raise ValidationError({"officer": NO_SUCH_OFFICER}) from None
    if not access.may_schedule_for(request.user, officer):
        raise PermissionDenied(NOT_ALLOWED)
    return officer


def _school(request: HttpRequest, uuid: UUID) -> "School":
    try:
        return school_get_for_user(request.user, uuid)
    except Http404:
        raise ValidationError({"school": NO_SUCH_SCHOOL}) from None


def _today(request: HttpRequest) -> datetime.date:
    """Today where the caller's agency is, as on the pages (`views.agency_time`)."""
    return timezone.localdate(timezone=access.user_time_zone(request.user) or timezone.get_default_timezone())


# --- curricula ---------------------------------------------------------------------------------


@router.get("/programs/curricula", response={200: list[CurriculumOut], **ERROR_RESPONSES})
def curriculum_list(request: HttpRequest) -> "QuerySet[Curriculum]":
    return access.curricula_visible_to(request.user).order_by("title")


@router.post("/programs/curricula", response={201: CurriculumOut, **ERROR_RESPONSES})
def curriculum_create(request: HttpRequest, payload: CurriculumIn) -> Status:
    fields = payload.dict()
    agency_uuid = fields.pop("agency")
    agencies = agencies_managed_by(request.user)
    if not agencies.exists():
        raise PermissionDenied(NOT_ALLOWED)
    agency = agencies.filter(uuid=agency_uuid).first() if agency_uuid else agencies.order_by("name").first()
    if agency is None:
        raise ValidationError({"agency": NO_SUCH_AGENCY})
    return Status(201, services.curriculum_create(actor=request.user, agency=agency, **fields))


@router.get("/programs/curricula/{uuid}", response={200: CurriculumOut, **ERROR_RESPONSES})
def curriculum_detail(request: HttpRequest, uuid: UUID) -> "Curriculum":
    return access.curriculum_get_for_user(request.user, uuid)


@router.patch("/programs/curricula/{uuid}", response={200: CurriculumOut, **ERROR_RESPONSES})
def curriculum_update(request: HttpRequest, uuid: UUID, payload: CurriculumPatch) -> "Curriculum":
    curriculum = access.curriculum_get_for_user(request.user, uuid, write=True)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.curriculum_update(actor=request.user, curriculum=curriculum, changes=changes)


# --- sessions ----------------------------------------------------------------------------------


@router.get("/programs/sessions", response={200: list[SessionOut], **ERROR_RESPONSES})
@paginate(CursorPagination, ordering=("-starts_at", "-id"), page_size=50)
def session_list(request: HttpRequest, filters: Query[SessionFilters]) -> "QuerySet[Session]":
    access.require_program_viewer(request.user)
    return filters.filter(access.sessions_visible_to(request.user).select_related("interaction"))


@router.post("/programs/sessions", response={201: SessionDetailOut, **ERROR_RESPONSES})
def session_create(request: HttpRequest, payload: SessionIn) -> Status:
    fields = payload.dict()
    officer = _officer(request, fields.pop("officer"))
    school = _school(request, fields.pop("school"))
    curriculum_uuid = fields.pop("curriculum")
    curriculum = access.curricula_visible_to(request.user).filter(uuid=curriculum_uuid).first()
    if curriculum is None:
        raise ValidationError({"curriculum": NO_SUCH_CURRICULUM})
    fields["co_teacher_role"] = fields["co_teacher_role"] or ""
    session = services.session_schedule(
        actor=request.user, officer=officer, school=school, curriculum=curriculum, **fields
    )
    return Status(201, _session_detail(request, session))


def _session_detail(request: HttpRequest, session: "Session") -> "Session":
    """The session with what this caller may see of its feedback and its teacher link."""
    shown: Any = None
    link = None
    if access.feedback_visible(request.user, session):
        shown = selectors.feedback_of(session)
    if access.session_writable(request.user, session):
        link = request.build_absolute_uri(reverse("programs:feedback", args=[session.feedback_token]))
    session.feedback_shown = shown  # type: ignore[attr-defined]
    session.feedback_link = link  # type: ignore[attr-defined]
    return session


@router.get("/programs/sessions/{uuid}", response={200: SessionDetailOut, **ERROR_RESPONSES})
def session_detail(request: HttpRequest, uuid: UUID) -> "Session":
    return _session_detail(request, access.session_get_for_user(request.user, uuid))


@router.patch("/programs/sessions/{uuid}", response={200: SessionDetailOut, **ERROR_RESPONSES})
def session_update(request: HttpRequest, uuid: UUID, payload: SessionPatch) -> "Session":
    """Reschedule or correct a session that has not been delivered."""
    session = access.session_get_for_user(request.user, uuid, write=True)
    changes = payload.dict(exclude_unset=True)
    if changes.get("school"):
        changes["school"] = _school(request, changes["school"])
    if changes.get("curriculum"):
        found = access.curricula_visible_to(request.user).filter(uuid=changes["curriculum"]).first()
        if found is None:
            raise ValidationError({"curriculum": NO_SUCH_CURRICULUM})
        changes["curriculum"] = found
    if "co_teacher_role" in changes:
        changes["co_teacher_role"] = changes["co_teacher_role"] or ""
    changes = {k: v for k, v in changes.items() if v is not None or k in {"grade", "lesson_number"}}
    changed = services.session_reschedule(actor=request.user, session=session, changes=changes)
    return _session_detail(request, changed)


@router.post("/programs/sessions/{uuid}/deliver", response={200: SessionDetailOut, **ERROR_RESPONSES})
def session_deliver(request: HttpRequest, uuid: UUID, payload: DeliverIn) -> "Session":
    session = access.session_get_for_user(request.user, uuid, write=True)
    return _session_detail(request, services.session_deliver(actor=request.user, session=session, **payload.dict()))


@router.post("/programs/sessions/{uuid}/undeliver", response={200: SessionDetailOut, **ERROR_RESPONSES})
def session_undeliver(request: HttpRequest, uuid: UUID, payload: ReasonIn) -> "Session":
    session = access.session_get_for_user(request.user, uuid, write=True)
    return _session_detail(
        request, services.session_undeliver(actor=request.user, session=session, reason=payload.reason)
    )


@router.post("/programs/sessions/{uuid}/cancel", response={200: SessionDetailOut, **ERROR_RESPONSES})
def session_cancel(request: HttpRequest, uuid: UUID, payload: ReasonIn) -> "Session":
    session = access.session_get_for_user(request.user, uuid, write=True)
    return _session_detail(request, services.session_cancel(actor=request.user, session=session, reason=payload.reason))


# --- mentoring ---------------------------------------------------------------------------------


def _with_dosage(relationship: "MentoringRelationship", dosage: selectors.Dosage) -> "MentoringRelationship":
    relationship.dosage = {  # type: ignore[attr-defined]
        "meetings": dosage.meetings,
        "minutes": dosage.minutes,
        "meetings_per_month": round(dosage.per_month, 2),
        "months_active": round(dosage.months_active, 2),
        "longest_gap_days": dosage.longest_gap_days,
        "last_met_on": dosage.last_met_on,
        "no_meeting_in_30_days": dosage.overdue,
    }
    return relationship


@router.get("/programs/mentoring", response={200: list[RelationshipDosageOut], **ERROR_RESPONSES})
def relationship_list(
    request: HttpRequest, status: str = "open", school: UUID | None = None, due: bool = False
) -> "list[MentoringRelationship]":
    """Relationships with their dosage. `status`: open (default), active, paused, closed or all;
    `due`: only active ones without a meeting in the last 30 days. Every read is audited."""
    access.require_mentoring_viewer(request.user)
    relationships = access.relationships_visible_to(request.user)
    if status == "open":
        relationships = relationships.exclude(status="closed")
    elif status != "all":
        relationships = relationships.filter(status=status)
    if school is not None:
        relationships = relationships.filter(school__uuid=school)
    dosage = selectors.relationships_dosage(relationships, as_of=_today(request))
    if due:
        dosage = [d for d in dosage if d.overdue]
    services.mentee_read_audit(actor=request.user, relationships=[d.relationship for d in dosage], through="the API")
    return [_with_dosage(d.relationship, d) for d in dosage]


@router.post("/programs/mentoring", response={201: RelationshipOut, **ERROR_RESPONSES})
def relationship_create(request: HttpRequest, payload: RelationshipIn) -> Status:
    fields = payload.dict()
    officer = _officer(request, fields.pop("officer"))
    school = _school(request, fields.pop("school"))
    relationship = services.relationship_start(actor=request.user, officer=officer, school=school, **fields)
    services.mentee_read_audit(actor=request.user, relationships=[relationship], through="the API")
    return Status(201, relationship)


@router.get("/programs/mentoring/{uuid}", response={200: RelationshipDosageOut, **ERROR_RESPONSES})
def relationship_detail(request: HttpRequest, uuid: UUID) -> "MentoringRelationship":
    relationship = access.relationship_get_for_user(request.user, uuid)
    services.mentee_read_audit(actor=request.user, relationships=[relationship], through="the API")
    return _with_dosage(relationship, selectors.relationships_dosage([relationship], as_of=_today(request))[0])


@router.post("/programs/mentoring/{uuid}/status", response={200: RelationshipOut, **ERROR_RESPONSES})
def relationship_status(request: HttpRequest, uuid: UUID, payload: StatusIn) -> "MentoringRelationship":
    relationship = access.relationship_get_for_user(request.user, uuid, write=True)
    changed = services.relationship_status_set(actor=request.user, relationship=relationship, **payload.dict())
    services.mentee_read_audit(actor=request.user, relationships=[changed], through="the API")
    return changed


@router.get("/programs/mentoring/{uuid}/meetings", response={200: list[MeetingOut], **ERROR_RESPONSES})
@paginate(KeysetPagination, ordering=selectors.MEETING_ORDER)  # grows with every meeting: by cursor
def meeting_list(request: HttpRequest, uuid: UUID) -> QuerySet[Any]:
    relationship = access.relationship_get_for_user(request.user, uuid)
    return relationship.meetings.select_related("interaction")


@router.post("/programs/mentoring/{uuid}/meetings", response={201: MeetingOut, **ERROR_RESPONSES})
def meeting_create(request: HttpRequest, uuid: UUID, payload: MeetingIn) -> Status:
    relationship = access.relationship_get_for_user(request.user, uuid, write=True)
    return Status(201, services.meeting_record(actor=request.user, relationship=relationship, **payload.dict()))


@router.post("/programs/mentoring/meetings/{uuid}/remove", response={200: MeetingOut, **ERROR_RESPONSES})
def meeting_remove(request: HttpRequest, uuid: UUID, payload: ReasonIn) -> Any:
    meeting = access.meeting_get_for_user(request.user, uuid, write=True)
    return services.meeting_remove(actor=request.user, meeting=meeting, reason=payload.reason)


# --- notices: enforcement on a mentee ------------------------------------------------------------


@router.get("/programs/notices", response={200: list[NoticeOut], **ERROR_RESPONSES})
@paginate(CursorPagination, ordering=("-created_at", "-id"), page_size=50)
def notice_list(request: HttpRequest, acknowledged: bool | None = None) -> "QuerySet[MenteeEnforcementNotice]":
    """For the agency's supervisors and admins; `acknowledged=false` gives the ones still to answer."""
    access.require_notice_reader(request.user)
    notices = access.notices_listed(request.user)
    if acknowledged is not None:
        notices = notices.filter(acknowledged_at__isnull=not acknowledged)
    return notices


@router.post("/programs/notices/{uuid}/acknowledge", response={200: NoticeOut, **ERROR_RESPONSES})
def notice_acknowledge(request: HttpRequest, uuid: UUID, payload: NoticeAcknowledgeIn) -> "MenteeEnforcementNotice":
    notice = access.notice_get_for_user(request.user, uuid)
    services.notice_acknowledge(actor=request.user, notice=notice, note=payload.note)
    return access.notices_listed(request.user).get(pk=notice.pk)


# --- liaison meetings ----------------------------------------------------------------------------


@router.get("/programs/liaison-meetings", response={200: list[LiaisonMeetingOut], **ERROR_RESPONSES})
@paginate(CursorPagination, ordering=("-starts_at", "-id"), page_size=50)
def liaison_list(request: HttpRequest, school: UUID | None = None) -> "QuerySet[LiaisonMeeting]":
    access.require_program_viewer(request.user)
    meetings = access.liaison_meetings_visible_to(request.user)
    return meetings.filter(school__uuid=school) if school else meetings


@router.post("/programs/liaison-meetings", response={201: LiaisonMeetingOut, **ERROR_RESPONSES})
def liaison_create(request: HttpRequest, payload: LiaisonMeetingIn) -> Status:
    if not access.may_record_liaison(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    fields = payload.dict()
    school = _school(request, fields.pop("school"))
    officer_uuid = fields.pop("officer")
    officer = _officer(request, officer_uuid) if officer_uuid else None
    agency = officer.agency if officer else access.meeting_agency_for(request.user, school)
    meeting = services.liaison_meeting_schedule(
        actor=request.user, agency=agency, school=school, officer=officer, **fields
    )
    return Status(201, meeting)


@router.post("/programs/liaison-meetings/{uuid}/held", response={200: LiaisonMeetingOut, **ERROR_RESPONSES})
def liaison_held(request: HttpRequest, uuid: UUID, payload: LiaisonHeldIn) -> "LiaisonMeeting":
    meeting = access.liaison_meeting_get_for_user(request.user, uuid, write=True)
    return services.liaison_meeting_held(actor=request.user, meeting=meeting, **payload.dict())


@router.post("/programs/liaison-meetings/{uuid}/cancel", response={200: LiaisonMeetingOut, **ERROR_RESPONSES})
def liaison_cancel(request: HttpRequest, uuid: UUID, payload: ReasonIn) -> "LiaisonMeeting":
    meeting = access.liaison_meeting_get_for_user(request.user, uuid, write=True)
    return services.liaison_meeting_cancel(actor=request.user, meeting=meeting, reason=payload.reason)


# --- school calendars --------------------------------------------------------------------------------


@router.get("/programs/school-calendars", response={200: list[SchoolCalendarOut], **ERROR_RESPONSES})
def school_calendar_list(request: HttpRequest, school_year: str | None = None) -> "QuerySet[SchoolCalendar]":
    calendars = access.school_calendars_visible_to(request.user).select_related("district", "school")
    calendars = calendars.prefetch_related("breaks")
    return calendars.filter(school_year=school_year) if school_year else calendars


@router.put("/programs/school-calendars", response={200: SchoolCalendarOut, **ERROR_RESPONSES})
def school_calendar_set(request: HttpRequest, payload: SchoolCalendarIn) -> "SchoolCalendar":
    """Create or replace a district's (or one school's) calendar for a school year, breaks included."""
    district = district_get_for_user(request.user, payload.district)
    if not access.calendar_writable(request.user, district.pk):
        raise PermissionDenied(NOT_ALLOWED)
    school = _school(request, payload.school) if payload.school else None
    breaks = [(b.name, b.first_day, b.last_day) for b in payload.breaks]
    return services.school_calendar_set(
        actor=request.user,
        district=district,
        school=school,
        school_year=payload.school_year,
        first_day=payload.first_day,
        last_day=payload.last_day,
        breaks=breaks,
    )


# --- presence figures --------------------------------------------------------------------------------


def _school_year(value: str | None, today: datetime.date) -> tuple[str, datetime.date]:
    school_year = value or school_year_of(today)
    if not (len(school_year) == 9 and school_year[4] == "-" and school_year[:4].isdigit()):
        raise ValidationError({"school_year": "Write the school year as 2025-2026."})
    last = datetime.date(int(school_year[:4]) + 1, 6, 30)
    return school_year, min(today, last)


class PresenceRows(Sequence[dict[str, Any]]):
    """Each school's presence figures, worked out only for the slice a page takes."""

    def __init__(self, schools: "QuerySet[School]", school_year: str, as_of: datetime.date) -> None:
        self.schools, self.school_year, self.as_of = schools, school_year, as_of

    def __len__(self) -> int:
        return self.schools.count()

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        schools = list(self.schools[index])
        consistency = selectors.schools_consistency(schools, school_year=self.school_year, as_of=self.as_of)
        persistence = selectors.schools_persistence(schools, as_of=self.as_of)
        return [_presence_row(c, p) for c, p in zip(consistency, persistence, strict=True)]


@router.get("/programs/presence/schools", response={200: list[SchoolPresenceOut], **ERROR_RESPONSES})
@paginate
def presence_schools(
    request: HttpRequest,
    school_year: str | None = None,
    as_of: datetime.date | None = None,
    school: UUID | None = None,
) -> PresenceRows:
    """Consistency and persistence per school the caller may see (definitions: programs/selectors.py),
    by name, a page at a time (`limit`, `offset`: each school's figures walk its year of school days,
    so the figures of an agency of hundreds of schools are read as the page shows them, a page at a
    time); `school`: that school only (404 for one the caller does not see)."""
    access.require_program_viewer(request.user)
    year, default_as_of = _school_year(school_year, _today(request))
    visible = access.presence_schools_for(request.user).order_by("name")
    if school is not None:
        visible = visible.filter(uuid=school)
        if not visible.exists():
            raise Http404
    return PresenceRows(visible, year, as_of or default_as_of)


def _presence_row(c: selectors.Consistency, p: selectors.Persistence) -> dict[str, Any]:
    known = c.has_calendar
    return {
        "school": c.school.uuid,
        "school_name": c.school.name,
        "school_year": c.school_year,
        "as_of": c.as_of,
        "has_calendar": known,
        "school_days": c.school_days if known else None,
        "school_weeks": c.school_weeks if known else None,
        "weeks_with_positive_contact": c.weeks_with_contact if known else None,
        "share_of_weeks": c.week_share,
        "longest_gap_school_days": c.longest_gap.days if known else None,
        "longest_gap_first_day": c.longest_gap.first,
        "longest_gap_last_day": c.longest_gap.last,
        "positive_contacts": c.contacts if known else None,
        "enrollment": c.enrollment,
        "contacts_per_100_students_per_month": c.per_100_per_month,
        "weekly_positive_contacts": {week.isoformat(): n for week, n in c.weekly.items()},
        "current_tenure_days": p.tenure_days,
        "officers_last_3_years": p.officers_in_window,
        "turnover_events_last_3_years": len(p.turnover),
    }


@router.get("/programs/presence/officers", response={200: list[OfficerPresenceOut], **ERROR_RESPONSES})
def presence_officers(
    request: HttpRequest, since: datetime.date | None = None, until: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Each officer's split of time across educator / law enforcement / mentor (default: this school year)."""
    access.require_program_viewer(request.user)
    until = until or _today(request)
    since = since or school_year_days(school_year_of(until))[0]
    officers = access.officers_visible_on_calendars(request.user).filter(status=OfficerStatus.ACTIVE)
    splits = selectors.officers_role_split(officers, first=since, last=until)
    return [
        {
            "officer": split.officer.uuid,
            "officer_name": split.officer.display_name,
            "since": since,
            "until": until,
            "basis": split.basis,
            "roles": [
                {
                    "role": role.role,
                    "contacts": role.count,
                    "minutes": role.minutes,
                    "contacts_with_duration": role.timed,
                    "share": split.share_of(role),
                }
                for role in split.roles
            ],
        }
        for split in splits
    ]
