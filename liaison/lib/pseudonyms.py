"""Pseudonymous student keys: an HMAC of the district's student id, never reversible in Liaison.

The district's key is itself derived from a server secret (STUDENT_KEY_SECRET, kept out of the
database) and the district's identity and salt, so a copy of the database alone cannot be used to
test guessed student ids, and keys from different districts never match.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

STUDENT_ID_INVALID = "A student id is 1 to 64 letters, digits, dashes or underscores."
_STUDENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _district_secret(*, district_uuid: str, salt: str) -> bytes:
    master = settings.STUDENT_KEY_SECRET.encode()
    return hmac.new(master, f"{district_uuid}:{salt}".encode(), hashlib.sha256).digest()


def normalise_student_id(student_id: str) -> str | None:
    value = (student_id or "").strip()
    return value if _STUDENT_ID.match(value) else None


def student_key(*, district_uuid: str, salt: str, student_id: str) -> str:
    """The 64-hex-digit key for a (valid, normalised) student id in one district."""
    secret = _district_secret(district_uuid=district_uuid, salt=salt)
    return hmac.new(secret, student_id.encode(), hashlib.sha256).hexdigest()
