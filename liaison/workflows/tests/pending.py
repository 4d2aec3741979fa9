"""A day in the cast's world with work waiting for every role: an MOU in force and its renewal awaiting
signatures, a flagged action with a supervisor's question, a contact logged today, a class today, a
mentee overdue for a meeting and an enforcement action on that mentee."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import timezone

from liaison.agreements import services as agreements
from liaison.agreements.models import AgreementVersion, Review
from liaison.agreements.tests.mous import flagged_action, mou_in_force
from liaison.conftest import World
from liaison.directory.selectors import agency_today
from liaison.interactions.services import interaction_record
from liaison.programs.models import MentoringRelationship, Session
from liaison.programs.tests.programs import STUDENT_ID, enforcement, relationship, session

# Noon in Millbrook (America/New_York) on a school Tuesday: "today" is the same day everywhere.
NOON_IN_MILLBROOK = datetime.datetime(2026, 3, 10, 17, 0, tzinfo=datetime.UTC)
QUESTION = "Was an administrator there before the arrest?"


@dataclass
class Pending:
    renewal: AgreementVersion
    review: Review
    session: Session
    mentee: MentoringRelationship


@pytest.fixture
def noon():
    with time_machine.travel(NOON_IN_MILLBROOK, tick=True) as traveller:
        yield traveller


def pending_work(world: World) -> Pending:
    """Everything relative to now: under the `noon` fixture, noon in Millbrook."""
    now = timezone.now()
    today = agency_today(world.agency)
    agreement = mou_in_force(world, effective_date=today - datetime.timedelta(days=60))
    review = flagged_action(world, when=now - datetime.timedelta(days=3))
    agreements.review_comment(actor=world.users["supervisor"], review=review, text=QUESTION)
    renewal = agreements.version_new_draft(
        actor=world.users["agency_admin"], agreement=agreement, effective_date=today + datetime.timedelta(days=30)
    )
    agreements.version_submit(actor=world.users["agency_admin"], version=renewal, acknowledge_missing=True)
    interaction_record(
        actor=world.officer.user,
        officer=world.officer,
        school=world.elementary,
        kind="positive",
        occurred_at=now - datetime.timedelta(minutes=30),
    )
    mentee = relationship(world)
    enforcement(world, STUDENT_ID)
    lesson = session(world, hours_ago=-2)
    return Pending(renewal=renewal, review=review, session=lesson, mentee=mentee)
