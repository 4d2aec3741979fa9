"""Helpers the agreements page tests share: form data as a browser posts it, and recorded actions."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

from liaison.agreements.models import AgreementVersion
from liaison.agreements.vocabulary import Element
from liaison.conftest import World
from liaison.directory.models import Officer, School
from liaison.interactions import services as interactions
from liaison.interactions.models import Interaction
from liaison.interactions.vocabulary import ReasonCategory

JUSTIFICATION = "The principal asked me to step in."


def url(name: str, *args: Any) -> str:
    return reverse(f"agreements:{name}", args=args)


def page_text(response: Any) -> str:
    """The response body with HTML entities for quotes turned back into characters."""
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")


# --- form data, as the pages post it ------------------------------------------------------------


def sections_data(version: AgreementVersion, **texts: str) -> dict[str, str]:
    """Every section's current text, with `texts` (element=text) changed."""
    current = {s.element: s.text for s in version.sections.all()}
    return {f"section-{element}": texts.get(element, current.get(element, "")) for element in Element.values}


def rules_data(version: AgreementVersion, **changes: dict[str, Any]) -> dict[str, Any]:
    """The whole rules table as posted, every category in order, with `changes` (category={field: value})."""
    rules = {r.category: r for r in version.rules.all()}
    data: dict[str, Any] = {
        "rules-TOTAL_FORMS": str(len(ReasonCategory.values)),
        "rules-INITIAL_FORMS": str(len(ReasonCategory.values)),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for i, category in enumerate(ReasonCategory.values):
        rule = rules.get(category)
        row = {
            "category": category,
            "level": rule.level if rule else "",
            "consultation_required_for": list(rule.consultation_required_for) if rule else [],
            "prohibited_actions": list(rule.prohibited_actions) if rule else [],
            "note": rule.note if rule else "",
        } | changes.get(category, {})
        data.update({f"rules-{i}-{name}": value for name, value in row.items()})
    return data


def terms_data(version: AgreementVersion, **changes: Any) -> dict[str, Any]:
    data = {
        "terms-effective_date": version.effective_date.isoformat(),
        "terms-expiry_date": version.expiry_date.isoformat() if version.expiry_date else "",
        "terms-review_due_date": version.review_due_date.isoformat() if version.review_due_date else "",
        "terms-schools": [str(u) for u in version.schools.values_list("uuid", flat=True)],
    }
    return data | {f"terms-{name}": value for name, value in changes.items()}


# --- enforcement actions and their reviews ---------------------------------------------------------


def record_action(
    world: World,
    *,
    school: School,
    when: datetime.datetime,
    action_type: str,
    category: str,
    consulted: bool = True,
    requested_by: str = "administrator",
    officer: Officer | None = None,
) -> Interaction:
    """An enforcement action (by the cast's officer unless another is named), evaluated; a review opens
    when it is flagged."""
    officer = officer or world.officer
    interaction = interactions.interaction_record(
        justification=JUSTIFICATION,
        actor=officer.user,
        officer=officer,
        school=school,
        kind="enforcement",
        occurred_at=when,
        enforcement={
            "action_type": action_type,
            "reason_category": category,
            "requested_by": requested_by,
            "admin_consulted": consulted,
            "demographics_source": "perceived",
            "race_ethnicity": "hispanic_latino",
            "sex": "female",
            "disability": "idea",
            "english_learner": "yes",
        },
    ).interaction
    return interaction
