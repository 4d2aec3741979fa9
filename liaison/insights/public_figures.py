"""A program's figures for the public page: one agency serving one district, this school year.

Shown only when the MOU's parties chose to (Agreement.figures_published). Contacts and classes are
counts of the officers' work, shown as they are. Everything about enforcement concerns students, so
it follows the small-cell rule (liaison/lib/suppression.py): counts of 1 to 9 are hidden, with a
complement in a breakdown; a sum of cells (referrals, arrests) is hidden when any of its cells is, so
it cannot give one away; the share within the MOU is given only when neither side is 1 to 9. Voided records are
left out. No page here shows a school's enforcement actions apart, a student or an officer.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Count, Sum
from django.http import Http404

from liaison.agreements.models import Agreement, Evaluation
from liaison.agreements.selectors import published_version
from liaison.agreements.vocabulary import Outcome
from liaison.directory.models import School
from liaison.directory.selectors import agency_today
from liaison.interactions.models import DailyRollup, EnforcementDetail
from liaison.interactions.vocabulary import POSITIVE_KINDS, REFERRAL_ACTIONS, ActionType
from liaison.lib.school_years import school_year_days, school_year_of
from liaison.lib.suppression import MIN_GROUP, complementary, is_suppressed
from liaison.programs.models import Session
from liaison.programs.vocabulary import SessionStatus
from liaison.surveys.models import Item, WaveSchool
from liaison.surveys.scoring import group_result
from liaison.surveys.selectors import answers_by_wave_school
from liaison.surveys.services import wave_items
from liaison.surveys.vocabulary import Audience, WaveStatus


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
    positive_contacts: int
    classes_delivered: int
    students_in_classes: int
    enforcement_total: int | None  # None: suppressed (1 to 9)
    by_action: list[ActionCount]
    referrals: int | None
    arrests: int | None
    within_mou_percent: float | None  # None: fewer than 10 actions
    contacts_per_action: float | None  # positive contacts per enforcement action, over at least 10 actions
    trust: list[SchoolTrust]


def _shown(count: int) -> int | None:
    return None if is_suppressed(count) else count


def _sum_shown(by_type: dict[str, int], actions: Iterable[str], hidden: set[str]) -> int | None:
    """A sum of cells, shown only when none of them is hidden (else it would give a hidden one away)."""
    if any(action in hidden for action in actions):
        return None
    return _shown(sum(by_type.get(action, 0) for action in actions))


def public_figures(agreement: Agreement, schools: list[School], today: datetime.date) -> PublicFigures:
    school_year = school_year_of(today)
    first, _ = school_year_days(school_year)
    scope = {"agency_id": agreement.agency_id, "district_id": agreement.district_id}
    contacts = DailyRollup.objects.filter(day__range=(first, today), kind__in=POSITIVE_KINDS, **scope)
    sessions = Session.objects.filter(status=SessionStatus.DELIVERED, starts_on__range=(first, today), **scope)
    classes = sessions.aggregate(n=Count("*"), students=Sum("attendance"))
    details = EnforcementDetail.objects.filter(
        interaction__agency_id=agreement.agency_id,
        interaction__district_id=agreement.district_id,
        interaction__occurred_on__range=(first, today),
        interaction__voided=False,
    )
    by_type = {row["action_type"]: row["n"] for row in details.values("action_type").annotate(n=Count("*"))}
    total = sum(by_type.values())
    hidden = complementary({action: by_type.get(action, 0) for action in ActionType.values})
    positive = contacts.aggregate(n=Sum("count"))["n"] or 0
    kept = Evaluation.objects.kept()  # each action's kept judgment, never a later version's view of it
    within = kept.filter(interaction__in=details.values("interaction_id"), outcome=Outcome.WITHIN).count()
    enough = total >= MIN_GROUP
    return PublicFigures(
        agreement=agreement,
        school_year=school_year,
        through=today,
        schools=schools,
        positive_contacts=positive,
        classes_delivered=classes["n"] or 0,
        students_in_classes=classes["students"] or 0,
        enforcement_total=_shown(total),
        by_action=[
            ActionCount(str(label), None if action in hidden else by_type.get(action, 0))
            for action, label in ActionType.choices
        ],
        referrals=_sum_shown(by_type, REFERRAL_ACTIONS, hidden),
        arrests=_sum_shown(by_type, {ActionType.ARREST}, hidden),
        within_mou_percent=round(100 * within / total, 1)
        if enough and not is_suppressed(within) and not is_suppressed(total - within)
        else None,
        contacts_per_action=round(positive / total, 1) if enough else None,
        trust=schools_trust(schools),
    )


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


def published_figures(uuid: UUID) -> PublicFigures:
    """The figures of a published agreement whose parties also published its figures (404 otherwise),
    over the schools its version in force covers, to the agency's today. The page and the API."""
    version = published_version(uuid)
    agreement = version.agreement
    if not agreement.figures_published:
        raise Http404
    return public_figures(agreement, list(version.schools.order_by("name")), agency_today(agreement.agency))
