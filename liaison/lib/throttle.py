"""A small fixed-window rate limit in Django's cache, for the pages anyone may post to without signing in."""

from __future__ import annotations

from django.core.cache import cache


def allow(key: str, *, limit: int, seconds: int) -> bool:
    """Count one attempt under `key`; False once `limit` attempts were made in the window."""
    name = f"throttle:{key}"
    if cache.add(name, 1, timeout=seconds):
        return True
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=seconds)
        return True
    return count <= limit
