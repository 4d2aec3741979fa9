"""The surveys lists cost the same number of queries however many waves there are."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from liaison.conftest import World

from .surveys import student_wave


def _waves(world: World, count: int) -> None:
    today = timezone.localdate()
    for i in range(count):
        student_wave(world, title=f"Wave {i}", opens_on=today - datetime.timedelta(days=i + 1))


def test_the_surveys_home_page_has_a_query_budget(world: World, page_as, django_assert_max_num_queries) -> None:
    _waves(world, 6)
    client = page_as("district_admin")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("surveys:home")).status_code == 200


def test_the_wave_list_endpoint_has_a_query_budget(world: World, api_as, django_assert_max_num_queries) -> None:
    _waves(world, 6)
    client = api_as("supervisor")
    with django_assert_max_num_queries(8):
        response = client.get("/surveys/waves")
    assert response.status_code == 200 and len(response.json()) == 6


def test_the_wave_page_has_a_query_budget(world: World, page_as, django_assert_max_num_queries) -> None:
    wave = student_wave(world)
    client = page_as("district_admin")
    with django_assert_max_num_queries(14):
        assert client.get(reverse("surveys:wave", args=[wave.uuid])).status_code == 200
