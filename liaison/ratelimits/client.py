"""The client's address, the one place that reads X-Forwarded-For.

Behind `TRUSTED_PROXIES` reverse proxies, REMOTE_ADDR is the nearest proxy and each proxy appended
the address it saw to X-Forwarded-For. Only those appended entries can be believed: the client's is
the `TRUSTED_PROXIES`-th from the right; anything to its left was written by the client and may be
invented. With no trusted proxies (the default) the header is ignored altogether.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "unknown"


def _valid(candidate: str) -> str | None:
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address the request came from, as trusted proxies report it; "unknown" if none is valid."""
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or UNKNOWN
    proxies = int(getattr(settings, "TRUSTED_PROXIES", 0))
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if proxies < 1 or not forwarded:
        return remote
    entry = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return _valid(entry) or remote
