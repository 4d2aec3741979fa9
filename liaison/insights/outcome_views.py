"""The outcomes pages of a school, an agency and a district, and contacts-and-trust for a district:
SVG charts with the same figures in a table beside each, and the figures as CSV."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from liaison.interactions.vocabulary import POSITIVE_MEANS
from liaison.lib.csv_export import csv_writer

from . import outcome_charts as charts
from .contacts_trust_outputs import contacts_trust_csv, contacts_trust_scatter
from .forms import EquityYearForm
from .outcome_tables import CSV_COLUMNS, MEASURES, body_table, csv_rows, outcomes_body
from .outcomes import AGENCY, DISTRICT, SCHOOL, OutcomesScope, contacts_and_trust, outcomes_timeline
from .outcomes_access import district_access_for, outcomes_access_for
from .outcomes_release import restricted_outcomes_body
from .public_outcomes import agency_for_publishing, district_for_publishing, public_outcomes_state
from .released_contacts_trust import released_contacts_and_trust
from .selectors import district_names, school_names
from .snapshots import school_year_closed
from .tasks import outcomes_release_ready

# Who publishes each level's outcomes, the form's URL name and the public page's.
PUBLISHERS: dict[str, tuple[Callable[[Any, Any], Any], str, str]] = {
    DISTRICT: (district_for_publishing, "insights:outcomes-publish", "public_outcomes_district"),
    AGENCY: (agency_for_publishing, "insights:outcomes-agency-publish", "public_outcomes_agency"),
}


def _outcomes(request: HttpRequest, level: str, uuid: UUID) -> HttpResponse:
    today = timezone.localdate()
    form = EquityYearForm(request.GET or None, today=today)
    access = outcomes_access_for(request.user, level, uuid, form.year())
    if isinstance(access, OutcomesScope):
        body = outcomes_body(outcomes_timeline(access, form.year(), as_of=today))
    else:  # an evaluator: closed years only, as on the equity page
        form = EquityYearForm(request.GET or None, today=today, closed_only=True)
        if not outcomes_release_ready(level, uuid, request.user, access, form.year()):
            context = {"form": form, "school_year": form.year()}
            return render(request, "insights/outcomes_preparing.html", context, status=202)
        body = restricted_outcomes_body(access, form.year(), today)
    if request.GET.get("format") == "csv":
        return outcomes_csv(body)
    context = {
        "form": form,
        "school_links": _school_links(body) if body["restricted"] and level == DISTRICT else [],
        "district_links": _district_links(body) if body["restricted"] and level == AGENCY else [],
        "publish": _publish_offer(request, body, level, today),
    }
    return render(request, "insights/outcomes.html", outcomes_context(body, level, today) | context)


def outcomes_context(body: dict[str, Any], level: str, today: datetime.date) -> dict[str, Any]:
    """The charts, each with its table, of an outcomes body (the signed-in and the public pages)."""
    sections = []
    for measure in MEASURES:
        table = body_table(body, measure)
        series = [
            charts.Series(body["school_year"], [row.current for row in table.rows], current=True),
            charts.Series(body["previous"]["school_year"], [row.previous for row in table.rows], current=False),
        ]
        label = f"{measure.label}, by month, {body['school_year']} beside {body['previous']['school_year']}"
        months = [row.month for row in table.rows] or ["Jul"]
        sections.append((measure, table, charts.line_chart(label, months, series, percent="%" in measure.label)))
    trust = [{**row, "closes_on": datetime.date.fromisoformat(row["closes_on"])} for row in body["trust"]]
    trust_chart = charts.interval_chart(
        "Trust index of each survey wave, 0 to 100, with its 95% interval",
        [
            charts.Interval(f"{row['closes_on']:%b %Y}", row["trust_index"], row["ci_low"], row["ci_high"])
            for row in trust
        ],
    )
    gap = body["current"]["longest_gap"]
    return {
        "body": body,
        "as_of": today,
        "gap_first": datetime.date.fromisoformat(gap["first"]) if gap["first"] else None,
        "gap_last": datetime.date.fromisoformat(gap["last"]) if gap["last"] else None,
        "sections": sections,
        "trust": trust,
        "trust_chart": trust_chart,
        "level": level,
        "positive_means": POSITIVE_MEANS,
    }


def _publish_offer(request: HttpRequest, body: dict[str, Any], level: str, today: datetime.date) -> dict[str, Any]:
    """For a district's or an agency's admins, on a closed year of theirs: publish or withdraw its
    public outcomes."""
    if level not in PUBLISHERS or body["restricted"] or not school_year_closed(body["school_year"], today):
        return {}
    owner_for_publishing, publish_url, public_url = PUBLISHERS[level]
    try:
        owner = owner_for_publishing(request.user, body["uuid"])
    except PermissionDenied:
        return {}
    found = public_outcomes_state(owner, body["school_year"])
    return {
        "published": bool(found and found.published),
        "checking": bool(found and found.checking),
        "refusal": found.refusal if found else "",
        "url": reverse(publish_url, args=[body["uuid"]]),
        "public_url": reverse(public_url, args=[body["uuid"], body["school_year"]]),
    }


def _school_links(body: dict[str, Any]) -> list[tuple[str, str]]:
    """An evaluator's way from the district to each of its schools (released with it)."""
    names = school_names(body["schools"])
    return [
        (names[uuid], reverse("insights:outcomes-school", args=[uuid])) for uuid in body["schools"] if uuid in names
    ]


