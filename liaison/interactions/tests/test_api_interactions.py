"""Recording contacts and enforcement actions through the API."""

from __future__ import annotations

import datetime
import uuid

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from liaison.accounts.models import AuditEntry
from liaison.interactions import services
from liaison.interactions.models import Amendment, DailyRollup, EnforcementDetail, Interaction
from liaison.lib.identifying_text import BIRTH_DATE_IN_TEXT, EMAIL_IN_TEXT, PHONE_IN_TEXT
from liaison.lib.pseudonyms import STUDENT_ID_INVALID

NOW = datetime.datetime(2026, 3, 10, 14, 30, tzinfo=datetime.UTC)

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
    "rms_report_number": "26-001234",
}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _contact(world, **extra):
    payload = {"school": str(world.elementary.uuid), "kind": "positive", **extra}
    if payload["kind"] == "enforcement":  # no MOU is in force in these tests, so a justification is needed
        payload.setdefault("justification", "Needed to keep students safe.")
    return payload


def test_an_officer_records_a_positive_contact_with_two_fields(api_as, world):
    response = api_as("officer").post("/interactions", _contact(world))
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "positive"
    assert body["role"] == "mentor"
    assert body["occurred_on"] == "2026-03-10"
    assert body["officer"] == str(world.officer.uuid)


def test_the_local_day_follows_the_agencys_time_zone(api_as, world):
    late_evening_in_boston = "2026-03-10T03:00:00Z"
    body = api_as("officer").post("/interactions", _contact(world, occurred_at=late_evening_in_boston)).json()
    assert body["occurred_on"] == "2026-03-09"


def test_sending_the_same_client_uuid_twice_stores_one_record(api_as, world):
    api = api_as("officer")
    payload = _contact(world, client_uuid=str(uuid.uuid4()))
    first = api.post("/interactions", payload)
    second = api.post("/interactions", payload)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["uuid"] == second.json()["uuid"] == payload["client_uuid"]
    assert Interaction.objects.count() == 1
    assert DailyRollup.objects.get().count == 1


def test_another_users_client_uuid_is_a_conflict(api_as, world):
    payload = _contact(world, client_uuid=str(uuid.uuid4()))
    api_as("officer").post("/interactions", payload)
    payload["officer"] = str(world.officer.uuid)
    response = api_as("supervisor").post("/interactions", payload)
    assert response.status_code == 409
    assert "client_uuid" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("note", "problem"),
    [
        ("Talked with jay.doe@example.org about the game", EMAIL_IN_TEXT),
        ("Mom asked to call back at (617) 555-0199", PHONE_IN_TEXT),
        ("Student born 4/12/2011 asked about careers", BIRTH_DATE_IN_TEXT),
        ("DOB 2012-09-01", BIRTH_DATE_IN_TEXT),
    ],
)
def test_notes_that_could_identify_someone_are_refused(api_as, world, note, problem):
    response = api_as("officer").post("/interactions", _contact(world, note=note))
    assert response.status_code == 400
    assert problem in response.json()["error"]["fields"]["note"]
    assert Interaction.objects.count() == 0
    assert AuditEntry.objects.filter(object_type="interactions.interaction").count() == 0


def test_a_plain_note_with_a_meeting_date_is_fine(api_as, world):
    response = api_as("officer").post(
        "/interactions", _contact(world, note="Lunch duty; game on 3/14/2026 with grade 5")
    )
    assert response.status_code == 201


def test_a_note_longer_than_500_characters_is_refused(api_as, world):
    response = api_as("officer").post("/interactions", _contact(world, note="x" * 501))
    assert response.status_code == 400
    assert "note" in response.json()["error"]["fields"]


def test_an_unknown_kind_names_the_field(api_as, world):
    response = api_as("officer").post("/interactions", _contact(world, kind="chat"))
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


def test_a_time_in_the_future_is_refused(api_as, world):
    response = api_as("officer").post("/interactions", _contact(world, occurred_at="2026-03-11T14:30:00Z"))
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["occurred_at"] == [services.IN_THE_FUTURE]


def test_a_school_the_agency_does_not_serve_is_refused(api_as, world):
    response = api_as("officer").post("/interactions", {"school": str(world.other_school.uuid), "kind": "positive"})
    assert response.status_code == 400
    assert "school" in response.json()["error"]["fields"]


