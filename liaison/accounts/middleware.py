"""Holds a signed-in session at the second-factor step until it is passed (mfa.py).

A person with a factor who has given only their password reaches nothing but the code page; one
whose grace period for setting up a factor is over reaches nothing but the set-up page. The API
answers such sessions 401 (the code is given on the page first). No query: the state is in the session.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from liaison.lib.api_errors import error_body

from .mfa import session_must_enrol, session_must_verify

SECOND_FACTOR_NEEDED = "Give your second factor on the sign-in page first."
SET_UP_NEEDED = "Set up a second factor on your account page first."


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        held = self._held(request)
        return held if held is not None else self.get_response(request)

    def _held(self, request: HttpRequest) -> HttpResponse | None:
        if not hasattr(request, "session") or not request.user.is_authenticated:
            return None
        if request.path.startswith((settings.STATIC_URL, "/healthz", reverse("accounts:logout"))):
            return None
        if session_must_verify(request):
            return self._to(request, "accounts:mfa_verify", SECOND_FACTOR_NEEDED)
        if session_must_enrol(request):
            return self._to(request, "accounts:mfa_totp", SET_UP_NEEDED)
        return None

    @staticmethod
    def _to(request: HttpRequest, name: str, message: str) -> HttpResponse | None:
        target = reverse(name)
        if request.path == target:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(message), status=401)
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
