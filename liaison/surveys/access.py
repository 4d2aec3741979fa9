"""The only doors from a user to survey waves and their results.

Results (suppressed aggregates) reach: district admins for their district's schools, school admins
for their school, agency admins, SRO supervisors and evaluators for the schools of districts their
agency serves (evaluators also their granted districts). Officers see no results. Waves are managed
(opened, closed, links and slips) by district admins at their district and school admins at their
school. A wave or school outside the user's reach is a 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from liaison.accounts.roles import Role
from liaison.accounts.scope import user_scope
from liaison.directory.access import NOT_ALLOWED, NOT_FOUND
from liaison.directory.models import Partnership, School

from .models import Burst, Wave, WaveSchool

NOTHING = Q(pk__in=[])
NO_SURVEY_RESULTS = "Survey results are not shown to your role."
DISTRICT_DECIDES = "Only the district's wave owners (its district admins) decide on held responses."


def _result_rule(user: Any) -> Q:
    scope = user_scope(user)
    rule = NOTHING
    readers = scope.agencies(Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.EVALUATOR)
    if readers:
        rule |= Q(district_id__in=Partnership.objects.filter(agency_id__in=readers).values("district_id"))
    if scope.district_admin_ids or scope.evaluator_district_ids:
        rule |= Q(district_id__in=scope.district_admin_ids | scope.evaluator_district_ids)
    if scope.school_admin_ids:
        rule |= Q(pk__in=scope.school_admin_ids)
    return rule


def may_see_surveys(user: Any) -> bool:
    return user_scope(user).platform_admin or _result_rule(user) is not NOTHING


def require_survey_reader(user: Any) -> None:
    if not may_see_surveys(user):
        raise PermissionDenied(NO_SURVEY_RESULTS)


def result_schools(user: Any) -> QuerySet[School]:
    """Schools whose (suppressed) survey results the user may read."""
    if user_scope(user).platform_admin:
        return School.objects.all()
    rule = _result_rule(user)
    return School.objects.none() if rule is NOTHING else School.objects.filter(rule)


def result_school_ids(user: Any) -> frozenset[int] | None:
    """The ids of result_schools, read once (None: every school, for platform admins)."""
    if user_scope(user).platform_admin:
        return None
    return frozenset(result_schools(user).values_list("pk", flat=True))


def waves_visible_to(user: Any) -> QuerySet[Wave]:
    waves = Wave.objects.select_related("instrument", "district")
    if user_scope(user).platform_admin:
        return waves
    return waves.filter(pk__in=WaveSchool.objects.filter(school__in=result_schools(user)).values("wave_id"))


def schools_for_new_wave(user: Any) -> QuerySet[School]:
    """Schools at which the user may open a wave."""
    scope = user_scope(user)
    if scope.platform_admin:
        return School.objects.select_related("district").order_by("name")
    rule = NOTHING
    if scope.district_admin_ids:
        rule |= Q(district_id__in=scope.district_admin_ids)
    if scope.school_admin_ids:
        rule |= Q(pk__in=scope.school_admin_ids)
    if rule is NOTHING:
        return School.objects.none()
    return School.objects.filter(rule).select_related("district").order_by("name")


def may_open_waves(user: Any) -> bool:
    scope = user_scope(user)
    return scope.platform_admin or bool(scope.district_admin_ids or scope.school_admin_ids)


def wave_manageable(user: Any, wave: Wave) -> bool:
    """District admins manage their district's waves; school admins the waves of their school alone."""
    scope = user_scope(user)
    if scope.platform_admin or wave.district_id in scope.district_admin_ids:
        return True
    school_ids = set(wave.wave_schools.values_list("school_id", flat=True))
    return bool(school_ids) and school_ids <= scope.school_admin_ids


def wave_school_manageable(user: Any, wave_school: WaveSchool) -> bool:
    """Links, QR codes, posters and slips of one school: its wave's managers and the school's admins."""
    scope = user_scope(user)
    return (
        scope.platform_admin
        or wave_school.wave.district_id in scope.district_admin_ids
        or wave_school.school_id in scope.school_admin_ids
    )


def wave_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> Wave:
    require_survey_reader(user)
    try:
        wave = waves_visible_to(user).get(uuid=uuid)
    except (Wave.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if write and not wave_manageable(user, wave):
        raise PermissionDenied(NOT_ALLOWED)
    return wave


def wave_school_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> WaveSchool:
    """A school's place in a wave, when the user may read that school's results."""
    require_survey_reader(user)
    found = WaveSchool.objects.select_related("wave__instrument", "wave__district", "school")
    if not user_scope(user).platform_admin:
        found = found.filter(school__in=result_schools(user))
    try:
        wave_school = found.get(uuid=uuid)
    except (WaveSchool.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if write and not wave_school_manageable(user, wave_school):
        raise PermissionDenied(NOT_ALLOWED)
    return wave_school


def wave_schools_visible(user: Any, wave: Wave) -> QuerySet[WaveSchool]:
    found = wave.wave_schools.select_related("school").order_by("school__name")
    if user_scope(user).platform_admin:
        return found
    return found.filter(school__in=result_schools(user))


def may_decide_bursts(user: Any, wave: Wave) -> bool:
    """Held bursts are the district's to accept or discard: its district admins (and platform admins)."""
    scope = user_scope(user)
    return scope.platform_admin or wave.district_id in scope.district_admin_ids


def require_burst_decider(user: Any, wave: Wave) -> None:
    if not may_decide_bursts(user, wave):
        raise PermissionDenied(DISTRICT_DECIDES)


def burst_get_for_user(user: Any, uuid: UUID | str) -> Burst:
    """A held burst of a wave the user sees (else 404), when the user decides on the wave's bursts (else 403)."""
    require_survey_reader(user)
    try:
        burst = Burst.objects.select_related("wave_school__wave", "wave_school__school").get(uuid=uuid)
    except (Burst.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if not waves_visible_to(user).filter(pk=burst.wave_school.wave_id).exists():
        raise Http404(NOT_FOUND)
    require_burst_decider(user, burst.wave_school.wave)
    return burst
