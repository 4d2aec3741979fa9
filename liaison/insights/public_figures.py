"""A program's figures for the public page: one agency serving one district, this school year.

Shown only when the MOU's parties chose to (Agreement.figures_published). Classes are counts of the
officers' work, shown as they are. Everything about enforcement concerns students, so it passes the
disclosure engine (liaison/lib/disclosure.py): the actions by type, their total, the referrals (a sum
of types) and the arrests are one table, with the actions judged within the MOU and the rest as a
second split of the total, so that the share within the MOU is shown only when neither side is
hidden. Positive contacts are in the same table: the outcomes releases count them month by month as
counts about students and hide a small month, and a page's year total beside the other months would
give that month back (so a page's 1 to 9 positive contacts read "Suppressed" too); positive contacts
per action are shown only when both are. Voided records are left out. No page here shows a school's
enforcement actions apart, a student or an officer.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any
from uuid import UUID

from django.db.models import Count, Sum
from django.http import Http404

from liaison.agreements.models import Agreement, Evaluation
from liaison.agreements.selectors import agreement_current_version, published_version
from liaison.agreements.vocabulary import Outcome
from liaison.directory.models import School
from liaison.directory.selectors import agency_today
from liaison.interactions.models import DailyRollup, EnforcementDetail
from liaison.interactions.vocabulary import POSITIVE_KINDS, REFERRAL_ACTIONS, ActionType
from liaison.lib.disclosure import Table
from liaison.lib.school_years import school_year_days, school_year_of
from liaison.programs.models import Session
from liaison.programs.vocabulary import SessionStatus
from liaison.surveys.models import Item, WaveSchool
from liaison.surveys.scoring import group_result
from liaison.surveys.selectors import answers_by_wave_school
from liaison.surveys.services import wave_items
from liaison.surveys.vocabulary import Audience, WaveStatus

from .disclosure import release
from .snapshots import last_closed_school_year, snapshot_get_or_build


@dataclass(frozen=True)
class ActionCount:
    label: str
    count: int | None  # None: suppressed


@dataclass(frozen=True)
class SchoolTrust:
    """A school's latest closed student survey: its 0–100 trust index, or suppressed under 10."""

    school: str
    wave: str
    closed_on: datetime.date
    respondents: int | None  # None: fewer than 10
    trust_index: float | None  # None: fewer than 10 respondents, or no answer to score


@dataclass(frozen=True)
class PublicFigures:
    agreement: Agreement
    school_year: str
    through: datetime.date
    schools: list[School]
    positive_contacts: int | None  # None: suppressed (1 to 9, or it would give a hidden month back)
    classes_delivered: int
    students_in_classes: int
    enforcement_total: int | None  # None: suppressed (1 to 9)
    by_action: list[ActionCount]
    referrals: int | None
    arrests: int | None
    within_mou_percent: float | None  # None: fewer than 10 actions
    contacts_per_action: float | None  # positive contacts per enforcement action, over at least 10 actions
    trust: list[SchoolTrust]


def enforcement_table(by_type: dict[str, int], within: int, positive: int | None = None) -> Table:
    """What the public page says about enforcement actions (and, given, positive contacts), as the
    engine sees it."""
    table = Table()
    for action in ActionType.values:
        table.cell(("action", action), by_type.get(action, 0))
    total = table.total("enforcement_total", [("action", action) for action in ActionType.values])
    table.total("referrals", [("action", action) for action in ActionType.values if action in REFERRAL_ACTIONS])
    table.cell("within_mou", within)
    table.cell("not_within_mou", table.cells[total] - within)
    table.relate(total, ["within_mou", "not_within_mou"])
    table.derive("within_mou_percent", total, "within_mou", "not_within_mou")
    if positive is None:
        table.derive("contacts_per_action", total)
    else:
        table.cell("positive_contacts", positive)
        table.derive("contacts_per_action", total, "positive_contacts")
    return table


def positive_count(agency_id: int, district_id: int, first: datetime.date, last: datetime.date) -> int:
    """Positive contacts of one agency in one district over a period (the daily rollups)."""
    contacts = DailyRollup.objects.filter(
        agency_id=agency_id, district_id=district_id, day__range=(first, last), kind__in=POSITIVE_KINDS
    )
    return contacts.aggregate(n=Sum("count"))["n"] or 0


