"""The default rules, category by category, through the pure evaluation function."""

from __future__ import annotations

import datetime

import pytest

from liaison.agreements import evaluation as ev
from liaison.agreements.vocabulary import DEFAULT_LEVELS, Level, Outcome
from liaison.interactions.vocabulary import ActionType, ReasonCategory, RequestedBy

DAY = datetime.date(2026, 3, 10)


def _default_mou(consultation_required_for: tuple[str, ...] = ()) -> ev.MouFacts:
    """The default rules; `consultation_required_for` turns on that option for every "officer may act" rule."""
    rules = {
        category: ev.RuleFacts(
            category=category,
            level=level,
            consultation_required_for=consultation_required_for if level == Level.OFFICER_MAY_ACT else (),
        )
        for category, level in DEFAULT_LEVELS.items()
    }
    sections = {"no_discipline": "The officer takes no part in school discipline.", "procedures": "Arrests: ..."}
    return ev.MouFacts(version_id=1, version_uuid="v", title="MOU", number=1, rules=rules, sections=sections)


def _action(
    category: str, action: str = ActionType.ARREST, consulted: bool = True, requested_by: str = "administrator"
):
    return ev.ActionFacts(
        action_type=action,
        reason_category=category,
        agency_id=1,
        school_id=1,
        on=DAY,
        admin_consulted=consulted,
        requested_by=requested_by,
        recorded_at=datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC),
    )


SCHOOL_ONLY = [c for c, level in DEFAULT_LEVELS.items() if level == Level.SCHOOL_ONLY]
ASSIST = [c for c, level in DEFAULT_LEVELS.items() if level == Level.ASSIST_ON_REQUEST]
MAY_ACT = [c for c, level in DEFAULT_LEVELS.items() if level == Level.OFFICER_MAY_ACT]
MUST_ACT = [c for c, level in DEFAULT_LEVELS.items() if level == Level.OFFICER_MUST_ACT]


def test_every_category_has_a_default_level():
    assert set(DEFAULT_LEVELS) == set(ReasonCategory.values)


@pytest.mark.parametrize("category", SCHOOL_ONLY)
@pytest.mark.parametrize("action", ActionType.values)
def test_any_enforcement_on_a_school_only_category_is_outside(category, action):
    result = ev.mou_evaluate(_action(category, action), _default_mou())
    assert result.outcome == Outcome.OUTSIDE
    assert result.explanation == ev.SCHOOL_ONLY
    assert result.section_text == "The officer takes no part in school discipline."


def test_an_arrest_for_dress_code_is_flagged():
    result = ev.mou_evaluate(_action(ReasonCategory.DRESS_CODE), _default_mou())
    assert result.needs_review
    assert result.rule.level == Level.SCHOOL_ONLY


@pytest.mark.parametrize("category", ASSIST)
@pytest.mark.parametrize("action", [ActionType.PHYSICAL_RESTRAINT, ActionType.USE_OF_FORCE])
def test_force_or_restraint_while_assisting_is_outside_even_when_an_administrator_asked(category, action):
    """DOMAIN.md: "assist on request" means helping keep people safe *without enforcement*, and use of
    force and restraint are enforcement actions."""
    result = ev.mou_evaluate(_action(category, action, requested_by=RequestedBy.ADMINISTRATOR), _default_mou())
    assert (result.outcome, result.explanation) == (Outcome.OUTSIDE, ev.ASSIST_NOT_ENFORCEMENT)


@pytest.mark.parametrize("category", ASSIST)
def test_assisting_without_an_administrators_request_is_outside(category):
    action = _action(category, ActionType.PHYSICAL_RESTRAINT, requested_by=RequestedBy.SELF_INITIATED)
    result = ev.mou_evaluate(action, _default_mou())
    assert (result.outcome, result.explanation) == (Outcome.OUTSIDE, ev.ASSIST_NOT_REQUESTED)


@pytest.mark.parametrize("category", ASSIST)
@pytest.mark.parametrize("action", [ActionType.ARREST, ActionType.CRIMINAL_CITATION, ActionType.WARNING])
def test_enforcement_while_assisting_is_outside(category, action):
    result = ev.mou_evaluate(_action(category, action), _default_mou())
    assert (result.outcome, result.explanation) == (Outcome.OUTSIDE, ev.ASSIST_NOT_ENFORCEMENT)


@pytest.mark.parametrize("category", MAY_ACT)
@pytest.mark.parametrize("action", ActionType.values)
def test_officer_may_act_categories_allow_action_with_consultation(category, action):
    assert ev.mou_evaluate(_action(category, action, consulted=True), _default_mou()).outcome == Outcome.WITHIN


@pytest.mark.parametrize("category", MAY_ACT)
def test_a_self_initiated_arrest_without_consulting_is_within_by_default(category):
    action = _action(category, ActionType.ARREST, consulted=False, requested_by=RequestedBy.SELF_INITIATED)
    assert ev.mou_evaluate(action, _default_mou()).outcome == Outcome.WITHIN


@pytest.mark.parametrize("category", MAY_ACT)
def test_an_arrest_without_consulting_is_outside_where_the_parties_require_it(category):
    mou = _default_mou(consultation_required_for=(ActionType.ARREST,))
    result = ev.mou_evaluate(_action(category, ActionType.ARREST, consulted=False), mou)
    assert (result.outcome, result.explanation) == (Outcome.OUTSIDE, ev.CONSULTATION_MISSING)
    assert result.section_text == "Arrests: ..."


@pytest.mark.parametrize("category", MAY_ACT)
def test_a_citation_without_consultation_is_within_by_default(category):
    action = _action(category, ActionType.CRIMINAL_CITATION, consulted=False)
    assert ev.mou_evaluate(action, _default_mou()).outcome == Outcome.WITHIN


@pytest.mark.parametrize("category", MUST_ACT)
@pytest.mark.parametrize("consulted", [True, False])
def test_officer_must_act_categories_are_within_even_without_consultation(category, consulted):
    result = ev.mou_evaluate(_action(category, ActionType.ARREST, consulted=consulted), _default_mou())
    assert (result.outcome, result.explanation) == (Outcome.WITHIN, ev.WITHIN_MUST_ACT)


def test_no_mou_in_force_is_itself_a_finding():
    result = ev.mou_evaluate(_action(ReasonCategory.WEAPON), None)
    assert (result.outcome, result.explanation) == (Outcome.NO_MOU, ev.NO_MOU_IN_FORCE)
    assert result.needs_review


def test_a_category_the_mou_leaves_out_is_outside():
    mou = _default_mou()
    rules = {k: v for k, v in mou.rules.items() if k != ReasonCategory.WEAPON}
    partial = ev.MouFacts(version_id=1, version_uuid="v", title="MOU", number=1, rules=rules)
    result = ev.mou_evaluate(_action(ReasonCategory.WEAPON), partial)
    assert (result.outcome, result.explanation) == (Outcome.OUTSIDE, ev.NO_RULE)


def test_a_prohibited_action_is_outside_whatever_the_level():
    rule = ev.RuleFacts(
        category=ReasonCategory.DRUG_DISTRIBUTION, level=Level.OFFICER_MAY_ACT, prohibited_actions=(ActionType.SEARCH,)
    )
    mou = ev.MouFacts(version_id=1, version_uuid="v", title="MOU", number=1, rules={rule.category: rule})
    result = ev.mou_evaluate(_action(ReasonCategory.DRUG_DISTRIBUTION, ActionType.SEARCH), mou)
    assert (result.outcome, result.explanation) == (Outcome.OUTSIDE, ev.PROHIBITED)
