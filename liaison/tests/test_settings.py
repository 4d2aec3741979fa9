"""Settings come from the environment: strict parsing, safe production defaults, and a documented list."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from liaison.lib.environment import env_bool, env_int, env_list, env_str

REPO = Path(__file__).resolve().parents[2]
SETTINGS_FILES = (REPO / "liaison" / "settings.py", REPO / "liaison" / "settings_test.py")
ENV_EXAMPLE = REPO / ".env.example"

# Run in a fresh interpreter: production settings, with the test run's own environment left out.
PRINT_PRODUCTION_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings

# Pages need collected static files under manifest storage; the headers do not depend on it.
plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
plain_static = {**settings.STORAGES, "staticfiles": {"BACKEND": plain}}
with override_settings(STORAGES=plain_static):
    page = Client().get("/accounts/login/", secure=True)
    insecure = Client().get("/accounts/login/")
    health = Client().get("/healthz")
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SESSION_COOKIE_AGE": settings.SESSION_COOKIE_AGE,
    "PASSWORD_HASHERS": settings.PASSWORD_HASHERS,
    "page_status": page.status_code,
    "page_csp": page.get("Content-Security-Policy", ""),
    "page_hsts": page.get("Strict-Transport-Security", ""),
    "page_nonce": page.content.decode().split('nonce="', 1)[-1].split('"', 1)[0],
    "insecure_status": insecure.status_code,
    "insecure_location": insecure.get("Location", ""),
    "health_status": health.status_code,
}))
"""


def start_django(tmp_path: Path, script: str = "import django; django.setup()", **env: str):
    """Start Django in a subprocess with only the given variables set (besides PATH and HOME)."""
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DJANGO_SETTINGS_MODULE": "liaison.settings",
        "DATA_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=environ, capture_output=True, text=True, timeout=60
    )


# Long, random-looking values: what a real install generates.
PRODUCTION_SECRETS = {
    "SECRET_KEY": "q3Vd8Kx1Lw0Zp7Rt5Yb2Nh6Jc9Mf4Gs1Ae8Ui3Oo7Pl5",
    "STUDENT_KEY_SECRET": "Wm2Xn7Bv4Cq9Lz1Kj6Hd3Fs8Ga5Tr0Ye2Uw7Io4Pq9",
}


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1] if text.strip() else ""


# --- parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["1", "true", "TRUE", "yes", "on", " On "])
def test_env_bool_reads_the_usual_true_words(word):
    assert env_bool("FLAG", False, environ={"FLAG": word}) is True


@pytest.mark.parametrize("word", ["0", "false", "no", "off", ""])
def test_env_bool_reads_the_usual_false_words(word):
    assert env_bool("FLAG", True, environ={"FLAG": word}) is False


def test_env_bool_uses_the_default_when_the_variable_is_unset():
    assert env_bool("FLAG", True, environ={}) is True


def test_env_bool_names_the_variable_of_a_word_it_cannot_read():
    with pytest.raises(ImproperlyConfigured, match=r"^FLAG: .*'maybe'"):
        env_bool("FLAG", False, environ={"FLAG": "maybe"})


def test_env_int_reads_a_whole_number_or_uses_the_default():
    assert env_int("HOURS", 8, environ={"HOURS": " 12 "}) == 12
    assert env_int("HOURS", 8, environ={}) == 8


def test_env_int_names_the_variable_of_a_value_that_is_not_a_number():
    with pytest.raises(ImproperlyConfigured, match=r"^HOURS: expected a whole number, got 'abc'"):
        env_int("HOURS", 8, environ={"HOURS": "abc"})


def test_env_int_names_the_variable_of_a_value_below_the_minimum():
    with pytest.raises(ImproperlyConfigured, match=r"^HOURS: must be at least 1, got 0"):
        env_int("HOURS", 8, minimum=1, environ={"HOURS": "0"})


def test_env_list_splits_on_commas_and_drops_blanks():
    assert env_list("HOSTS", [], environ={"HOSTS": "a.example, b.example,,"}) == ["a.example", "b.example"]
    assert env_list("HOSTS", ["x"], environ={}) == ["x"]


def test_env_str_uses_the_default_when_the_variable_is_unset():
    assert env_str("NAME", "fallback", environ={}) == "fallback"
    assert env_str("NAME", "fallback", environ={"NAME": ""}) == ""


# --- starting Django with a bad value stops it, naming the variable -----------------------


