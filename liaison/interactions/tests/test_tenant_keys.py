"""PostgreSQL: the contacts and the records that hang off them point at each other through their agency
(migration 0013), the key Citus would co-locate them by; the database refuses a record whose agency
is not its contact's (or its session's), whoever writes it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count

from liaison.agreements.models import Evaluation, Review
from liaison.directory.models import Agency
from liaison.interactions.models import Amendment, EnforcementDetail, Interaction, InteractionImport
from liaison.programs.models import (
    MenteeEnforcementNotice,
    MentoringMeeting,
    MentoringRelationship,
    Session,
    TeacherFeedback,
)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite is never distributed")

DEPENDENTS: list[type[models.Model]] = [
    EnforcementDetail,
    Amendment,
    Evaluation,
    Review,
    Session,
    MentoringMeeting,
    MenteeEnforcementNotice,
]


def _constraints(model: type[models.Model]) -> dict[str, dict[str, Any]]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, model._meta.db_table)


def _refused(write: Any) -> str:
    """What the database says when `write` runs with every deferred check made at once."""
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        write()
    return str(refused.value)


def _another_agency(agency_id: int) -> Agency:
    return Agency.objects.exclude(pk=agency_id).order_by("pk")[0]


@pytest.mark.parametrize("model", [Interaction, Session], ids=lambda m: m.__name__)
def test_what_is_pointed_at_through_the_agency_is_unique_by_agency_and_id(db: None, model: type[models.Model]) -> None:
    keys = _constraints(model)[f"{model._meta.db_table}_tenant_key"]
    assert keys["unique"] and keys["columns"] == ["agency_id", "id"]


@pytest.mark.parametrize(
    "model", [Interaction, *DEPENDENTS, TeacherFeedback, InteractionImport], ids=lambda m: m.__name__
)
def test_the_primary_key_stays_id_so_annotated_queries_still_group_by_it(demo: str, model: type[models.Model]) -> None:
    """Django groups an annotated query by the primary key alone and selects every column, which
    PostgreSQL allows only for the real primary key: `(agency_id, id)` there breaks these queries."""
    constraints = _constraints(model).values()
    assert [c["columns"] for c in constraints if c["primary_key"]] == [["id"]]
    list(model._default_manager.annotate(n=Count("pk")).order_by("pk")[:3])


@pytest.mark.parametrize("model", DEPENDENTS, ids=lambda m: m.__name__)
def test_a_dependent_points_at_its_contact_through_the_agency(db: None, model: type[models.Model]) -> None:
    table = model._meta.db_table
    keys = _constraints(model)[f"{table}_interaction_same_agency"]
    assert keys["foreign_key"] == ("interactions_interaction", "agency_id")
    assert keys["columns"] == ["agency_id", "interaction_id"]


@pytest.mark.parametrize("model", [m for m in DEPENDENTS if m is not MenteeEnforcementNotice], ids=lambda m: m.__name__)
def test_a_record_cannot_be_moved_to_another_agency_than_its_contacts(demo: str, model: type[models.Model]) -> None:
    row = model._default_manager.filter(interaction__isnull=False).order_by("pk")[0]
    other = _another_agency(row.agency_id)  # type: ignore[attr-defined]

    message = _refused(lambda: model._default_manager.filter(pk=row.pk).update(agency=other))

    assert f"{model._meta.db_table}_interaction_same_agency" in message
    row.refresh_from_db()
    assert row.agency_id != other.pk  # type: ignore[attr-defined]


def test_a_contact_cannot_leave_its_records_behind_in_another_agency(demo: str) -> None:
    contact = Interaction.objects.filter(enforcement__isnull=False).order_by("pk")[0]
    other = _another_agency(contact.agency_id)

    message = _refused(lambda: Interaction.objects.filter(pk=contact.pk).update(agency=other))

    assert "_interaction_same_agency" in message
    contact.refresh_from_db()
    assert contact.agency_id != other.pk


def test_a_mentee_notice_is_only_written_in_its_contacts_agency(demo: str) -> None:
    relationship = MentoringRelationship.objects.order_by("pk")[0]
    contact = Interaction.objects.filter(agency_id=relationship.agency_id, enforcement__isnull=False)[0]
    other = _another_agency(contact.agency_id)

    def notice(agency: Agency | int) -> Any:
        return MenteeEnforcementNotice.objects.create(
            agency_id=getattr(agency, "pk", agency),
            officer_id=contact.officer_id,
            interaction=contact,
            relationship=relationship,
        )

    message = _refused(lambda: notice(other))

    assert "programs_menteeenforcementnotice_interaction_same_agency" in message
    with transaction.atomic():
        kept = notice(contact.agency_id)
    assert MenteeEnforcementNotice.objects.filter(pk=kept.pk, agency_id=contact.agency_id).exists()


def test_a_teachers_feedback_stays_in_its_sessions_agency(demo: str) -> None:
    feedback = TeacherFeedback.objects.order_by("pk")[0]
    other = _another_agency(feedback.agency_id)

    message = _refused(lambda: TeacherFeedback.objects.filter(pk=feedback.pk).update(agency=other))

    assert "programs_teacherfeedback_session_same_agency" in message
