"""People and their roles at one agency or one district: who may manage them, and the rules of doing so.

The agency admin (chief) manages the agency's admins, SRO supervisors and evaluators; the district
admin (superintendent) manages the district's admins, its schools' admins (principals) and its
evaluators; a platform admin manages both. Officers come and go through their officer page (their
profile, badge and status belong to the agency's records), so they are listed here but not granted or
removed. Pages, API and tests all go through these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from liaison.accounts.audit import audit_record, audit_snapshot
from liaison.accounts.email_change import AbsoluteUrl, email_change_pending, email_change_request
from liaison.accounts.models import Membership, User
from liaison.accounts.records import record_create, record_update
from liaison.accounts.roles import Role
from liaison.accounts.scope import user_scope
from liaison.accounts.services import MEMBERSHIP_EXISTS, user_create
from liaison.directory import access as directory_access
from liaison.directory.models import Agency, District, School
from liaison.lib.errors import ConflictError

NOT_MANAGER = "Only the agency's admins manage its people; only the district's admins manage the district's."
ROLE_NOT_HERE = "This role is not given here: choose one of {choices}."
SCHOOL_NEEDED = "A school admin belongs to one school: choose it."
SCHOOL_NOT_HERE = "Choose one of the district's schools."
SCHOOL_ONLY_FOR_SCHOOL_ADMIN = "Only a school admin belongs to one school: leave the school empty."
EMAIL_NEEDED = "An e-mail address is needed to send the invitation to choose a password."
NOT_A_PERSON_HERE = "Choose someone who already has a role here."
OFFICERS_ELSEWHERE = "Officers join and leave through their officer page (add the officer, or change their status)."
LAST_ADMIN = "This is the last {role} here: give someone else that role first."
NO_INVITATION_PENDING = "{name} has already chosen a password: they can use “Forgot your password?” if needed."
NO_EMAIL = "{name} has no e-mail address to send the invitation to."
NOT_ONLY_HERE = (
    "{name} also holds a role elsewhere (or is a platform admin), so only a platform admin may change their "
    "name or e-mail address."
)

AGENCY_ROLES = (Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.EVALUATOR)
DISTRICT_ROLES = (Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN, Role.EVALUATOR)
# The role a place cannot be left without: someone must be able to manage it (and sign its MOUs).
ADMIN_ROLE = {"agency": Role.AGENCY_ADMIN, "district": Role.DISTRICT_ADMIN}


@dataclass(frozen=True)
class Place:
    """An agency or a district, as a place people hold roles at."""

    kind: str  # "agency" or "district"
    obj: Agency | District

    @property
    def name(self) -> str:
        return self.obj.name

    @property
    def grantable(self) -> tuple[Role, ...]:
        return AGENCY_ROLES if self.kind == "agency" else DISTRICT_ROLES

    @property
    def agency_id(self) -> int | None:
        return self.obj.pk if self.kind == "agency" else None

    @property
    def district_id(self) -> int | None:
        return self.obj.pk if self.kind == "district" else None

    def memberships(self) -> QuerySet[Membership]:
        """Every role held here (for a district, also at its schools)."""
        if self.kind == "agency":
            found = Membership.objects.filter(agency_id=self.obj.pk)
        else:
            found = Membership.objects.filter(Q(district_id=self.obj.pk) | Q(school__district_id=self.obj.pk))
        return found.select_related("user__officer", "school")

    def schools(self) -> QuerySet[School]:
        if self.kind == "agency":
            return School.objects.none()
        return School.objects.filter(district_id=self.obj.pk).order_by("name")


def place_get_for_user(user: Any, kind: str, uuid: UUID | str) -> Place:
    """The agency or district whose people the user manages: 404 when unseen, 403 when seen but not theirs."""
    if kind == "agency":
        agency = directory_access.agency_get_for_user(user, uuid)
        _require(directory_access.agency_writable(user, agency))
        return Place("agency", agency)
    if kind == "district":
        district = directory_access.district_get_for_user(user, uuid)
        _require(directory_access.district_writable(user, district))
        return Place("district", district)
    raise Http404


def person_get_for_user(user: Any, kind: str, uuid: UUID | str, person_uuid: UUID | str) -> tuple[Place, User]:
    """The place (as place_get_for_user) and someone who holds a role there: 404 for anyone else."""
    place = place_get_for_user(user, kind, uuid)
    person = people_choices(place).filter(uuid=person_uuid).first()
    if person is None:
        raise Http404
    return place, person


def places_managed_by(user: Any) -> list[Place]:
    """Every agency and district whose people the user manages, by name."""
    agencies = [
        Place("agency", a)
        for a in directory_access.agencies_visible_to(user).order_by("name")
        if directory_access.agency_writable(user, a)
    ]
    districts = [
        Place("district", d)
        for d in directory_access.districts_visible_to(user).order_by("name")
        if directory_access.district_writable(user, d)
    ]
    return agencies + districts


def membership_get_for_user(user: Any, uuid: UUID | str) -> tuple[Membership, Place]:
    """A role held at a place the user manages (404 otherwise: a role elsewhere is not theirs to see)."""
    membership = Membership.objects.select_related("user", "agency", "district", "school__district").filter(uuid=uuid)
    found = membership.first()
    if found is None:
        raise Http404
    place = _place_of(found)
    try:
        return found, place_get_for_user(user, place.kind, place.obj.uuid)
    except PermissionDenied:
        raise Http404 from None


def _place_of(membership: Membership) -> Place:
    if membership.agency is not None:
        return Place("agency", membership.agency)
    if membership.school is not None:
        return Place("district", membership.school.district)
    return Place("district", membership.district)  # type: ignore[arg-type]


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(NOT_MANAGER)


# --- reads ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """One role someone holds here, with what the list shows about them."""

    membership: Membership

    @property
    def user(self) -> User:
        return self.membership.user

    @property
    def invitation_pending(self) -> bool:
        """Added without a password and not yet chosen one through the invitation."""
        return not self.user.has_usable_password()

    @property
    def removable(self) -> bool:
        return self.membership.role != Role.OFFICER


def people_at(place: Place) -> list[Person]:
    """Every role held here, by role then surname."""
    order = {role: i for i, role in enumerate(Role)}
    memberships = sorted(
        place.memberships(),
        key=lambda m: (order[Role(m.role)], m.user.last_name.lower(), m.user.first_name.lower(), m.user.username),
    )
    return [Person(m) for m in memberships]


def people_choices(place: Place) -> QuerySet[User]:
    """The people who already hold a role here: those another role may be given to."""
    user_ids = place.memberships().values("user_id")
    return User.objects.filter(pk__in=user_ids, is_active=True).order_by("last_name", "first_name", "username")


# --- writes ---------------------------------------------------------------------------------------


def _membership_for(place: Place, role: str, school: School | None) -> Membership:
    """The new role, checked against the place: a role given here, and a school of this district."""
    if role not in place.grantable:
        choices = ", ".join(str(Role(r).label) for r in place.grantable)
        raise ValidationError({"role": ROLE_NOT_HERE.format(choices=choices)})
    if role == Role.SCHOOL_ADMIN:
        if school is None:
            raise ValidationError({"school": SCHOOL_NEEDED})
        if school.district_id != place.obj.pk:
            raise ValidationError({"school": SCHOOL_NOT_HERE})
        return Membership(role=role, school=school)
    if school is not None:
        raise ValidationError({"school": SCHOOL_ONLY_FOR_SCHOOL_ADMIN})
    return Membership(role=role, agency_id=place.agency_id, district_id=place.district_id)


def _grant(actor: Any, place: Place, user: User, membership: Membership) -> Membership:
    membership.user = user
    scope: dict[str, Any] = {
        "agency_id": membership.agency_id,
        "district_id": membership.district_id,
        "school_id": membership.school_id,
    }
    if Membership.objects.filter(user=user, role=membership.role, **scope).exists():
        raise ConflictError({"role": MEMBERSHIP_EXISTS})
    return record_create(membership, actor=actor, agency_id=place.agency_id, district_id=_district_tenant(place))


def _district_tenant(place: Place) -> int | None:
    return place.obj.pk if place.kind == "district" else None


def person_add(
    *,
    actor: Any,
    place: Place,
    role: str,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    school: School | None = None,
) -> Membership:
    """A new login with one role here. It has no password: the person chooses one through the
    invitation sent to `email` (invitations.invitation_send, after this commits)."""
    if not email:
        raise ValidationError({"email": EMAIL_NEEDED})
    membership = _membership_for(place, role, school)
    with transaction.atomic():
        user = user_create(
            actor=actor, username=username, password=None, first_name=first_name, last_name=last_name, email=email
        )
        return _grant(actor, place, user, membership)


def role_grant(*, actor: Any, place: Place, user: User, role: str, school: School | None = None) -> Membership:
    """Another role here for someone who already holds one here."""
    if not place.memberships().filter(user=user).exists():
        raise ValidationError({"user": NOT_A_PERSON_HERE})
    membership = _membership_for(place, role, school)
    with transaction.atomic():
        return _grant(actor, place, user, membership)


def membership_remove(*, actor: Any, place: Place, membership: Membership) -> None:
    """Take a role away. The login stays (it may hold other roles); the audit log keeps the role."""
    if membership.role == Role.OFFICER:
        raise ValidationError({"role": OFFICERS_ELSEWHERE})
    with transaction.atomic():
        _keep_an_admin(place, membership)
        before = audit_snapshot(membership)
        audit_record(
            actor=actor,
            action="delete",
            obj=membership,
            summary=f"Removed {membership}",
            before=before,
            agency_id=place.agency_id,
            district_id=_district_tenant(place),
        )
        membership.delete()


def _keep_an_admin(place: Place, membership: Membership) -> None:
    admin_role = ADMIN_ROLE[place.kind]
    if membership.role != admin_role or membership.school_id is not None:
        return
    scope: dict[str, Any] = {"agency_id": place.agency_id, "district_id": place.district_id}
    admins = (
        Membership.objects.select_for_update()
        .filter(role=admin_role, user__is_active=True, **scope)
        .exclude(pk=membership.pk)
    )
    if not admins.exists():
        raise ConflictError({"role": LAST_ADMIN.format(role=Role(admin_role).label.lower())})


def person_editable(actor: Any, place: Place, user: User) -> bool:
    """Whether the actor may change this person's name and e-mail: the place's admins only when every
    role the person holds is here (an address decides where password resets go, so an agency must
    not redirect those of a superintendent who is also its evaluator)."""
    return user.pk in people_editable(actor, place, [user])


def people_editable(actor: Any, place: Place, users: Iterable[User]) -> set[int]:
    """The ids of those among `users` whose details the actor may change (person_editable's rule),
    in two queries however many there are."""
    users = list(users)
    if user_scope(actor).platform_admin:
        return {user.pk for user in users}
    candidates = {user.pk for user in users if not user.is_superuser}
    here = set(place.memberships().filter(user_id__in=candidates).values_list("pk", flat=True))
    roles: dict[int, set[int]] = {}
    for user_id, pk in Membership.objects.filter(user_id__in=candidates).values_list("user_id", "pk"):
        roles.setdefault(user_id, set()).add(pk)
    return {user_id for user_id, held in roles.items() if held <= here}


def person_update(*, actor: Any, place: Place, user: User, absolute: AbsoluteUrl | None = None, **changes: Any) -> User:
    """Change a person's name or e-mail address (e.g. an invitation sent to a mistyped one); audited,
    never with the password. A new address for someone who has chosen a password only takes effect
    once they confirm it from that address (email_change.py): it is sent there, not saved."""
    if not place.memberships().filter(user=user).exists():
        raise ValidationError({"user": NOT_A_PERSON_HERE})
    if not person_editable(actor, place, user):
        raise PermissionDenied(NOT_ONLY_HERE.format(name=user.get_full_name() or user.username))
    fields = {name: changes[name] for name in PERSON_FIELDS if name in changes}
    new_email = fields.get("email")
    confirm_first = new_email is not None and new_email != user.email and email_change_pending(user)
    if confirm_first:
        del fields["email"]
        try:
            User._meta.get_field("email").clean(new_email, user)
        except ValidationError as error:
            raise ValidationError({"email": error.messages}) from None
    with transaction.atomic():
        updated = record_update(
            user, actor=actor, changes=fields, agency_id=place.agency_id, district_id=_district_tenant(place)
        )
        if confirm_first:
            email_change_request(actor=actor, user=user, new_email=str(new_email), absolute=absolute or _relative)
    return updated


def _relative(path: str) -> str:
    return path


PERSON_FIELDS = ("first_name", "last_name", "email")


def invitation_check(person: Person) -> None:
    """An invitation can be sent again only to someone who has not chosen a password, at an address."""
    name = person.user.get_full_name() or person.user.username
    if not person.invitation_pending:
        raise ConflictError({"user": NO_INVITATION_PENDING.format(name=name)})
    if not person.user.email:
        raise ValidationError({"email": NO_EMAIL.format(name=name)})
