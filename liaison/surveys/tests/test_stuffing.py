"""Stuffing: nothing is refused for being too many, but beyond a link's hourly allowance (or faster
than a person answers) responses are held in a burst that the district accepts or discards whole.

A whole school usually shares one public address, so a school's worth from one address in one hour
all counts; ten times that from one address is held beyond the allowance. The counters are shared by
every worker (the database), shown here with two connections at once.
"""

from __future__ import annotations

import threading
import time

from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from liaison.conftest import World
from liaison.directory.models import Enrollment
from liaison.lib.school_years import school_year_of
from liaison.surveys import form_tokens, limits, services
from liaison.surveys.models import Burst, HeldResponse, Response

from .surveys import link, student_wave

ENROLLED = 12


def _enrol(world: World, school, total: int = ENROLLED) -> None:
    Enrollment.objects.create(
        district=world.district, school=school, school_year=school_year_of(timezone.localdate()), total=total
    )


def _send(api, wave_school, *, seconds_ago: int = 120) -> int:
    token = form_tokens.form_token_issue(wave_school, now=time.time() - seconds_ago)
    body = {"token": wave_school.token, "language": "en", "answers": {"pulse_safety": 7}, "form_token": token}
    return int(api.post("/surveys/responses", body).status_code)


def test_a_schools_worth_from_one_address_in_one_hour_all_counts(world: World, api_as) -> None:
    here = link(student_wave(world), world.elementary)
    _enrol(world, world.elementary)
    api = api_as("anonymous")  # one client: one address
    assert [_send(api, here) for _ in range(ENROLLED)] == [201] * ENROLLED
    assert HeldResponse.objects.filter(burst=None).count() == ENROLLED
    assert not Burst.objects.exists()


def test_ten_times_the_allowance_from_one_address_is_held_beyond_it_never_refused(world: World, api_as) -> None:
    here = link(student_wave(world), world.elementary)
    _enrol(world, world.elementary)
    api = api_as("anonymous")
    assert {_send(api, here) for _ in range(10 * ENROLLED)} == {201}, "the sender cannot tell"
    assert HeldResponse.objects.filter(burst=None).count() == ENROLLED
    burst = Burst.objects.get()
    assert (burst.size, burst.decision, burst.held.count()) == (9 * ENROLLED, "pending", 9 * ENROLLED)


def test_a_response_faster_than_a_person_answers_is_held(world: World, api_as) -> None:
    here = link(student_wave(world), world.elementary)
    assert _send(api_as("anonymous"), here, seconds_ago=2) == 201
    assert Burst.objects.get().size == 1 and not HeldResponse.objects.filter(burst=None).exists()


def test_family_and_staff_waves_use_the_owners_allowance(world: World) -> None:
    wave = services.wave_open(
        actor=world.users["district_admin"],
        title="Staff",
        instrument=student_wave(world).instrument,
        schools=[world.high],
        audience="staff",
        languages=["en"],
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate(),
        hourly_allowance=3,
    )
    here = link(wave, world.high)
    _enrol(world, world.high, 500)  # students' enrollment says nothing about staff
    assert limits.hourly_allowance(here) == 3


def test_the_district_accepts_one_burst_and_discards_another_and_results_say_so(world: World, api_as, page_as) -> None:
    wave = student_wave(world)
    _enrol(world, world.elementary)
    _enrol(world, world.high)
    elementary, high = link(wave, world.elementary), link(wave, world.high)
    api = api_as("anonymous")
    for wave_school in (elementary, high):
        for _ in range(ENROLLED + 10):
            _send(api, wave_school)
    owner = api_as("district_admin")
    bursts = {b["school_name"]: b for b in owner.get(f"/surveys/waves/{wave.uuid}/bursts").json()}
    assert {b["size"] for b in bursts.values()} == {10} and "answers" not in bursts["Millbrook High"]
    assert owner.post(f"/surveys/waves/{wave.uuid}/close", {}).status_code == 400, "not while a burst waits"
    accepted = owner.post(f"/surveys/bursts/{bursts['Millbrook Elementary']['uuid']}/decision", {"accept": True})
    assert accepted.json()["decision"] == "accepted"
    client = page_as("district_admin")
    discard = reverse("surveys:burst_decide", args=[bursts["Millbrook High"]["uuid"]])
    assert client.post(discard, {"accept": "0"}).status_code == 302
    progress = {p["school_name"]: p for p in owner.get(f"/surveys/waves/{wave.uuid}/progress").json()}
    assert (progress["Millbrook Elementary"]["responded"], progress["Millbrook High"]["discarded"]) == (22, 10)
    assert owner.post(f"/surveys/waves/{wave.uuid}/close", {}).status_code == 200
    assert Response.objects.filter(wave_school=elementary).count() == ENROLLED + 10
    assert Response.objects.filter(wave_school=high).count() == ENROLLED
    results = {s["school_name"]: s for s in owner.get(f"/surveys/waves/{wave.uuid}/results").json()["schools"]}
    assert (results["Millbrook Elementary"]["held_for_review"], results["Millbrook Elementary"]["discarded"]) == (10, 0)
    assert (results["Millbrook High"]["held_for_review"], results["Millbrook High"]["discarded"]) == (10, 10)
    page = client.get(reverse("surveys:wave", args=[wave.uuid])).text
    assert "20 responses came in beyond" in page and "10 of them were discarded" in page


def test_a_principal_cannot_decide_on_a_burst(world: World, api_as) -> None:
    wave = student_wave(world)
    burst = Burst.objects.create(wave_school=link(wave, world.elementary), day=timezone.localdate(), size=40)
    response = api_as("school_admin").post(f"/surveys/bursts/{burst.uuid}/decision", {"accept": True})
    assert response.status_code == 403
    burst.refresh_from_db()
    assert burst.decision == "pending"


def test_the_allowance_holds_across_two_workers_at_once(transactional_db, world: World) -> None:
    """Two connections (as two gunicorn workers have) counting at the same time: exactly the allowance counts."""
    wave = services.wave_open(
        actor=world.users["district_admin"],
        title="Staff",
        instrument=student_wave(world).instrument,
        schools=[world.high],
        audience="staff",
        languages=["en"],
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate(),
        hourly_allowance=30,
    )
    here = link(wave, world.high)
    found: list[bool] = []
    start = threading.Barrier(2)
    concurrent = connection.vendor == "postgresql"  # SQLite's shared in-memory test database takes turns
    turn = threading.Lock()

    def worker() -> None:
        try:
            start.wait()
            for _ in range(25):
                if concurrent:
                    found.append(limits.within_allowance(here))
                else:
                    with turn:
                        found.append(limits.within_allowance(here))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(found), found.count(True)) == (50, 30)
