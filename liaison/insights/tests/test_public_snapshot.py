"""The public page's figures are a closed school year's, stored once: a new record does not move them."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from liaison.agreements.tests.test_public_figures import _record, figures_url, month_closed, published
from liaison.insights.models import FigureSnapshot

__all__ = ["month_closed", "published"]  # fixtures


def _figures(agreement):
    return Client().get(figures_url(agreement)).context["figures"]


def test_a_record_added_to_a_closed_year_does_not_move_the_public_figures(world, published):
    for _ in range(12):
        _record(world, kind="enforcement", action_type="warning")
    before = _figures(published)
    assert before.enforcement_total == 12
    _record(world, kind="enforcement", action_type="warning")  # a late entry, one student
    after = _figures(published)
    assert (after.enforcement_total, after.by_action) == (12, before.by_action)
    assert FigureSnapshot.objects.filter(figure="public_figures").count() == 1


def test_the_public_api_serves_the_same_stored_figures(api_as, world, published):
    for _ in range(12):
        _record(world, kind="enforcement", action_type="warning")
    page = _figures(published)
    _record(world, kind="enforcement", action_type="warning")
    body = api_as("anonymous").get(f"/public/mous/{published.uuid}/figures").json()
    assert body["enforcement_total"] == page.enforcement_total == 12
    assert body["through"] == page.through.isoformat()


def test_the_command_stores_the_public_figures_ahead_of_the_first_visitor(world, published):
    for _ in range(12):
        _record(world, kind="enforcement", action_type="warning")
    call_command("figures_snapshot")
    assert FigureSnapshot.objects.filter(figure="public_figures").count() == 1
    _record(world, kind="enforcement", action_type="warning")
    assert _figures(published).enforcement_total == 12
