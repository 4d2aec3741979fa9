"""The upload page and the status page: who may use them, and what a district admin sees."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from liaison.conftest import ROLES, World
from liaison.directory import roster_imports
from liaison.directory.forms_import import UPLOAD_NOT_A_ZIP, current_school_year
from liaison.directory.models import Enrollment, RosterImport, School
from liaison.directory.tests.test_oneroster_command import _every_stored_value
from liaison.directory.tests.test_oneroster_sets import EXPECTED, HIGH, STUDENT_IDS, STUDENT_NAMES, millbrook_set

YEAR = "2025-2026"
IMPORTERS = ("platform_admin", "district_admin", "outsider_district_admin")


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def zip_upload(tmp_path: Path, roster_set=None) -> SimpleUploadedFile:
    path = (roster_set or millbrook_set()).zip(tmp_path / "roster.zip")
    return SimpleUploadedFile("roster.zip", path.read_bytes(), content_type="application/zip")


def upload(client, tmp_path, world: World, roster_set=None, **extra):
    data = {"file": zip_upload(tmp_path, roster_set), "school_year": YEAR, "district": world.district.pk} | extra
    return client.post(reverse("directory:import_oneroster"), data)


def stored_uploads(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / roster_imports.UPLOAD_FOLDER
    return list(folder.iterdir()) if folder.exists() else []


# --- permissions, across the whole cast --------------------------------------------------------

UPLOAD_PAGE = {role: 403 for role in ROLES} | dict.fromkeys(IMPORTERS, 200) | {"anonymous": 302}
STATUS_PAGE = UPLOAD_PAGE | {"outsider_district_admin": 404}
UPLOAD_POST = {role: 403 for role in ROLES} | dict.fromkeys(IMPORTERS, 302) | {"anonymous": 302}


@pytest.fixture
def millbrook_import(world: World) -> RosterImport:
    """A finished import of the cast's district, uploaded by its district admin."""
    return RosterImport.objects.create(
        district=world.district,
        uploaded_by=world.users["district_admin"],
        school_year=YEAR,
        status=RosterImport.Status.SUCCEEDED,
        summary={"per_school": [], "not_collected": []},
    )


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_upload_page(page_as, role):
    response = page_as(role).get(reverse("directory:import_oneroster"))
    assert response.status_code == UPLOAD_PAGE[role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["directory:import_status", "directory:import_status_partial"])
def test_who_may_see_an_imports_status(page_as, millbrook_import, role, page):
    response = page_as(role).get(reverse(page, args=[millbrook_import.uuid]))
    assert response.status_code == STATUS_PAGE[role]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_upload(page_as, world, tmp_path, settings, role):
    # The outsider may upload, but only into their own district; the Millbrook roster then fails.
    district = world.other_district if role == "outsider_district_admin" else world.district
    response = upload(page_as(role), tmp_path, world, district=district.pk)
    assert response.status_code == UPLOAD_POST[role]
    expected_imports = 1 if role in IMPORTERS else 0
    assert RosterImport.objects.count() == expected_imports
    if role in IMPORTERS:
        roster_import = RosterImport.objects.get()
        assert response["Location"] == reverse("directory:import_status", args=[roster_import.uuid])
        succeeded = role != "outsider_district_admin"
        assert roster_import.status == ("succeeded" if succeeded else "failed")
    assert stored_uploads(settings) == []


# --- what the district admin sees --------------------------------------------------------------


def test_a_district_admin_uploads_a_roster_and_sees_the_summary(page_as, world, tmp_path, settings):
    client = page_as("district_admin")
    response = upload(client, tmp_path, world)
    page = client.get(response["Location"]).content.decode()
    assert "Import finished" in page
    assert "Millbrook Middle" in page
    assert "<progress" in page
    assert Enrollment.objects.get(school__nces_id=HIGH).total == EXPECTED[HIGH]["total"]
    roster_import = RosterImport.objects.get()
    assert (roster_import.uploaded_by, roster_import.district) == (world.users["district_admin"], world.district)
    assert roster_import.summary["students"] == 13
    assert roster_import.upload_path == ""
    assert stored_uploads(settings) == []


