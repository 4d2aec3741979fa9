"""Program records in the cast's world, shared by the programs tests."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from liaison.conftest import World
from liaison.directory.selectors import agency_today
from liaison.interactions.models import Interaction
from liaison.interactions.services import interaction_record, student_keys_enable
from liaison.programs import services
from liaison.programs.models import Curriculum, MentoringRelationship, Session

STUDENT_ID = "S-1001"


def curriculum(world: World, **fields: Any) -> Curriculum:
    found = Curriculum.objects.filter(agency=world.agency, title=fields.get("title", "Internet safety")).first()
    if found is not None:
        return found
    values = {"title": "Internet safety", "lowest_grade": 3, "highest_grade": 5, "lesson_count": 4}
    values.update(fields)
    return services.curriculum_create(actor=world.users["agency_admin"], agency=world.agency, **values)


def session(world: World, *, hours_ago: float = 2, course: Curriculum | None = None, **fields: Any) -> Session:
    values = {"planned_minutes": 45, "class_name": "Grade 4, Room 12", "grade": 4, "expected_students": 24}
    values.update(fields)
    school = values.pop("school", world.elementary)
    return services.session_schedule(
        actor=world.officer.user,
        officer=world.officer,
        school=school,
        curriculum=course or curriculum(world),
        starts_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        **values,
    )


def relationship(world: World, student_id: str = STUDENT_ID, **fields: Any) -> MentoringRelationship:
    student_keys_enable(actor=world.users["platform_admin"], district=world.district)
    today = agency_today(world.agency)
    values = {
        "started_on": today - datetime.timedelta(days=60),
        "consent_on": today - datetime.timedelta(days=61),
        "goals": "Attendance and a plan for ninth grade.",
        "co_contact_name": "Ms. Rivera",
        "co_contact_role": "counselor",
        "school_consent_by": "Principal",
        "guardian_consent_method": "written",
    }
    values.update(fields)
    return services.relationship_start(
        actor=world.officer.user, officer=world.officer, school=world.elementary, student_id=student_id, **values
    )


def enforcement(world: World, student_id: str) -> Interaction:
    """A warning the officer records with a student id (a mentee's, to raise a notice)."""
    return interaction_record(
        actor=world.officer.user,
        officer=world.officer,
        school=world.elementary,
        kind="enforcement",
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
        enforcement={
            "action_type": "warning",
            "reason_category": "verbal_conflict",
            "requested_by": "administrator",
            "admin_consulted": True,
            "admin_consulted_role": "administrator",
            "demographics_source": "perceived",
            "student_id": student_id,
        },
        justification="No MOU yet; warning only.",
    ).interaction
