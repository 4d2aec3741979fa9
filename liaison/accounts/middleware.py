"""Middleware that holds a signed-in session at a step until it is passed.

SecondFactorMiddleware (mfa.py): a person with a factor who has given only their password reaches
nothing but the code page; one whose grace period for setting up a factor is over reaches nothing but
the set-up page. SessionLimitsMiddleware (sessions.py): an idle session reaches only the unlock steps,
and one past its absolute limit is ended. No query: the state is in the session.

How a held request is answered depends on who asked: the API gets a 401 in the error shape; an htmx
request (a badge loading, a form swapped in place) is never answered with a whole page to swap into a
corner of another — it gets an empty 204, with `HX-Redirect` to the step unless the page it came from
is that step already; everything else is redirected to the step, with `next`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from liaison.lib.api_errors import error_body

from . import sessions
from .mfa import session_must_enrol, session_must_verify

SECOND_FACTOR_NEEDED = "Give your second factor on the sign-in page first."
SET_UP_NEEDED = "Set up a second factor on your account page first."


def held_response(request: HttpRequest, target: str, message: str) -> HttpResponse:
    """The answer to a request held at the step whose page is `target` (see the module's docstring)."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(message), status=401)
    if request.headers.get("HX-Request"):
        came_from = urlsplit(request.headers.get("HX-Current-URL", ""))
        response = HttpResponse(status=204)
        if not came_from.path.startswith(target):
            back = came_from.path + (f"?{came_from.query}" if came_from.query else "") or "/"
            response["HX-Redirect"] = f"{target}?{urlencode({'next': back})}"
        return response
    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class HoldingMiddleware(ABC):
    """Answers a held request (`held` returns the answer) and lets every other one through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not hasattr(request, "session") or not request.user.is_authenticated:
            return self.get_response(request)
        if request.path.startswith((settings.STATIC_URL, "/healthz", reverse("accounts:logout"))):
            return self.get_response(request)
        held = self.held(request)
        return held if held is not None else self.get_response(request)

    @abstractmethod
    def held(self, request: HttpRequest) -> HttpResponse | None:
        """The answer to a request held at this middleware's step, or None to let it through."""


class SecondFactorMiddleware(HoldingMiddleware):
    def held(self, request: HttpRequest) -> HttpResponse | None:
        if session_must_verify(request):
            return self._to(request, "accounts:mfa_verify", SECOND_FACTOR_NEEDED)
        if session_must_enrol(request):
            return self._to(request, "accounts:mfa_totp", SET_UP_NEEDED)
        return None

    @staticmethod
    def _to(request: HttpRequest, name: str, message: str) -> HttpResponse | None:
        """To the named page, unless already there or under it (its passkey steps)."""
        target = reverse(name)
        if request.path.startswith(target):
            return None
        return held_response(request, target, message)


SESSION_LOCKED = "Your session is locked after a while idle: unlock it on the page to carry on."
SESSION_ENDED = "Your session has ended: sign in again."


class SessionLimitsMiddleware(HoldingMiddleware):
    """Locks an idle session (only the unlock steps answer) and ends one past its absolute limit."""

    def held(self, request: HttpRequest) -> HttpResponse | None:
        if sessions.session_expired(request):
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse(error_body(SESSION_ENDED), status=401)
            return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
        if not sessions.session_locked(request):
            return None
        if request.path.startswith((reverse("accounts:unlock"), reverse("accounts:mfa_verify"))):
            return None
        if request.method == "POST" and not request.headers.get("HX-Request"):
            sessions.session_hold_post(request)
        return held_response(request, reverse("accounts:unlock"), SESSION_LOCKED)
