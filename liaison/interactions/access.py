"""The only doors from a user to contacts and enforcement records.

Officers reach their own records; SRO supervisors and agency admins their agency's; district and
school admins the records about their schools (from every agency); evaluators no individual record.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from liaison.accounts.scope import user_scope
from liaison.directory.access import NOT_ALLOWED, NOT_FOUND
from liaison.directory.models import Partnership, School
from liaison.lib import sql_rows

from .models import DailyRollup, Interaction, MonthlyRollup

NOTHING = Q(pk__in=[])
NO_RECORDS_FOR_ROLE = "Individual records are not shown to your role."


def _visibility(user: Any) -> Q:
    scope = user_scope(user)
    rule = NOTHING
    if scope.managing_agency_ids:
        rule |= Q(agency_id__in=scope.managing_agency_ids)
    if scope.officer_id is not None:
        rule |= Q(officer_id=scope.officer_id)
    if scope.district_admin_ids:
        rule |= Q(district_id__in=scope.district_admin_ids)
    if scope.school_admin_ids:
        rule |= Q(school_id__in=scope.school_admin_ids)
    return rule


def interactions_visible_to(user: Any) -> QuerySet[Interaction]:
    if user_scope(user).platform_admin:
        return Interaction.objects.all()
    rule = _visibility(user)
    return Interaction.objects.none() if rule is NOTHING else Interaction.objects.filter(rule)


def daily_rollups_visible_to(user: Any) -> QuerySet[DailyRollup]:
    """The rollup rows of the records the user may see: the same rule on the same columns, so counts
    taken from rollups match the lists."""
    if user_scope(user).platform_admin:
        return DailyRollup.objects.all()
    rule = _visibility(user)
    return DailyRollup.objects.none() if rule is NOTHING else DailyRollup.objects.filter(rule)


def monthly_rollups_visible_to(user: Any) -> QuerySet[MonthlyRollup]:
    """The monthly rollup rows of the records the user may see (the same rule as the daily ones)."""
    if user_scope(user).platform_admin:
        return MonthlyRollup.objects.all()
    rule = _visibility(user)
    return MonthlyRollup.objects.none() if rule is NOTHING else MonthlyRollup.objects.filter(rule)


def interaction_writable(user: Any, interaction: Interaction) -> bool:
    """The officer who recorded it, and the agency's supervisors and admins (by amendment)."""
    scope = user_scope(user)
    if scope.platform_admin or interaction.agency_id in scope.managing_agency_ids:
        return True
    return scope.officer_id is not None and interaction.officer_id == scope.officer_id


def interaction_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> Interaction:
    try:
        interaction = interactions_visible_to(user).select_related("school", "officer__user", "agency").get(uuid=uuid)
    except (Interaction.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if write and not interaction_writable(user, interaction):
        raise PermissionDenied(NOT_ALLOWED)
    return interaction


def may_record_for(user: Any, officer: Any) -> bool:
    """Officers record their own contacts; supervisors and agency admins may record for their officers."""
    scope = user_scope(user)
    if scope.platform_admin or officer.agency_id in scope.managing_agency_ids:
        return True
    return scope.officer_id == officer.pk


def may_view_interactions(user: Any) -> bool:
    """Whether the user reaches any record at all (evaluators and outsiders to every school do not)."""
    scope = user_scope(user)
    return scope.platform_admin or _visibility(user) is not NOTHING


def school_for_recording(officer: Any, uuid: UUID | str) -> School:
    """A school the officer may record at: any school in a district their agency serves."""
    try:
        value = School._meta.get_field("uuid").get_db_prep_value(uuid, connection)
    except (ValidationError, ValueError, TypeError, AttributeError):
        raise Http404(NOT_FOUND) from None
    row = sql_rows.fetch_one(_school_sql(), [value])
    school = sql_rows.instance(School, row) if row else None
    if school is None or school.district_id not in served_district_ids(officer):
        raise Http404(NOT_FOUND)
    return school


def served_district_ids(officer: Any) -> frozenset[int]:
    """The districts the officer's agency serves, read once per officer instance (one request)."""
    cached = officer.__dict__.get("_served_district_ids")
    if cached is None:
        rows = sql_rows.fetch_all(_served_sql(), [officer.agency_id])
        cached = officer.__dict__["_served_district_ids"] = frozenset(district_id for (district_id,) in rows)
    return cached


# Both run on every API write: plain SQL, as the ORM's compiler costs more than the query (lib/sql_rows.py).
@cache
def _school_sql() -> str:
    where = f"s.{sql_rows.column(School, 'uuid')} = %s"
    return f"SELECT {sql_rows.columns(School, 's')} FROM {sql_rows.table(School)} s WHERE {where}"


@cache
def _served_sql() -> str:
    district, agency = sql_rows.column(Partnership, "district"), sql_rows.column(Partnership, "agency")
    return f"SELECT {district} FROM {sql_rows.table(Partnership)} WHERE {agency} = %s"
