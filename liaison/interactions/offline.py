"""Who owns what the officer's phone keeps offline: one opaque key per user.

The service worker files cached pages under it and the offline queue files contacts under it, so a
second person signing in on the same phone never sees or sends the first one's. The key is an HMAC
of the user's id: it names no one, and a page cannot forge another user's.
"""

from __future__ import annotations

from typing import Any

from django.utils.crypto import salted_hmac

USER_HEADER = "X-Liaison-User"


def offline_user_key(user: Any) -> str:
    """The opaque key the browser files this user's cached pages and queued contacts under ("" if signed out)."""
    if user is None or not user.is_authenticated:
        return ""
    return salted_hmac("liaison.offline.user", str(user.pk)).hexdigest()[:32]
