"""The quick log, the officer's home page: one tap records a contact at the right school, once."""

from __future__ import annotations

import datetime
import uuid

import pytest
import time_machine
from django.urls import reverse

from liaison.accounts.models import AuditEntry
from liaison.directory import services as directory_services
from liaison.interactions import services, views
from liaison.interactions.forms import CHOOSE_KIND, INSTEAD_ONLY_FOR_REFERRALS, NOTE_REMINDER
from liaison.interactions.models import Amendment, DailyRollup, Interaction
from liaison.lib.identifying_text import PHONE_IN_TEXT

# Tuesday 10 March 2026, 10:42 in Millbrook (EDT, UTC-4). Its week runs from Monday 9 to Sunday 15 March.
NOW = datetime.datetime(2026, 3, 10, 14, 42, tzinfo=datetime.UTC)
QUICK_LOG = "/log/"
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _tap(client, world, kind="positive", *, school=None, client_uuid=None, headers=None, **extra):
    data = {
        "client_uuid": str(client_uuid or uuid.uuid4()),
        "school": str((school or world.elementary).uuid),
        "kind": kind,
        **extra,
    }
    return client.post(QUICK_LOG, data, headers=headers or {})


def _checked_school(response) -> str:
    return response.context["form"]["school"].value()


# --- where the officer lands, and which school -----------------------------------------------------


def test_an_officers_home_leads_with_the_quick_log(page_as):
    """The officer's home is their work queue (workflows/queues.py); today's log comes first, with the quick log."""
    response = page_as("officer").get("/")
    assert response.status_code == 200
    assert reverse("interactions:quick_log") == QUICK_LOG
    first_section = response.text.split('class="card queue-section"')[1]
    assert f'href="{QUICK_LOG}">Log a contact</a>' in first_section


def test_the_school_defaults_to_the_officers_current_assignment(page_as, world):
    response = page_as("officer").get(QUICK_LOG)
    assert response.status_code == 200
    assert _checked_school(response) == str(world.elementary.uuid)
    assert [s.name for s in response.context["form"].schools.values()] == ["Millbrook Elementary"]


def test_with_two_assignments_the_larger_share_of_time_comes_first(page_as, world):
    root = world.users["platform_admin"]
    directory_services.assignment_end(actor=root, assignment=world.assignment, end_date=datetime.date(2026, 3, 1))
    start = datetime.date(2026, 3, 2)
    directory_services.assignment_create(
        actor=root, officer=world.officer, school=world.elementary, start_date=start, share_of_time=40
    )
    directory_services.assignment_create(
        actor=root, officer=world.officer, school=world.high, start_date=start, share_of_time=60
    )
    response = page_as("officer").get(QUICK_LOG)
    assert _checked_school(response) == str(world.high.uuid)
    assert [s.name for s in response.context["form"].schools.values()] == ["Millbrook High", "Millbrook Elementary"]


def test_an_officer_without_a_current_assignment_may_pick_any_school_the_agency_serves(page_as, world):
    directory_services.assignment_end(
        actor=world.users["platform_admin"], assignment=world.assignment, end_date=datetime.date(2026, 3, 1)
    )
    response = page_as("officer").get(QUICK_LOG)
    assert [s.name for s in response.context["form"].schools.values()] == ["Millbrook Elementary", "Millbrook High"]


def test_the_school_the_officer_switched_to_is_remembered(page_as, world):
    root = world.users["platform_admin"]
    directory_services.assignment_end(actor=root, assignment=world.assignment, end_date=datetime.date(2026, 3, 1))
    start = datetime.date(2026, 3, 2)
    for school, share in ((world.elementary, 60), (world.high, 40)):
        directory_services.assignment_create(
            actor=root, officer=world.officer, school=school, start_date=start, share_of_time=share
        )
    client = page_as("officer")
    assert _checked_school(client.get(QUICK_LOG)) == str(world.elementary.uuid)
    _tap(client, world, school=world.high)
    assert Interaction.objects.get().school == world.high
    assert _checked_school(client.get(QUICK_LOG)) == str(world.high.uuid)


def test_a_school_not_offered_is_refused_and_nothing_is_written(page_as, world):
    response = _tap(page_as("officer"), world, school=world.other_school)
    assert response.status_code == 200
    assert response.context["form"].errors["school"]
    assert Interaction.objects.count() == 0


