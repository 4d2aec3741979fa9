"""The notifications page (unread first, mark read) and the page to choose how each kind arrives."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from liaison.lib.form_pages import done, posted

from .forms import MarkReadForm, PreferencesForm
from .selectors import deliveries_for, notifications_of, unread_count
from .services import notifications_mark_read, preference_set

MARKED = "Marked {count} notification(s) read."
SAVED = "Saved how Liaison tells you of each kind of item."
LISTED = 50


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = notifications_of(request.user)
    context = {
        "unread": list(mine.filter(read_at__isnull=True)[:LISTED]),
        "read": list(mine.filter(read_at__isnull=False)[:LISTED]),
    }
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification read, or all of them: only ever the user's own."""
    form = MarkReadForm(request.POST)
    one = form.cleaned_data["notification"] if form.is_valid() else None
    count = notifications_mark_read(user=request.user, uuids=None if one is None else [str(one)])
    return done(request, MARKED.format(count=count), reverse("notifications:list"))


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(posted(request), initial_deliveries=deliveries_for(request.user))
    if request.method == "POST" and form.is_valid():
        for kind, delivery in form.cleaned_data.items():
            preference_set(user=request.user, kind=kind, delivery=delivery)
        return done(request, SAVED, reverse("notifications:preferences"))
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
@require_safe
def badge(request: HttpRequest) -> HttpResponse:
    """The navigation's count of unread notifications, fetched after the page (htmx) so no page pays for it."""
    return render(request, "notifications/partials/badge.html", {"count": unread_count(request.user)})
