"""Taking a survey on a phone, in English and in Spanish (by the browser's language, or switched),
skipping items, from a slip's QR code, checked by axe-core; and a district admin's results page, also
checked by axe-core."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from liaison.conftest import World
from liaison.surveys import services
from liaison.surveys.models import Response

from .surveys import close, instrument, link, respond, student_wave

pytestmark = pytest.mark.browser
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 667}


@pytest.fixture
def phone(browser: Any) -> Any:
    """A phone-sized page that lets axe-core be injected past the Content-Security-Policy."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser: Any) -> Any:
    """A Chromebook-sized page, also open to axe-core."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    yield context.new_page()
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_A_AA,
    )
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]


@pytest.fixture(autouse=True)
def _robots_are_people_here(monkeypatch) -> None:
    """A browser test answers in seconds; a person would take longer (else it is held for review)."""
    monkeypatch.setattr(services, "PLAUSIBLE_SECONDS", 0)


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def test_a_student_takes_the_survey_in_english_on_a_phone_skipping_items(world: World, phone, live_server) -> None:
    here = link(student_wave(world), world.elementary)
    page = phone
    page.goto(live_server.url + reverse("surveys:take", args=[here.token]))
    expect(page.get_by_text("Page 1 of 4")).to_be_visible()
    assert axe_violations(page) == []
    _no_sideways_scroll(page)
    safety = page.get_by_role("group", name="How safe do you feel at school?")
    safety.get_by_label("8", exact=True).check()
    page.get_by_role("button", name="Next").click()  # the other two pulse items are skipped
    expect(page.get_by_text("Page 2 of 4")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("group", name="Police at my school treat students with respect.").get_by_label(
        "Agree", exact=True
    ).check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Page 3 of 4")).to_be_visible()
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_text("Page 2 of 4")).to_be_visible()
    expect(
        page.get_by_role("group", name="Police at my school treat students with respect.").get_by_label(
            "Agree", exact=True
        )
    ).to_be_checked()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Page 4 of 4")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("What is the one thing police and students").fill("More time talking with us")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    close(world, here.wave)
    answers = Response.objects.get().answers
    assert answers == {"pulse_safety": 8, "respect_respect": 4, "open_problem": "More time talking with us"}


def test_a_student_takes_the_survey_in_spanish_after_switching_language(world: World, phone, live_server) -> None:
    here = link(student_wave(world), world.high)
    page = phone
    page.goto(live_server.url + reverse("surveys:take", args=[here.token]))
    page.get_by_role("group", name="How safe do you feel at school?").get_by_label("3", exact=True).check()
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_text("Página 1 de 4")).to_be_visible()
    assert page.get_attribute("html", "lang") == "es"
    assert axe_violations(page) == []
    _no_sideways_scroll(page)
    seguro = page.get_by_role("group", name="¿Qué tan seguro te sientes en la escuela?")
    expect(seguro.get_by_label("3", exact=True)).to_be_checked()
    page.get_by_role("button", name="Siguiente").click()
    expect(page.get_by_text("Página 2 de 4")).to_be_visible()
    page.get_by_role("group", name="Confío en que la policía de mi escuela hace lo correcto.").get_by_label(
        "Muy de acuerdo", exact=True
    ).check()
    page.get_by_role("button", name="Siguiente").click()
    page.get_by_role("button", name="Siguiente").click()
    expect(page.get_by_text("Página 4 de 4")).to_be_visible()
    page.get_by_role("group", name="¿En qué grado estás?").get_by_label("Prefiero no decirlo").check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Enviar mis respuestas").click()
    expect(page.get_by_role("status")).to_contain_text("Gracias")
    close(world, here.wave)
    response = Response.objects.get()
    assert response.language == "es"
    assert response.answers == {"pulse_safety": 3, "legitimacy_trust": 5, "about_grade": "prefer_not"}


@pytest.fixture
def spanish_phone(browser: Any) -> Any:
    """A phone whose browser is set to Spanish (Mexico): it asks for es-MX, then es."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True, locale="es-MX")
    yield context.new_page()
    context.close()


