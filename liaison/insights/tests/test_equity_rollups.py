"""The equity figures read from the enforcement rollups, and the CRDC counts read in one query, equal
what the records themselves give (the computation they replaced, kept here as the reference), on
random actions recorded, moved and voided through the services, and on a generated state."""

from __future__ import annotations

import datetime
import os
import random
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.db.models import Count

from liaison.demo.scale import ScalePlan, generate
from liaison.directory import services as directory_services
from liaison.directory.models import District, School
from liaison.insights import crdc, selectors
from liaison.insights.access import EquityScope
from liaison.interactions import services
from liaison.interactions.models import EnforcementDetail
from liaison.interactions.vocabulary import ActionType, Disability, Kind, RaceEthnicity, Sex, YesNoUnknown
from liaison.lib.school_years import school_year_days

NOW = datetime.datetime(2026, 3, 10, 14, 30, tzinfo=datetime.UTC)
YEARS = ("2024-2025", "2025-2026")
SEED = int(os.environ.get("EQUITY_ROLLUP_SEED", random.randrange(1_000_000)))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


# --- the computations the rollups and the single query replaced: every action, read from the records ---


def raw_event_counts(scope: EquityScope, schools: list[School], school_year: str) -> dict[str, Counter[str]]:
    first, last = school_year_days(school_year)
    details = EnforcementDetail.objects.filter(
        interaction__school__in=schools,
        interaction__occurred_on__range=(first, last),
        interaction__voided=False,
        interaction__kind=Kind.ENFORCEMENT,
    )
    if scope.agency_ids is not None:
        details = details.filter(interaction__agency_id__in=scope.agency_ids)
    counts: dict[str, Counter[str]] = {}
    for definition in (selectors.REFERRAL, *selectors.AFTER_REFERRAL):
        grouped = details.filter(definition.events).values("race_ethnicity").annotate(n=Count("*"))
        counts[definition.key] = Counter({row["race_ethnicity"]: row["n"] for row in grouped})
    return counts


def raw_rows_by_school_and_kind(details: Any) -> dict[tuple[int, str], list[dict]]:
    found: dict[tuple[int, str], list[dict]] = {}
    for kind, flag, _ in crdc.KINDS:
        rows = (
            details.filter(**{flag: True})
            .order_by("interaction__occurred_at", "pk")
            .values("interaction__school_id", "student_key", *(field for _, _, field, _ in crdc.SPLITS))
        )
        for row in rows:
            school = row.pop("interaction__school_id")
            found.setdefault((school, kind), []).append(row)
    return found