# --- one tap ------------------------------------------------------------------------------------------


def test_one_tap_records_a_positive_contact_with_its_default_role(page_as, world):
    client = page_as("officer")
    response = _tap(client, world)
    record = Interaction.objects.get()
    assert (record.kind, record.role, record.school, record.officer) == (
        "positive",
        "mentor",
        world.elementary,
        world.officer,
    )
    assert record.source == Interaction.Source.QUICK_LOG
    assert response.status_code == 302
    assert response.url == f"{QUICK_LOG}?saved={record.uuid}"
    page = client.get(response.url).content.decode()
    assert "<strong>Saved:</strong> Informal positive contact at Millbrook Elementary, 10:42" in page
    assert 'id="undo-button"' in page


def test_a_tap_through_htmx_returns_the_confirmation_a_fresh_form_and_the_refreshed_lists(page_as, world):
    sent = uuid.uuid4()
    response = _tap(page_as("officer"), world, client_uuid=sent, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Saved:</strong> Informal positive contact at Millbrook Elementary, 10:42" in body
    assert "Undo" in body
    assert 'id="quick-log-form"' in body and 'id="quick-log-activity"' in body
    assert body.count('hx-swap-oob="true"') == 2
    fresh = response.context["form"]
    assert not fresh.is_bound
    assert fresh.initial["client_uuid"] != sent
    assert response.context["today_records"] == [Interaction.objects.get()]


def test_the_same_client_uuid_posted_twice_stores_one_record(page_as, world):
    client = page_as("officer")
    same = uuid.uuid4()
    first = _tap(client, world, client_uuid=same, headers=HTMX)
    second = _tap(client, world, client_uuid=same, headers=HTMX)
    assert Interaction.objects.count() == 1
    assert Interaction.objects.get().uuid == same
    assert DailyRollup.objects.get().count == 1
    for response in (first, second):
        assert "<strong>Saved:</strong> Informal positive contact" in response.content.decode()


def test_a_tap_without_a_kind_says_so_and_writes_nothing(page_as, world):
    response = page_as("officer").post(
        QUICK_LOG, {"client_uuid": str(uuid.uuid4()), "school": str(world.elementary.uuid)}
    )
    assert CHOOSE_KIND in response.content.decode()
    assert Interaction.objects.count() == 0


# --- undo ------------------------------------------------------------------------------------------------


def _undo(client, record, headers=None):
    return client.post(reverse("interactions:undo", args=[record.uuid]), headers=headers or {})


def test_undo_voids_the_record_and_takes_it_out_of_the_counts(page_as, world):
    client = page_as("officer")
    _tap(client, world, headers=HTMX)
    record = Interaction.objects.get()
    response = _undo(client, record, headers=HTMX)
    body = response.content.decode()
    assert "<strong>Undone:</strong> Informal positive contact at Millbrook Elementary, 10:42" in body
    record.refresh_from_db()
    assert record.voided
    assert Amendment.objects.get(interaction=record).reason == views.UNDO_REASON == "Undone by the officer"
    assert DailyRollup.objects.get().count == 0
    assert response.context["today_records"] == []


def test_undo_without_javascript_redirects_to_the_log_saying_undone(page_as, world):
    client = page_as("officer")
    _tap(client, world)
    record = Interaction.objects.get()
    response = _undo(client, record)
    assert response.url == f"{QUICK_LOG}?undone={record.uuid}"
    body = client.get(response.url).content.decode()
    assert "<strong>Undone:</strong>" in body
    # A keyboard user carries on from the button of the kind they undid, as after an htmx undo.
    assert 'id="kind-positive" class="kind-button" autofocus>' in body
    assert body.count("autofocus") == 1


def test_undo_is_refused_once_the_moment_has_passed(page_as, world):
    client = page_as("officer")
    _tap(client, world)
    record = Interaction.objects.get()
    with time_machine.travel(NOW + views.UNDO_WINDOW + datetime.timedelta(seconds=1), tick=False):
        response = _undo(client, record)
    assert response.url == reverse("interactions:detail", args=[record.uuid])
    record.refresh_from_db()
    assert not record.voided


def test_an_officer_cannot_undo_someone_elses_record(page_as, world):
    services.interaction_record(
        justification="Recorded for the test.",
        actor=world.users["supervisor"],
        officer=world.officer,
        school=world.elementary,
        kind="positive",
        occurred_at=NOW,
    )
    record = Interaction.objects.get()
    assert _undo(page_as("officer"), record).status_code == 302
    record.refresh_from_db()
    assert not record.voided  # made by the supervisor: too late for this officer to "undo"


# --- the optional fields --------------------------------------------------------------------------------


def test_the_note_field_reminds_the_officer_not_to_write_names(page_as):
    assert NOTE_REMINDER in page_as("officer").get(QUICK_LOG).content.decode()


def test_a_note_with_a_phone_number_is_refused_next_to_the_note_and_nothing_is_written(page_as, world):
    response = _tap(page_as("officer"), world, note="Call mom at 617-555-0199", headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Not saved:</strong>" in body
    assert response.context["form"].errors["note"] == [PHONE_IN_TEXT]
    assert '<details class="quick-log-details" open>' in body
    assert Interaction.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="interactions.interaction").exists()


def test_the_role_follows_the_kind_and_can_be_changed(page_as, world):
    client = page_as("officer")
    _tap(client, world, kind="staff", role="mentor", staff_role="counselor")
    _tap(client, world, kind="staff")
    changed, default = Interaction.objects.order_by("id")
    assert (changed.role, changed.staff_role) == ("mentor", "counselor")
    assert default.role == "law_enforcement"


def test_every_kind_button_shows_the_role_it_records(page_as):
    body = page_as("officer").get(QUICK_LOG).content.decode()
    assert 'value="positive"' in body and "as mentor / informal counselor" in body
    assert 'value="safety"' in body and "as law enforcement" in body
    assert 'value="enforcement"' not in body


def test_a_referral_records_its_service_and_whether_it_replaced_enforcement(page_as, world):
    _tap(page_as("officer"), world, kind="referral", service="diversion", instead_of_enforcement="true")
    record = Interaction.objects.get()
    assert (record.service, record.instead_of_enforcement) == ("diversion", True)


def test_a_service_on_a_positive_contact_is_refused_at_the_service_field(page_as, world):
    response = _tap(page_as("officer"), world, service="diversion")
    assert response.context["form"].errors["service"] == [services.SERVICE_ONLY_FOR_REFERRALS]
    assert Interaction.objects.count() == 0


def test_instead_of_enforcement_belongs_only_to_referrals(page_as, world):
    response = _tap(page_as("officer"), world, instead_of_enforcement="true")
    assert response.context["form"].errors["instead_of_enforcement"] == [INSTEAD_ONLY_FOR_REFERRALS]
    assert Interaction.objects.count() == 0


def test_optional_details_are_saved_with_the_tap(page_as, world):
    _tap(
        page_as("officer"),
        world,
        kind="instruction",
        duration_minutes="45",
        student_count="24",
        grade_band="3_5",
        setting="classroom",
        initiated_by="staff",
        note="Bike safety talk",
    )
    record = Interaction.objects.get()
    assert (record.duration_minutes, record.student_count, record.grade_band, record.setting) == (
        45,
        24,
        "3_5",
        "classroom",
    )
    assert (record.initiated_by, record.note, record.role) == ("staff", "Bike safety talk", "educator")


# --- today, this week, and the week at a glance ----------------------------------------------------------


def _at(hour: int, minute: int = 0, day: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=datetime.UTC)


WARNING = {
    "action_type": "warning",
    "reason_category": "fight_no_injury",
    "requested_by": "administrator",
    "admin_consulted": True,
    "demographics_source": "perceived",
}


@pytest.fixture
def week(world):
    """A hand-counted week for the officer, with records that must not count around it."""
    user = world.officer.user

    def record(kind, at, officer=world.officer, school=world.elementary, actor=user, **extra):
        return services.interaction_record(
            justification="Recorded for the test.",
            actor=actor,
            officer=officer,
            school=school,
            kind=kind,
            occurred_at=at,
            **extra,
        ).interaction

    record("positive", _at(13, day=9))
    record("instruction", _at(15, day=9), duration_minutes=45)
    record("positive", _at(12))
    record("positive", _at(12, 30), school=world.high)
    record("staff", _at(13), role="mentor")
    record("safety", _at(13, 30))
    record("enforcement", _at(14), enforcement=WARNING)
    # Not this week, or not counted: Sunday afternoon; Sunday 23:00 in Millbrook (Monday 03:00 UTC);
    # a voided contact; another agency's officer.
    record("positive", _at(20, day=8))
    record("positive", _at(3, day=9))
    voided = record("positive", _at(11))
    services.interaction_void(actor=user, interaction=voided, reason="Entered twice")
    record("positive", _at(12), officer=world.other_officer, school=world.other_school, actor=world.other_officer.user)


# By hand: 3 positive, 1 instruction, 1 staff consultation (as mentor), 1 safety, 1 enforcement.
EXPECTED_KINDS = {
    "positive": 3,
    "instruction": 1,
    "mentoring": 0,
    "family": 0,
    "staff": 1,
    "safety": 1,
    "referral": 0,
    "enforcement": 1,
}
EXPECTED_ROLES = {"mentor": 4, "educator": 1, "law_enforcement": 2}


def test_the_week_at_a_glance_matches_a_hand_count(page_as, week):
    response = page_as("officer").get(QUICK_LOG)
    summary = response.context["week"]
    assert (summary.week_start, summary.week_end) == (datetime.date(2026, 3, 9), datetime.date(2026, 3, 15))
    assert summary.by_kind == EXPECTED_KINDS
    assert summary.by_role == EXPECTED_ROLES
    assert (summary.total, summary.positive, summary.enforcement) == (7, 4, 1)  # staff and safety: liaison work
    assert summary.positive_per_enforcement == 4.0
    assert "4 : 1" in response.content.decode()


def test_the_week_is_counted_from_the_rollups_not_the_raw_records(page_as, week, world):
    DailyRollup.objects.filter(kind="safety").update(count=5)
    assert page_as("officer").get(QUICK_LOG).context["week"].by_kind["safety"] == 5


def test_a_week_without_enforcement_has_no_ratio(page_as, world):
    _tap(page_as("officer"), world)
    summary = page_as("officer").get(QUICK_LOG).context["week"]
    assert (summary.positive, summary.enforcement, summary.positive_per_enforcement) == (1, 0, None)


def test_todays_and_the_rest_of_the_weeks_records_are_listed_apart(page_as, week):
    response = page_as("officer").get(QUICK_LOG)
    today = [(r.kind, r.occurred_at.hour) for r in response.context["today_records"]]
    earlier = [(r.kind, r.occurred_at.hour) for r in response.context["earlier_records"]]
    assert today == [("enforcement", 14), ("safety", 13), ("staff", 13), ("positive", 12), ("positive", 12)]
    assert earlier == [("instruction", 15), ("positive", 13)]


def test_the_week_summary_endpoint_returns_the_same_numbers(api_as, week, world):
    body = api_as("officer").get("/interactions/summary/week").json()
    assert body["officer"] == str(world.officer.uuid)
    assert (body["week_start"], body["week_end"]) == ("2026-03-09", "2026-03-15")
    assert body["by_kind"] == EXPECTED_KINDS
    assert body["by_role"] == EXPECTED_ROLES
    assert (body["total"], body["positive"], body["enforcement"]) == (7, 4, 1)
    assert body["positive_per_enforcement"] == 4.0


def test_a_supervisor_reads_an_officers_week_and_an_outsider_cannot(api_as, week, world):
    path = "/interactions/summary/week"
    officer = str(world.officer.uuid)
    assert api_as("supervisor").get(path, officer=officer).json()["total"] == 7
    assert api_as("supervisor").get(path, officer=officer, week_of="2026-03-02").json()["total"] == 2
    assert api_as("outsider_agency_admin").get(path, officer=officer).status_code == 400
    assert api_as("school_admin").get(path).status_code == 400


# --- speed -----------------------------------------------------------------------------------------


def test_the_quick_log_stays_within_its_query_budget(page_as, week, django_assert_max_num_queries):
    client = page_as("officer")
    client.get(QUICK_LOG)
    with django_assert_max_num_queries(10):
        response = client.get(QUICK_LOG)
    assert response.status_code == 200


def test_a_tap_stays_within_its_query_budget(page_as, week, world, django_assert_max_num_queries):
    client = page_as("officer")
    with django_assert_max_num_queries(25):
        response = _tap(client, world, headers=HTMX)
    assert response.status_code == 200
