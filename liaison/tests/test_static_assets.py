"""With DEBUG off, a page renders even when an optional asset was never collected."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

FORGIVING = "liaison.lib.staticfiles.ForgivingManifestStaticFilesStorage"


@pytest.fixture
def manifest_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": FORGIVING}}
    settings.WHITENOISE_USE_FINDERS = False
    return tmp_path


def test_a_page_renders_when_htmx_was_never_collected(client, db, manifest_storage, caplog):
    (manifest_storage / "staticfiles.json").write_text(json.dumps({"version": "1.1", "paths": {}}))
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'src="/static/vendor/htmx/htmx.min.js"' in response.content.decode()
    assert "vendor/htmx/htmx.min.js" in caplog.text and "collectstatic" in caplog.text


def test_collected_assets_are_served_under_their_hashed_names(client, db, manifest_storage):
    # Only our own files: compressing the admin's and the API docs' takes minutes on a busy machine.
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin", "ninja", "vendor"])
    page = client.get("/accounts/login/").content.decode()
    manifest = json.loads((manifest_storage / "staticfiles.json").read_text())["paths"]
    assert f"/static/{manifest['css/liaison.css']}" in page
