"""Who may open the officer's pages: every member of the cast, against one shared set-up.

Allowed and denied cases make the same request on the same record, so a denial cannot pass for
the wrong reason (a missing record, a bad form).
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from liaison.conftest import ROLES
from liaison.interactions import services, views
from liaison.interactions.models import Interaction

NOW = datetime.datetime(2026, 3, 10, 14, 30, tzinfo=datetime.UTC)
SIGN_IN = "sign-in"

# role → expected answer; anything not listed is a 404 (the record exists but is not theirs).
QUICK_LOG = {"officer": 200, "anonymous": SIGN_IN} | {r: 403 for r in ROLES if r not in {"officer", "anonymous"}}
ENFORCEMENT_FORM = {
    "officer": 200,
    "supervisor": 200,
    "agency_admin": 200,
    "outsider_agency_admin": 200,
    "anonymous": SIGN_IN,
    "platform_admin": 403,
    "district_admin": 403,
    "school_admin": 403,
    "evaluator": 403,
    "outsider_district_admin": 403,
}
READ = {
    **dict.fromkeys(("officer", "supervisor", "agency_admin", "platform_admin", "district_admin", "school_admin"), 200),
    **dict.fromkeys(("evaluator", "outsider_agency_admin", "outsider_district_admin"), 404),
    "anonymous": SIGN_IN,
}
CHANGE = {**READ, "district_admin": 403, "school_admin": 403}
VOID = {**CHANGE, **dict.fromkeys(("officer", "supervisor", "agency_admin", "platform_admin"), 302)}
UNDO = {**VOID, **dict.fromkeys(("supervisor", "agency_admin", "platform_admin"), 403)}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def record(world):
    return services.interaction_record(
        justification="Recorded for the test.",
        actor=world.officer.user,
        officer=world.officer,
        school=world.elementary,
        kind="positive",
        occurred_at=NOW,
    ).interaction


def _answer(response) -> int | str:
    if response.status_code == 302 and response.url.startswith(reverse("accounts:login")):
        return SIGN_IN
    return response.status_code


def test_every_role_has_an_expected_answer_on_every_page():
    for expected in (QUICK_LOG, ENFORCEMENT_FORM, READ, CHANGE, VOID, UNDO):
        assert set(expected) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_only_officers_reach_the_quick_log(page_as, role):
    response = page_as(role).get(reverse("interactions:quick_log"))
    assert _answer(response) == QUICK_LOG[role]
    if response.status_code == 403:
        assert views.NOT_AN_OFFICER in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_officers_and_their_managers_reach_the_enforcement_form(page_as, role):
    response = page_as(role).get(reverse("interactions:enforcement_new"))
    assert _answer(response) == ENFORCEMENT_FORM[role]
    if response.status_code == 403:
        assert views.NOT_A_RECORDER in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_a_records_page_is_found_only_within_scope(page_as, record, role):
    response = page_as(role).get(reverse("interactions:detail", args=[record.uuid]))
    assert _answer(response) == READ[role]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_officer_and_the_agencys_managers_may_edit(page_as, record, role):
    response = page_as(role).get(reverse("interactions:edit", args=[record.uuid]))
    assert _answer(response) == CHANGE[role]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_officer_and_the_agencys_managers_may_void(page_as, record, role):
    response = page_as(role).post(reverse("interactions:void", args=[record.uuid]), {"reason": "Entered twice"})
    assert _answer(response) == VOID[role]
    assert Interaction.objects.get(pk=record.pk).voided is (VOID[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_officer_may_undo_their_own_tap(page_as, record, role):
    response = page_as(role).post(reverse("interactions:undo", args=[record.uuid]))
    assert _answer(response) == UNDO[role]
    assert Interaction.objects.get(pk=record.pk).voided is (UNDO[role] == 302)
