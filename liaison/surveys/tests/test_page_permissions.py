"""Every surveys page × every member of the cast.

One wave at both Millbrook schools. Readers of results: district and school admins, agency admins,
supervisors and evaluators of the serving agency. Officers see no results (403). Outside the
caller's scope is 404; visible but not theirs to change is 403; anonymous visitors sign in first.
The roles run in one test per page over the same set-up, so a denial cannot pass for a wrong reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from liaison.conftest import ROLES, World
from liaison.surveys.models import Burst, Wave

from .surveys import instrument, link, respond, student_wave

READERS = ("platform_admin", "agency_admin", "supervisor", "district_admin", "school_admin", "evaluator")
OUTSIDERS = ("outsider_agency_admin", "outsider_district_admin")
LOGIN = reverse("accounts:login")


def statuses(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(READERS, default)
    expected.update(officer=403, anonymous=302, **dict.fromkeys(OUTSIDERS, 404))
    expected.update(overrides)
    return expected


READ = statuses(200)
LIST = statuses(200, **dict.fromkeys(OUTSIDERS, 200))
MANAGE_WAVE = statuses(403, platform_admin=200, district_admin=200)
MANAGE_SCHOOL = statuses(403, platform_admin=200, district_admin=200, school_admin=200)
OPEN_FORM = statuses(
    403,
    platform_admin=200,
    district_admin=200,
    school_admin=200,
    outsider_agency_admin=403,
    outsider_district_admin=200,
)
OPEN_POST = {
    **OPEN_FORM,
    "platform_admin": 302,
    "district_admin": 302,
    "school_admin": 302,
    "outsider_district_admin": 400,
}
CLOSE = statuses(403, platform_admin=302, district_admin=302)


def _wave_data(world: World) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "title": "Spring families",
        "instrument": instrument().pk,
        "audience": "families",
        "schools": [world.elementary.pk],
        "languages": ["en", "es"],
        "opens_on": today.isoformat(),
        "closes_on": today.isoformat(),
    }


@dataclass(frozen=True)
class Case:
    name: str
    url: Callable[[World, Any], str]
    expected: dict[str, int]
    data: Callable[[World], dict[str, Any]] | None = None

    def run(self, client: Any, world: World, wave: Any) -> Any:
        url = self.url(world, wave)
        return client.get(url) if self.data is None else client.post(url, self.data(world))


def _school(world: World, wave: Any, view: str, *extra: str) -> str:
    return reverse(f"surveys:{view}", args=[link(wave, world.elementary).uuid, *extra])


CASES = [
    Case("surveys home", lambda w, v: reverse("surveys:home"), LIST),
    Case("open a wave form", lambda w, v: reverse("surveys:wave_create"), OPEN_FORM),
    Case("open a wave", lambda w, v: reverse("surveys:wave_create"), OPEN_POST, _wave_data),
    Case("wave", lambda w, v: reverse("surveys:wave", args=[v.uuid]), READ),
    # the wave is open: its files answer 409 to those who may read them (test_live_results.py: after close)
    Case("results csv", lambda w, v: reverse("surveys:results_csv", args=[v.uuid]), statuses(409)),
    Case(
        "responses csv",
        lambda w, v: reverse("surveys:responses_csv", args=[v.uuid]),
        statuses(403, platform_admin=409, district_admin=409),
    ),
    Case("close", lambda w, v: reverse("surveys:wave_close", args=[v.uuid]), CLOSE, lambda w: {}),
    Case("school results", lambda w, v: _school(w, v, "school"), READ),
    Case("school results by grade", lambda w, v: _school(w, v, "school") + "?by=about_grade", READ),
    Case("open answers", lambda w, v: _school(w, v, "open_answers"), MANAGE_SCHOOL),
    Case("qr svg", lambda w, v: _school(w, v, "qr", "svg"), MANAGE_SCHOOL),
    Case("qr png", lambda w, v: _school(w, v, "qr", "png"), MANAGE_SCHOOL),
    Case("poster", lambda w, v: _school(w, v, "poster"), MANAGE_SCHOOL),
    Case("slips form", lambda w, v: _school(w, v, "slips"), MANAGE_SCHOOL),
    Case("print slips", lambda w, v: _school(w, v, "slips"), MANAGE_SCHOOL, lambda w: {"count": 3}),
    Case(
        "decide on a burst",
        lambda w, v: reverse("surveys:burst_decide", args=[_fresh_burst(w, v).uuid]),
        CLOSE,
        lambda w: {"accept": "0"},
    ),
]


def _fresh_burst(world: World, wave: Any) -> Burst:
    """A new pending burst for each caller, so one role's decision does not decide the next one's case."""
    here = link(wave, world.elementary)
    Burst.objects.filter(wave_school=here, decision="pending").delete()
    return Burst.objects.create(wave_school=here, day=timezone.localdate(), size=12)


@pytest.fixture
def wave(world: World) -> Any:
    wave = student_wave(world)
    respond(link(wave, world.elementary), 10)
    return wave


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_role_gets_the_expected_status(case: Case, page_as, world: World, wave: Any) -> None:
    found = {}
    for role in ROLES:
        response = case.run(page_as(role), world, wave)
        found[role] = response.status_code
        if role == "anonymous":
            assert response["Location"].startswith(LOGIN)
    assert found == case.expected


def test_the_survey_link_needs_no_sign_in_for_anyone(page_as, world: World, wave: Any) -> None:
    url = reverse("surveys:take", args=[link(wave, world.high).token])
    cache.clear()
    assert {role: page_as(role).get(url).status_code for role in ROLES} == dict.fromkeys(ROLES, 200)


def test_a_school_admin_does_not_reach_another_schools_results(page_as, world: World, wave: Any) -> None:
    high = link(wave, world.high)
    assert page_as("school_admin").get(reverse("surveys:school", args=[high.uuid])).status_code == 404
    assert page_as("district_admin").get(reverse("surveys:school", args=[high.uuid])).status_code == 200


def test_the_nav_shows_surveys_to_those_who_may_see_them(page_as, world: World) -> None:
    shown = {
        role: "Surveys</a>" in page_as(role).get(reverse("home"), follow=True).text
        for role in ROLES
        if role != "anonymous"
    }
    assert shown == {
        "platform_admin": True,
        "agency_admin": True,
        "supervisor": True,
        "officer": False,
        "district_admin": True,
        "school_admin": True,
        "evaluator": True,
        "outsider_agency_admin": True,
        "outsider_district_admin": True,
    }


def test_a_school_admin_closes_a_wave_that_is_theirs_alone(page_as, world: World) -> None:
    client = page_as("school_admin")
    assert client.post(reverse("surveys:wave_create"), _wave_data(world)).status_code == 302
    mine = Wave.objects.get(title="Spring families")
    assert client.post(reverse("surveys:wave_close", args=[mine.uuid])).status_code == 302
    mine.refresh_from_db()
    assert mine.status == "closed"


def test_the_matrix_covers_every_surveys_page(world: World, wave: Any) -> None:
    from django.urls import resolve

    from liaison.surveys import urls

    covered = {resolve(case.url(world, wave).split("?")[0]).url_name for case in CASES}
    assert {pattern.name for pattern in urls.urlpatterns} - covered == {"take"}  # take: tested above