@pytest.mark.parametrize(
    ("name", "env"),
    [
        ("DEBUG", {"DEBUG": "maybe"}),
        ("SESSION_HOURS", {"DEBUG": "true", "SESSION_HOURS": "abc"}),
        ("SESSION_HOURS", {"DEBUG": "true", "SESSION_HOURS": "0"}),
        ("LOGIN_FAILURE_LIMIT", {"DEBUG": "true", "LOGIN_FAILURE_LIMIT": "five"}),
        ("HTTPS", {"DEBUG": "true", "HTTPS": "sometimes"}),
        ("DATABASE_URL", {"DEBUG": "true", "DATABASE_URL": "mysql://x"}),
        ("SECRET_KEY", {"DEBUG": "false"}),
        ("SECRET_KEY", {}),
        ("DISCLOSURE_THRESHOLD", {"DEBUG": "true", "DISCLOSURE_THRESHOLD": "5"}),
    ],
    ids=lambda value: value if isinstance(value, str) else ",".join(f"{k}={v}" for k, v in value.items()) or "unset",
)
def test_starting_with_a_bad_value_stops_with_a_message_naming_the_variable(tmp_path, name, env):
    result = start_django(tmp_path, **env)
    assert result.returncode != 0
    assert re.match(rf"^django\.core\.exceptions\.ImproperlyConfigured: {name}: ", last_line(result.stderr)), (
        result.stderr
    )


def test_starting_with_debug_on_needs_no_secret_key(tmp_path):
    result = start_django(tmp_path, DEBUG="true")
    assert result.returncode == 0, result.stderr


# --- PostgreSQL: prepared statements unless a pooler forbids them ------------------------------

DATABASE_OPTIONS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
)


def test_postgresql_binds_on_the_server_and_prepares_repeated_statements_by_default(tmp_path):
    result = start_django(tmp_path, DATABASE_OPTIONS, DEBUG="true", DATABASE_URL="postgres://u@db.example/liaison")
    assert json.loads(last_line(result.stdout)) == {"server_side_binding": True, "prepare_threshold": 2}, result.stderr


def test_prepared_statements_can_be_turned_off_for_a_transaction_pooler(tmp_path):
    result = start_django(
        tmp_path,
        DATABASE_OPTIONS,
        DEBUG="true",
        DATABASE_URL="postgres://u@db.example/liaison",
        DB_PREPARED_STATEMENTS="false",
    )
    assert json.loads(last_line(result.stdout)) == {}, result.stderr


# --- production: DEBUG off ------------------------------------------------------------------


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("production")
    result = start_django(
        data_dir, PRINT_PRODUCTION_SETTINGS, DEBUG="false", ALLOWED_HOSTS="testserver", **PRODUCTION_SECRETS
    )
    assert result.returncode == 0, result.stderr
    return json.loads(last_line(result.stdout))


def test_production_is_not_in_debug_mode(production):
    assert production["DEBUG"] is False


def test_production_cookies_are_sent_only_over_https(production):
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True


def test_production_redirects_plain_http_to_https_and_sends_hsts(production):
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] > 0
    assert production["insecure_status"] == 301
    assert production["insecure_location"] == "https://testserver/accounts/login/"
    assert production["page_hsts"].startswith("max-age=")


def test_production_health_check_answers_over_plain_http(production):
    assert production["health_status"] == 200


def test_production_hashes_new_passwords_with_argon2(production):
    assert production["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_production_pages_carry_a_content_security_policy_with_the_pages_nonce(production):
    csp = production["page_csp"]
    assert production["page_status"] == 200
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert f"script-src 'self' 'nonce-{production['page_nonce']}'" in csp


def test_a_session_lasts_the_hours_in_session_hours(tmp_path):
    script = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    result = start_django(tmp_path, script, DEBUG="true", SESSION_HOURS="2")
    assert last_line(result.stdout) == "7200", result.stderr


# --- .env.example documents every variable ---------------------------------------------------


def variables_read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in SETTINGS_FILES:
        source = path.read_text()
        names |= set(re.findall(r"\b(?:env_\w+|secret_from_env)\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
        names |= set(re.findall(r"os\.environ\.setdefault\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    return names


def documented_variables() -> set[str]:
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.MULTILINE))


def test_settings_read_the_variables_we_expect_to_find():
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "SESSION_HOURS"} <= variables_read_by_settings()


def test_env_example_documents_every_variable_the_settings_read():
    missing = variables_read_by_settings() - documented_variables()
    assert not missing, f"add these to .env.example: {sorted(missing)}"
