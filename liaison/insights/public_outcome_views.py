"""Published outcomes (no sign-in): the listing, a district's page and each school's, contacts and
trust of a district's year, an agency's page, with their CSV; and the forms the district's and the
agency's admins publish and withdraw them with
(liaison/insights/public_outcomes.py)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from liaison.directory.validators import validate_school_year

from .contacts_trust_outputs import contacts_trust_csv, contacts_trust_scatter
from .outcome_views import outcomes_context, outcomes_csv
from .outcomes import AGENCY, DISTRICT, SCHOOL
from .public_outcomes import (
    CHECKING,
    WITHDRAWN,
    Owner,
    agency_for_publishing,
    district_for_publishing,
    public_outcomes_body,
    public_outcomes_get,
    public_outcomes_list,
    public_outcomes_publish_request,
    public_outcomes_publish_set,
    public_school_body,
)
from .released_contacts_trust import public_contacts_and_trust
from .selectors import school_names
from .tasks import public_outcomes_enqueue, public_report_follow


@login_required
@require_POST
def outcomes_publish(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The district's admins publish (publish=yes) or withdraw (publish=no) a closed year's outcomes."""
    district = district_for_publishing(request.user, uuid)
    return _publish(request, district, reverse("insights:outcomes-district", args=[uuid]))


@login_required
@require_POST
def agency_outcomes_publish(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The agency's admins publish (publish=yes) or withdraw (publish=no) a closed year's outcomes."""
    agency = agency_for_publishing(request.user, uuid)
    return _publish(request, agency, reverse("insights:outcomes-agency", args=[uuid]))


def _publish(request: HttpRequest, owner: Owner, back: str) -> HttpResponse:
    """Ask for the owner's year to be published (checked in the background) or withdraw it at once, and
    go back to its outcomes page of that year; the owner's public report of the year follows."""
    school_year = request.POST.get("school_year", "")
    try:
        validate_school_year(school_year)
    except ValidationError:
        raise Http404 from None
    publish = request.POST.get("publish") != "no"
    today = timezone.localdate()
    try:
        if publish:
            public_outcomes_publish_request(
                actor=request.user, owner=owner, school_year=school_year, today=today, enqueue=public_outcomes_enqueue
            )
        else:
            public_outcomes_publish_set(
                actor=request.user, owner=owner, school_year=school_year, published=False, today=today
            )
    except ValidationError as error:
        for message in error.message_dict.get("school_year", error.messages):
            messages.error(request, message)
    else:
        if not publish:
            public_report_follow(actor=request.user, owner=owner, school_year=school_year)
        done = CHECKING if publish else WITHDRAWN
        messages.success(request, done.format(year=school_year, owner=owner.name))
    return redirect(f"{back}?school_year={school_year}")


@require_safe
def public_outcomes_index(request: HttpRequest) -> HttpResponse:
    published = public_outcomes_list()
    context = {
        "published": [found for found in published if found.district_id],
        "agencies": [found for found in published if found.agency_id],
    }
    return render(request, "insights/public_outcomes_list.html", context)


@require_safe
def public_district_outcomes(request: HttpRequest, uuid: UUID, school_year: str) -> HttpResponse:
    found = public_outcomes_get(uuid, school_year)
    today = timezone.localdate()
    body = public_outcomes_body(found, today)
    if request.GET.get("format") == "csv":
        return outcomes_csv(body)
    names = school_names(body["schools"])
    links = [
        (names[school], reverse("public_outcomes_school", args=[uuid, school_year, school]))
        for school in body["schools"]
        if school in names
    ]
    context = outcomes_context(body, DISTRICT, today) | {"public": True, "school_links": links, "found": found}
    return render(request, "insights/outcomes.html", context)


@require_safe
def public_school_outcomes(request: HttpRequest, uuid: UUID, school_year: str, school: UUID) -> HttpResponse:
    found = public_outcomes_get(uuid, school_year)
    today = timezone.localdate()
    body = public_school_body(found, school, today)
    if request.GET.get("format") == "csv":
        return outcomes_csv(body)
    back = reverse("public_outcomes_district", args=[uuid, school_year])
    context = outcomes_context(body, SCHOOL, today) | {"public": True, "district_link": back, "found": found}
    return render(request, "insights/outcomes.html", context)


@require_safe
def public_contacts_trust(request: HttpRequest, uuid: UUID, school_year: str) -> HttpResponse:
    """Contacts and trust of a district's published year, computed only from what its published
    outcomes pages show (liaison/insights/released_contacts_trust.py), with its CSV."""
    found = public_outcomes_get(uuid, school_year)
    side_by_side = public_contacts_and_trust(found, timezone.localdate())
    if request.GET.get("format") == "csv":
        return contacts_trust_csv(side_by_side, uuid)
    context = {
        "uuid": uuid,
        "name": side_by_side.district_name,
        "every_agency": True,
        "found": side_by_side,
        "chart": contacts_trust_scatter(side_by_side),
        "public": True,
        "back": reverse("public_outcomes_district", args=[uuid, school_year]),
    }
    return render(request, "insights/contacts_trust.html", context)


def public_agency_outcomes(request: HttpRequest, uuid: UUID, school_year: str) -> HttpResponse:
    """An agency's published outcomes of a closed year: its evaluators' stored release, as on the
    district's public page."""
    found = public_outcomes_get(uuid, school_year, owner="agency")
    today = timezone.localdate()
    body = public_outcomes_body(found, today)
    if request.GET.get("format") == "csv":
        return outcomes_csv(body)
    context = outcomes_context(body, AGENCY, today) | {"public": True, "found": found}
    return render(request, "insights/outcomes.html", context)
