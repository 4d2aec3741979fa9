"""The installable app's server side: service worker, manifest, icons, the queue's session check, and the
per-user marks the service worker files kept pages under."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.test import Client
from PIL import Image

from liaison.conftest import ROLES
from liaison.interactions.offline import USER_HEADER, offline_user_key

QUICK_LOG = "/log/"
ENFORCEMENT_FORM = "/log/enforcement/new/"
SESSION = "/log/offline/session/"


def test_the_service_worker_is_served_from_the_root_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    body = response.content.decode()
    config = json.loads(body.split("var CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["pages"] == [QUICK_LOG, ENFORCEMENT_FORM]
    assert "/static/js/offline_queue.js" in config["precache"] and "/app-icon-192.png" in config["precache"]
    assert config["userHeader"] == USER_HEADER
    assert (config["session"], config["api"], config["signIn"]) == (SESSION, "/api/v1/interactions", "/accounts/login/")
    assert 'importScripts("/static/js/offline_queue.js")' in body
    assert "&quot;" not in body, "the script is not HTML-escaped"


def test_the_service_worker_changes_when_a_script_it_caches_changes(client, settings, tmp_path):
    before = client.get("/sw.js").content
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "pwa.js").write_text("// a new release")
    settings.STATICFILES_DIRS = [tmp_path, *settings.STATICFILES_DIRS]
    assert client.get("/sw.js").content != before


def test_the_manifest_makes_the_quick_log_an_installable_app(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (QUICK_LOG, "/", "standalone")
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512", "any"} <= sizes


@pytest.mark.parametrize("size", [192, 512])
def test_the_icons_are_drawn_as_pngs_at_their_size(client, size):
    response = client.get(f"/app-icon-{size}.png")
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (size, size))


def test_an_icon_size_not_offered_is_not_found(client):
    assert client.get("/app-icon-64.png").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_session_check_names_only_the_signed_in_user(world, page_as, role):
    response = page_as(role).get(SESSION)
    assert response["Cache-Control"] == "no-store"
    user = world.users[role]
    if user is None:
        assert (response.status_code, response.json()) == (401, {"user": ""}), "401, never a redirect to sign in"
        return
    body = response.json()
    assert response.status_code == 200
    assert body["user"] == offline_user_key(user) and body["csrf"]


def test_each_user_has_their_own_opaque_key(world):
    keys = {offline_user_key(user) for user in world.users.values() if user is not None}
    assert len(keys) == len([user for user in world.users.values() if user is not None])
    assert all(len(key) == 32 and str(world.users["officer"].pk) != key for key in keys)
    assert offline_user_key(None) == ""


def test_the_officers_pages_are_marked_with_their_user_for_the_worker(world, page_as):
    officer = page_as("officer")
    key = offline_user_key(world.users["officer"])
    for path in (QUICK_LOG, ENFORCEMENT_FORM):
        response = officer.get(path)
        assert response[USER_HEADER] == key
        assert response["Cache-Control"] == "private, no-cache"
    page = officer.get(QUICK_LOG).content.decode()
    assert f'data-user="{key}"' in page and 'data-officer="' in page and "data-sign-out" in page


def test_a_posted_page_is_never_marked_for_keeping(world, page_as):
    data = {"client_uuid": str(uuid.uuid4()), "school": str(world.elementary.uuid), "kind": "nonsense"}
    response = page_as("officer").post(QUICK_LOG, data)
    assert response.status_code == 200 and USER_HEADER not in response


def test_a_refused_page_is_not_marked_for_keeping(world, page_as):
    response = page_as("district_admin").get(QUICK_LOG)
    assert response.status_code == 403 and USER_HEADER not in response


def test_signed_out_pages_link_the_manifest_but_load_no_queue(client, db):  # the sign-in page lists SSO providers
    page = client.get("/accounts/login/").content.decode()
    assert 'rel="manifest"' in page
    assert "liaison-offline" not in page and "offline_queue.js" not in page


def test_signed_in_pages_load_the_queue_with_a_nonce(world):
    client = Client()
    client.force_login(world.users["supervisor"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/log/records/")
    page = response.content.decode()
    nonce = response["Content-Security-Policy"].split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'src="/static/js/pwa.js" defer nonce="{nonce}"' in page
    assert f'data-user="{offline_user_key(world.users["supervisor"])}"' in page
