"""What the school prints: the poster says whether a code is needed; each slip has the short link
and its own QR code, which carries the code after "#"; the short link leads to the school's survey."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from liaison.conftest import World

from .surveys import link, student_wave


def test_the_poster_says_whether_a_code_is_needed(world: World, page_as) -> None:
    client = page_as("district_admin")
    with_codes = link(student_wave(world, uses_codes=True), world.elementary)
    without = link(student_wave(world, title="No codes"), world.elementary)
    assert "You need the code from your slip." in client.get(reverse("surveys:poster", args=[with_codes.uuid])).text
    poster = client.get(reverse("surveys:poster", args=[without.uuid])).text
    assert "No code needed." in poster and f"/s/{without.short}" in poster


def test_each_slip_has_the_short_link_and_its_own_qr_code(world: World, page_as) -> None:
    here = link(student_wave(world, uses_codes=True), world.elementary)
    sheet = page_as("school_admin").post(reverse("surveys:slips", args=[here.uuid]), {"count": 3}).text
    slips = sheet.split('<li class="slip">')[1:]
    assert len(slips) == 3
    qr_codes = {slip.split("</svg>")[0] for slip in slips}
    assert len(qr_codes) == 3 and all('class="slip-qr"' in qr for qr in qr_codes), "one QR code per slip"
    assert all(f"http://testserver/s/{here.short}" in slip for slip in slips)
    assert here.token not in sheet, "the long link is not printed"


def test_the_short_link_leads_to_the_survey_whatever_the_case(world: World) -> None:
    here = link(student_wave(world), world.elementary)
    found = Client().get(f"/s/{here.short.lower()}")
    assert found.status_code == 302 and found.url == reverse("surveys:take", args=[here.token])
    assert Client().get("/s/NOPE999").status_code == 404
