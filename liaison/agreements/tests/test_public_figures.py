"""The program's figures on the public page: only when published, with small counts suppressed."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liaison.agreements import services
from liaison.agreements.models import Agreement
from liaison.agreements.tests.mous import mou_in_force
from liaison.interactions.services import interaction_record
from liaison.surveys.scoring import group_result
from liaison.surveys.services import wave_close, wave_items
from liaison.surveys.tests.surveys import ANSWERS, link, respond, student_wave

LAST_WEEK = timezone.now() - datetime.timedelta(days=7)


AFTER_THE_YEAR = datetime.datetime(LAST_WEEK.year + (LAST_WEEK.month >= 7), 7, 10, 12, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def month_closed():
    """The public sees the last school year that has ended: look in July after last week's school
    year, so its records are in a closed year."""
    with time_machine.travel(AFTER_THE_YEAR, tick=True):
        yield


def _record(world, kind="positive", **enforcement):
    extra = {}
    if enforcement:
        extra = {
            "enforcement": {
                "reason_category": "assault_with_injury",
                "requested_by": "administrator",
                "admin_consulted": True,
                "admin_consulted_role": "administrator",
                "demographics_source": "perceived",
                **enforcement,
            },
            "justification": "Fixture.",
        }
    return interaction_record(
        actor=world.officer.user,
        officer=world.officer,
        school=world.elementary,
        kind=kind,
        occurred_at=LAST_WEEK,
        **extra,
    )


def figures_url(agreement: Agreement) -> str:
    return reverse("public_figures", args=[agreement.uuid])


@pytest.fixture
def published(world):
    agreement = mou_in_force(world)
    services.agreement_publish(actor=world.users["agency_admin"], agreement=agreement, published=True, figures=True)
    return agreement


def test_the_figures_are_public_with_small_cells_hidden(world, published):
    for _ in range(30):
        _record(world)
    for action_type, times in (("warning", 12), ("referral_to_law_enforcement", 11), ("arrest", 3)):
        for _ in range(times):
            _record(world, kind="enforcement", action_type=action_type)
    response = Client().get(figures_url(published))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.positive_contacts, figures.enforcement_total) == (30, 26)
    counts = {a.label: a.count for a in figures.by_action}
    assert counts["Warning"] == 12 and counts["Search"] == 0
    assert counts["School-related arrest"] is None  # 3
    assert counts["Referral to law enforcement"] is None  # 11, hidden with it: else 26 − 12 gives the 3 away
    # 14 referrals (11 + the 3 arrests) may show: from it the arrests could be anything from 1 to 13
    assert (figures.referrals, figures.arrests) == (14, None)
    assert figures.within_mou_percent == 100.0
    assert figures.contacts_per_action == round(30 / 26, 1)
    page = response.content.decode()
    assert "Fewer than 10" in page and ">3<" not in page and ">11<" not in page


def test_a_small_program_shows_no_enforcement_counts(world, published):
    for _ in range(4):
        _record(world, kind="enforcement", action_type="warning")
    figures = Client().get(figures_url(published)).context["figures"]
    assert (figures.enforcement_total, figures.within_mou_percent, figures.contacts_per_action) == (None, None, None)


def test_a_small_count_of_positive_contacts_is_suppressed_with_what_it_is_part_of(world, published, api_as):
    """Positive contacts are counted month by month in the outcomes, where a small month is hidden:
    the page's year is in the engine's table too, so 1 to 9 of them read "Suppressed", and positive
    contacts per action with them."""
    for _ in range(4):
        _record(world)
    for _ in range(12):
        _record(world, kind="enforcement", action_type="warning")
    response = Client().get(figures_url(published))
    figures = response.context["figures"]
    assert (figures.positive_contacts, figures.enforcement_total) == (None, 12)
    assert figures.contacts_per_action is None
    assert ">4<" not in response.content.decode() and "Suppressed" in response.content.decode()
    body = api_as("anonymous").get(f"/public/mous/{published.uuid}/figures").json()
    assert (body["positive_contacts"], body["contacts_per_action"], body["enforcement_total"]) == (None, None, 12)


def test_figures_are_only_public_when_chosen(world):
    agreement = mou_in_force(world)
    assert Client().get(figures_url(agreement)).status_code == 404
    services.agreement_publish(actor=world.users["agency_admin"], agreement=agreement, published=True)
    assert Client().get(figures_url(agreement)).status_code == 404
    services.agreement_publish(actor=world.users["agency_admin"], agreement=agreement, published=True, figures=True)
    assert Client().get(figures_url(agreement)).status_code == 200
    services.agreement_publish(actor=world.users["agency_admin"], agreement=agreement, published=False)
    agreement.refresh_from_db()
    assert agreement.figures_published is False
    assert Client().get(figures_url(agreement)).status_code == 404


def test_the_mou_page_buttons_publish_the_figures_and_take_them_down(page_as, world):
    agreement = mou_in_force(world)
    client = page_as("district_admin")
    publish = reverse("agreements:publish", args=[agreement.uuid])
    client.post(publish, {"published": "on"})
    detail = client.get(reverse("agreements:detail", args=[agreement.uuid])).content.decode()
    assert "Show the program&#x27;s figures too" in detail or "Show the program's figures too" in detail
    client.post(publish, {"published": "on", "figures": "on"})
    agreement.refresh_from_db()
    assert (agreement.published, agreement.figures_published) == (True, True)
    public = Client().get(reverse("public_mou", args=[agreement.uuid])).content.decode()
    assert figures_url(agreement) in public
    client.post(publish, {})
    agreement.refresh_from_db()
    assert (agreement.published, agreement.figures_published) == (False, False)


def test_the_api_refuses_figures_without_the_mou(api_as, world):
    agreement = mou_in_force(world)
    api = api_as("agency_admin")
    refused = api.patch(f"/agreements/{agreement.uuid}", {"figures_published": True})
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"figures_published": [services.FIGURES_NEED_MOU]}
    both = api.patch(f"/agreements/{agreement.uuid}", {"published": True, "figures_published": True})
    assert both.status_code == 200 and both.json()["figures_published"] is True
    off = api.patch(f"/agreements/{agreement.uuid}", {"published": False})
    assert off.json()["figures_published"] is False


def test_the_public_api_lists_published_mous_and_their_figures_without_a_token(api_as, world, published):
    for _ in range(4):
        _record(world, kind="enforcement", action_type="warning")
    anonymous = api_as("anonymous")
    listed = anonymous.get("/public/mous")
    assert listed.status_code == 200
    (mou,) = listed.json()
    assert (mou["agreement"], mou["figures_published"]) == (str(published.uuid), True)
    assert mou["document"].endswith(reverse("public_mou", args=[published.uuid]))
    figures = anonymous.get(f"/public/mous/{published.uuid}/figures")
    assert figures.status_code == 200
    body = figures.json()
    assert body["enforcement_total"] is None  # 4: fewer than 10
    assert {a["action"]: a["count"] for a in body["by_action"]}["Warning"] is None


def test_the_public_api_hides_what_is_not_published(api_as, world):
    agreement = mou_in_force(world)
    anonymous = api_as("anonymous")
    assert anonymous.get("/public/mous").json() == []
    assert anonymous.get(f"/public/mous/{agreement.uuid}/figures").status_code == 404
    services.agreement_publish(actor=world.users["agency_admin"], agreement=agreement, published=True)
    assert anonymous.get(f"/public/mous/{agreement.uuid}/figures").status_code == 404


def test_students_trust_shows_per_school_and_hides_small_surveys(world, published):
    wave = student_wave(world)
    respond(link(wave, world.elementary), 12)
    respond(link(wave, world.high), 3)
    assert Client().get(figures_url(published)).context["figures"].trust == []  # not closed yet
    wave_close(actor=world.users["district_admin"], wave=wave, today=timezone.localdate())
    trust = {row.school: row for row in Client().get(figures_url(published)).context["figures"].trust}
    expected = group_result(wave_items(wave), [ANSWERS] * 12).trust.mean
    assert (trust["Millbrook Elementary"].respondents, trust["Millbrook Elementary"].trust_index) == (
        12,
        round(expected, 1),
    )
    assert (trust["Millbrook High"].respondents, trust["Millbrook High"].trust_index) == (None, None)
    page = Client().get(figures_url(published)).content.decode()
    assert "Students&#x27; trust" in page or "Students' trust" in page


def test_the_figures_page_has_a_plain_title(world, published):
    page = Client().get(figures_url(published)).content.decode()
    title = page.split("<title>")[1].split("</title>")[0]
    assert title == "Millbrook Police Department in Millbrook Public Schools: the program's last school year · Liaison"
    assert page.count('id="trust-heading"') == 1