def test_an_officer_may_record_at_an_unassigned_school_the_agency_serves(api_as, world):
    response = api_as("officer").post("/interactions", {"school": str(world.high.uuid), "kind": "safety"})
    assert response.status_code == 201
    assert response.json()["role"] == "law_enforcement"


def test_the_role_follows_the_kind_and_can_be_changed(api_as, world):
    body = (
        api_as("officer")
        .post("/interactions", _contact(world, kind="staff", role="mentor", staff_role="counselor"))
        .json()
    )
    assert body["role"] == "mentor"
    assert body["staff_role"] == "counselor"


def test_a_service_belongs_only_on_referrals(api_as, world):
    api = api_as("officer")
    ok = api.post("/interactions", _contact(world, kind="referral", service="diversion", instead_of_enforcement=True))
    assert ok.status_code == 201
    assert ok.json()["instead_of_enforcement"] is True
    bad = api.post("/interactions", _contact(world, service="diversion"))
    assert bad.json()["error"]["fields"]["service"] == [services.SERVICE_ONLY_FOR_REFERRALS]


# --- enforcement --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "referral", "arrest"),
    [
        ("arrest", True, True),
        ("court_referral", True, False),
        ("criminal_citation", True, False),
        ("noncriminal_citation", True, False),
        ("referral_to_law_enforcement", True, False),
        ("warning", False, False),
        ("search", False, False),
        ("use_of_force", False, False),
    ],
)
def test_crdc_referrals_and_arrests_are_derived_from_the_action(api_as, world, action, referral, arrest):
    payload = _contact(world, kind="enforcement", enforcement={**ARREST, "action_type": action})
    body = api_as("officer").post("/interactions", payload).json()
    assert body["enforcement"]["counts_as_referral"] is referral
    assert body["enforcement"]["counts_as_arrest"] is arrest


def test_an_enforcement_action_needs_its_details(api_as, world):
    response = api_as("officer").post("/interactions", _contact(world, kind="enforcement"))
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["enforcement"] == [services.ENFORCEMENT_DETAIL_REQUIRED]


def test_a_positive_contact_cannot_carry_enforcement_details(api_as, world):
    response = api_as("officer").post("/interactions", _contact(world, enforcement=ARREST))
    assert response.json()["error"]["fields"]["enforcement"] == [services.ENFORCEMENT_DETAIL_NOT_ALLOWED]


def test_a_missing_demographics_source_names_the_nested_field(api_as, world):
    details = {k: v for k, v in ARREST.items() if k != "demographics_source"}
    response = api_as("officer").post("/interactions", _contact(world, kind="enforcement", enforcement=details))
    assert response.status_code == 400
    assert "enforcement.demographics_source" in response.json()["error"]["fields"]


def test_demographics_default_to_unknown(api_as, world):
    details = {
        "action_type": "warning",
        "reason_category": "fight_no_injury",
        "requested_by": "self",
        "admin_consulted": False,
        "demographics_source": "perceived",
    }
    body = api_as("officer").post("/interactions", _contact(world, kind="enforcement", enforcement=details)).json()
    detail = api_as("officer").get(f"/interactions/{body['uuid']}").json()["enforcement"]
    assert (detail["race_ethnicity"], detail["sex"], detail["disability"], detail["english_learner"]) == (
        "unknown",
        "unknown",
        "unknown",
        "unknown",
    )


# --- pseudonymous student keys ------------------------------------------------------------------------


def _arrest_with_student(world, student_id, school=None):
    return {
        "school": str((school or world.elementary).uuid),
        "kind": "enforcement",
        "enforcement": {**ARREST, "student_id": student_id},
        "justification": "Needed to keep students safe.",
    }


def test_a_student_id_is_refused_where_the_district_has_not_enabled_keys(api_as, world):
    response = api_as("officer").post("/interactions", _arrest_with_student(world, "S123456"))
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["student_id"] == [services.STUDENT_KEYS_DISABLED]


