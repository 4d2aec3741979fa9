"""The signed MOU as a PDF: it exists, and it says what the web page says (sections, rules, signatures)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from liaison.agreements import documents, services
from liaison.agreements.tests.mous import draft_mou, require_consultation_before_arrest, sign_all
from liaison.agreements.tests.pages import page_text, url
from liaison.agreements.vocabulary import Element, Level
from liaison.interactions.vocabulary import ActionType, ReasonCategory

PURPOSE = "The officer keeps students safe and takes no part in school discipline."


@pytest.fixture
def signed(world):
    version = draft_mou(world).versions.get()
    admin = world.users["agency_admin"]
    services.section_update(actor=admin, version=version, element=Element.PURPOSE, text=PURPOSE)
    services.rule_set(
        actor=admin,
        version=version,
        category=ReasonCategory.FIGHT_NO_INJURY,
        level=Level.ASSIST_ON_REQUEST,
        prohibited_actions=[ActionType.SEARCH],
        note="Only when a staff member is at risk.",
    )
    require_consultation_before_arrest(world, version)
    return sign_all(world, version)


def _text(pdf: bytes) -> str:
    """The PDF's text with line breaks and repeated spaces folded, so wrapped phrases still match."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


@pytest.fixture
def pdf_response(page_as, signed):
    return page_as("school_admin").get(url("document_pdf", signed.uuid))


def test_the_pdf_is_a_pdf_named_for_the_mou(pdf_response):
    assert pdf_response.status_code == 200
    assert pdf_response["Content-Type"] == "application/pdf"
    assert pdf_response.content.startswith(b"%PDF-")
    assert 'filename="millbrook-sro-mou-v1.pdf"' in pdf_response["Content-Disposition"]


def test_the_pdf_has_the_title_parties_and_term(pdf_response):
    text = _text(pdf_response.content)
    for expected in ("Millbrook SRO MOU", "Millbrook Police Department and Millbrook Public Schools", "1 August 2025"):
        assert expected in text


def test_the_pdf_has_every_section_heading_and_the_written_text(pdf_response):
    text = _text(pdf_response.content)
    for number, (_, heading) in enumerate(Element.choices, start=1):
        assert f"{number}. {heading}" in text
    assert PURPOSE in text
    assert documents.NO_TEXT in text


def test_the_pdf_has_the_rule_table_with_levels_and_conditions(pdf_response):
    text = _text(pdf_response.content)
    assert "Behaviour category Level Conditions" in text
    for label in ReasonCategory.labels:
        assert label in text
    assert "Physical fight without serious injury Assist on request Ruled out: Search" in text
    assert "Note: Only when a staff member is at risk." in text
    assert "Weapon (firearm or deadly weapon) Officer must act None" in text
    assert "Needs a school administrator consulted first: School-related arrest" in text


def test_the_pdf_has_the_signatures_with_the_content_hash(pdf_response, signed):
    text = _text(pdf_response.content)
    assert "Agency head (chief or sheriff)" in text and "Superintendent" in text
    assert "Agency Tester" in text and "District Tester" in text
    assert text.replace(" ", "").count(signed.content_hash) == 3  # each signature and the version's own


def test_the_web_page_and_the_pdf_come_from_the_same_content(page_as, signed, pdf_response):
    html = page_text(page_as("school_admin").get(url("document", signed.uuid)))
    text = _text(pdf_response.content)
    for phrase in (PURPOSE, "Ruled out: Search", "Trespass by a student", "Signatures"):
        assert phrase in html
        assert phrase in text


def test_an_unsigned_draft_says_so_in_the_pdf(world, page_as):
    draft = draft_mou(world).versions.get()
    pdf = page_as("agency_admin").get(url("document_pdf", draft.uuid)).content
    assert "Draft: not yet submitted for signature." in _text(pdf)


def test_the_pdf_is_tagged_with_its_title_shown_and_its_language(pdf_response):
    reader = PdfReader(io.BytesIO(pdf_response.content))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # tagged: a screen reader follows headings, lists and tables
    assert catalog["/MarkInfo"]["/Marked"] in (True, "true")
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] in (True, "true")
    assert catalog["/Lang"] == "en"
    assert reader.metadata.title == "Millbrook SRO MOU, version 1"