def page_table(agency_id: int, district_id: int, first: datetime.date, last: datetime.date) -> Table:
    """The public page's table of one agency in one district over a period (`enforcement_table`)."""
    by_type, within = enforcement_counts(agency_id, district_id, first, last)
    return enforcement_table(by_type, within, positive_count(agency_id, district_id, first, last))


def enforcement_counts(
    agency_id: int, district_id: int, first: datetime.date, last: datetime.date
) -> tuple[dict[str, int], int]:
    """Enforcement actions by type of one agency in one district over a period, and how many of them
    were judged within the MOU."""
    details = EnforcementDetail.objects.filter(
        interaction__agency_id=agency_id,
        interaction__district_id=district_id,
        interaction__occurred_on__range=(first, last),
        interaction__voided=False,
    )
    by_type = {row["action_type"]: row["n"] for row in details.values("action_type").annotate(n=Count("*"))}
    # Each action's kept judgment, never a later version's view of it.
    kept = Evaluation.objects.kept()
    within = kept.filter(interaction__in=details.values("interaction_id"), outcome=Outcome.WITHIN).count()
    return by_type, within


Link = Callable[[Table], tuple[Table, dict[Any, bool]]]


def public_figures(
    agreement: Agreement,
    schools: list[School],
    today: datetime.date,
    *,
    with_trust: bool = True,
    link: Link | None = None,
) -> PublicFigures:
    """`link`: adds the other figures the same readers were shown about the same records (an agency
    evaluator's, stored before), so that the engine protects them together."""
    school_year = school_year_of(today)
    first, _ = school_year_days(school_year)
    scope = {"agency_id": agreement.agency_id, "district_id": agreement.district_id}
    sessions = Session.objects.filter(status=SessionStatus.DELIVERED, starts_on__range=(first, today), **scope)
    classes = sessions.aggregate(n=Count("*"), students=Sum("attendance"))
    by_type, within = enforcement_counts(agreement.agency_id, agreement.district_id, first, today)
    total = sum(by_type.values())
    positive = positive_count(agreement.agency_id, agreement.district_id, first, today)
    table = enforcement_table(by_type, within, positive)
    already: dict[Any, bool] = {}
    if link is not None:
        table, already = link(table)
    released = release(table, already=already)
    return PublicFigures(
        agreement=agreement,
        school_year=school_year,
        through=today,
        schools=schools,
        positive_contacts=released.value("positive_contacts"),
        classes_delivered=classes["n"] or 0,
        students_in_classes=classes["students"] or 0,
        enforcement_total=released.value("enforcement_total"),
        by_action=[ActionCount(str(label), released.value(("action", action))) for action, label in ActionType.choices],
        referrals=released.value("referrals"),
        arrests=released.value(("action", ActionType.ARREST.value)),
        within_mou_percent=round(100 * within / total, 1) if total and released.shows("within_mou_percent") else None,
        contacts_per_action=round(positive / total, 1) if total and released.shows("contacts_per_action") else None,
        trust=schools_trust(schools) if with_trust else [],
    )


def public_already(payload: dict[str, Any]) -> dict[Any, bool]:
    """Which cells of `enforcement_table` a stored public snapshot showed."""
    values = {str(label): value for value, label in ActionType.choices}
    shown: dict[Any, bool] = {("action", values[a["label"]]): a["count"] is not None for a in payload["by_action"]}
    shown["enforcement_total"] = payload["enforcement_total"] is not None
    shown["referrals"] = payload["referrals"] is not None
    # a page stored before positive contacts went through the engine showed them, whatever they were
    shown["positive_contacts"] = payload["positive_contacts"] is not None
    share = payload["within_mou_percent"] is not None
    return shown | {"within_mou": share, "not_within_mou": share}


def schools_trust(schools: list[School]) -> list[SchoolTrust]:
    """Each school's latest closed student wave, scored as the surveys pages score it (suppressed
    under 10 respondents); schools without one are left out."""
    latest: dict[int, WaveSchool] = {}
    closed = WaveSchool.objects.filter(
        school__in=schools, wave__audience=Audience.STUDENTS, wave__status=WaveStatus.CLOSED
    ).select_related("wave__instrument", "school")
    for wave_school in closed.order_by("wave__closes_on"):
        latest[wave_school.school_id] = wave_school
    answers = answers_by_wave_school([ws.pk for ws in latest.values()])
    items: dict[int, list[Item]] = {}  # per wave: schools surveyed in the same wave share its items
    found = []
    for wave_school in sorted(latest.values(), key=lambda ws: ws.school.name):
        wave = wave_school.wave
        if wave.pk not in items:
            items[wave.pk] = wave_items(wave)
        result = group_result(items[wave.pk], answers[wave_school.pk])
        shown = not result.suppressed
        found.append(
            SchoolTrust(
                school=wave_school.school.name,
                wave=wave_school.wave.title,
                closed_on=wave_school.wave.closes_on,
                respondents=result.respondents if shown else None,
                trust_index=round(result.trust.mean, 1) if shown and result.trust else None,
            )
        )
    return found


