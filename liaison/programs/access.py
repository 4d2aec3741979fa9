"""The only doors from a user to program records.

Sessions, mentoring and liaison meetings follow the contacts' rule (interactions.access): officers
reach their own; SRO supervisors and agency admins their agency's; district and school admins the
records about their schools. Evaluators see no individual record. Mentoring is narrower still: the
mentee's key is student-level data, so only the officer, the agency's managers and the school's
administrators reach it. Curricula are the agency's catalogue: everyone in the agency reads them,
its managers change them. A school or a district that is not yours is a 404.
"""

from __future__ import annotations

import zoneinfo
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from liaison.accounts.scope import user_scope
from liaison.directory.access import NOT_ALLOWED, NOT_FOUND, officers_visible_to, schools_visible_to
from liaison.directory.models import Agency, Officer, Partnership, School
from liaison.directory.time_zones import program_time_zone

from .models import (
    Curriculum,
    LiaisonMeeting,
    MenteeEnforcementNotice,
    MentoringMeeting,
    MentoringRelationship,
    SchoolCalendar,
    Session,
)

NOTHING = Q(pk__in=[])
NO_AGENCY_SERVES = "No agency serves this school."
NO_PROGRAM_RECORDS = "Individual program records are not shown to your role."


def _record_rule(user: Any, *, district_admins: bool = True) -> Q:
    scope = user_scope(user)
    rule = NOTHING
    if scope.managing_agency_ids:
        rule |= Q(agency_id__in=scope.managing_agency_ids)
    if scope.officer_id is not None:
        rule |= Q(officer_id=scope.officer_id)
    if district_admins and scope.district_admin_ids:
        rule |= Q(district_id__in=scope.district_admin_ids)
    if scope.school_admin_ids:
        rule |= Q(school_id__in=scope.school_admin_ids)
    return rule


def _scoped(model: Any, user: Any, rule: Q) -> QuerySet:
    if user_scope(user).platform_admin:
        return model.objects.all()
    return model.objects.none() if rule is NOTHING else model.objects.filter(rule)


def may_view_program_records(user: Any) -> bool:
    """Whether the user reaches any individual session, meeting or relationship (evaluators do not)."""
    return user_scope(user).platform_admin or _record_rule(user) is not NOTHING


def require_program_viewer(user: Any) -> None:
    if not may_view_program_records(user):
        raise PermissionDenied(NO_PROGRAM_RECORDS)


def _get(queryset: QuerySet, uuid: UUID | str) -> Any:
    try:
        return queryset.get(uuid=uuid)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def _agency_writable(user: Any, agency_id: int, officer_id: int | None) -> bool:
    """The officer whose record it is, and the agency's supervisors and admins."""
    scope = user_scope(user)
    if scope.platform_admin or agency_id in scope.managing_agency_ids:
        return True
    return officer_id is not None and scope.officer_id == officer_id


# --- curricula ---------------------------------------------------------------------------------


def curricula_visible_to(user: Any) -> QuerySet[Curriculum]:
    scope = user_scope(user)
    rule = NOTHING
    if scope.any_agency_ids:
        rule |= Q(agency_id__in=scope.any_agency_ids)
    districts = set(scope.district_admin_ids)
    if scope.school_admin_ids:
        districts |= set(School.objects.filter(pk__in=scope.school_admin_ids).values_list("district_id", flat=True))
    if districts:
        rule |= Q(agency_id__in=Partnership.objects.filter(district_id__in=districts).values("agency_id"))
    return _scoped(Curriculum, user, rule).select_related("agency")


def curriculum_writable(user: Any, curriculum: Curriculum) -> bool:
    scope = user_scope(user)
    return scope.platform_admin or curriculum.agency_id in scope.managing_agency_ids


def curriculum_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> Curriculum:
    curriculum = _get(curricula_visible_to(user), uuid)
    if write and not curriculum_writable(user, curriculum):
        raise PermissionDenied(NOT_ALLOWED)
    return curriculum


def agencies_for_curricula(user: Any) -> list[int]:
    """Agencies whose catalogue the user may add to."""
    scope = user_scope(user)
    return sorted(scope.managing_agency_ids)


# --- sessions ----------------------------------------------------------------------------------


def sessions_visible_to(user: Any) -> QuerySet[Session]:
    return _scoped(Session, user, _record_rule(user)).select_related("school", "officer__user", "curriculum", "agency")


def session_writable(user: Any, session: Session) -> bool:
    return _agency_writable(user, session.agency_id, session.officer_id)


def session_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> Session:
    session = _get(sessions_visible_to(user), uuid)
    if write and not session_writable(user, session):
        raise PermissionDenied(NOT_ALLOWED)
    return session


def feedback_visible(user: Any, session: Session) -> bool:
    """Teacher feedback is about the officer's teaching: shown to the officer and the supervisors."""
    return _agency_writable(user, session.agency_id, session.officer_id)


def may_schedule_for(user: Any, officer: Officer) -> bool:
    """Officers schedule their own sessions and meetings; their agency's managers schedule for them."""
    return _agency_writable(user, officer.agency_id, officer.pk)


def officers_schedulable_by(user: Any) -> QuerySet[Officer]:
    scope = user_scope(user)
    if scope.platform_admin:
        return Officer.objects.select_related("user", "agency")
    rule = NOTHING
    if scope.managing_agency_ids:
        rule |= Q(agency_id__in=scope.managing_agency_ids)
    if scope.officer_id is not None:
        rule |= Q(pk=scope.officer_id)
    if rule is NOTHING:
        return Officer.objects.none()
    return Officer.objects.filter(rule).select_related("user", "agency")


