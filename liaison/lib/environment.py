"""Strict parsing of settings from environment variables.

A value that cannot be parsed stops start-up with a message naming the variable,
rather than silently falling back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def env_str(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    source = os.environ if environ is None else environ
    return source.get(name, default)


def env_bool(name: str, default: bool = False, *, environ: Mapping[str, str] | None = None) -> bool:
    source = os.environ if environ is None else environ
    if name not in source:
        return default
    word = source[name].strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}: expected one of true/false/1/0/yes/no/on/off, got {source[name]!r}")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    source = os.environ if environ is None else environ
    if name not in source:
        return default
    try:
        value = int(source[name].strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {source[name]!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str], *, environ: Mapping[str, str] | None = None) -> list[str]:
    source = os.environ if environ is None else environ
    if name not in source:
        return default
    return [item.strip() for item in source[name].split(",") if item.strip()]
