"""The server's secrets, read from the environment and refused when they cannot be secret.

A copy of `.env.example` starts a server only after its placeholders are replaced: a placeholder or
short secret would let anyone with a database copy forge sessions or test guessed student ids.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

MINIMUM_LENGTH = 32
# Values the docs and examples show; a secret containing one was copied, not generated.
PLACEHOLDERS = ("change-me", "changeme", "insecure", "replace-me", "example", "secret-key")
GENERATE = 'generate one with: python3 -c "import secrets; print(secrets.token_urlsafe(50))"'

SECRET_MISSING = "{name}: must be set when DEBUG is off ({generate})"
SECRET_PLACEHOLDER = "{name}: is a placeholder (contains {word!r}); {generate}"
SECRET_SHORT = "{name}: must be at least {minimum} characters, got {length}; {generate}"
# Before 0.2.0 an unset STUDENT_KEY_SECRET silently meant SECRET_KEY: an install that relied on it
# must keep keying students with that value, or every student gets a new key for good.
STUDENT_KEY_SECRET_UPGRADE = (
    " If this install ran before without STUDENT_KEY_SECRET, its student keys were made with SECRET_KEY:"
    " set STUDENT_KEY_SECRET to the current value of SECRET_KEY (then rotate SECRET_KEY if you wish),"
    " or every student gets a new key and records no longer link over time."
)


def secret_problem(name: str, value: str) -> str | None:
    """Why this value cannot serve as a production secret, or None."""
    if not value:
        message = SECRET_MISSING.format(name=name, generate=GENERATE)
    elif word := next((w for w in PLACEHOLDERS if w in value.lower()), None):
        message = SECRET_PLACEHOLDER.format(name=name, word=word, generate=GENERATE)
    elif len(value) < MINIMUM_LENGTH:
        message = SECRET_SHORT.format(name=name, minimum=MINIMUM_LENGTH, length=len(value), generate=GENERATE)
    else:
        return None
    if name == "STUDENT_KEY_SECRET" and not value:
        message += STUDENT_KEY_SECRET_UPGRADE
    return message


def secret_from_env(name: str, *, debug: bool, development_value: str, environ: Mapping[str, str] | None = None) -> str:
    """The secret in the variable `name`; with DEBUG off, refuse one that cannot be secret."""
    value = (os.environ if environ is None else environ).get(name, "")
    if debug:
        return value or development_value
    problem = secret_problem(name, value)
    if problem:
        raise ImproperlyConfigured(problem)
    return value
