"""Writes to accounts: users and their memberships. Views, API and commands all call these."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from liaison.accounts.records import record_create, validate_record
from liaison.lib.errors import ConflictError

from .audit import audit_record, audit_snapshot
from .models import Membership, User
from .roles import Role

if TYPE_CHECKING:
    from liaison.directory.models import Agency, District, School

USERNAME_TAKEN = "This username is already taken."
MEMBERSHIP_EXISTS = "The user already has this role here."
# Never written to the audit log, even as a hash.
SECRET_USER_FIELDS = frozenset({"password"})


def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_superuser: bool = False,
) -> User:
    """A login. `password=None` makes one that cannot sign in with a password; superusers are platform admins."""
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise ConflictError({"username": USERNAME_TAKEN})
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            is_superuser=is_superuser,
            is_staff=is_superuser,
        )
        validate_record(user, exclude=["password"])
        _set_password(user, password)
        user.save()
        audit_record(actor=actor, action="create", obj=user, summary=f"Created user {user}", after=_user_snapshot(user))
    return user


def _set_password(user: User, password: str | None) -> None:
    if password is None:
        user.set_unusable_password()
        return
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)


def _user_snapshot(user: User) -> dict[str, Any]:
    return {name: value for name, value in audit_snapshot(user).items() if name not in SECRET_USER_FIELDS}


def membership_grant(
    *,
    actor: Any,
    user: User,
    role: Role | str,
    agency: Agency | None = None,
    district: District | None = None,
    school: School | None = None,
) -> Membership:
    """Give the user a role at one agency, district or school (which one depends on the role)."""
    membership = Membership(user=user, role=role, agency=agency, district=district, school=school)
    with transaction.atomic():
        same = Membership.objects.filter(user=user, role=role, agency=agency, district=district, school=school)
        if same.exists():
            raise ConflictError({"role": MEMBERSHIP_EXISTS})
        agency_id, district_id = _membership_tenant(membership)
        return record_create(membership, actor=actor, agency_id=agency_id, district_id=district_id)


def _membership_tenant(membership: Membership) -> tuple[int | None, int | None]:
    """Whose audit log the grant belongs in: the agency, or the district (of the school)."""
    if membership.school is not None:
        return None, membership.school.district_id
    return membership.agency_id, membership.district_id
