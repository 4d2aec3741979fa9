"""The links to insights' figures on the directory's agency, district and school pages
(registered in liaison/directory/page_links.py when the app registry is ready)."""

from __future__ import annotations

from typing import Any

from liaison.directory.page_links import page_link_register

from .access import equity_available, report_access_on
from .outcomes_access import outcomes_available


def _outcomes(level: str) -> Any:
    return lambda user, found: outcomes_available(user, level, found.uuid)


def _program_report(user: Any, found: Any) -> bool:
    return report_access_on(user, found) is not None


def page_links_register() -> None:
    for level in ("agency", "district", "school"):
        page_link_register(level, "outcomes", _outcomes(level))
    page_link_register("agency", "program_report", _program_report)
    page_link_register("district", "program_report", _program_report)
    page_link_register("school", "program_report", _program_report)
    page_link_register("district", "insights", equity_available)
