"""Every door that shows aggregate figures to a restricted audience (evaluators, the public, and
principals and SRO supervisors on survey results), registered in one place.

Each entry names a URL (pages, with their `?format=csv` export, and API operations by their URL
name), the figure it shows and to whom. `liaison/tests/test_figure_registry.py` fails when a new URL
appears that is neither registered here nor declared to show no restricted figures, and feeds what
each registered figure returns, for a district with small cells, to the disclosure audit.

Hook for other apps: an app registers its own figures in a module `disclosure_figures.py` holding
`FIGURES: list[RestrictedFigure]` (the class is liaison/lib/restricted_figures.py; surveys lists
its results, open answers, their CSV and API);
`registered_figures()` collects them all.
"""

from __future__ import annotations

import importlib

from django.apps import apps

from liaison.lib.restricted_figures import EVALUATOR, PUBLIC, RestrictedFigure

__all__ = ["EVALUATOR", "PUBLIC", "RestrictedFigure", "registered_figures", "registered_url_names"]


FIGURES: list[RestrictedFigure] = [
    RestrictedFigure("insights:equity", "page", "equity", (EVALUATOR,), "insights.figures.restricted_bodies"),
    RestrictedFigure("insights:equity", "csv", "equity", (EVALUATOR,), "insights.figures.restricted_bodies"),
    RestrictedFigure("api:equity", "api", "equity", (EVALUATOR,), "insights.figures.restricted_bodies"),
    RestrictedFigure("insights:crdc", "page", "crdc", (EVALUATOR,), "insights.figures.restricted_bodies"),
    RestrictedFigure("insights:crdc", "csv", "crdc", (EVALUATOR,), "insights.figures.restricted_bodies"),
    RestrictedFigure("api:crdc", "api", "crdc", (EVALUATOR,), "insights.figures.restricted_bodies"),
    RestrictedFigure("insights:state", "page", "state", (EVALUATOR,), "insights.state.state_table"),
    RestrictedFigure("insights:state", "csv", "state", (EVALUATOR,), "insights.state.state_table"),
    RestrictedFigure("api:state_figures", "api", "state", (EVALUATOR,), "insights.state.state_table"),
    RestrictedFigure(
        "public_figures", "page", "public_figures", (PUBLIC,), "insights.public_figures.enforcement_table"
    ),
    RestrictedFigure(
        "api:public_mou_figures", "api", "public_figures", (PUBLIC,), "insights.public_figures.enforcement_table"
    ),
    # The outcomes view of a district: a closed year's months, stored once, protected with the
    # equity and CRDC figures of the same records (liaison/insights/outcomes_release.py).
    RestrictedFigure(
        "insights:outcomes-district", "page", "outcomes", (EVALUATOR,), "insights.outcomes_release.linked_table"
    ),
    RestrictedFigure(
        "insights:outcomes-district", "csv", "outcomes", (EVALUATOR,), "insights.outcomes_release.linked_table"
    ),
    RestrictedFigure(
        "api:outcomes_district", "api", "outcomes", (EVALUATOR,), "insights.outcomes_release.linked_table"
    ),
    # Each school of the district: its months released in one table with the district's (stored
    # after them), tied to them and to the school's CRDC row (liaison/insights/outcomes_release.py).
    RestrictedFigure(
        "insights:outcomes-school", "page", "outcomes", (EVALUATOR,), "insights.outcomes_release.schools_table"
    ),
    RestrictedFigure(
        "insights:outcomes-school", "csv", "outcomes", (EVALUATOR,), "insights.outcomes_release.schools_table"
    ),
    RestrictedFigure("api:outcomes_school", "api", "outcomes", (EVALUATOR,), "insights.outcomes_release.schools_table"),
    # An agency's outcomes for its evaluators: its months across the districts it served, released in
    # one table with each district's stored release of the same records, tied to them (the agency's
    # count is their sum; liaison/insights/outcomes_release.py, attacked in
    # liaison/insights/tests/test_outcomes_agency_disclosure.py).
    *(
        RestrictedFigure(name, door, "outcomes", (EVALUATOR,), "insights.outcomes_release.agency_table")
        for name, door in (("insights:outcomes-agency", "page"), ("insights:outcomes-agency", "csv"))
    ),
    RestrictedFigure("api:outcomes_agency", "api", "outcomes", (EVALUATOR,), "insights.outcomes_release.agency_table"),
    # Contacts and trust of a district for its evaluators: computed only from what the district's
    # stored release of a closed year (and the year before) shows of each school: whole months of
    # positive contacts, enrollment, each wave's trust index and interval; a school with a hidden month
    # in its stretches is not shown (liaison/insights/released_contacts_trust.py, attacked in
    # liaison/insights/tests/test_contacts_trust_evaluator.py).
    *(
        RestrictedFigure(name, door, "outcomes", (EVALUATOR,), "insights.outcomes_release.schools_table")
        for name, door in (("insights:contacts-trust", "page"), ("insights:contacts-trust", "csv"))
    ),
    RestrictedFigure("api:contacts_trust", "api", "outcomes", (EVALUATOR,), "insights.outcomes_release.schools_table"),
    # A district's published outcomes: the district-wide evaluator's stored release of a closed year;
    # an agency's: its evaluators' stored release. Each is audited before it is published beside what
    # the public already reads of the same records: the public MOU figures, the published outcomes of
    # the districts and agencies it shares records with (liaison/insights/public_outcomes.py).
    *(
        RestrictedFigure(name, door, "public_outcomes", (PUBLIC,), "insights.public_outcomes.public_audit_table")
        for name in ("public_outcomes_district", "public_outcomes_school", "public_outcomes_agency")
        for door in ("page", "csv")
    ),
    *(
        RestrictedFigure(name, "api", "public_outcomes", (PUBLIC,), "insights.public_outcomes.public_audit_table")
        for name in ("api:public_district_outcomes", "api:public_school_outcomes", "api:public_agency_outcomes")
    ),
    # Contacts and trust of a district's published year: computed only from what the public's releases
    # of that year and the year before show (the same computation as the evaluators',
    # liaison/insights/released_contacts_trust.py; attacked in
    # liaison/insights/tests/test_contacts_trust_released.py).
    *(
        RestrictedFigure(
            "public_outcomes_contacts_trust",
            door,
            "public_outcomes",
            (PUBLIC,),
            "insights.public_outcomes.public_audit_table",
        )
        for door in ("page", "csv")
    ),
    RestrictedFigure(
        "api:public_contacts_trust", "api", "public_outcomes", (PUBLIC,), "insights.public_outcomes.public_audit_table"
    ),
    # The annual program report: the evaluators' version composes the stored equity, CRDC and outcomes
    # releases (with contacts and trust from them) and the published figures; the public version the
    # published figures and outcomes (liaison/insights/report.py).
    RestrictedFigure("insights:report", "page", "program_report", (EVALUATOR,), "insights.figures.restricted_bodies"),
    RestrictedFigure(
        "insights:report_pdf", "pdf", "program_report", (EVALUATOR,), "insights.figures.restricted_bodies"
    ),
    RestrictedFigure("public_report", "page", "program_report", (PUBLIC,), "insights.public_figures.enforcement_table"),
    RestrictedFigure(
        "public_report_pdf", "pdf", "program_report", (PUBLIC,), "insights.public_figures.enforcement_table"
    ),
]


def registered_figures() -> list[RestrictedFigure]:
    """This module's figures and every app's `disclosure_figures.FIGURES`."""
    found = list(FIGURES)
    for config in apps.get_app_configs():
        if not config.name.startswith("liaison.") or config.name == "liaison.insights":
            continue
        try:
            module = importlib.import_module(f"{config.name}.disclosure_figures")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.disclosure_figures":
                raise
            continue
        found += list(module.FIGURES)
    return found


def registered_url_names() -> set[str]:
    return {figure.url_name for figure in registered_figures()}
