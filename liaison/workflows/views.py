"""The home page: each person's work queue (`queues.queue_for`), and the navigation's count of it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from liaison.accounts.scope import user_scope
from liaison.people import account_views

from .queues import queue_for


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """What waits for the user. A platform admin (no queue of their own), a state-wide evaluator (whose
    page is the state view) and a person with no role keep the landing page of their role."""
    scope = user_scope(request.user)
    if scope.platform_admin or scope.evaluator_states or not scope.roles:
        return account_views.home(request)
    queue = queue_for(request.user)
    return render(request, "workflows/home.html", {"queue": queue, "scope": scope})


@login_required
@require_safe
def queue_badge(request: HttpRequest) -> HttpResponse:
    """The count beside Home in the navigation, fetched after the page (htmx) so no page pays for it."""
    scope = user_scope(request.user)
    count = 0 if scope.platform_admin or not scope.roles else queue_for(request.user).waiting
    return render(request, "workflows/partials/queue_badge.html", {"count": count})
