"""The MOU document: one version's text, rules and signatures, as a web page and as a PDF.

Both come from `document_context` and the same template partial, so the PDF says exactly what the
page says. WeasyPrint renders the PDF with the site's stylesheet (its print rules) and may fetch
nothing from the network or the disk.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.text import slugify

from liaison.interactions.vocabulary import ActionType, ReasonCategory

from .evaluation import RuleFacts
from .models import AgreementVersion, Rule, Signatory
from .vocabulary import LEVEL_MEANING, Element, Level

# The stylesheet is the site's, so WeasyPrint meets screen rules it does not support (media features,
# overflow-x) and warns about them on every render; only its errors are worth a log line.
logging.getLogger("weasyprint").setLevel(logging.ERROR)

PDF_TEMPLATE = "agreements/document_pdf.html"
STYLESHEET = "css/liaison.css"
NO_TEXT = "No text was written for this section."
CATEGORY_LABELS = dict(ReasonCategory.choices)
LEVEL_LABELS = dict(Level.choices)


@dataclass(frozen=True)
class SectionRow:
    element: str
    heading: str
    text: str


@dataclass(frozen=True)
class RuleRow:
    category: str
    level: str
    level_label: str
    consultation: list[str]
    prohibited: list[str]
    note: str


def action_labels(actions: list[str]) -> list[str]:
    labels = dict(ActionType.choices)
    return [labels.get(action, action) for action in actions]


def section_rows(version: AgreementVersion) -> list[SectionRow]:
    """Every element in the order DOMAIN.md lists them, written or not."""
    texts = {s.element: s.text for s in version.sections.all()}
    return [SectionRow(element, label, texts.get(element, "").strip()) for element, label in Element.choices]


def rule_row(rule: Rule | RuleFacts) -> RuleRow:
    """One rule as the document shows it (from a stored rule or from the facts an evaluation used)."""
    return RuleRow(
        category=CATEGORY_LABELS.get(rule.category, rule.category),
        level=rule.level,
        level_label=LEVEL_LABELS.get(rule.level, rule.level),
        consultation=action_labels(list(rule.consultation_required_for)),
        prohibited=action_labels(list(rule.prohibited_actions)),
        note=rule.note,
    )


def rule_rows(rules: list[Rule]) -> list[RuleRow]:
    """The rules in the vocabulary's order (school only first, officer must act last by default)."""
    order = {category: i for i, category in enumerate(ReasonCategory.values)}
    return [rule_row(rule) for rule in sorted(rules, key=lambda r: order.get(r.category, len(order)))]


def signatures_in_order(version: AgreementVersion) -> list[Signatory]:
    order = {party: i for i, party in enumerate(Signatory.Party.values)}
    signatories = version.signatories.select_related("signed_by")
    return sorted(signatories, key=lambda s: order.get(s.party, len(order)))


def document_context(version: AgreementVersion) -> dict[str, Any]:
    """Everything the document shows, read once for both the page and the PDF."""
    agreement = version.agreement
    return {
        "version": version,
        "agreement": agreement,
        "sections": section_rows(version),
        "rules": rule_rows(list(version.rules.all())),
        "levels": [(label, LEVEL_MEANING[Level(value)]) for value, label in Level.choices],
        "schools": list(version.schools.order_by("name")),
        "signatures": signatures_in_order(version),
        "no_text": NO_TEXT,
    }


PDF_VARIANT = "pdf/ua-1"


def document_filename(version: AgreementVersion) -> str:
    return f"{slugify(version.title) or 'mou'}-v{version.number}.pdf"


def document_pdf(version: AgreementVersion, context: dict[str, Any] | None = None) -> bytes:
    """The document as PDF bytes."""
    from weasyprint import CSS, HTML  # imported here: loading Pango takes a moment, and only this needs it
    from weasyprint.urls import URLFetcher

    html = render_to_string(PDF_TEMPLATE, context or document_context(version))
    stylesheet = finders.find(STYLESHEET)
    assert isinstance(stylesheet, str), f"{STYLESHEET} not found"
    fetcher = URLFetcher(allowed_protocols=["data"])  # nothing from the network or the disk
    # Tagged (a structure tree a screen reader follows) as PDF/UA-1, which also shows the <title> rather
    # than the file name in the reader's title bar (DisplayDocTitle).
    pdf: bytes = HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(filename=stylesheet, url_fetcher=fetcher)], pdf_variant=PDF_VARIANT
    )
    return pdf
