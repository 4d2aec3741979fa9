"""The enforcement rollups (liaison/interactions/enforcement_rollups.py) follow every writer of actions
and always equal a recount from the records."""

from __future__ import annotations

import datetime
import io
import uuid

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from liaison.demo.scale import ScalePlan, generate
from liaison.interactions.enforcement_rollups import enforcement_rollup_counted, enforcement_rollup_rebuild
from liaison.interactions.models import EnforcementRollup

from .import_files import ARREST as IMPORTED_ARREST
from .import_files import HIGH, contact, import_file, write_csv

NOW = datetime.datetime(2026, 3, 10, 14, 30, tzinfo=datetime.UTC)
MARCH, FEBRUARY = datetime.date(2026, 3, 1), datetime.date(2026, 2, 1)

ARREST = {
    "action_type": "arrest",
    "reason_category": "assault_with_injury",
    "nibrs_code": "13A",
    "requested_by": "administrator",
    "admin_consulted": True,
    "admin_consulted_role": "administrator",
    "student_grade": "10",
    "race_ethnicity": "black",
    "sex": "male",
    "disability": "none",
    "english_learner": "no",
    "demographics_source": "school_record",
}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def live() -> dict[tuple, int]:
    """The stored cells that count something: (school, month, action type, referral, arrest, race) -> n."""
    return {
        (r.agency_id, r.district_id, r.school_id, r.month, r.action_type, r.counts_as_referral,
         r.counts_as_arrest, r.race_ethnicity): r.count
        for r in EnforcementRollup.objects.filter(count__gt=0)
    }  # fmt: skip


def counted() -> dict[tuple, int]:
    """The same cells recounted from the records."""
    return {
        (
            c["interaction__agency_id"], c["interaction__district_id"], c["interaction__school_id"],
            c["month"].date() if isinstance(c["month"], datetime.datetime) else c["month"], c["action_type"],
            c["counts_as_referral"], c["counts_as_arrest"], c["race_ethnicity"],
        ): c["n"]
        for c in enforcement_rollup_counted()
    }  # fmt: skip


def by_school_and_month(world) -> dict[tuple, int]:
    names = {world.elementary.pk: "elementary", world.high.pk: "high", world.other_school.pk: "harlow"}
    found: dict[tuple, int] = {}
    for (_, _, school, month, action, _, _, race), n in live().items():
        key = (names[school], month, action, race)
        found[key] = found.get(key, 0) + n
    return found


def _action(world, **extra):
    payload = {
        "school": str(world.elementary.uuid),
        "kind": "enforcement",
        "occurred_at": "2026-03-09T15:00:00Z",
        "enforcement": ARREST,
        "justification": "Needed to keep students safe.",  # no MOU is in force in these tests
        **extra,
    }
    return payload


def test_recording_changing_and_voiding_through_the_api_keep_the_counts(api_as, world):
    api = api_as("officer")
    arrest = api.post("/interactions", _action(world)).json()
    warning = {**ARREST, "action_type": "warning", "race_ethnicity": "white"}
    second = api.post("/interactions", _action(world, enforcement=warning)).json()
    assert "uuid" in second, second
    api.post("/interactions", {"school": str(world.elementary.uuid), "kind": "positive"})  # not an action
    assert by_school_and_month(world) == {
        ("elementary", MARCH, "arrest", "black"): 1,
        ("elementary", MARCH, "warning", "white"): 1,
    }
    assert live() == counted()

    assert api.patch(f"/interactions/{arrest['uuid']}", {"school": str(world.high.uuid)}).status_code == 200
    assert api.patch(f"/interactions/{second['uuid']}", {"occurred_at": "2026-02-27T15:00:00Z"}).status_code == 200
    api.patch(f"/interactions/{second['uuid']}", {"duration_minutes": 20})  # moves nothing
    assert by_school_and_month(world) == {
        ("high", MARCH, "arrest", "black"): 1,
        ("elementary", FEBRUARY, "warning", "white"): 1,
    }
    assert live() == counted()

    assert api.post(f"/interactions/{arrest['uuid']}/void", {"reason": "Entered twice."}).status_code == 200
    assert by_school_and_month(world) == {("elementary", FEBRUARY, "warning", "white"): 1}
    assert live() == counted()

    call_command("rebuild_rollups", stdout=io.StringIO())
    assert live() == counted() == {k: v for k, v in live().items() if v}
    assert not EnforcementRollup.objects.filter(count=0).exists()  # a rebuild keeps only what counts


