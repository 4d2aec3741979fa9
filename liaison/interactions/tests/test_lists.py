"""Records over time: the filtered list, its counts, the CSV export and the counts API."""

from __future__ import annotations

import base64
import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.accounts.models import AuditEntry
from liaison.conftest import World
from liaison.interactions import services
from liaison.interactions.list_forms import DATE_RANGE_REVERSED
from liaison.interactions.models import DailyRollup, Interaction
from liaison.interactions.record_export import HEADER
from liaison.interactions.selectors import BAD_CURSOR

NOW = datetime.datetime(2026, 3, 10, 14, 30, tzinfo=datetime.UTC)
LIST = reverse("interactions:list")
EXPORT = reverse("interactions:export")
ARREST = {
    "action_type": "arrest",
    "reason_category": "assault_with_injury",
    "requested_by": "administrator",
    "admin_consulted": True,
    "race_ethnicity": "black",
    "sex": "male",
    "disability": "idea",
    "english_learner": "yes",
    "demographics_source": "school_record",
    "rms_report_number": "26-000777",
}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def record(world: World, *, days_ago: int = 0, school: Any = None, officer: Any = None, **fields: Any) -> Interaction:
    officer = officer or world.officer
    fields.setdefault("kind", "positive")
    return services.interaction_record(
        justification="Recorded for the test.",
        actor=officer.user,
        officer=officer,
        school=school or world.elementary,
        occurred_at=NOW - datetime.timedelta(days=days_ago, hours=1),
        **fields,
    ).interaction


def arrest(world: World, **fields: Any) -> Interaction:
    fields.setdefault("enforcement", ARREST)
    return record(world, kind="enforcement", **fields)


def listed(response: Any) -> list[Interaction]:
    return response.context["page"].records


# --- the list -------------------------------------------------------------------------------------------


def test_a_supervisor_sees_the_agencys_records_newest_first(page_as, world):
    older = record(world, days_ago=2)
    newer = record(world, kind="safety", school=world.high)
    response = page_as("supervisor").get(LIST)
    assert response.status_code == 200
    assert [r.uuid for r in listed(response)] == [newer.uuid, older.uuid]
    assert "Millbrook High" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "safety"}, ["safety"]),
        ({"role": "educator"}, ["instruction"]),
        ({"since": "2026-03-08"}, ["safety", "instruction"]),
        ({"until": "2026-03-07"}, ["positive"]),
        ({"since": "2026-03-08", "until": "2026-03-09"}, ["instruction"]),
    ],
)
def test_the_list_filters_by_kind_role_and_dates(page_as, world, params, expected):
    record(world, days_ago=5)
    record(world, kind="instruction", days_ago=1)
    record(world, kind="safety")
    response = page_as("supervisor").get(LIST, params)
    assert [r.kind for r in listed(response)] == expected


def test_the_list_filters_by_school_and_officer(page_as, world):
    record(world, school=world.high)
    record(world)
    response = page_as("district_admin").get(LIST, {"school": world.high.uuid, "officer": world.officer.uuid})
    assert [r.school_id for r in listed(response)] == [world.high.pk]


def test_void_records_are_hidden_unless_asked_for(page_as, world):
    kept = record(world)
    void = record(world, days_ago=1)
    services.interaction_void(actor=world.users["supervisor"], interaction=void, reason="Entered twice")
    client = page_as("supervisor")
    assert [r.uuid for r in listed(client.get(LIST))] == [kept.uuid]
    shown = client.get(LIST, {"include_void": "on"})
    assert [r.uuid for r in listed(shown)] == [kept.uuid, void.uuid]
    assert "Void" in shown.content.decode()
    assert shown.context["counts"].total == 1


def test_enforcement_rows_show_the_action_and_reason_but_no_demographics(page_as, world):
    arrest(world)
    html = page_as("school_admin").get(LIST).content.decode()
    assert "School-related arrest" in html
    assert "Assault with injury" in html
    for hidden in ("Black", "IDEA", "26-000777", "school_record", "English"):
        assert hidden not in html


def test_the_list_never_loads_demographics_from_the_database(page_as, world):
    arrest(world)
    enforcement = listed(page_as("supervisor").get(LIST))[0].enforcement
    assert enforcement.get_deferred_fields() >= {"race_ethnicity", "sex", "disability", "student_key"}