def test_the_same_student_gets_the_same_key_and_the_id_is_not_stored(api_as, world):
    services.student_keys_enable(actor=world.users["district_admin"], district=world.district)
    api = api_as("officer")
    first = api.post("/interactions", _arrest_with_student(world, "S123456")).json()
    second = api.post("/interactions", _arrest_with_student(world, " S123456 ", world.high)).json()
    other = api.post("/interactions", _arrest_with_student(world, "S999999")).json()
    keys = [api.get(f"/interactions/{r['uuid']}").json()["enforcement"]["student_key"] for r in (first, second, other)]
    assert keys[0] == keys[1] != keys[2]
    assert len(keys[0]) == 64
    assert not _database_contains("S123456")


def test_keys_from_different_districts_never_match(world):
    services.student_keys_enable(actor=world.users["platform_admin"], district=world.district)
    services.student_keys_enable(actor=world.users["platform_admin"], district=world.other_district)
    here = services.student_key_for(school=world.elementary, student_id="S1")
    there = services.student_key_for(school=world.other_school, student_id="S1")
    assert here != there


def test_a_malformed_student_id_is_refused(api_as, world):
    services.student_keys_enable(actor=world.users["district_admin"], district=world.district)
    response = api_as("officer").post("/interactions", _arrest_with_student(world, "Jane Doe"))
    assert response.json()["error"]["fields"]["student_id"] == [STUDENT_ID_INVALID]


def _database_contains(text: str) -> bool:
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        for table in tables:
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            for column in columns:
                cursor.execute(f'SELECT 1 FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE %s LIMIT 1', [f"%{text}%"])
                if cursor.fetchone():
                    return True
    return False


def test_reading_an_enforcement_record_is_audited(api_as, world):
    created = api_as("officer").post("/interactions", _contact(world, kind="enforcement", enforcement=ARREST)).json()
    api_as("school_admin").get(f"/interactions/{created['uuid']}")
    read = AuditEntry.objects.filter(action="read", actor_username="school_admin").get()
    assert read.after == {"uuids": [created["uuid"]]}


def test_lists_show_no_demographics_or_student_keys(api_as, world):
    api_as("officer").post("/interactions", _contact(world, kind="enforcement", enforcement=ARREST))
    row = api_as("supervisor").get("/interactions").json()["results"][0]
    assert set(row["enforcement"]) == {
        "action_type",
        "counts_as_referral",
        "counts_as_arrest",
        "reason_category",
        "nibrs_code",
    }


# --- changes over time -----------------------------------------------------------------------------------


def test_the_officer_edits_their_own_record_within_72_hours_without_an_amendment(api_as, world):
    api = api_as("officer")
    created = api.post("/interactions", _contact(world)).json()
    with time_machine.travel(NOW + datetime.timedelta(hours=71), tick=False):
        response = api.patch(f"/interactions/{created['uuid']}", {"duration_minutes": 10})
    assert response.status_code == 200
    assert response.json()["duration_minutes"] == 10
    assert Amendment.objects.count() == 0


def test_after_72_hours_a_change_is_an_amendment_that_needs_a_reason(api_as, world):
    api = api_as("officer")
    created = api.post("/interactions", _contact(world, duration_minutes=5)).json()
    with time_machine.travel(NOW + datetime.timedelta(hours=73), tick=False):
        refused = api.patch(f"/interactions/{created['uuid']}", {"duration_minutes": 10})
        assert refused.status_code == 400
        assert refused.json()["error"]["fields"]["reason"] == [services.REASON_REQUIRED]
        amended = api.patch(f"/interactions/{created['uuid']}", {"duration_minutes": 10, "reason": "Typo"})
    assert amended.status_code == 200
    amendment = amended.json()["amendments"][0]
    assert amendment["before"]["duration_minutes"] == 5
    assert amendment["after"]["duration_minutes"] == 10
    assert amendment["amended_by"] == "officer"


def test_a_supervisors_change_is_always_an_amendment(api_as, world):
    created = api_as("officer").post("/interactions", _contact(world)).json()
    response = api_as("supervisor").patch(
        f"/interactions/{created['uuid']}", {"kind": "safety", "role": "law_enforcement"}
    )
    assert response.json()["error"]["fields"]["reason"] == [services.REASON_REQUIRED]
    response = api_as("supervisor").patch(
        f"/interactions/{created['uuid']}", {"kind": "safety", "role": "law_enforcement", "reason": "Was a drill"}
    )
    assert response.status_code == 200
    assert Amendment.objects.get().reason == "Was a drill"


