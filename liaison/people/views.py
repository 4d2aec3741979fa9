"""Pages for people and their roles at an agency or a district (rules in people/people.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from liaison.accounts import mfa
from liaison.accounts.invitations import membership_invitation_send, role_label
from liaison.accounts.lockout import UNLOCKED, locked_user_ids, sign_in_unlock
from liaison.lib.form_pages import form_submit as _submit
from liaison.lib.mail import MAIL_UNAVAILABLE, mail_unavailable

from . import people
from .forms import PersonAddForm, PersonEditForm, RoleGrantForm

if TYPE_CHECKING:
    from liaison.accounts.models import Membership

PERSON_ADDED = "Added {name} as {role}. An invitation to choose a password is on its way to {email}."
PERSON_SAVED = "Saved {name}'s details."
EMAIL_WAITS = (
    "The new address {email} takes effect once {name} confirms it: a link went there, and their current "
    "address was told."
)
ROLE_GIVEN = "{name} is now also {role}."
ROLE_REMOVED = "{name} is no longer {role}."
INVITATION_SENT = "Sent {name} a new invitation at {email}."


def _people_url(place: people.Place) -> str:
    return reverse("accounts:people", args=[place.kind, place.obj.uuid])


def _place_url(place: people.Place) -> str:
    name = "directory:agency_detail" if place.kind == "agency" else "directory:district_detail"
    return reverse(name, args=[place.obj.uuid])


def _name(user: Any) -> str:
    return user.get_full_name() or user.username


def _send_invitation(request: HttpRequest, place: people.Place, membership: Membership) -> None:
    membership_invitation_send(
        actor=request.user, place=place, membership=membership, absolute=request.build_absolute_uri
    )


def _form_page(request: HttpRequest, place: people.Place, form: Any, *, title: str, submit: str) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "submit_label": submit,
        "back_label": f"People at {place.name}",
        "back_url": _people_url(place),
    }
    return render(request, "directory/form_page.html", context)


@login_required
@require_safe
def people_list(request: HttpRequest, kind: str, uuid: UUID) -> HttpResponse:
    place = people.place_get_for_user(request.user, kind, uuid)
    actions = [
        ("Add a person", reverse("accounts:person_add", args=[kind, uuid])),
        ("Give someone here another role", reverse("accounts:role_grant", args=[kind, uuid])),
        ("Single sign-on", reverse("accounts:sso_settings", args=[kind, uuid])),
    ]
    if place.kind == "agency":
        actions.append(("Add an officer", reverse("directory:officer_create", args=[uuid])))
    found = people.people_at(place)
    editable = people.people_editable(request.user, place, [p.user for p in found])
    locked = locked_user_ids([p.user.pk for p in found])
    with_factor = mfa.users_with_factor([p.user.pk for p in found])
    context = {
        "place": place,
        "place_url": _place_url(place),
        "people": [
            (person, person.user.pk in editable, locked.get(person.user.pk), person.user.pk in with_factor)
            for person in found
        ],
        "actions": actions,
        "mail_unavailable": MAIL_UNAVAILABLE if mail_unavailable() else "",
    }
    return render(request, "accounts/people.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest, kind: str, uuid: UUID) -> HttpResponse:
    place = people.place_get_for_user(request.user, kind, uuid)
    form = PersonAddForm(request.POST or None, place=place)

    def add(data: dict[str, Any]) -> Membership:
        with transaction.atomic():
            membership = people.person_add(actor=request.user, place=place, **data)
            _send_invitation(request, place, membership)
        return membership

    membership = _submit(form, add) if request.method == "POST" else None
    if membership is not None:
        user = membership.user
        message = PERSON_ADDED.format(name=_name(user), role=role_label(membership), email=user.email)
        messages.success(request, message)
        return redirect(_people_url(place))
    return _form_page(request, place, form, title=f"Add a person to {place.name}", submit="Add and send invitation")


@login_required
@require_http_methods(["GET", "POST"])
def role_grant(request: HttpRequest, kind: str, uuid: UUID) -> HttpResponse:
    place = people.place_get_for_user(request.user, kind, uuid)
    form = RoleGrantForm(request.POST or None, place=place)
    granted = (
        _submit(form, lambda data: people.role_grant(actor=request.user, place=place, **data))
        if request.method == "POST"
        else None
    )
    if granted is not None:
        messages.success(request, ROLE_GIVEN.format(name=_name(granted.user), role=role_label(granted)))
        return redirect(_people_url(place))
    return _form_page(request, place, form, title=f"Give someone at {place.name} another role", submit="Give role")


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """GET asks to confirm; POST removes the role."""
    membership, place = people.membership_get_for_user(request.user, uuid)
    error = ""
    if request.method == "POST":
        try:
            people.membership_remove(actor=request.user, place=place, membership=membership)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            message = ROLE_REMOVED.format(name=_name(membership.user), role=role_label(membership))
            messages.success(request, message)
            return redirect(_people_url(place))
    context = {
        "membership": membership,
        "person": people.Person(membership),
        "role": role_label(membership),
        "place": place,
        "people_url": _people_url(place),
        "error": error,
    }
    return render(request, "accounts/membership_remove.html", context, status=409 if error else 200)


@login_required
@require_POST
def invitation_resend(request: HttpRequest, uuid: UUID) -> HttpResponse:
    membership, place = people.membership_get_for_user(request.user, uuid)
    try:
        people.invitation_check(people.Person(membership))
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        _send_invitation(request, place, membership)
        messages.success(request, INVITATION_SENT.format(name=_name(membership.user), email=membership.user.email))
    return redirect(_people_url(place))


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, kind: str, uuid: UUID, user_uuid: UUID) -> HttpResponse:
    """A person's name and e-mail address (say, to fix the address an invitation went to)."""
    place, user = people.person_get_for_user(request.user, kind, uuid, user_uuid)
    form = PersonEditForm(request.POST or None, initial=PersonEditForm.initial_for(user))
    saved = (
        _submit(
            form,
            lambda data: people.person_update(
                actor=request.user, place=place, user=user, absolute=request.build_absolute_uri, **data
            ),
        )
        if request.method == "POST"
        else None
    )
    if saved is not None:
        messages.success(request, PERSON_SAVED.format(name=_name(saved)))
        if form.cleaned_data.get("email") not in (None, saved.email):
            messages.info(request, EMAIL_WAITS.format(name=_name(saved), email=form.cleaned_data["email"]))
        return redirect(_people_url(place))
    if request.method == "GET" and not people.person_editable(request.user, place, user):
        raise PermissionDenied(people.NOT_ONLY_HERE.format(name=_name(user)))
    return _form_page(request, place, form, title=f"Edit {_name(user)}", submit="Save")