def test_the_enforcement_form_counts_its_action(page_as, world):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "school": str(world.high.uuid),
        "occurred_at": "2026-03-10T09:15",
        **{k: v for k, v in ARREST.items() if k != "admin_consulted"},
        "admin_consulted": "yes",
        "race_ethnicity": "hispanic_latino",
        "action_type": "court_referral",
        "nibrs_code": "",
        "justification": "The student was hurting another student.",
    }
    response = page_as("officer").post("/log/enforcement/new/", data)
    assert response.status_code in (200, 302)
    assert by_school_and_month(world) == {("high", MARCH, "court_referral", "hispanic_latino"): 1}
    assert live() == counted()


def test_a_quick_log_contact_is_no_action(page_as, world):
    page_as("officer").post(
        reverse("interactions:quick_log"), {"kind": "positive", "school": str(world.elementary.uuid)}
    )
    assert not EnforcementRollup.objects.exists()


def test_an_import_counts_its_actions_as_it_writes_them(world, tmp_path, api_as):
    api_as("officer").post("/interactions", _action(world))  # already counted, not counted again
    rows = [
        contact(kind="enforcement", **IMPORTED_ARREST),
        contact(kind="enforcement", **{**IMPORTED_ARREST, "race_ethnicity": "white", "action_type": "search"}),
        contact(kind="enforcement", occurred_at="2026-02-03 10:00", school_nces_id=HIGH, **IMPORTED_ARREST),
        contact(
            kind="enforcement",
            action_type="warning",
            reason_category="fight_no_injury",
            requested_by="self",
            admin_consulted="false",
            demographics_source="perceived",
        ),  # no demographics: unknown
        contact(kind="positive"),
    ]
    import_file(write_csv(tmp_path, rows), world.agency)
    assert by_school_and_month(world) == {
        ("elementary", MARCH, "arrest", "black"): 2,
        ("elementary", MARCH, "search", "white"): 1,
        ("high", FEBRUARY, "arrest", "black"): 1,
        ("elementary", MARCH, "warning", "unknown"): 1,
    }
    assert live() == counted()
    import_file(write_csv(tmp_path, rows[:1] + [contact(kind="enforcement", **IMPORTED_ARREST)]), world.agency)
    assert live() == counted()


def test_a_failed_import_counts_nothing(world, tmp_path):
    rows = [contact(kind="enforcement", **IMPORTED_ARREST), contact(school_nces_id="999999999999")]
    with pytest.raises(Exception):  # noqa: B017 (the command reports the bad row and fails)
        import_file(write_csv(tmp_path, rows), world.agency)
    assert not EnforcementRollup.objects.exists()


def test_a_chunk_undone_counts_its_actions_once(world, tmp_path, monkeypatch):
    """A chunk's counts join the import's once it is stored; when storing it fails (an id stored
    before), the chunk is written again without that row and its actions are counted once."""
    from liaison.interactions import imports

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    stored = contact(client_uuid=str(uuid.uuid4()))
    import_file(write_csv(tmp_path, [stored], name="first.csv"), world.agency)
    arrest = contact(client_uuid=str(uuid.uuid4()), kind="enforcement", **IMPORTED_ARREST)
    rows = [contact(client_uuid=str(uuid.uuid4())), contact(client_uuid=str(uuid.uuid4())), arrest, stored]
    import_file(write_csv(tmp_path, rows, name="second.csv"), world.agency)
    assert sum(live().values()) == 1
    assert live() == counted()


def test_the_generator_counts_its_actions_and_a_rebuild_agrees(db):
    generate(ScalePlan(state="MA", officers=8, contacts=6_000, school_year="2024-2025", seed=5))
    generated = live()
    assert sum(generated.values()) > 50
    assert generated == counted()
    enforcement_rollup_rebuild()
    assert live() == generated