PUBLIC_FIGURES = "public_figures"


def last_closed_day(today: datetime.date) -> datetime.date:
    """The last day of the last school year that has ended: public figures run to it, never to today.

    Not a month: year-to-date figures published month by month would give each month's small
    counts away by subtraction (October's total from November's)."""
    return school_year_days(last_closed_school_year(today))[1]


def published_figures(uuid: UUID) -> PublicFigures:
    """The figures of a published agreement whose parties also published its figures (404 otherwise),
    over the schools its version in force covers. The page and the API.

    The public is a restricted audience: the figures are those of the last school year that has
    ended, computed and audited once when first asked for and then served as stored, so they never
    move with a single new record (docs/disclosure.md). Students' trust comes from
    closed survey waves, which no longer change."""
    version = published_version(uuid)
    agreement = version.agreement
    if not agreement.figures_published:
        raise Http404
    schools = list(version.schools.order_by("name"))
    through = last_closed_day(agency_today(agreement.agency))
    return _stored(agreement, schools, through)


def _stored(agreement: Agreement, schools: list[School], through: datetime.date) -> PublicFigures:
    from .figures import public_link  # the figures module reads this one
    from .outcomes_release import agency_release_link  # (they build on this module)
    from .public_outcomes import district_outcomes_link

    school_year = school_year_of(through)
    link = _chained(
        public_link(agreement, through),
        district_outcomes_link(agreement, school_year),
        agency_release_link(agreement, school_year),
    )
    payload = snapshot_get_or_build(
        figure=PUBLIC_FIGURES,
        scope=f"agreement:{agreement.uuid}",
        period=school_year,
        district=agreement.district,
        build=lambda: _payload(public_figures(agreement, schools, through, with_trust=False, link=link)),
    )
    return _from_payload(payload, agreement, schools)


def _chained(*links: Link | None) -> Link | None:
    """Every other release the same public reads, linked one after the other."""
    found = [link for link in links if link is not None]
    if not found:
        return None

    def chained(table: Table) -> tuple[Table, dict[Any, bool]]:
        already: dict[Any, bool] = {}
        for link in found:
            table, more = link(table)
            already |= more
        return table, already

    return chained


def agreement_public_figures(agreement: Agreement, school_year: str) -> PublicFigures:
    """A published agreement's public figures for a closed school year (the annual report's public
    version): the same stored snapshot the public page serves for that year, built the same way when
    it is not stored yet, over the schools of the version in force on the year's last day."""
    through = school_year_days(school_year)[1]
    version = agreement_current_version(agreement, through)
    schools = list(version.schools.order_by("name")) if version is not None else []
    return _stored(agreement, schools, through)


def _payload(figures: PublicFigures) -> dict[str, Any]:
    found = {f.name: getattr(figures, f.name) for f in fields(figures) if f.name not in ("agreement", "schools")}
    found["by_action"] = [asdict(action) for action in figures.by_action]
    found.pop("trust")
    return found


def _from_payload(payload: dict[str, Any], agreement: Agreement, schools: list[School]) -> PublicFigures:
    values = dict(payload)
    values["through"] = datetime.date.fromisoformat(values["through"])
    values["by_action"] = [ActionCount(**action) for action in values["by_action"]]
    return PublicFigures(agreement=agreement, schools=schools, trust=schools_trust(schools), **values)


def public_snapshots_build() -> int:
    """Store the last ended school year's public figures of every agreement that publishes them (the
    scheduler's yearly run in July; otherwise the first visitor's request builds them). Returns how
    many were built."""
    from .models import FigureSnapshot

    before = FigureSnapshot.objects.filter(figure=PUBLIC_FIGURES).count()
    for agreement in Agreement.objects.filter(published=True, figures_published=True):
        try:
            published_figures(agreement.uuid)
        except Http404:  # no version in force: nothing is shown
            continue
    return FigureSnapshot.objects.filter(figure=PUBLIC_FIGURES).count() - before
