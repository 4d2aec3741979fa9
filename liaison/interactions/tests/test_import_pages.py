"""The contacts upload page, the status page it leads to, and who may see them."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from liaison.conftest import ROLES
from liaison.interactions import imports
from liaison.interactions.import_forms import UPLOAD_NOT_CSV
from liaison.interactions.models import Interaction, InteractionImport
from liaison.interactions.rules import REQUIRED

from .import_files import ARREST, NOW, contact, import_file, problems, table_counts, write_csv

UPLOADERS = {"platform_admin", "agency_admin", "supervisor"}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def finished_import(world, tmp_path):
    import_file(write_csv(tmp_path, [contact()]), world.agency, user="supervisor")
    return InteractionImport.objects.get()


def _csv_upload(tmp_path, rows, name="contacts.csv"):
    folder = tmp_path / "upload"
    folder.mkdir(exist_ok=True)
    path = write_csv(folder, rows, name=name)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


def _upload(page_as, role, agency, upload):
    return page_as(role).post(reverse("interactions:import"), {"file": upload, "agency": agency.pk})


# --- who may import, and see which imports ----------------------------------------------------------


def _expected_upload_status(role):
    if role == "anonymous":
        return 302
    return 200 if role in UPLOADERS | {"outsider_agency_admin"} else 403


def _expected_status_status(role):
    if role == "anonymous":
        return 302
    if role in UPLOADERS:
        return 200
    return 404 if role == "outsider_agency_admin" else 403


@pytest.mark.parametrize("role", ROLES)
def test_the_upload_page_is_for_supervisors_and_admins(page_as, world, role):
    response = page_as(role).get(reverse("interactions:import"))
    assert response.status_code == _expected_upload_status(role)
    if role == "anonymous":
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["interactions:import_status", "interactions:import_status_partial"])
def test_an_imports_status_is_seen_only_within_its_agency(page_as, finished_import, role, name):
    response = page_as(role).get(reverse(name, args=[finished_import.uuid]))
    assert response.status_code == _expected_status_status(role)
    if role == "anonymous":
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", sorted(set(ROLES) - UPLOADERS - {"outsider_agency_admin", "anonymous"}))
def test_roles_that_may_not_import_cannot_post_a_file(page_as, world, tmp_path, role):
    response = _upload(page_as, role, world.agency, _csv_upload(tmp_path, [contact()]))
    assert response.status_code == 403
    assert InteractionImport.objects.count() == 0


def test_a_supervisor_cannot_import_into_another_agency(page_as, world, tmp_path):
    response = _upload(page_as, "supervisor", world.other_agency, _csv_upload(tmp_path, [contact()]))
    assert response.status_code == 200
    assert "agency" in response.context["form"].errors
    assert InteractionImport.objects.count() == 0


def test_a_supervisor_sees_only_their_agencys_recent_imports(page_as, world, finished_import):
    imports.interaction_import_create(actor=None, agency=world.other_agency, original_name="harlow.csv")
    recent = list(page_as("supervisor").get(reverse("interactions:import")).context["recent"])
    assert recent == [finished_import]


def test_the_upload_page_lists_the_columns_with_their_codes(page_as, world):
    response = page_as("agency_admin").get(reverse("interactions:import"))
    columns = {column["name"]: column for column in response.context["columns"]}
    assert columns["kind"]["required"] and "positive" in columns["kind"]["codes"]
    assert columns["race_ethnicity"]["enforcement"]
    assert "student_id" not in columns


# --- uploading ------------------------------------------------------------------------------------


def test_an_uploaded_file_is_imported_and_its_status_page_shows_the_counts(page_as, world, tmp_path, settings):
    rows = [contact(), contact(kind="instruction"), contact(kind="enforcement", **ARREST)]
    response = _upload(page_as, "supervisor", world.agency, _csv_upload(tmp_path, rows))
    job = InteractionImport.objects.get()
    assert response.url == reverse("interactions:import_status", args=[job.uuid])
    assert job.status == InteractionImport.Status.SUCCEEDED
    assert Interaction.objects.count() == 3
    assert set(Interaction.objects.values_list("created_by__username", flat=True)) == {"supervisor"}
    page = page_as("supervisor").get(response.url)
    assert "Import finished" in page.content.decode()
    assert page.context["kinds"] == [
        ("Classroom instruction or presentation", 1),
        ("Enforcement action", 1),
        ("Informal positive contact", 1),
    ]
    assert 'hx-trigger="every' not in page.content.decode()  # (the navigation's badges load once, by htmx)


def test_the_uploaded_file_is_deleted_once_imported(page_as, world, tmp_path, settings):
    _upload(page_as, "agency_admin", world.agency, _csv_upload(tmp_path, [contact()]))
    job = InteractionImport.objects.get()
    assert job.upload_path == ""
    assert list((settings.MEDIA_ROOT / imports.UPLOAD_FOLDER).iterdir()) == []


def test_a_bad_file_stores_nothing_and_the_status_page_lists_each_problem(page_as, world, tmp_path, settings):
    before = table_counts()
    rows = [contact(), contact(kind="enforcement"), contact(badge_number="")]
    _upload(page_as, "supervisor", world.agency, _csv_upload(tmp_path, rows))
    job = InteractionImport.objects.get()
    assert table_counts() == before
    assert [(line, column) for line, column, _ in problems(job)] == [(3, "action_type"), (4, "badge_number")]
    assert list((settings.MEDIA_ROOT / imports.UPLOAD_FOLDER).iterdir()) == []
    page = page_as("supervisor").get(reverse("interactions:import_status", args=[job.uuid])).content.decode()
    assert "Nothing was imported" in page
    assert "2 problems found" in page
    assert REQUIRED in page


def test_a_file_that_is_not_text_is_refused_by_the_form(page_as, world):
    upload = SimpleUploadedFile("contacts.csv", b"PK\x03\x04\x00\x00binary", content_type="application/zip")
    response = _upload(page_as, "supervisor", world.agency, upload)
    assert response.context["form"].errors["file"] == [UPLOAD_NOT_CSV]
    assert InteractionImport.objects.count() == 0


def test_a_platform_admin_chooses_the_agency_to_import_into(page_as, world, tmp_path):
    harlow = contact(badge_number="7", school_nces_id="500000100001")
    _upload(page_as, "platform_admin", world.other_agency, _csv_upload(tmp_path, [harlow]))
    assert Interaction.objects.get().agency == world.other_agency


# --- the status while an import waits or runs -----------------------------------------------------


def test_a_running_import_shows_its_progress_and_keeps_polling(page_as, world):
    job = imports.interaction_import_create(actor=None, agency=world.agency, original_name="big.csv")
    InteractionImport.objects.filter(pk=job.pk).update(
        status=InteractionImport.Status.RUNNING, phase=imports.CHECKING, progress_done=40, progress_total=100
    )
    partial = reverse("interactions:import_status_partial", args=[job.uuid])
    html = page_as("supervisor").get(partial).content.decode()
    assert f'hx-get="{partial}"' in html
    assert 'value="40"' in html
    assert imports.CHECKING in html


def test_an_import_without_known_progress_shows_a_bar_that_only_says_it_is_working(page_as, world):
    job = imports.interaction_import_create(actor=None, agency=world.agency, original_name="big.csv")
    html = page_as("supervisor").get(reverse("interactions:import_status", args=[job.uuid])).content.decode()
    assert "Waiting to start" in html
    assert '<progress id="import-progress" class="progress">' in html


def test_the_status_page_stays_within_its_query_budget(page_as, finished_import, django_assert_max_num_queries):
    client = page_as("supervisor")
    url = reverse("interactions:import_status", args=[finished_import.uuid])
    client.get(url)
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200


def test_a_queued_import_runs_once_even_if_its_task_comes_twice(world, tmp_path, settings):
    from liaison.interactions.tasks import interaction_import_process

    upload = _csv_upload(tmp_path, [contact()])
    job = imports.interaction_import_create(actor=world.users["supervisor"], agency=world.agency, upload=upload)
    interaction_import_process.call(str(job.uuid))
    interaction_import_process.call(str(job.uuid))
    assert Interaction.objects.count() == 1
