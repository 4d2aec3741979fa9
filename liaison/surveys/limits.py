"""The rate limit on public survey submissions (pages and API alike), on the shared throttle (lib/throttle.py).

The address is used only hashed, inside a cache key that expires within the hour; it is never stored
with a response. Limits are generous because a whole school may sit behind one address.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest

from liaison.lib import throttle

PER_ADDRESS, PER_LINK, WINDOW = 300, 3000, 3600


def _address_key(request: HttpRequest, token: str) -> str:
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return hashlib.sha256(f"{token}:{address}".encode()).hexdigest()[:24]


def submission_allowed(request: HttpRequest, token: str) -> bool:
    """Count one submission; False once the address or the link is over its hourly limit."""
    per_address = throttle.allow(f"survey:{_address_key(request, token)}", limit=PER_ADDRESS, seconds=WINDOW)
    return per_address and throttle.allow(f"survey-link:{token}", limit=PER_LINK, seconds=WINDOW)