def _district_links(body: dict[str, Any]) -> list[tuple[str, str]]:
    """An agency evaluator's way from the agency to each district it served (released with it)."""
    names = district_names(body["districts"])
    return [
        (names[uuid], reverse("insights:outcomes-district", args=[uuid])) for uuid in body["districts"] if uuid in names
    ]


def outcomes_csv(body: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"outcomes-{body['level']}-{body['uuid']}-{body['school_year']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv_writer(response)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(body))
    return response


@login_required
@require_safe
def school_outcomes(request: HttpRequest, uuid: UUID) -> HttpResponse:
    return _outcomes(request, SCHOOL, uuid)


@login_required
@require_safe
def agency_outcomes(request: HttpRequest, uuid: UUID) -> HttpResponse:
    return _outcomes(request, AGENCY, uuid)


@login_required
@require_safe
def district_outcomes(request: HttpRequest, uuid: UUID) -> HttpResponse:
    return _outcomes(request, DISTRICT, uuid)


@login_required
@require_safe
def district_contacts_trust(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Live for the program's leaders; for evaluators, a closed year's, from its stored release only
    (liaison/insights/released_contacts_trust.py), the year chosen as on their outcomes page."""
    today = timezone.localdate()
    form: EquityYearForm | None = None  # the program's leaders: live, as of today
    access = district_access_for(request.user, uuid)
    if isinstance(access, OutcomesScope):
        found = contacts_and_trust(access.name, access.schools, agency_ids=access.agency_ids, as_of=today)
    else:  # an evaluator: closed years only, as on their outcomes page
        form = EquityYearForm(request.GET or None, today=today, closed_only=True)
        if not outcomes_release_ready(DISTRICT, uuid, request.user, access, form.year()):
            context = {"form": form, "school_year": form.year()}
            return render(request, "insights/outcomes_preparing.html", context, status=202)
        found = released_contacts_and_trust(access, form.year(), today)
    if request.GET.get("format") == "csv":
        return contacts_trust_csv(found, uuid)
    context = {
        "uuid": uuid,
        "name": found.district_name,
        "every_agency": access.agency_ids is None,
        "found": found,
        "form": form,
        "chart": contacts_trust_scatter(found),
    }
    return render(request, "insights/contacts_trust.html", context)
