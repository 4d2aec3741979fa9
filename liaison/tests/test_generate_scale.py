"""The synthetic state generator (`manage.py generate_scale`, liaison/demo/scale.py): small sizes."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum

from liaison.demo.scale import ScalePlan, generate, rows_digest
from liaison.directory.models import Agency, Assignment, Enrollment, Officer, School
from liaison.interactions.models import DailyRollup, EnforcementDetail, Interaction, MonthlyRollup

SMALL = ScalePlan(state="MA", officers=24, contacts=12_000, school_year="2024-2025", seed=3)


@pytest.fixture
def generated(db: Any) -> Any:
    return generate(SMALL)


def test_a_small_state_has_its_directory_and_about_its_contacts(generated: Any) -> None:
    assert Officer.objects.count() == generated.officers == 24
    assert Assignment.objects.count() == 24
    assert School.objects.count() == generated.schools >= 24
    assert Enrollment.objects.filter(school_year="2024-2025", total__gt=0).count() == generated.schools
    assert set(Agency.objects.values_list("state", flat=True)) == {"MA"}
    assert Interaction.objects.count() == generated.contacts
    assert 11_000 <= generated.contacts <= 13_000


def test_the_mix_is_about_one_and_a_half_percent_enforcement_with_details(generated: Any) -> None:
    enforcement = Interaction.objects.filter(kind="enforcement").count()
    assert 0.010 <= enforcement / generated.contacts <= 0.020
    assert EnforcementDetail.objects.count() == enforcement
    assert EnforcementDetail.objects.filter(counts_as_arrest=True, counts_as_referral=False).count() == 0
    kinds = dict(Interaction.objects.values_list("kind").annotate(n=Count("*")))
    assert kinds["positive"] > kinds["mentoring"] > kinds["enforcement"]


def test_contacts_follow_school_calendars_and_seasons(generated: Any) -> None:
    days = Interaction.objects.values_list("occurred_on", flat=True)
    assert all(day.weekday() < 5 for day in days)
    months = dict(Interaction.objects.values_list("occurred_on__month").annotate(n=Count("*")))
    assert 7 not in months  # summer
    assert months[10] > months[12]  # October is busy, December has the winter break
    assert not Interaction.objects.filter(occurred_on__range=("2024-12-23", "2025-01-01")).exists()


def test_each_district_has_its_calendar_and_presence_reads_its_school_days(generated: Any) -> None:
    from liaison.directory.models import District
    from liaison.programs.models import SchoolCalendar
    from liaison.programs.selectors import school_days

    for district in District.objects.all():
        calendar = SchoolCalendar.objects.get(district=district, school__isnull=True)
        assert calendar.breaks.filter(name="Break").count() == 2  # winter and spring
        days = school_days(calendar)
        assert len(days) == 180 and days[0] == calendar.first_day and days[-1] == calendar.last_day
        contact_days = set(Interaction.objects.filter(district=district).values_list("occurred_on", flat=True))
        assert contact_days <= set(days)


def test_rollups_are_summed_per_day_and_per_month(generated: Any) -> None:
    total = generated.contacts
    assert DailyRollup.objects.aggregate(n=Sum("count"))["n"] == total
    assert MonthlyRollup.objects.aggregate(n=Sum("count"))["n"] == total
    assert MonthlyRollup.objects.count() < DailyRollup.objects.count() / 3


@pytest.mark.django_db
def test_the_same_seed_writes_the_same_rows_and_another_seed_does_not() -> None:
    digests = []
    for plan in (SMALL, SMALL, ScalePlan(**{**SMALL.__dict__, "seed": 4})):
        with transaction.atomic():
            generate(plan)
            digests.append(rows_digest())
            transaction.set_rollback(True)
    assert digests[0] == digests[1] != digests[2]


@pytest.mark.django_db
def test_the_command_reports_what_it_wrote() -> None:
    out = StringIO()
    call_command("generate_scale", "state", "--officers", "6", "--contacts", "2000", "--school-year", "2024-2025",
                 stdout=out, verbosity=0)  # fmt: skip
    assert "6 officers" in out.getvalue() and "enforcement" in out.getvalue()
    with pytest.raises(CommandError, match="Unknown state"):
        call_command("generate_scale", "state", "--state", "XX", "--contacts", "10", verbosity=0)
