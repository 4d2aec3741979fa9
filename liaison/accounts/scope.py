"""What a user may reach: their memberships, read once per request and kept on the user."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from liaison.lib import sql_rows

from .models import Membership
from .roles import Role


@dataclass(frozen=True)
class UserScope:
    platform_admin: bool = False
    agency_ids_by_role: dict[str, frozenset[int]] = field(default_factory=dict)
    district_admin_ids: frozenset[int] = frozenset()
    school_admin_ids: frozenset[int] = frozenset()
    evaluator_district_ids: frozenset[int] = frozenset()
    evaluator_states: frozenset[str] = frozenset()  # state-wide evaluators (insights/state.py)
    officer_id: int | None = None

    def agencies(self, *roles: Role) -> frozenset[int]:
        """Agency ids where the user holds any of the roles."""
        found: set[int] = set()
        for role in roles:
            found |= self.agency_ids_by_role.get(role, frozenset())
        return frozenset(found)

    @property
    def any_agency_ids(self) -> frozenset[int]:
        return self.agencies(Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.OFFICER, Role.EVALUATOR)

    @property
    def managing_agency_ids(self) -> frozenset[int]:
        """Agencies whose officers and assignments the user manages."""
        return self.agencies(Role.AGENCY_ADMIN, Role.SUPERVISOR)

    @property
    def roles(self) -> frozenset[str]:
        found = {role for role, ids in self.agency_ids_by_role.items() if ids}
        if self.district_admin_ids:
            found.add(Role.DISTRICT_ADMIN)
        if self.school_admin_ids:
            found.add(Role.SCHOOL_ADMIN)
        if self.evaluator_district_ids or self.evaluator_states:
            found.add(Role.EVALUATOR)
        return frozenset(found)


ANONYMOUS_SCOPE = UserScope()


def user_scope(user: Any) -> UserScope:
    """The user's scope, computed from memberships once and cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_liaison_scope", None)
    if cached is not None:
        return cached
    scope = _scope_from_memberships(user, _membership_rows(user.pk))
    user._liaison_scope = scope
    return scope


def user_scope_preload(user: Any, memberships: list[tuple]) -> None:
    """Cache the scope from membership rows the caller has read already (token auth reads them together
    with the token): (role, agency_id, district_id, school_id, state) per membership."""
    user._liaison_scope = _scope_from_memberships(user, memberships)


def _scope_from_memberships(user: Any, memberships: list[tuple]) -> UserScope:
    by_role: dict[str, set[int]] = {}
    districts: set[int] = set()
    schools: set[int] = set()
    evaluator_districts: set[int] = set()
    evaluator_states: set[str] = set()
    for role, agency_id, district_id, school_id, *rest in memberships:
        state = rest[0] if rest else ""
        if agency_id is not None:
            by_role.setdefault(role, set()).add(agency_id)
        elif role == Role.DISTRICT_ADMIN:
            districts.add(district_id)
        elif role == Role.SCHOOL_ADMIN:
            schools.add(school_id)
        elif role == Role.EVALUATOR and state:
            evaluator_states.add(state)
        elif role == Role.EVALUATOR:
            evaluator_districts.add(district_id)
    officer = getattr(user, "officer", None)  # reverse one-to-one: None when absent
    return UserScope(
        platform_admin=bool(user.is_superuser),
        agency_ids_by_role={role: frozenset(ids) for role, ids in by_role.items()},
        district_admin_ids=frozenset(districts),
        school_admin_ids=frozenset(schools),
        evaluator_district_ids=frozenset(evaluator_districts),
        evaluator_states=frozenset(evaluator_states),
        officer_id=officer.pk if officer is not None else None,
    )


def _membership_rows(user_id: int) -> list[tuple]:
    """(role, agency_id, district_id, school_id, state) per membership. Read on every request, so in plain
    SQL: the ORM's compiler costs more than the query (see liaison/lib/sql_rows.py)."""
    return sql_rows.fetch_all(_membership_sql(), [user_id])


MEMBERSHIP_COLUMNS = ("role", "agency", "district", "school", "state")


@cache
def _membership_sql() -> str:
    names = ", ".join(sql_rows.column(Membership, name) for name in MEMBERSHIP_COLUMNS)
    return f"SELECT {names} FROM {sql_rows.table(Membership)} WHERE {sql_rows.column(Membership, 'user')} = %s"