@login_required
@require_POST
def person_unlock(request: HttpRequest, kind: str, uuid: UUID, user_uuid: UUID) -> HttpResponse:
    """Lift a sign-in lock on someone who holds a role here (after checking with them)."""
    place, user = people.person_get_for_user(request.user, kind, uuid, user_uuid)
    sign_in_unlock(actor=request.user, user=user, agency_id=place.agency_id, district_id=place.district_id)
    messages.success(request, UNLOCKED.format(name=_name(user)))
    return redirect(_people_url(place))


MFA_RESET_DONE = "Reset {name}'s second factor: they set up a new one at their next sign-in, and were told by e-mail."


@login_required
@require_POST
def person_mfa_reset(request: HttpRequest, kind: str, uuid: UUID, user_uuid: UUID) -> HttpResponse:
    """Clear a lost second factor, for those whose every role is here (as for their e-mail address)."""
    place, user = people.person_get_for_user(request.user, kind, uuid, user_uuid)
    if not people.person_editable(request.user, place, user):
        raise PermissionDenied(people.NOT_ONLY_HERE.format(name=_name(user)))
    mfa.mfa_reset(actor=request.user, user=user, agency_id=place.agency_id, district_id=place.district_id)
    messages.success(request, MFA_RESET_DONE.format(name=_name(user)))
    return redirect(_people_url(place))
