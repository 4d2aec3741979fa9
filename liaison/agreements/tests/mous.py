"""MOUs and flagged actions the agreements tests share, made through the services."""

from __future__ import annotations

import datetime
from typing import Any

import time_machine

from liaison.agreements import services
from liaison.agreements.models import Agreement, AgreementVersion, Review
from liaison.agreements.vocabulary import DEFAULT_LEVELS, Level
from liaison.conftest import World
from liaison.interactions import services as interactions
from liaison.interactions.vocabulary import ActionType, ReasonCategory

START = datetime.date(2025, 8, 1)
NOON = datetime.time(12, tzinfo=datetime.UTC)
JUSTIFICATION = "The student refused to hand over the vape and the principal asked me to step in."


def draft_mou(world: World, *, title: str = "Millbrook SRO MOU", effective_date: datetime.date = START) -> Agreement:
    partnership = world.agency.partnerships.get(district=world.district)
    return services.agreement_create(
        actor=world.users["agency_admin"], partnership=partnership, title=title, effective_date=effective_date
    )


def sign_all(world: World, version: AgreementVersion, *, at: datetime.datetime | None = None) -> AgreementVersion:
    """Both parties sign, by default a month before the version takes effect: an MOU judges only the
    actions recorded after it was signed, and most tests record theirs in the version's term."""
    at = at or datetime.datetime.combine(version.effective_date - datetime.timedelta(days=30), NOON)
    with time_machine.travel(at, tick=False):
        if version.is_draft:
            services.version_submit(actor=world.users["agency_admin"], version=version, acknowledge_missing=True)
        services.version_sign(actor=world.users["agency_admin"], version=version, party="agency_head")
        services.version_sign(actor=world.users["district_admin"], version=version, party="superintendent")
    version.refresh_from_db()
    return version


def require_consultation_before_arrest(world: World, version: AgreementVersion) -> None:
    """Turn on the option that an arrest in an "officer may act" category needs an administrator consulted."""
    for category, level in DEFAULT_LEVELS.items():
        if level == Level.OFFICER_MAY_ACT:
            services.rule_set(
                actor=world.users["agency_admin"],
                version=version,
                category=category,
                level=level,
                consultation_required_for=[ActionType.ARREST],
            )


def mou_in_force(world: World, *, consult_before_arrest: bool = False, **kwargs: Any) -> Agreement:
    agreement = draft_mou(world, **kwargs)
    if consult_before_arrest:
        require_consultation_before_arrest(world, agreement.versions.get())
    sign_all(world, agreement.versions.get())
    return agreement


def flagged_action(
    world: World,
    *,
    action_type: str = ActionType.ARREST,
    reason_category: str = ReasonCategory.TOBACCO_VAPING,
    when: datetime.datetime = datetime.datetime(2025, 10, 1, 15, 0, tzinfo=datetime.UTC),
) -> Review:
    """An enforcement action by the cast's officer at the elementary school, with its review open."""
    officer = world.officer
    interaction = interactions.interaction_record(
        justification=JUSTIFICATION,
        actor=officer.user,
        officer=officer,
        school=world.elementary,
        kind="enforcement",
        occurred_at=when,
        enforcement={
            "action_type": action_type,
            "reason_category": reason_category,
            "requested_by": "administrator",
            "admin_consulted": True,
            "demographics_source": "perceived",
            "race_ethnicity": "black",
        },
    ).interaction
    return Review.objects.get(interaction=interaction)
