"""`manage.py load_demo`: three fictional programs, loaded through the services, with working logins."""

from __future__ import annotations

import datetime
import random
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum
from django.test import Client, override_settings

from liaison.accounts.models import AuditEntry, Membership, User
from liaison.accounts.roles import Role
from liaison.demo.management.commands.load_demo import ALREADY_LOADED, DATABASE_NOT_EMPTY, DEMO_NEEDS_DEBUG
from liaison.directory import services
from liaison.directory.demo import CITY, RACE_FIELDS, SEX_FIELDS, apportion, enrollment_counts
from liaison.directory.models import (
    Agency,
    Assignment,
    District,
    Enrollment,
    Officer,
    Partnership,
    School,
    TrainingCourse,
    TrainingRecord,
)

TOWN = "Kestrel Falls Police Department"
CITY_DIVISION = "Port Calder Division of Police"
SHERIFF = "Larkin County Sheriff's Office"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MODELS = (Agency, District, School, Enrollment, Partnership, Officer, TrainingRecord, Assignment, User, Membership)


def load_demo(*args: str) -> str:
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def _demo_loaded_once(django_db_setup, django_db_blocker):
    """Load once for the module, in a transaction rolled back at the end; each test runs in a savepoint."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


@pytest.fixture
def demo_output(_demo_loaded_once, db):
    return _demo_loaded_once


@pytest.fixture
def empty_db(db):
    """For the tests that need a database without the demo (they run before the module's load)."""
    assert not Agency.objects.exists()


def active_assignments(agency_name: str):
    return Assignment.objects.filter(agency__name=agency_name, end_date__isnull=True)


def row_counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    return counts | {"AuditEntry": AuditEntry.objects.count()}


# --- on an empty database (these run before the module's one load) ---------------------------


def test_if_empty_on_real_data_prints_no_logins(empty_db):
    services.agency_create(
        actor=None,
        name="Real PD",
        kind=Agency.Kind.MUNICIPAL,
        state="VT",
        ori="VT0000100",
        time_zone="America/New_York",
    )
    output = load_demo("--if-empty")
    assert ALREADY_LOADED in output
    assert "Password" not in output
    assert not User.objects.exists()


def test_it_refuses_to_load_when_debug_is_off(empty_db):
    with pytest.raises(CommandError, match=re.escape(DEMO_NEEDS_DEBUG)):
        call_command("load_demo", stdout=StringIO())
    assert not Agency.objects.exists()


# --- the three programs ------------------------------------------------------------------


def test_it_loads_three_agencies_into_an_empty_database(demo_output):
    assert set(Agency.objects.values_list("name", flat=True)) == {TOWN, CITY_DIVISION, SHERIFF}


def test_the_town_has_one_officer_at_each_of_its_three_schools_in_one_district(demo_output):
    assignments = active_assignments(TOWN)
    assert Partnership.objects.filter(agency__name=TOWN).count() == 1
    assert sorted(a.school.level for a in assignments) == ["elementary", "high", "middle"]
    assert len({a.officer_id for a in assignments}) == 3
    assert all(a.share_of_time == 100 for a in assignments)


def test_the_city_covers_about_fifteen_schools_in_two_districts_with_officers_at_one_to_three(demo_output):
    assignments = active_assignments(CITY_DIVISION)
    schools_per_officer = [
        assignments.filter(officer=officer).count()
        for officer in Officer.objects.filter(agency__name=CITY_DIVISION, status=Officer.Status.ACTIVE)
    ]
    assert Partnership.objects.filter(agency__name=CITY_DIVISION).count() == 2
    assert assignments.values("school").distinct().count() == 15
    assert School.objects.filter(district__partnerships__agency__name=CITY_DIVISION).count() == 15
    assert set(schools_per_officer) == {1, 2, 3}


def test_the_sheriff_has_two_deputies_across_four_rural_districts(demo_output):
    assignments = active_assignments(SHERIFF)
    districts_per_deputy = [
        assignments.filter(officer=officer).values("school__district").distinct().count()
        for officer in Officer.objects.filter(agency__name=SHERIFF)
    ]
    assert Partnership.objects.filter(agency__name=SHERIFF).count() == 4
    assert assignments.values("school__district").distinct().count() == 4
    assert districts_per_deputy == [2, 2]


def test_no_officer_is_booked_for_more_than_all_of_their_time(demo_output):
    shares = Assignment.objects.filter(end_date__isnull=True).values("officer").annotate(total=Sum("share_of_time"))
    assert shares
    assert all(row["total"] <= 100 for row in shares)
    assert {row["total"] for row in shares} == {100}


def test_one_school_has_seen_its_officer_replaced(demo_output):
    ended = Assignment.objects.get(end_date__isnull=False)
    successor = Assignment.objects.get(school=ended.school, end_date__isnull=True)
    assert ended.end_date < successor.start_date
    assert ended.officer.status == Officer.Status.INACTIVE


def test_most_officers_have_the_basic_course_and_a_few_assigned_ones_do_not(demo_output):
    trained = TrainingRecord.objects.filter(course=TrainingCourse.BASIC_SRO, hours__gte=40).values("officer")
    assigned = Officer.objects.filter(assignments__end_date__isnull=True).distinct()
    untrained = assigned.exclude(pk__in=trained)
    assert 1 <= untrained.count() <= 2
    assert assigned.filter(pk__in=trained).count() > 2 * untrained.count()


def test_every_change_it_made_is_in_the_audit_log(demo_output):
    agencies = AuditEntry.objects.filter(object_type="directory.agency", action="create")
    assert agencies.count() == 3
    assert AuditEntry.objects.filter(object_type="directory.enrollment").count() == Enrollment.objects.count()
    assert AuditEntry.objects.filter(object_type="accounts.membership").exists()
    directory = AuditEntry.objects.filter(object_type__startswith="directory.").exclude(actor=None)
    assert set(directory.values_list("actor_username", flat=True)) == {"admin"}


# --- enrollment ----------------------------------------------------------------------------


def test_each_school_has_enrollment_for_this_year_and_last(demo_output):
    assert Enrollment.objects.filter(school_year="2025-2026").count() == School.objects.count()
    assert Enrollment.objects.filter(school_year="2024-2025").count() == School.objects.count()


def test_enrollment_subgroups_add_up_to_the_total(demo_output):
    for row in Enrollment.objects.all():
        assert sum(getattr(row, name) for name in RACE_FIELDS) == row.total, row
        assert sum(getattr(row, name) for name in SEX_FIELDS) == row.total, row
        assert abs(row.disability_idea - 0.14 * row.total) <= 0.01 * row.total + 1, row
        assert abs(row.disability_504_only - 0.04 * row.total) <= 0.01 * row.total + 1, row
        assert 0 <= row.english_learner < row.total


def test_rural_schools_are_mostly_white_and_city_schools_more_diverse(demo_output):
    def white_share(agency_name: str) -> float:
        rows = Enrollment.objects.filter(
            school__district__partnerships__agency__name=agency_name, school_year="2025-2026"
        ).aggregate(white=Sum("white"), total=Sum("total"))
        return rows["white"] / rows["total"]

    assert white_share(SHERIFF) > 0.8
    assert white_share(CITY_DIVISION) < 0.5


def test_enrollment_counts_are_the_same_for_the_same_seed():
    first = enrollment_counts(total=700, profile=CITY, level="middle", rng=random.Random("seed"))
    second = enrollment_counts(total=700, profile=CITY, level="middle", rng=random.Random("seed"))
    assert first == second


def test_apportion_splits_a_total_exactly_by_largest_remainder():
    assert apportion(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert apportion(7, {"a": 0.5, "b": 0.25, "c": 0.25}) == {"a": 3, "b": 2, "c": 2}


# --- logins ---------------------------------------------------------------------------------


def printed_logins(output: str) -> tuple[list[str], str]:
    """The usernames in the printed table and the one password line."""
    password = re.search(r"^Password: (\S+)$", output, re.MULTILINE)
    assert password, output
    table = output.split("-----", 1)[1].split("\n\n", 1)[0]
    usernames = [line.split()[0] for line in table.splitlines()[1:] if line.strip()]
    return usernames, password.group(1)


def test_it_prints_one_login_per_role(demo_output):
    usernames, _ = printed_logins(demo_output)
    roles = set(Membership.objects.filter(user__username__in=usernames).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.filter(username__in=usernames, is_superuser=True).count() == 1
    assert Membership.objects.filter(role=Role.SUPERVISOR, agency__name=CITY_DIVISION).exists()
    assert Membership.objects.filter(role=Role.DISTRICT_ADMIN).count() == District.objects.count() == 7


def test_every_printed_login_signs_in_with_the_printed_password(demo_output):
    usernames, password = printed_logins(demo_output)
    # Every active login is printed; the officer who left the agency has theirs switched off.
    assert len(usernames) == len(set(usernames)) == User.objects.filter(is_active=True).count()
    departed = Officer.objects.filter(status=Officer.Status.INACTIVE).select_related("user")
    assert departed and all(not officer.user.is_active for officer in departed)
    for username in usernames:
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code == 302, username
        assert client.session.get("_auth_user_id") == str(User.objects.get(username=username).pk)


def test_each_officer_signs_in_as_their_own_officer_record(demo_output):
    officers = Officer.objects.select_related("user")
    assert all(Membership.objects.filter(user=o.user, role=Role.OFFICER, agency=o.agency).exists() for o in officers)
    assert all(o.user.has_usable_password() for o in officers)


# --- running it again -----------------------------------------------------------------------


def test_a_second_run_with_if_empty_changes_nothing_and_prints_the_logins(demo_output):
    before = row_counts()
    output = load_demo("--if-empty")
    assert row_counts() == before
    assert ALREADY_LOADED in output
    assert printed_logins(output) == printed_logins(demo_output)


def test_without_if_empty_it_refuses_a_database_that_holds_agencies(demo_output):
    before = row_counts()
    with pytest.raises(CommandError, match=re.escape(DATABASE_NOT_EMPTY)):
        load_demo()
    assert row_counts() == before


def test_the_demo_dates_are_fixed_not_relative_to_today(demo_output):
    starts = set(Assignment.objects.values_list("start_date", flat=True))
    assert max(starts) == datetime.date(2025, 8, 18)
