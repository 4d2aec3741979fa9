# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""API: people and their roles at an agency or a district (rules in people/people.py)."""

import datetime
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from liaison.accounts.invitations import membership_invitation_send
from liaison.lib.api_errors import ERROR_RESPONSES

from . import people

if TYPE_CHECKING:
    from liaison.accounts.models import Membership, User
    from liaison.directory.models import School

# Listed under accounts as well as people, as when the router was part of the accounts API.
router = Router(tags=["accounts", "people"])

ONE_PLACE = "Give exactly one of agency or district."

# Role's values, spelled out: an enum named "Role" would clash in the OpenAPI document with the
# contact roles (educator, law enforcement, mentor). A test keeps the two lists equal.
RoleName = Literal["agency_admin", "supervisor", "officer", "district_admin", "school_admin", "evaluator"]


class PlaceQuery(Schema):
    agency: UUID | None = None
    district: UUID | None = None


class PersonOut(Schema):
    role_uuid: UUID = Field(description="The role (membership): remove it or re-send its invitation by this id.")
    user: UUID
    username: str
    full_name: str
    email: str
    role: RoleName
    school: UUID | None
    invitation_pending: bool = Field(description="Added without a password, and the invitation not yet used.")
    active: bool
    last_login: datetime.datetime | None


class _PlaceRoleIn(Schema):
    agency: UUID | None = None
    district: UUID | None = None
    role: RoleName
    school: UUID | None = Field(None, description="For a school admin only: a school of the district.")


class PersonIn(_PlaceRoleIn):
    username: str = Field(min_length=1, max_length=150)
    first_name: str = Field(min_length=1, max_length=150)
    last_name: str = Field(min_length=1, max_length=150)
    email: str = Field(min_length=3, max_length=254, description="The invitation to choose a password goes here.")


class RoleIn(_PlaceRoleIn):
    user: UUID = Field(description="Someone who already holds a role at the agency or district.")


class PersonPatch(Schema):
    first_name: str | None = Field(None, min_length=1, max_length=150)
    last_name: str | None = Field(None, min_length=1, max_length=150)
    email: str | None = Field(None, min_length=3, max_length=254)


class PersonDetailsOut(Schema):
    user: UUID = Field(alias="uuid")
    username: str
    first_name: str
    last_name: str
    email: str


class InvitationOut(Schema):
    sent_to: str


def _place(request: HttpRequest, agency: UUID | None, district: UUID | None) -> people.Place:
    if (agency is None) == (district is None):
        raise ValidationError({"agency": ONE_PLACE, "district": ONE_PLACE})
    if agency is not None:
        return people.place_get_for_user(request.user, "agency", agency)
    return people.place_get_for_user(request.user, "district", district)  # type: ignore[arg-type]


def _school(place: people.Place, uuid: UUID | None) -> "School | None":
    if uuid is None:
        return None
    school = place.schools().filter(uuid=uuid).first()
    if school is None:
        raise ValidationError({"school": people.SCHOOL_NOT_HERE})
    return school


def _person(place: people.Place, uuid: UUID) -> "User":
    user = people.people_choices(place).filter(uuid=uuid).first()
    if user is None:
        raise ValidationError({"user": people.NOT_A_PERSON_HERE})
    return user


def _out(membership: "Membership") -> dict[str, Any]:
    person = people.Person(membership)
    user = person.user
    return {
        "role_uuid": membership.uuid,
        "user": user.uuid,
        "username": user.username,
        "full_name": user.get_full_name(),
        "email": user.email,
        "role": membership.role,
        "school": membership.school.uuid if membership.school is not None else None,
        "invitation_pending": person.invitation_pending,
        "active": user.is_active,
        "last_login": user.last_login,
    }


@router.get("/people", response={200: list[PersonOut], **ERROR_RESPONSES})
def people_list(request: HttpRequest, query: Query[PlaceQuery]) -> list[dict[str, Any]]:
    """Every role held at the agency or district (for a district, also at its schools). For the
    agency's or district's admins and platform admins."""
    place = _place(request, query.agency, query.district)
    return [_out(person.membership) for person in people.people_at(place)]


@router.post("/people", response={201: PersonOut, **ERROR_RESPONSES})
def person_add(request: HttpRequest, payload: PersonIn) -> Status:
    """A new login with one role; it has no password until the person uses the e-mailed invitation."""
    place = _place(request, payload.agency, payload.district)
    with transaction.atomic():
        membership = people.person_add(
            actor=request.user,
            place=place,
            role=payload.role,
            school=_school(place, payload.school),
            username=payload.username,
            first_name=payload.first_name,
            last_name=payload.last_name,
            email=payload.email,
        )
        membership_invitation_send(
            actor=request.user, place=place, membership=membership, absolute=request.build_absolute_uri
        )
    return Status(201, _out(membership))


@router.post("/roles", response={201: PersonOut, **ERROR_RESPONSES})
def role_grant(request: HttpRequest, payload: RoleIn) -> Status:
    """Another role for someone who already holds one at the agency or district."""
    place = _place(request, payload.agency, payload.district)
    membership = people.role_grant(
        actor=request.user,
        place=place,
        user=_person(place, payload.user),
        role=payload.role,
        school=_school(place, payload.school),
    )
    return Status(201, _out(membership))


@router.delete("/roles/{uuid}", response={204: None, **ERROR_RESPONSES})
def membership_remove(request: HttpRequest, uuid: UUID) -> Status:
    """Take a role away (never an officer's, nor the last admin's). The login stays."""
    membership, place = people.membership_get_for_user(request.user, uuid)
    people.membership_remove(actor=request.user, place=place, membership=membership)
    return Status(204, None)


@router.post("/roles/{uuid}/invitation", response={202: InvitationOut, **ERROR_RESPONSES})
def invitation_resend(request: HttpRequest, uuid: UUID) -> Status:
    """E-mail the invitation to choose a password again (only while it has not been used)."""
    membership, place = people.membership_get_for_user(request.user, uuid)
    people.invitation_check(people.Person(membership))
    membership_invitation_send(
        actor=request.user, place=place, membership=membership, absolute=request.build_absolute_uri
    )
    return Status(202, {"sent_to": membership.user.email})


@router.patch("/people/{user_uuid}", response={200: PersonDetailsOut, **ERROR_RESPONSES})
def person_update(request: HttpRequest, user_uuid: UUID, query: Query[PlaceQuery], payload: PersonPatch) -> "User":
    """A person's name or e-mail address, by the admins of the agency or district where they hold
    every one of their roles (platform admins: anyone's). A new address for someone who has chosen a
    password takes effect only once they confirm it from that address (the answer shows the old one)."""
    place = _place(request, query.agency, query.district)
    user = _person(place, user_uuid)
    changes = payload.dict(exclude_unset=True)
    return people.person_update(
        actor=request.user, place=place, user=user, absolute=request.build_absolute_uri, **changes
    )
