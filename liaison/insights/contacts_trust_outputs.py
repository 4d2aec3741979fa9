"""Contacts and trust, rendered: the scatter, the CSV and the API's body of one `ContactsAndTrust`.

The same figures reach the program's leaders (live), evaluators (from their stored release), the
public (from the published release) and the annual report, each through these renderers, so a
figure reads the same wherever it is shown; only where `ContactsAndTrust` comes from differs.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.utils.safestring import SafeString

from liaison.lib.csv_export import csv_writer

from . import outcome_charts as charts
from .outcomes import ContactsAndTrust, ContactsStretch, SchoolChange

X_TITLE = "Change in positive contacts per 100 students per 20 school days"
Y_TITLE = "Change in trust index (points)"

CONTACTS_TRUST_COLUMNS = [
    "school",
    "nces_id",
    "earlier_wave",
    "later_wave",
    "trust_earlier",
    "trust_later",
    "trust_change",
    "trust_change_low",
    "trust_change_high",
    "contacts_per_100_before",
    "contacts_per_100_between",
    "contacts_change",
    "not_shown",
]


def contacts_trust_scatter(found: ContactsAndTrust) -> SafeString:
    """The scatter: one dot per school plotted (both changes shown), its trust interval a line."""
    return charts.scatter(
        f"Change in trust index against change in positive contacts, one dot per school, {found.district_name}",
        [
            charts.Point(
                s.school.name,
                s.contacts_change,
                s.trust_change.difference,
                s.trust_change.low,
                s.trust_change.high,
            )
            for s in found.plotted
            if s.contacts_change is not None and s.trust_change is not None
        ],
        x_title=X_TITLE,
        y_title=Y_TITLE,
    )


def _n(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def contacts_trust_rows(found: ContactsAndTrust) -> list[list[Any]]:
    """One CSV row per school listed (plotted or not shown, with the reason)."""
    rows = []
    for s in found.schools:
        change = s.trust_change
        rows.append(
            [
                s.school.name,
                s.school.nces_id,
                s.earlier.wave.title,
                s.later.wave.title,
                _n(s.earlier_trust.mean if s.earlier_trust else None),
                _n(s.later_trust.mean if s.later_trust else None),
                _n(change.difference if change else None),
                _n(change.low if change else None),
                _n(change.high if change else None),
                _n(s.before.per_100),
                _n(s.between.per_100),
                _n(s.contacts_change),
                s.not_shown,
            ]
        )
    return rows


def contacts_trust_csv(found: ContactsAndTrust, uuid: UUID | str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    year = f"-{found.school_year}" if found.school_year else ""
    response["Content-Disposition"] = f'attachment; filename="contacts-and-trust-{uuid}{year}.csv"'
    writer = csv_writer(response)
    writer.writerow(CONTACTS_TRUST_COLUMNS)
    writer.writerows(contacts_trust_rows(found))
    return response


def _stretch(stretch: ContactsStretch) -> dict[str, Any]:
    known = stretch.school_days > 0
    return {
        "first": stretch.first.isoformat() if known else None,
        "last": stretch.last.isoformat() if known else None,
        "school_days": stretch.school_days,
        "positive": stretch.positive,
        "enrollment": stretch.enrollment,
        "per_100": stretch.per_100,
    }


def _school_change(s: SchoolChange) -> dict[str, Any]:
    return {
        "school": s.school.uuid,
        "name": s.school.name,
        "earlier_wave": s.earlier.wave.uuid,
        "later_wave": s.later.wave.uuid,
        "trust_earlier": s.earlier_trust.mean if s.earlier_trust else None,
        "trust_later": s.later_trust.mean if s.later_trust else None,
        "trust_change": s.trust_change.difference if s.trust_change else None,
        "trust_change_low": s.trust_change.low if s.trust_change else None,
        "trust_change_high": s.trust_change.high if s.trust_change else None,
        "before": _stretch(s.before),
        "between": _stretch(s.between),
        "contacts_change": s.contacts_change,
        "not_shown": s.not_shown,
    }


def contacts_trust_body(found: ContactsAndTrust, uuid: UUID | str) -> dict[str, Any]:
    """The API's body (`ContactsTrustOut`) of a district's contacts and trust."""
    return {
        "district": uuid,
        "restricted": found.school_year is not None,
        "school_year": found.school_year,
        "caveats": list(found.caveats),
        "schools": [_school_change(s) for s in found.schools],
    }
