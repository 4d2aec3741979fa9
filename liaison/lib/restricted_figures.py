"""The shape of an entry in the registry of restricted figures (liaison/insights/registry.py).

It lives below every app because each app lists its own figures (`<app>/disclosure_figures.py`)
and the registry that collects them is insights', which sits above them (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass

EVALUATOR = "evaluator"
PUBLIC = "public"


@dataclass(frozen=True)
class RestrictedFigure:
    url_name: str  # e.g. "insights:equity" (page and CSV) or "api:equity" (the API operation)
    door: str  # "page", "csv", "api" or "pdf" (a page with its CSV is registered once per door)
    figure: str  # which body it shows: the name its snapshots are stored under
    audiences: tuple[str, ...]
    through: str  # the function that passes it through the disclosure engine
