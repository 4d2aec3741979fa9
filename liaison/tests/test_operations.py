"""Operations: log lines with time and level and no secrets, e-mail settings, private data files."""

from __future__ import annotations

import html
import json
import logging
import stat

import pytest
from django.core.mail import EmailMessage

from liaison.lib.logs import REDACTED, redact
from liaison.lib.mail import MAIL_UNAVAILABLE, UnconfiguredEmailBackend
from liaison.tests.test_settings import PRODUCTION_SECRETS, last_line, start_django

UNCONFIGURED = "liaison.lib.mail.UnconfiguredEmailBackend"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("GET /accounts/password/set/MTI/cz7-4f1b2c3d4e5f6a7b8c9d/ HTTP/1.1", "cz7-4f1b2c3d4e5f6a7b8c9d"),
        ("Not Found: /surveys/s/Xk3dP9qLmN2/", "Xk3dP9qLmN2"),
        ("Authorization: Bearer abc.DEF-123_xyz", "abc.DEF-123_xyz"),
        ("GET /api/v1/calendar.ics?token=s3cr3t-value&x=1", "s3cr3t-value"),
    ],
    ids=["password-link", "survey-link", "bearer-token", "token-parameter"],
)
def test_secrets_in_urls_never_reach_the_log(line, secret):
    cleaned = redact(line)
    assert secret not in cleaned
    assert REDACTED in cleaned


LOG_A_SURVEY_LINK = (
    "import django, logging; django.setup(); "
    "logging.getLogger('django.request').warning('Not Found: %s', '/surveys/s/Xk3dP9qLmN2/')"
)


def test_production_logs_json_lines_with_time_and_level_and_no_survey_link(tmp_path):
    result = start_django(tmp_path, LOG_A_SURVEY_LINK, DEBUG="false", LOG_FORMAT="json", **PRODUCTION_SECRETS)
    assert result.returncode == 0, result.stderr
    entry = json.loads(last_line(result.stderr))
    assert entry["level"] == "WARNING" and entry["logger"] == "django.request"
    assert entry["time"].startswith("20") and entry["time"].endswith("+00:00")
    assert entry["message"] == f"Not Found: /surveys/s/{REDACTED}/"


def test_text_log_lines_start_with_the_time_and_level(tmp_path):
    result = start_django(tmp_path, LOG_A_SURVEY_LINK, DEBUG="true")
    line = last_line(result.stderr)
    assert " WARNING django.request: Not Found: /surveys/s/[redacted]/" in line
    assert line[:4].isdigit()


def test_without_smtp_production_sends_nothing_and_logs_no_link(caplog):
    link = "https://liaison.example.org/accounts/password/set/MTI/token-abc/"
    message = EmailMessage("Invitation", f"Choose your password: {link}", "a@example.org", ["b@example.org"])
    with caplog.at_level(logging.ERROR):
        assert UnconfiguredEmailBackend().send_messages([message]) == 0
    assert "E-mail not sent" in caplog.text
    assert "token-abc" not in caplog.text


def test_the_people_page_tells_the_admin_invitations_cannot_be_sent(page_as, world, settings):
    settings.EMAIL_BACKEND = UNCONFIGURED
    page = page_as("agency_admin").get(f"/accounts/people/agency/{world.agency.uuid}/")
    assert page.status_code == 200
    assert html.escape(MAIL_UNAVAILABLE) in page.content.decode()


def test_the_people_page_says_nothing_when_mail_works(page_as, world):
    page = page_as("agency_admin").get(f"/accounts/people/agency/{world.agency.uuid}/")
    assert page.status_code == 200
    assert html.escape(MAIL_UNAVAILABLE) not in page.content.decode()


PRINT_MAIL = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps([settings.EMAIL_BACKEND, settings.EMAIL_PORT, settings.EMAIL_USE_SSL, settings.EMAIL_USE_TLS]))"
)


def test_smtp_with_implicit_tls_on_port_465(tmp_path):
    result = start_django(tmp_path, PRINT_MAIL, DEBUG="true", EMAIL_HOST="smtp.example.org", EMAIL_USE_SSL="true")
    assert json.loads(last_line(result.stdout)) == ["django.core.mail.backends.smtp.EmailBackend", 465, True, False]


def test_implicit_tls_and_starttls_together_are_refused(tmp_path):
    result = start_django(tmp_path, DEBUG="true", EMAIL_USE_SSL="true", EMAIL_USE_TLS="true")
    assert "ImproperlyConfigured: EMAIL_USE_SSL: " in last_line(result.stderr)


def test_production_without_smtp_uses_the_backend_that_sends_nothing(tmp_path):
    result = start_django(tmp_path, PRINT_MAIL, DEBUG="false", **PRODUCTION_SECRETS)
    assert json.loads(last_line(result.stdout))[0] == UNCONFIGURED


CREATE_DATABASE = "import django; django.setup(); from django.db import connection; connection.ensure_connection()"


def test_the_data_directory_and_database_are_readable_by_the_service_user_only(tmp_path):
    data_dir = tmp_path / "data"
    result = start_django(data_dir, CREATE_DATABASE, DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "liaison.sqlite3").stat().st_mode) == 0o600