def test_voiding_keeps_the_record_and_removes_it_from_counts(api_as, world):
    api = api_as("officer")
    created = api.post("/interactions", _contact(world)).json()
    voided = api.post(f"/interactions/{created['uuid']}/void", {"reason": "Entered twice"})
    assert voided.status_code == 200
    assert voided.json()["voided"] is True
    assert Interaction.objects.filter(uuid=created["uuid"]).exists()
    assert DailyRollup.objects.get().count == 0
    assert api.get("/interactions").json()["results"] == []
    assert len(api.get("/interactions", include_void=True).json()["results"]) == 1
    again = api.post(f"/interactions/{created['uuid']}/void", {"reason": "Again"})
    assert again.status_code == 400


def test_rollups_follow_records_and_a_rebuild_agrees(api_as, world):
    api = api_as("officer")
    api.post("/interactions", _contact(world, duration_minutes=10, student_count=3))
    api.post("/interactions", _contact(world, duration_minutes=20))
    api.post("/interactions", _contact(world))
    moved = api.post("/interactions", _contact(world, kind="instruction", duration_minutes=45, student_count=25)).json()
    api.patch(f"/interactions/{moved['uuid']}", {"school": str(world.high.uuid)})
    live = _rollup_table()
    assert live[("Millbrook Elementary", "positive", "mentor")] == (3, 30, 2, 3)
    assert live[("Millbrook High", "instruction", "educator")] == (1, 45, 1, 25)
    assert live[("Millbrook Elementary", "instruction", "educator")] == (0, 0, 0, 0)
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))
    rebuilt = _rollup_table()
    assert {k: v for k, v in live.items() if v[0]} == rebuilt


def _rollup_table() -> dict:
    return {
        (r.school.name, r.kind, r.role): (r.count, r.minutes, r.minutes_count, r.students)
        for r in DailyRollup.objects.select_related("school")
    }


def test_lists_filter_and_page_by_cursor(api_as, world):
    api = api_as("officer")
    for hour in range(5):
        api.post("/interactions", _contact(world, occurred_at=f"2026-03-09T1{hour}:00:00Z"))
    api.post("/interactions", _contact(world, kind="safety"))
    page = api.get("/interactions", kind="positive", page_size=2).json()
    assert len(page["results"]) == 2
    assert page["next"]
    second = api.request("GET", page["next"].split("testserver")[-1])
    assert len(second.json()["results"]) == 2
    assert api.get("/interactions", since="2026-03-10").json()["results"][0]["kind"] == "safety"


def test_paging_through_the_list_gives_every_record_once_newest_first(api_as, world):
    api = api_as("officer")
    same_moment = "2026-03-09T14:00:00Z"
    for hour in range(7):
        api.post("/interactions", _contact(world, occurred_at=f"2026-03-0{hour + 2}T1{hour}:00:00Z"))
    for _ in range(4):  # ties on the same moment are broken by the record's id
        api.post("/interactions", _contact(world, occurred_at=same_moment))
    seen, path, pages = [], "/interactions?page_size=3", 0
    while path:
        page = api.request("GET", path).json()
        seen += [(r["occurred_on"], r["occurred_at"], r["uuid"]) for r in page["results"]]
        path = page["next"].split("testserver")[-1] if page["next"] else ""
        pages += 1
    assert pages == 4
    assert len(seen) == len(set(seen)) == 11
    assert seen == sorted(seen, reverse=True)


def test_the_list_shows_void_records_only_when_asked(api_as, world):
    api = api_as("officer")
    record = api.post("/interactions", _contact(world)).json()
    api.post(f"/interactions/{record['uuid']}/void", {"reason": "Entered twice."})
    assert api.get("/interactions").json()["results"] == []
    listed = api.get("/interactions", include_void="true").json()["results"]
    assert [(r["uuid"], r["voided"]) for r in listed] == [(record["uuid"], True)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"since": "2026-03-10", "until": "2026-03-01"}, "until"),
        ({"kind": "arrested"}, "kind"),
    ],
)
def test_a_bad_list_parameter_is_a_400_naming_it(api_as, world, params, field):
    response = api_as("supervisor").get("/interactions", **params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_no_enforcement_detail_row_exists_without_its_action(world):
    assert EnforcementDetail.objects.count() == 0
