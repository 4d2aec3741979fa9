"""The survey figures restricted audiences see, for the figure registry (liaison/insights/registry.py).

Principals and SRO supervisors (and evaluators) see a school's results only after its wave has
closed, as a snapshot; while it is open, only how many have responded. Breakdowns and the answers to
the demographic items pass the disclosure engine (surveys/disclosed.py); open answers only the
school's side reads, after close, in random order.
"""

from __future__ import annotations

from liaison.lib.restricted_figures import EVALUATOR, RestrictedFigure

PRINCIPAL = "principal"
SUPERVISOR = "supervisor"
READERS = (PRINCIPAL, SUPERVISOR, EVALUATOR)
THROUGH = "surveys.disclosed.breakdown_hidden"

FIGURES: list[RestrictedFigure] = [
    RestrictedFigure("surveys:wave", "page", "survey_results", READERS, THROUGH),
    RestrictedFigure("surveys:school", "page", "survey_results", READERS, "surveys.disclosed.answer_counts_shown"),
    RestrictedFigure("surveys:results_csv", "csv", "survey_results", READERS, THROUGH),
    RestrictedFigure("api:wave_results", "api", "survey_results", READERS, THROUGH),
    RestrictedFigure("api:wave_progress", "api", "survey_progress", READERS, "surveys.selectors.wave_progress"),
    RestrictedFigure("surveys:responses_csv", "csv", "survey_responses", (), "surveys.exports.responses_csv"),
    RestrictedFigure(
        "surveys:open_answers", "page", "survey_open_answers", (PRINCIPAL,), "surveys.selectors.open_answers"
    ),
    RestrictedFigure("api:open_answers", "api", "survey_open_answers", (PRINCIPAL,), "surveys.selectors.open_answers"),
]
