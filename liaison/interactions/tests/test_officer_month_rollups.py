"""The officer months (migration interactions/0012: the monthly rollups summed per officer, month and
triad role) follow every writer of contacts and always equal a recount from the records."""

from __future__ import annotations

import datetime
import io
import uuid

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse

from liaison.demo.scale import ScalePlan, generate
from liaison.interactions.models import DailyRollup, Interaction, MonthlyRollup, OfficerMonthRollup
from liaison.interactions.rollups import rollup_apply, rollup_rebuild

from .import_files import HIGH, contact, import_file, write_csv

NOW = datetime.datetime(2026, 3, 10, 14, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def live() -> dict[tuple, tuple[int, int, int]]:
    """The stored officer months that count something: (agency, officer, month, role) -> (count, minutes, timed)."""
    return {
        (r.agency_id, r.officer_id, r.month, r.role): (r.count, r.minutes, r.minutes_count)
        for r in OfficerMonthRollup.objects.all()
        if (r.count, r.minutes, r.minutes_count) != (0, 0, 0)
    }


def counted() -> dict[tuple, tuple[int, int, int]]:
    """The same recounted from the contacts (void ones never count)."""
    rows = (
        Interaction.objects.filter(voided=False)
        .annotate(m=TruncMonth("occurred_on"))
        .values("agency_id", "officer_id", "m", "role")
        .annotate(n=Count("*"), minutes=Coalesce(Sum("duration_minutes"), 0), timed=Count("duration_minutes"))
        .order_by()
    )
    return {
        (
            r["agency_id"],
            r["officer_id"],
            r["m"].date() if isinstance(r["m"], datetime.datetime) else r["m"],
            r["role"],
        ): (
            r["n"],
            r["minutes"],
            r["timed"],
        )
        for r in rows
    }


def test_recording_changing_and_voiding_through_the_api_keep_the_officer_months(api_as, world):
    api = api_as("officer")
    at = {"school": str(world.elementary.uuid), "occurred_at": "2026-03-09T15:00:00Z"}
    first = api.post("/interactions", {**at, "kind": "positive", "duration_minutes": 15}).json()
    second = api.post("/interactions", {**at, "kind": "positive"}).json()
    api.post("/interactions", {**at, "kind": "instruction", "duration_minutes": 30})
    assert "uuid" in first and "uuid" in second, (first, second)
    assert sum(n for n, _, _ in live().values()) == 3
    assert live() == counted()

    assert api.patch(f"/interactions/{first['uuid']}", {"school": str(world.high.uuid)}).status_code == 200
    assert api.patch(f"/interactions/{second['uuid']}", {"occurred_at": "2026-02-27T15:00:00Z"}).status_code == 200
    assert api.patch(f"/interactions/{second['uuid']}", {"duration_minutes": 20}).status_code == 200
    other_role = next(r for r in ("educator", "mentor", "law_enforcement") if r != first.get("role"))
    assert api.patch(f"/interactions/{first['uuid']}", {"role": other_role}).status_code == 200
    assert live() == counted()

    assert api.post(f"/interactions/{first['uuid']}/void", {"reason": "Entered twice."}).status_code == 200
    assert live() == counted()

    call_command("rebuild_rollups", stdout=io.StringIO())
    assert live() == counted()


def test_the_quick_log_and_its_undo_keep_the_officer_months(page_as, world):
    client = page_as("officer")
    for kind in ("positive", "positive", "mentoring"):
        tap = {"client_uuid": str(uuid.uuid4()), "school": str(world.elementary.uuid), "kind": kind}
        client.post(reverse("interactions:quick_log"), tap)
    assert sum(n for n, _, _ in live().values()) == 3
    assert live() == counted()
    record = Interaction.objects.order_by("id").first()
    client.post(reverse("interactions:undo", args=[record.uuid]))
    assert sum(n for n, _, _ in live().values()) == 2
    assert live() == counted()


def test_an_import_counts_its_contacts(world, tmp_path, api_as):
    api_as("officer").post("/interactions", {"school": str(world.elementary.uuid), "kind": "positive"})
    rows = [
        contact(),
        contact(duration_minutes="25"),
        contact(occurred_at="2026-02-03 10:00", school_nces_id=HIGH),
        contact(kind="instruction", duration_minutes="10"),
    ]
    import_file(write_csv(tmp_path, rows), world.agency)
    assert sum(n for n, _, _ in live().values()) == 5
    assert live() == counted()
    import_file(write_csv(tmp_path, [contact(client_uuid=str(uuid.uuid4()))], name="again.csv"), world.agency)
    assert live() == counted()


def test_the_generator_and_every_change_of_the_daily_rollups_keep_them(db):
    generate(ScalePlan(state="MA", officers=6, contacts=3_000, school_year="2024-2025", seed=5))
    assert sum(n for n, _, _ in live().values()) > 2_500
    assert live() == counted()
    some = list(Interaction.objects.filter(voided=False).order_by("id")[:40])
    rollup_apply(some, sign=-1)  # updates of existing daily cells, then of their months
    Interaction.objects.filter(pk__in=[i.pk for i in some]).update(voided=True)
    assert live() == counted()
    october = list(Interaction.objects.filter(voided=False, occurred_on__month=10))
    DailyRollup.objects.filter(day__month=10).delete()
    Interaction.objects.filter(pk__in=[i.pk for i in october]).update(voided=True)
    assert live() == counted()
    rollup_rebuild()  # deletes and inserts every daily row
    assert live() == counted()
    # Months deleted first, then days (Django's flush on SQLite): nothing is left behind, nothing negative.
    MonthlyRollup.objects.all().delete()
    DailyRollup.objects.all().delete()
    assert not OfficerMonthRollup.objects.exclude(count=0).exists()


def test_the_triad_split_from_officer_months_is_the_split_from_the_monthly_cells(db):
    from liaison.directory.models import Officer, School
    from liaison.programs.selectors import officers_role_split

    generate(ScalePlan(state="MA", officers=6, contacts=3_000, school_year="2024-2025", seed=7))
    officers = list(Officer.objects.order_by("pk"))
    year = {"first": datetime.date(2024, 7, 1), "last": datetime.date(2025, 6, 30)}
    every_school = officers_role_split(officers, **year)  # whole months: the officer months
    at_each_school = officers_role_split(officers, **year, schools=School.objects.all())  # the monthly cells
    assert [[(r.count, r.minutes, r.timed) for r in s.roles] for s in every_school] == [
        [(r.count, r.minutes, r.timed) for r in s.roles] for s in at_each_school
    ]
    assert sum(s.count for s in every_school) == Interaction.objects.filter(voided=False).count()


@pytest.mark.parametrize(
    "first",
    [
        ("interactions_officermonthrollup", "interactions_dailyrollup", "interactions_monthlyrollup"),
        ("interactions_monthlyrollup", "interactions_officermonthrollup", "interactions_dailyrollup"),
        ("interactions_dailyrollup", "interactions_monthlyrollup", "interactions_officermonthrollup"),
    ],
    ids=["officer-months-first", "months-first", "days-first"],
)
def test_the_suites_flush_leaves_no_rollup_behind_whatever_order_it_empties_the_tables(
    transactional_db, world, api_as, monkeypatch, first
):
    # Django's flush empties tables in the order of a set (PYTHONHASHSEED): on SQLite the rollups'
    # triggers could write rows into a table it had emptied already, which the next test then found
    # (its officer's months counted from the leftovers: CI once saw 0 where 3 were recorded).
    api = api_as("officer")
    for kind in ("positive", "positive", "instruction"):
        api.post("/interactions", {"school": str(world.elementary.uuid), "kind": kind, "duration_minutes": 5})
    assert OfficerMonthRollup.objects.exists() and MonthlyRollup.objects.exists()
    from django.db import connection

    tables = connection.introspection.django_table_names

    def in_the_worst_order(*args, **kwargs):
        names = tables(*args, **kwargs)
        return [*first, *(n for n in names if n not in first)]

    monkeypatch.setattr(connection.introspection, "django_table_names", in_the_worst_order)
    call_command("flush", interactive=False, verbosity=0)
    left = {model.__name__: model.objects.count() for model in (DailyRollup, MonthlyRollup, OfficerMonthRollup)}
    assert left == {"DailyRollup": 0, "MonthlyRollup": 0, "OfficerMonthRollup": 0}