def assert_same_figures(scope: EquityScope, school_year: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from_rollups = selectors.equity_counted(scope, school_year)
    crdc_now = crdc.crdc_counted(scope, school_year)
    with monkeypatch.context() as patched:
        patched.setattr(selectors, "_event_counts", raw_event_counts)
        patched.setattr(crdc, "_rows_by_school_and_kind", raw_rows_by_school_and_kind)
        from_records = selectors.equity_counted(scope, school_year)
        crdc_before = crdc.crdc_counted(scope, school_year)
    assert from_rollups == from_records, f"seed {SEED}, {scope}, {school_year}"
    assert crdc_now == crdc_before, f"seed {SEED}, {scope}, {school_year}"


# --- random actions through the services ------------------------------------------------------------


def _random_day(rng: random.Random) -> datetime.datetime:
    edges = [
        datetime.date(2024, 7, 1),
        datetime.date(2025, 6, 30),
        datetime.date(2025, 7, 1),
        datetime.date(2025, 1, 31),
    ]
    if rng.random() < 0.15:
        day = rng.choice(edges)
    else:
        day = datetime.date(2024, 7, 1) + datetime.timedelta(
            days=rng.randrange((NOW.date() - datetime.date(2024, 7, 1)).days)
        )
    return datetime.datetime.combine(day, datetime.time(15, rng.randrange(60)), tzinfo=datetime.UTC)


def _choice(rng: random.Random, choices: Any) -> str:
    return rng.choice([value for value, _ in choices])


@pytest.fixture
def random_actions(world):
    root = world.users["platform_admin"]
    # A second agency serves the district too, so scopes restricted to an agency differ from the whole.
    directory_services.partnership_create(
        actor=root, agency=world.other_agency, district=world.district, start_date=datetime.date(2020, 7, 1)
    )
    services.student_keys_enable(actor=root, district=world.district)
    rng = random.Random(SEED)
    officers = [world.officer, world.other_officer]
    recorded = []
    for n in range(140):
        officer = rng.choice(officers)
        details = {
            "action_type": _choice(rng, ActionType.choices),
            "reason_category": "assault_with_injury",
            "requested_by": "administrator",
            "admin_consulted": False,
            "demographics_source": "school_record",
            "race_ethnicity": _choice(rng, RaceEthnicity.choices),
            "sex": _choice(rng, Sex.choices),
            "disability": _choice(rng, Disability.choices),
            "english_learner": _choice(rng, YesNoUnknown.choices),
        }
        if rng.random() < 0.9:  # some actions lack a student key: their school's unique counts are not collected
            details["student_id"] = f"S{rng.randrange(25):04d}"
        record = services.interaction_record(
            actor=officer.user,
            officer=officer,
            school=rng.choice([world.elementary, world.high]),
            kind="enforcement",
            occurred_at=_random_day(rng),
            enforcement=details,
            justification=f"Random action {n}.",
        ).interaction
        recorded.append(record)
    for record in rng.sample(recorded, 30):
        record.refresh_from_db()
        change = rng.random()
        if change < 0.4:
            services.interaction_void(actor=record.officer.user, interaction=record, reason="Entered in error.")
        elif change < 0.7:
            school = world.high if record.school_id == world.elementary.pk else world.elementary
            services.interaction_change(
                actor=record.officer.user, interaction=record, changes={"school": school}, reason="Wrong school."
            )
        else:
            services.interaction_change(
                actor=record.officer.user,
                interaction=record,
                changes={"occurred_at": _random_day(rng)},
                reason="Wrong day.",
            )
    return world


def test_random_actions_give_the_same_figures_from_the_rollups_as_from_the_records(random_actions, monkeypatch):
    world = random_actions
    scopes = [
        EquityScope(world.district, None, None, suppressed=False),
        EquityScope(world.district, frozenset({world.agency.pk}), None, suppressed=False),
        EquityScope(world.district, frozenset({world.other_agency.pk}), None, suppressed=False),
        EquityScope(world.district, None, frozenset({world.elementary.pk}), suppressed=False),
        EquityScope(world.district, frozenset({world.agency.pk}), frozenset({world.high.pk}), suppressed=True),
    ]
    for scope in scopes:
        for year in YEARS:
            assert_same_figures(scope, year, monkeypatch)
    whole = selectors.equity_counted(scopes[0], "2025-2026")
    assert sum(point.total for point in whole.points) > 0  # the comparison compared something


def test_a_generated_state_gives_the_same_figures_from_the_rollups_as_from_the_records(db, monkeypatch):
    generate(ScalePlan(state="MA", officers=10, contacts=8_000, school_year="2025-2026", seed=SEED))
    assert EnforcementDetail.objects.count() > 50
    for district in District.objects.order_by("pk"):
        assert_same_figures(EquityScope(district, None, None, suppressed=False), "2025-2026", monkeypatch)
        agency_ids = set(
            EnforcementDetail.objects.filter(interaction__district=district).values_list("agency_id", flat=True)
        )
        for agency_id in sorted(agency_ids)[:2]:
            scope = EquityScope(district, frozenset({agency_id}), None, suppressed=False)
            assert_same_figures(scope, "2025-2026", monkeypatch)
