"""Records in every corner of the cast's world, and who may see each: the set-up the permission
tests share, so an allowed case and a denied one differ only in who asks."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from liaison.conftest import World
from liaison.directory import services as directory
from liaison.directory.models import Agency
from liaison.interactions import services
from liaison.interactions.models import Interaction

# Which records each member of the cast sees in lists, counts and exports.
VISIBLE: dict[str, set[str]] = {
    "platform_admin": {"own", "colleague", "sheriff", "outside"},
    "agency_admin": {"own", "colleague"},
    "supervisor": {"own", "colleague"},
    "officer": {"own"},
    "district_admin": {"own", "colleague", "sheriff"},
    "school_admin": {"own"},
    "outsider_agency_admin": {"outside"},
    "outsider_district_admin": {"outside"},
}
# Evaluators see aggregates elsewhere, never individual records: lists, counts and exports are 403.
NO_RECORDS = ("evaluator",)


def _record(officer: Any, school: Any, kind: str = "positive") -> Interaction:
    moment = timezone.now() - datetime.timedelta(hours=1)
    return services.interaction_record(
        actor=officer.user, officer=officer, school=school, kind=kind, occurred_at=moment
    ).interaction


def scoped_records(world: World) -> dict[str, Interaction]:
    """own: the cast's officer at their school; colleague: another Millbrook officer at the high school;
    sheriff: a second agency serving the same district; outside: the Harlow deputy at Harlow."""
    root = world.users["platform_admin"]
    colleague = directory.officer_create(
        actor=root, agency=world.agency, username="colleague", first_name="Cal", last_name="Colleague", badge_number="9"
    )
    sheriff_office = directory.agency_create(
        actor=root, name="Millbrook County Sheriff", kind=Agency.Kind.SHERIFF, state="MA", ori="MA0555500"
    )
    directory.partnership_create(
        actor=root, agency=sheriff_office, district=world.district, start_date=datetime.date(2020, 7, 1)
    )
    deputy = directory.officer_create(
        actor=root, agency=sheriff_office, username="county", first_name="Cy", last_name="County", badge_number="3"
    )
    return {
        "own": _record(world.officer, world.elementary),
        "colleague": _record(colleague, world.high, "instruction"),
        "sheriff": _record(deputy, world.high, "safety"),
        "outside": _record(world.other_officer, world.other_school),
    }


def names_of(records: dict[str, Interaction], uuids: list[str]) -> set[str]:
    by_uuid = {str(record.uuid): name for name, record in records.items()}
    return {by_uuid[str(uuid)] for uuid in uuids}
