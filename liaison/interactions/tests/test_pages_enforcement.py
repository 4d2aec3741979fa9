"""The enforcement form, a record's page, and changing or voiding a record over time."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from liaison.accounts.models import AuditEntry
from liaison.agreements.evaluation import NO_MOU_IN_FORCE
from liaison.agreements.services import JUSTIFICATION_REQUIRED
from liaison.directory import services as directory_services
from liaison.directory.models import School
from liaison.interactions import services, views
from liaison.interactions.forms import CRDC_NOTE, NIBRS_UNKNOWN, STUDENT_ID_HELP
from liaison.interactions.models import Amendment, EnforcementDetail, Interaction
from liaison.lib.pseudonyms import STUDENT_ID_INVALID

# Tuesday 10 March 2026, 10:30 in Millbrook (EDT, UTC-4).
NOW = datetime.datetime(2026, 3, 10, 14, 30, tzinfo=datetime.UTC)
MILLBROOK = zoneinfo.ZoneInfo("America/New_York")
NEW = "/log/enforcement/new/"
REQUIRED = "This field is required."


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _arrest(world, **changes):
    """A complete arrest as the form posts it (times in the agency's zone)."""
    data = {
        "client_uuid": str(uuid.uuid4()),
        "school": str(world.high.uuid),
        "occurred_at": "2026-03-10T09:15",
        "action_type": "arrest",
        "reason_category": "assault_with_injury",
        "nibrs_code": "13A",
        "requested_by": "administrator",
        "admin_consulted": "yes",
        "admin_consulted_role": "administrator",
        "student_grade": "10",
        "race_ethnicity": "black",
        "sex": "male",
        "disability": "none",
        "english_learner": "no",
        "demographics_source": "school_record",
        "rms_report_number": "26-001234",
        "duration_minutes": "40",
        "setting": "hallway",
        "note": "",
        # No MOU is in force in these tests, so every action needs the officer's justification.
        "justification": "The student was hurting another student.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _post(client, data):
    return client.post(NEW, data)


def _enable_student_keys(world, district=None):
    services.student_keys_enable(actor=world.users["platform_admin"], district=district or world.district)


# --- the form ------------------------------------------------------------------------------------------


def test_the_form_shows_the_crdc_note_and_a_searchable_nibrs_list(page_as):
    body = page_as("officer").get(NEW).content.decode()
    assert CRDC_NOTE == "Arrests, citations and court referrals also count as referrals to law enforcement."
    assert CRDC_NOTE in body
    assert 'list="nibrs-codes"' in body
    assert '<option value="13B">13B Simple assault</option>' in body


def test_there_is_no_field_for_a_students_name(page_as):
    form = page_as("officer").get(NEW).context["form"]
    assert not [name for name in form.fields if "name" in name]
    assert not [name for name in form.fields if "birth" in name or "address" in name]


def test_demographics_default_to_unknown_and_perception(page_as):
    form = page_as("officer").get(NEW).context["form"]
    assert {name: form[name].value() for name in ("student_grade", "race_ethnicity", "sex", "disability")} == {
        "student_grade": "unknown",
        "race_ethnicity": "unknown",
        "sex": "unknown",
        "disability": "unknown",
    }
    assert form["english_learner"].value() == "unknown"
    assert form["demographics_source"].value() == "perceived"


def test_the_school_defaults_to_the_assignment_and_the_time_to_now_in_the_agencys_zone(page_as, world):
    response = page_as("officer").get(NEW)
    form = response.context["form"]
    assert form.initial["school"] == world.elementary
    assert f'<option value="{world.elementary.uuid}" selected>' in response.content.decode()
    assert form.initial["occurred_at"].isoformat() == "2026-03-10T10:30:00-04:00"


def test_the_form_asks_for_a_justification_with_the_mou_check(page_as):
    response = page_as("officer").get(NEW)
    assert "interactions/partials/mou_check.html" in [t.name for t in response.templates]
    assert 'name="justification"' in response.content.decode()


def test_without_a_justification_an_action_outside_any_mou_is_not_saved(page_as, world):
    response = _post(page_as("officer"), _arrest(world, justification=""))
    assert response.status_code == 200
    assert JUSTIFICATION_REQUIRED in response.content.decode()
    assert EnforcementDetail.objects.count() == 0


# --- saving ---------------------------------------------------------------------------------------------


def test_an_officer_records_an_arrest_and_lands_on_its_page(page_as, world):
    client = page_as("officer")
    response = _post(client, _arrest(world))
    record = Interaction.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("interactions:detail", args=[record.uuid])
    assert (record.kind, record.role, record.officer, record.school) == (
        "enforcement",
        "law_enforcement",
        world.officer,
        world.high,
    )
    assert record.occurred_at == datetime.datetime(2026, 3, 10, 13, 15, tzinfo=datetime.UTC)
    assert (record.duration_minutes, record.setting, record.source) == (40, "hallway", "form")
    detail = record.enforcement
    assert (detail.counts_as_referral, detail.counts_as_arrest) == (True, True)
    assert (detail.nibrs_code, detail.race_ethnicity, detail.demographics_source) == (
        "13A",
        "black",
        "school_record",
    )
    page = client.get(response.url).content.decode()
    told = views.ENFORCEMENT_SAVED_FLAGGED.format(outcome="no mou in force", explanation=NO_MOU_IN_FORCE)
    assert told.replace("'", "&#x27;") in page
    assert "School-related arrest" in page and "Black or African American" in page


def test_a_warning_is_neither_a_referral_nor_an_arrest(page_as, world):
    _post(page_as("officer"), _arrest(world, action_type="warning", nibrs_code=""))
    detail = EnforcementDetail.objects.get()
    assert (detail.counts_as_referral, detail.counts_as_arrest, detail.nibrs_code) == (False, False, "")


def test_missing_answers_are_named_and_nothing_is_written(page_as, world):
    data = _arrest(world, action_type="", reason_category="", requested_by="", admin_consulted=None)
    response = _post(page_as("officer"), data)
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert {name: errors[name] for name in ("action_type", "reason_category", "requested_by", "admin_consulted")} == {
        "action_type": [REQUIRED],
        "reason_category": [REQUIRED],
        "requested_by": [REQUIRED],
        "admin_consulted": [REQUIRED],
    }
    assert "Nothing was saved" in response.content.decode()
    assert Interaction.objects.count() == EnforcementDetail.objects.count() == 0


def test_an_unknown_nibrs_code_is_refused_at_its_field(page_as, world):
    response = _post(page_as("officer"), _arrest(world, nibrs_code="99X"))
    assert response.context["form"].errors["nibrs_code"] == [NIBRS_UNKNOWN]
    assert Interaction.objects.count() == 0


def test_a_nibrs_code_may_be_typed_with_its_label_or_in_lower_case(page_as, world):
    client = page_as("officer")
    _post(client, _arrest(world, nibrs_code="13b Simple assault"))
    _post(client, _arrest(world, nibrs_code="90c"))
    assert sorted(EnforcementDetail.objects.values_list("nibrs_code", flat=True)) == ["13B", "90C"]


def test_a_consulted_role_without_a_consultation_is_refused_at_its_field(page_as, world):
    response = _post(page_as("officer"), _arrest(world, admin_consulted="no"))
    errors = response.context["form"].errors
    assert errors["admin_consulted_role"] == [services.CONSULTED_ROLE_WITHOUT_CONSULTATION]
    assert Interaction.objects.count() == 0


def test_a_time_in_the_future_is_refused_at_the_time_field(page_as, world):
    response = _post(page_as("officer"), _arrest(world, occurred_at="2026-03-10T12:00"))
    assert response.context["form"].errors["occurred_at"] == [services.IN_THE_FUTURE]
    assert Interaction.objects.count() == 0


def test_posting_the_same_form_twice_stores_one_record(page_as, world):
    client = page_as("officer")
    data = _arrest(world)
    first, second = _post(client, data), _post(client, data)
    assert first.url == second.url
    assert Interaction.objects.count() == EnforcementDetail.objects.count() == 1


def test_a_supervisor_records_an_action_for_an_officer_of_their_agency(page_as, world):
    client = page_as("supervisor")
    form = client.get(NEW).context["form"]
    assert [officer.pk for officer in form.fields["officer"].queryset] == [world.officer.pk]
    _post(client, _arrest(world, officer=str(world.officer.uuid)))
    record = Interaction.objects.get()
    assert (record.officer, record.created_by) == (world.officer, world.users["supervisor"])


def test_a_supervisor_cannot_record_for_another_agencys_officer(page_as, world):
    response = _post(page_as("supervisor"), _arrest(world, officer=str(world.other_officer.uuid)))
    assert "officer" in response.context["form"].errors
    assert Interaction.objects.count() == 0


def test_an_officer_is_not_offered_an_officer_choice(page_as):
    assert "officer" not in page_as("officer").get(NEW).context["form"].fields


# --- pseudonymous student keys --------------------------------------------------------------------------


def test_the_student_id_field_is_offered_only_where_the_district_uses_student_keys(page_as, world):
    client = page_as("officer")
    assert 'name="student_id"' not in client.get(NEW).content.decode()
    _enable_student_keys(world)
    body = client.get(NEW).content.decode()
    assert 'name="student_id"' in body
    assert STUDENT_ID_HELP in body
    assert 'data-student-keys="on"' in body


def _database_contains(text: str) -> bool:
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            for column in connection.introspection.get_table_description(cursor, table):
                sql = f'SELECT 1 FROM "{table}" WHERE CAST("{column.name}" AS TEXT) LIKE %s LIMIT 1'
                cursor.execute(sql, [f"%{text}%"])
                if cursor.fetchone():
                    return True
    return False


def test_a_student_id_becomes_a_key_and_is_never_stored(page_as, world):
    _enable_student_keys(world)
    client = page_as("officer")
    _post(client, _arrest(world, student_id="S7654321"))
    _post(client, _arrest(world, student_id=" S7654321 ", school=str(world.elementary.uuid)))
    keys = list(EnforcementDetail.objects.values_list("student_key", flat=True))
    assert len(keys) == 2 and keys[0] == keys[1] and len(keys[0]) == 64
    assert not _database_contains("S7654321")


def test_a_malformed_student_id_is_refused_at_its_field(page_as, world):
    _enable_student_keys(world)
    response = _post(page_as("officer"), _arrest(world, student_id="Jane Doe"))
    assert response.context["form"].errors["student_id"] == [STUDENT_ID_INVALID]
    assert Interaction.objects.count() == 0


def test_a_student_id_at_a_school_whose_district_has_no_keys_is_refused(page_as, world):
    root = world.users["platform_admin"]
    valley = directory_services.district_create(actor=root, name="Valley Regional", state="MA", nces_id="2500002")
    directory_services.partnership_create(
        actor=root, agency=world.agency, district=valley, start_date=datetime.date(2020, 7, 1)
    )
    valley_high = directory_services.school_create(
        actor=root,
        district=valley,
        name="Valley High",
        nces_id="250000200001",
        level=School.Level.HIGH,
        lowest_grade=9,
        highest_grade=12,
    )
    _enable_student_keys(world)
    response = _post(page_as("officer"), _arrest(world, school=str(valley_high.uuid), student_id="S1"))
    assert response.context["form"].errors["student_id"] == [services.STUDENT_KEYS_DISABLED]
    assert Interaction.objects.count() == 0


# --- a record's page --------------------------------------------------------------------------------------


@pytest.fixture
def arrest(world):
    return services.interaction_record(
        justification="Recorded for the test.",
        actor=world.officer.user,
        officer=world.officer,
        school=world.elementary,
        kind="enforcement",
        occurred_at=NOW - datetime.timedelta(hours=1),
        enforcement={
            "action_type": "arrest",
            "reason_category": "weapon",
            "nibrs_code": "520",
            "requested_by": "dispatch",
            "admin_consulted": False,
            "race_ethnicity": "hispanic_latino",
            "demographics_source": "perceived",
        },
    ).interaction


@pytest.fixture
def contact(world):
    return services.interaction_record(
        justification="Recorded for the test.",
        actor=world.officer.user,
        officer=world.officer,
        school=world.elementary,
        kind="positive",
        occurred_at=NOW - datetime.timedelta(minutes=30),
        duration_minutes=5,
    ).interaction


def _detail(record) -> str:
    return reverse("interactions:detail", args=[record.uuid])


def test_reading_an_enforcement_records_demographics_on_its_page_is_audited(page_as, arrest):
    body = page_as("school_admin").get(_detail(arrest)).content.decode()
    assert "Hispanic or Latino" in body and "520 Weapon law violations" in body
    read = AuditEntry.objects.get(action="read", actor_username="school_admin")
    assert read.after == {"uuids": [str(arrest.uuid)]}
    assert read.summary == "Read 1 enforcement record(s) through the record page"


def test_reading_a_contact_is_not_an_audited_read(page_as, contact):
    assert page_as("supervisor").get(_detail(contact)).status_code == 200
    assert not AuditEntry.objects.filter(action="read").exists()


def test_the_record_page_stays_within_its_query_budget(page_as, world, arrest, django_assert_max_num_queries):
    services.interaction_change(
        actor=world.users["supervisor"], interaction=arrest, changes={"duration_minutes": 20}, reason="Timed"
    )
    client = page_as("supervisor")
    client.get(_detail(arrest))
    with django_assert_max_num_queries(10):
        response = client.get(_detail(arrest))
    assert response.status_code == 200


# --- changing and voiding --------------------------------------------------------------------------------


def _edit(record) -> str:
    return reverse("interactions:edit", args=[record.uuid])


def _edit_data(client, record, **changes):
    """What the edit form posts when the user changes only `changes`."""
    form = client.get(_edit(record)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: ("" if value is None else value) for name, value in data.items()}
    data["occurred_at"] = timezone.localtime(form.initial["occurred_at"], MILLBROOK).strftime("%Y-%m-%dT%H:%M")
    data["school"] = str(record.school.uuid)
    data["instead_of_enforcement"] = "unknown"
    data.update(changes)
    return data


def test_the_officer_edits_their_record_within_72_hours_without_an_amendment(page_as, contact):
    with time_machine.travel(NOW + datetime.timedelta(hours=71), tick=False):
        client = page_as("officer")  # signed in anew: a session lasts hours, not days
        response = client.post(_edit(contact), _edit_data(client, contact, duration_minutes="10"))
    assert response.url == _detail(contact)
    contact.refresh_from_db()
    assert contact.duration_minutes == 10
    assert contact.occurred_at == NOW - datetime.timedelta(minutes=30)  # untouched: its seconds are kept
    assert Amendment.objects.count() == 0


def test_after_72_hours_a_change_needs_a_reason_and_is_kept_as_an_amendment(page_as, contact):
    with time_machine.travel(NOW + datetime.timedelta(hours=73), tick=False):
        client = page_as("officer")
        refused = client.post(_edit(contact), _edit_data(client, contact, duration_minutes="10"))
        assert refused.context["form"].errors["reason"] == [REQUIRED]
        assert Amendment.objects.count() == 0
        done = client.post(_edit(contact), _edit_data(client, contact, duration_minutes="10", reason="Typo"))
        assert done.url == _detail(contact)
        page = client.get(_detail(contact)).content.decode()
    amendment = Amendment.objects.get()
    assert (amendment.reason, amendment.before["duration_minutes"], amendment.after["duration_minutes"]) == (
        "Typo",
        5,
        10,
    )
    assert "Reason: Typo" in page
    assert '<th scope="row">Duration (minutes)</th><td>5</td><td>10</td>' in page


def test_a_supervisors_change_is_always_an_amendment(page_as, contact, world):
    client = page_as("supervisor")
    data = _edit_data(client, contact, kind="safety", role="law_enforcement", reason="It was a drill")
    client.post(_edit(contact), data)
    contact.refresh_from_db()
    assert (contact.kind, contact.role) == ("safety", "law_enforcement")
    assert Amendment.objects.get().amended_by == world.users["supervisor"]


def test_a_change_with_a_phone_number_in_the_note_is_refused_at_the_note(page_as, contact):
    client = page_as("officer")
    response = client.post(_edit(contact), _edit_data(client, contact, note="Call 617-555-0199"))
    assert "note" in response.context["form"].errors
    contact.refresh_from_db()
    assert contact.note == ""


def test_voiding_needs_a_reason_and_keeps_the_record(page_as, contact):
    client = page_as("officer")
    void = reverse("interactions:void", args=[contact.uuid])
    refused = client.post(void, {"reason": ""})
    assert refused.context["void_form"].errors["reason"] == [REQUIRED]
    response = client.post(void, {"reason": "Entered twice"})
    assert response.url == _detail(contact)
    contact.refresh_from_db()
    assert contact.voided
    page = client.get(_detail(contact)).content.decode()
    assert "Voided" in page and "Entered twice" in page
    assert client.get(_edit(contact)).status_code == 302


def test_a_school_admin_sees_a_record_but_cannot_change_it(page_as, contact):
    client = page_as("school_admin")
    page = client.get(_detail(contact)).content.decode()
    assert 'href="/log/' + str(contact.uuid) + '/edit/"' not in page
    assert client.get(_edit(contact)).status_code == 403