def test_the_errors_are_listed_with_file_line_and_column(page_as, world, tmp_path):
    roster_set = millbrook_set()
    users = roster_set.tables["users.csv"]
    users.row("stu-003")["grades"] = "third"
    client = page_as("district_admin")
    page = client.get(upload(client, tmp_path, world, roster_set)["Location"]).content.decode()
    assert "Nothing was imported" in page
    assert f"<td>users.csv</td><td>{users.line_of('stu-003')}</td><td>grades</td>" in page
    assert not School.objects.filter(name="Millbrook Middle").exists()


def test_a_district_admin_cannot_import_another_districts_orgs(page_as, world, tmp_path):
    client = page_as("outsider_district_admin")
    response = upload(client, tmp_path, world, district=world.other_district.pk)
    page = client.get(response["Location"]).content.decode()
    assert "<td>orgs.csv</td><td>2</td><td>identifier</td>" in page
    assert "is not one of your districts" in page
    assert not School.objects.filter(name="Millbrook Middle").exists()


def test_a_district_admin_may_only_choose_their_own_district(page_as, world, tmp_path):
    response = upload(page_as("district_admin"), tmp_path, world, district=world.other_district.pk)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_a_platform_admin_may_import_any_district_in_the_file(page_as, world, tmp_path):
    response = upload(page_as("platform_admin"), tmp_path, world, district="")
    assert response.status_code == 302
    roster_import = RosterImport.objects.get()
    assert (roster_import.district, roster_import.status) == (None, "succeeded")


def test_a_file_that_is_not_a_zip_is_refused_by_the_form(page_as, world):
    data = {"file": SimpleUploadedFile("users.csv", b"sourcedId\n"), "school_year": YEAR, "district": world.district.pk}
    response = page_as("district_admin").post(reverse("directory:import_oneroster"), data)
    assert response.status_code == 200
    assert UPLOAD_NOT_A_ZIP in response.content.decode()


def test_no_student_is_kept_after_page_imports(page_as, world, tmp_path, settings):
    client = page_as("district_admin")
    upload(client, tmp_path, world)
    failing = millbrook_set()
    failing.tables["users.csv"].row("stu-001")["grades"] = "Zephyrine"  # a name in the wrong column
    upload(client, tmp_path, world, failing)
    assert RosterImport.objects.filter(status="failed").exists()
    stored = _every_stored_value()
    for needle in (*STUDENT_NAMES, *STUDENT_IDS):
        assert needle not in stored, needle
    assert stored_uploads(settings) == []


# --- the status page while an import runs ---------------------------------------------------------


def test_a_running_import_polls_with_htmx_and_shows_its_progress(page_as, world):
    roster_import = RosterImport.objects.create(
        district=world.district,
        school_year=YEAR,
        status=RosterImport.Status.RUNNING,
        phase="Reading users.csv",
        progress_done=250,
        progress_total=1000,
    )
    partial_url = reverse("directory:import_status_partial", args=[roster_import.uuid])
    response = page_as("district_admin").get(partial_url)
    html = response.content.decode()
    assert f'hx-get="{partial_url}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert '<progress id="import-progress" class="progress" max="100" value="25">' in html
    assert "Reading users.csv" in html
    assert "<html" not in html


def test_a_finished_import_stops_polling(page_as, millbrook_import):
    response = page_as("district_admin").get(reverse("directory:import_status", args=[millbrook_import.uuid]))
    assert 'hx-trigger="every' not in response.content.decode()  # (the navigation's badges load once, by htmx)


def test_the_upload_page_lists_recent_imports_within_a_query_budget(page_as, world, django_assert_max_num_queries):
    for _ in range(5):
        RosterImport.objects.create(
            district=world.district, uploaded_by=world.users["district_admin"], school_year=YEAR
        )
    RosterImport.objects.create(district=world.other_district, school_year=YEAR)  # not theirs
    client = page_as("district_admin")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("directory:import_oneroster"))
    assert response.content.decode().count("Queued") == 5


def test_a_task_delivered_twice_runs_once(millbrook_import):
    assert roster_imports.roster_import_execute(millbrook_import).status == "succeeded"


def test_the_form_suggests_the_current_school_year(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    assert current_school_year() == "2025-2026"
    time_machine.move_to(datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC))
    assert current_school_year() == "2026-2027"