def test_a_spanish_speaking_student_scans_a_slip_and_reaches_the_questions_in_spanish(
    world: World, spanish_phone, live_server
) -> None:
    here = link(student_wave(world, uses_codes=True), world.high)
    [code] = services.slip_codes_issue(
        actor=world.users["district_admin"], wave_school=here, count=1, today=here.wave.opens_on
    )
    page = spanish_phone
    page.goto(f"{live_server.url}/s/{here.short.lower()}#{code}")  # what the slip's QR code holds
    expect(page.get_by_text("Página 1 de 4")).to_be_visible()  # no tap on a language switch
    assert page.get_attribute("html", "lang") == "es"
    expect(page.get_by_label("Código de tu papelito")).to_have_value(code)
    assert "#" not in page.url, "the code leaves the address bar once it is in the box"
    switch = page.get_by_role("button", name="English").bounding_box()
    first_question = page.get_by_role("group", name="¿Qué tan seguro te sientes en la escuela?")
    assert switch["y"] < first_question.bounding_box()["y"], "the language switch is at the top"
    zero, ten = first_question.get_by_label(re.compile(r"^0 – ")), first_question.get_by_label(re.compile(r"^10 – "))
    zero_box, ten_box = zero.bounding_box(), ten.bounding_box()
    assert abs(zero_box["y"] - ten_box["y"]) < 2 and zero_box["x"] < ten_box["x"], "0 to 10 in one row, left to right"
    _no_sideways_scroll(page)
    assert axe_violations(page) == []
    first_question.get_by_label("7", exact=True).check()
    page.get_by_role("button", name="Siguiente").click()
    expect(page.get_by_text("Página 2 de 4")).to_be_visible()


def test_a_district_admin_reads_a_schools_results_with_charts(world: World, phone, sign_in, live_server) -> None:
    wave = student_wave(world)
    respond(link(wave, world.elementary), 12)
    close(world, wave)
    page = phone
    sign_in(page, "district_admin")
    page.goto(live_server.url + reverse("surveys:wave", args=[wave.uuid]))
    expect(page.get_by_text("Suppressed (fewer than 10)")).to_have_count(0)
    assert axe_violations(page) == []
    page.get_by_label("Break down by").select_option(label="Grade")
    with page.expect_download() as download:
        page.get_by_role("button", name="Results by group (CSV)").click()
    assert download.value.suggested_filename == f"survey-results-{wave.uuid}-by-grade.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert {row["group"] for row in rows} == {"Everyone", "Grade 7"}
    page.get_by_role("link", name="Millbrook Elementary").click()
    expect(page.get_by_role("heading", name="Trust index over waves")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Read the answers to the open question").click()
    expect(page.get_by_role("heading", name="Open answers: Millbrook Elementary")).to_be_visible()
    assert axe_violations(page) == []


def test_a_district_admin_opens_a_student_wave_only_with_the_parental_notice(
    world: World, desktop, sign_in, live_server
) -> None:
    instrument()  # the item bank, again after an earlier live test's flush
    page = desktop
    sign_in(page, "district_admin")
    page.goto(live_server.url + reverse("surveys:wave_create"))
    assert axe_violations(page) == []
    page.get_by_label("Title").fill("Spring students")
    page.get_by_label("Audience").select_option("students")
    page.get_by_label("Millbrook High").check()
    page.get_by_label("Opens").fill("2026-04-06")
    page.get_by_label("Closes").fill("2026-04-24")
    page.get_by_role("button", name="Open the wave").click()
    expect(page.get_by_text("A student wave cannot open without the parental notification")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Parents notified on").fill("2026-03-20")
    page.get_by_label("How parents were notified").select_option("email")
    page.get_by_label("Opt-out handling").fill("Teachers hold a list; those students read instead.")
    page.get_by_role("button", name="Open the wave").click()
    expect(page.get_by_role("status")).to_contain_text("Opened Spring students")
    expect(page.get_by_role("link", name="poster")).to_be_visible()