@pytest.mark.parametrize(
    ("records", "days", "page_size"),
    [(7, 3, 3), (8, 8, 3), (12, 2, 5), (5, 5, 1)],
    ids=["several a day", "one a day", "pages inside a day", "one a page"],
)
def test_pages_follow_a_cursor_without_gaps_or_repeats(page_as, world, monkeypatch, records, days, page_size):
    monkeypatch.setattr("liaison.interactions.selectors.LIST_PAGE_SIZE", page_size)
    made = [record(world, days_ago=n % days, school=(world.high if n % 2 else None)).uuid for n in range(records)]
    record(world, kind="safety")
    client = page_as("district_admin")
    seen: list = []
    url = LIST + "?kind=positive"
    for _ in range(records + 1):
        response = client.get(url)
        seen += [r.uuid for r in listed(response)]
        if not response.context["next_url"]:
            break
        url = LIST + response.context["next_url"]
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))


def test_a_page_is_bounded_and_links_to_the_next(page_as, world, monkeypatch):
    monkeypatch.setattr("liaison.interactions.selectors.LIST_PAGE_SIZE", 2)
    for n in range(3):
        record(world, days_ago=n)
    response = page_as("officer").get(LIST, {"kind": "positive"})
    assert len(listed(response)) == 2
    assert "cursor=" in response.context["next_url"]
    assert "kind=positive" in response.context["next_url"]
    last = page_as("officer").get(LIST + response.context["next_url"])
    assert len(listed(last)) == 1
    assert last.context["next_url"] == ""
    assert last.context["first_url"] == "?kind=positive"


def test_an_htmx_page_request_gets_only_the_results(page_as, world):
    record(world)
    response = page_as("supervisor").get(LIST, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert "Counts" in html


# --- bad filters ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "chat"}, "kind"),
        ({"role": "judge"}, "role"),
        ({"since": "10 March"}, "since"),
        ({"school": "not-a-uuid"}, "school"),
        ({"school": "00000000-0000-0000-0000-000000000000"}, "school"),
        ({"officer": "00000000-0000-0000-0000-000000000000"}, "officer"),
    ],
)
def test_a_bad_filter_is_refused_naming_the_field(page_as, world, params, field):
    response = page_as("supervisor").get(LIST, params)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert f'id="id_{field}_error"' in response.content.decode()


def test_a_school_outside_the_users_scope_is_not_a_choice(page_as, world):
    response = page_as("supervisor").get(LIST, {"school": world.other_school.uuid})
    assert response.status_code == 400
    assert "school" in response.context["form"].errors


def test_a_reversed_date_range_names_the_end_date(page_as, world):
    response = page_as("supervisor").get(LIST, {"since": "2026-03-10", "until": "2026-03-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["until"] == [DATE_RANGE_REVERSED]


@pytest.mark.parametrize(
    "cursor",
    [
        "bm9wZQ",
        base64.urlsafe_b64encode(b"2026-03-10|2026-03-10T09:00:00|" + b"a" * 32).decode(),
        base64.urlsafe_b64encode(b"2026-03-10|yesterday|" + b"a" * 32).decode(),
    ],
    ids=["not a position", "a time without a zone", "not a time"],
)
def test_a_tampered_page_link_is_refused(page_as, world, cursor):
    response = page_as("supervisor").get(LIST, {"cursor": cursor})
    assert response.status_code == 400
    assert response.context["form"].errors["cursor"] == [BAD_CURSOR]
    assert BAD_CURSOR in response.content.decode()


# --- counts --------------------------------------------------------------------------------------------


def test_counts_cover_the_whole_filtered_set_by_kind_and_role(page_as, world):
    for _ in range(3):
        record(world)
    record(world, kind="staff", role="mentor", staff_role="counselor")
    arrest(world, school=world.high)
    counts = page_as("supervisor").get(LIST, {"school": world.elementary.uuid}).context["counts"]
    assert counts.total == 4
    assert counts.by_kind["positive"] == 3
    assert counts.by_kind["staff"] == 1
    assert counts.by_kind["enforcement"] == 0
    assert counts.by_role == {"mentor": 4, "educator": 0, "law_enforcement": 0}


def test_a_filter_that_matches_nothing_reads_no_records(page_as, world):
    for n in range(5):
        record(world, days_ago=n)
    client = page_as("supervisor")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"kind": "enforcement"})
    assert listed(response) == []
    assert not [q for q in queries.captured_queries if 'FROM "interactions_interaction"' in q["sql"]]


def test_counts_come_from_the_daily_rollups_not_the_raw_records(page_as, world):
    record(world)
    DailyRollup.objects.update(count=40)
    assert page_as("supervisor").get(LIST).context["counts"].total == 40


def test_counts_are_scoped_like_the_records(page_as, world):
    record(world)
    record(world, officer=world.other_officer, school=world.other_school)
    assert page_as("supervisor").get(LIST).context["counts"].total == 1
    assert page_as("outsider_agency_admin").get(LIST).context["counts"].total == 1
    assert page_as("platform_admin").get(LIST).context["counts"].total == 2


