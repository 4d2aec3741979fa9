"""Single-use form tokens: issued when the survey is served (page or API), required to submit.

A token is signed (Django's signing, under SECRET_KEY) and names the school link, a random nonce and
when it was issued; it is spent once through the shared counters, for as long as it is valid. The
seconds between issue and submission tell a script from a person (services.PLAUSIBLE_SECONDS). A
token is never stored with a response.
"""

from __future__ import annotations

import secrets
import time

from django.core import signing
from django.core.exceptions import ValidationError

from . import limits
from .models import WaveSchool

SALT = "liaison.surveys.form-token"
MAX_AGE = 6 * 3600
FORM_TOKEN_NEEDED = "This survey form has expired or was already sent. Please load the survey again."


def form_token_issue(wave_school: WaveSchool, *, now: float | None = None) -> str:
    issued = int(time.time() if now is None else now)
    return signing.dumps([wave_school.token, secrets.token_urlsafe(12), issued], salt=SALT, compress=False)


def form_token_peek(wave_school: WaveSchool, token: str) -> bool:
    """True for a well-signed, unexpired token of this link (not spending it): pages check it on every step."""
    return _read(wave_school, token) is not None


def form_token_spend(wave_school: WaveSchool, token: str, *, now: float | None = None) -> float:
    """Spend the token; the seconds since it was issued. ValidationError on `form_token` when it is
    missing, forged, expired, for another link or already spent."""
    now = time.time() if now is None else now
    found = _read(wave_school, token)
    if found is None:
        raise ValidationError({"form_token": FORM_TOKEN_NEEDED})
    nonce, issued = found
    # Counted in the window of its issue, so every attempt to spend it lands on the same counter.
    if limits.count_hit(f"form-token:{nonce}", seconds=MAX_AGE, now=issued) > 1:
        raise ValidationError({"form_token": FORM_TOKEN_NEEDED})
    return max(0.0, now - issued)


def _read(wave_school: WaveSchool, token: str) -> tuple[str, int] | None:
    try:
        link, nonce, issued = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if link != wave_school.token:
        return None
    return str(nonce), int(issued)