# --- mentoring ---------------------------------------------------------------------------------


def relationships_visible_to(user: Any) -> QuerySet[MentoringRelationship]:
    rule = _record_rule(user, district_admins=False)
    return _scoped(MentoringRelationship, user, rule).select_related("school", "officer__user")


def relationship_writable(user: Any, relationship: MentoringRelationship) -> bool:
    return _agency_writable(user, relationship.agency_id, relationship.officer_id)


def may_view_mentoring(user: Any) -> bool:
    return user_scope(user).platform_admin or _record_rule(user, district_admins=False) is not NOTHING


def require_mentoring_viewer(user: Any) -> None:
    if not may_view_mentoring(user):
        raise PermissionDenied(NO_PROGRAM_RECORDS)


def relationship_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> MentoringRelationship:
    relationship = _get(relationships_visible_to(user), uuid)
    if write and not relationship_writable(user, relationship):
        raise PermissionDenied(NOT_ALLOWED)
    return relationship


def meeting_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> MentoringMeeting:
    meetings = MentoringMeeting.objects.filter(relationship__in=relationships_visible_to(user))
    meeting = _get(meetings.select_related("relationship__officer", "interaction"), uuid)
    if write and not relationship_writable(user, meeting.relationship):
        raise PermissionDenied(NOT_ALLOWED)
    return meeting


def notices_visible_to(user: Any) -> QuerySet[MenteeEnforcementNotice]:
    """Only the agency's supervisors and admins: the notice is addressed to them."""
    scope = user_scope(user)
    if scope.platform_admin:
        return MenteeEnforcementNotice.objects.all()
    if not scope.managing_agency_ids:
        return MenteeEnforcementNotice.objects.none()
    return MenteeEnforcementNotice.objects.filter(agency_id__in=scope.managing_agency_ids)


def notices_listed(user: Any) -> QuerySet[MenteeEnforcementNotice]:
    return notices_visible_to(user).select_related("officer__user", "interaction__school", "relationship")


def require_notice_reader(user: Any) -> None:
    """The notices list is for an agency's supervisors and admins (and platform admins); anyone else
    is refused rather than shown an empty list."""
    scope = user_scope(user)
    if not (scope.platform_admin or scope.managing_agency_ids):
        raise PermissionDenied(NOT_ALLOWED)


def notice_get_for_user(user: Any, uuid: UUID | str) -> MenteeEnforcementNotice:
    return _get(notices_visible_to(user).select_related("officer__user", "interaction", "relationship"), uuid)


# --- liaison meetings --------------------------------------------------------------------------


def liaison_meetings_visible_to(user: Any) -> QuerySet[LiaisonMeeting]:
    return _scoped(LiaisonMeeting, user, _record_rule(user)).select_related("school", "officer__user")


def liaison_meeting_writable(user: Any, meeting: LiaisonMeeting) -> bool:
    """The agency side records meetings; the school's administrators may record the ones at their school."""
    scope = user_scope(user)
    if _agency_writable(user, meeting.agency_id, meeting.officer_id):
        return True
    return meeting.school_id in scope.school_admin_ids or meeting.district_id in scope.district_admin_ids


def liaison_meeting_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> LiaisonMeeting:
    meeting = _get(liaison_meetings_visible_to(user), uuid)
    if write and not liaison_meeting_writable(user, meeting):
        raise PermissionDenied(NOT_ALLOWED)
    return meeting


def may_record_liaison(user: Any) -> bool:
    """The agency side schedules for its officers; school and district admins record meetings too."""
    scope = user_scope(user)
    return officers_schedulable_by(user).exists() or bool(scope.school_admin_ids or scope.district_admin_ids)


def meeting_agency_for(user: Any, school: School) -> Agency:
    """The agency a meeting without a named officer belongs to: the user's own, else one serving the school."""
    scope = user_scope(user)
    agencies = Agency.objects.filter(partnerships__district_id=school.district_id)
    found = agencies.filter(pk__in=scope.any_agency_ids).first() or agencies.order_by("name").first()
    if found is None:
        raise ValidationError({"school": NO_AGENCY_SERVES})
    return found


# --- presence and calendars ---------------------------------------------------------------------


def presence_schools_for(user: Any) -> QuerySet[School]:
    """Schools whose presence figures the user sees: as schools_visible_to, but never for evaluators
    alone (the figures name officers)."""
    if not may_view_program_records(user):
        return School.objects.none()
    return schools_visible_to(user)


def school_calendars_visible_to(user: Any) -> QuerySet[SchoolCalendar]:
    schools = schools_visible_to(user)
    return SchoolCalendar.objects.filter(
        Q(school__in=schools) | Q(school__isnull=True, district_id__in=schools.values("district_id"))
    ).distinct()


def calendar_writable(user: Any, district_id: int) -> bool:
    """School calendars are the district's data: its admins keep them."""
    scope = user_scope(user)
    return scope.platform_admin or district_id in scope.district_admin_ids


def officers_visible_on_calendars(user: Any) -> QuerySet[Officer]:
    """Officers whose calendars the user may open: as directory.access decides (never evaluators)."""
    return officers_visible_to(user).select_related("user")


# --- time ---------------------------------------------------------------------------------------


def user_time_zone(user: Any) -> zoneinfo.ZoneInfo | None:
    """The time zone of the user's program (directory.time_zones: one zone per program)."""
    return program_time_zone(user)
