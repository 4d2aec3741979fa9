"""The rate limit on public survey submissions (pages and API alike), on the shared store (ratelimits/store.py).

The address is used only inside a store key, which the store keeps only as an HMAC and forgets
within the hour; it is never stored with a response. Limits are generous because a whole school
may sit behind one address.
"""

from __future__ import annotations

from django.http import HttpRequest

from liaison.ratelimits import store
from liaison.ratelimits.client import client_address

PER_ADDRESS, PER_LINK, WINDOW = 300, 3000, 3600


def submission_allowed(request: HttpRequest, token: str) -> bool:
    """Count one submission; False once the address or the link is over its hourly limit."""
    per_address = store.allow(f"survey:{token}:{client_address(request)}", limit=PER_ADDRESS, window_seconds=WINDOW)
    return per_address and store.allow(f"survey-link:{token}", limit=PER_LINK, window_seconds=WINDOW)
