"""Secrets: a production server refuses placeholders, short values and the old fallback."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from liaison.lib.secrets import STUDENT_KEY_SECRET_UPGRADE, secret_from_env, secret_problem
from liaison.tests.test_settings import PRODUCTION_SECRETS, last_line, start_django

GOOD = PRODUCTION_SECRETS["SECRET_KEY"]


@pytest.mark.parametrize(
    "value",
    ["", "change-me-to-a-long-random-string", "change-me-to-another-long-random-string", "short-but-random-Xy7"],
)
def test_a_missing_placeholder_or_short_secret_is_refused(value):
    assert secret_problem("SECRET_KEY", value) is not None


def test_a_long_generated_secret_is_accepted():
    assert secret_problem("SECRET_KEY", GOOD) is None


def test_a_missing_student_key_secret_tells_an_upgraded_install_to_keep_its_old_secret():
    with pytest.raises(ImproperlyConfigured) as raised:
        secret_from_env("STUDENT_KEY_SECRET", debug=False, development_value="dev", environ={"SECRET_KEY": GOOD})
    assert str(raised.value).startswith("STUDENT_KEY_SECRET: must be set")
    assert STUDENT_KEY_SECRET_UPGRADE in str(raised.value)


def test_with_debug_on_a_development_value_stands_in():
    assert secret_from_env("SECRET_KEY", debug=True, development_value="dev", environ={}) == "dev"


PRINT_SECRETS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps([settings.SECRET_KEY, settings.STUDENT_KEY_SECRET, settings.SECRET_KEY_FALLBACKS]))"
)


@pytest.mark.parametrize(
    ("name", "env"),
    [
        ("SECRET_KEY", {"SECRET_KEY": "change-me-to-a-long-random-string"}),
        ("SECRET_KEY", {"SECRET_KEY": "x"}),
        ("STUDENT_KEY_SECRET", {"STUDENT_KEY_SECRET": "change-me-to-another-long-random-string"}),
        ("STUDENT_KEY_SECRET", {"STUDENT_KEY_SECRET": ""}),
    ],
    ids=["placeholder-key", "short-key", "placeholder-student", "missing-student"],
)
def test_production_refuses_to_start_with_a_bad_secret(tmp_path, name, env):
    result = start_django(tmp_path, DEBUG="false", **{**PRODUCTION_SECRETS, **env})
    assert result.returncode != 0
    assert last_line(result.stderr).startswith(f"django.core.exceptions.ImproperlyConfigured: {name}: ")


def test_the_student_key_secret_never_falls_back_to_the_secret_key(tmp_path):
    result = start_django(tmp_path, DEBUG="false", SECRET_KEY=GOOD)
    assert result.returncode != 0
    assert "set STUDENT_KEY_SECRET to the current value of SECRET_KEY" in result.stderr


def test_old_signing_keys_are_read_from_secret_key_fallbacks(tmp_path):
    fallbacks = {"SECRET_KEY_FALLBACKS": "old-1, old-2"}
    result = start_django(tmp_path, PRINT_SECRETS, DEBUG="false", **fallbacks, **PRODUCTION_SECRETS)
    assert result.returncode == 0, result.stderr
    assert last_line(result.stdout).endswith('["old-1", "old-2"]]')


def test_debug_mode_starts_without_any_secret(tmp_path):
    result = start_django(tmp_path, PRINT_SECRETS, DEBUG="true")
    assert result.returncode == 0, result.stderr