# Session, user, memberships, officer profile; counts; the page's days (at most two tries) and cells;
# the page; the school and officer choices.
LIST_QUERY_BUDGET = 12  # 11, and the audit entry of a page that shows enforcement details


def test_the_list_page_has_a_query_budget(page_as, world, django_assert_max_num_queries):
    for n in range(30):
        record(world, days_ago=n % 5, kind="safety" if n % 2 else "positive")
    arrest(world)
    client = page_as("supervisor")
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        client.get(LIST, {"kind": "positive"})
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        client.get(LIST)


def test_the_page_and_the_api_give_the_same_counts(page_as, api_as, world):
    record(world, days_ago=1)
    record(world, kind="instruction")
    arrest(world, school=world.high)
    params = {"since": "2026-03-09", "role": "law_enforcement"}
    page = page_as("district_admin").get(LIST, params).context["counts"]
    api = api_as("district_admin").get("/interactions/counts", **params).json()
    assert api == {"total": page.total, "by_kind": page.by_kind, "by_role": page.by_role}
    assert api["total"] == 1


def test_the_counts_api_filters_by_school_and_officer_uuid(api_as, world):
    record(world, school=world.high)
    record(world)
    api = api_as("supervisor")
    assert api.get("/interactions/counts", school=str(world.high.uuid)).json()["total"] == 1
    assert api.get("/interactions/counts", officer=str(world.officer.uuid)).json()["total"] == 2
    assert api.get("/interactions/counts", officer=str(world.other_officer.uuid)).json()["total"] == 0


def test_the_counts_api_names_a_bad_filter(api_as, world):
    response = api_as("supervisor").get("/interactions/counts", kind="chat")
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


# --- the export ---------------------------------------------------------------------------------------


def exported(response: Any) -> list[dict[str, str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_streams_the_filtered_records_as_csv(page_as, world):
    record(world, duration_minutes=15, student_count=4)
    record(world, kind="safety")
    response = page_as("supervisor").get(EXPORT, {"kind": "positive"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    rows = exported(response)
    assert len(rows) == 1
    assert rows[0]["kind"] == "positive"
    assert (rows[0]["duration_minutes"], rows[0]["student_count"]) == ("15", "4")
    assert rows[0]["school"] == "Millbrook Elementary"


def test_the_export_carries_enforcement_only_as_action_reason_and_crdc_flags(page_as, world):
    services.student_keys_enable(actor=world.users["district_admin"], district=world.district)
    arrest(world, enforcement={**ARREST, "student_id": "S123"}, note="Handled with the principal")
    response = page_as("supervisor").get(EXPORT)
    text = b"".join(response.streaming_content).decode()
    row = next(csv.DictReader(io.StringIO(text)))
    assert tuple(row) == HEADER
    assert (row["action_type"], row["reason_category"]) == ("arrest", "assault_with_injury")
    assert (row["counts_as_referral"], row["counts_as_arrest"]) == ("true", "true")
    interaction = Interaction.objects.get()
    for hidden in ("black", "idea", "26-000777", interaction.enforcement.student_key, "principal"):
        assert hidden not in text


def test_an_export_is_noted_once_in_the_audit_log_with_its_filters_and_rows(page_as, world):
    record(world)
    record(world, days_ago=1)
    record(world, kind="safety")
    exported(page_as("supervisor").get(EXPORT, {"kind": "positive", "since": "2026-03-01"}))
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor_username == "supervisor"
    assert entry.after == {"filters": {"kind": "positive", "since": "2026-03-01"}, "rows": 2}
    assert entry.agency_id == world.agency.pk


def test_the_audit_row_count_includes_void_records_when_they_are_exported(page_as, world):
    record(world)
    void = record(world)
    services.interaction_void(actor=world.users["supervisor"], interaction=void, reason="Twice")
    rows = exported(page_as("district_admin").get(EXPORT, {"include_void": "on"}))
    entry = AuditEntry.objects.get(action="export")
    assert entry.after["rows"] == len(rows) == 2
    assert entry.district_id == world.district.pk
    assert sorted(r["voided"] for r in rows) == ["false", "true"]


def test_a_cell_that_would_run_as_a_spreadsheet_formula_is_defused(page_as, world):
    world.elementary.name = "=HYPERLINK(1)"
    world.elementary.save()
    record(world)
    rows = exported(page_as("supervisor").get(EXPORT))
    assert rows[0]["school"] == "'=HYPERLINK(1)"


def test_bad_export_filters_are_refused_and_nothing_is_audited(page_as, world):
    response = page_as("supervisor").get(EXPORT, {"until": "yesterday"})
    assert response.status_code == 400
    assert "until" in response.context["form"].errors
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_readme_documents_every_export_column():
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    section = readme.split("## Records over time", 1)[1]
    assert [name for name in HEADER if f"| `{name}` |" not in section] == []
