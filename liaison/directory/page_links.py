"""What the apps above the directory add to its agency, district and school pages: whether the user
gets a link to their figures (the equity analysis, the outcomes view, the program report).

The directory sits below insights (docs/architecture.md), so it cannot ask insights itself; insights
registers its answers here when the app registry is ready (InsightsConfig.ready). Each answer is a
context entry of the page, computed for the user and the page's agency, district or school.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PAGES = ("agency", "district", "school")
UNKNOWN_PAGE = "No directory page {page!r}: choose one of {pages}."

PageLink = Callable[[Any, Any], Any]

_links: dict[str, dict[str, PageLink]] = {page: {} for page in PAGES}


def page_link_register(page: str, name: str, answer: PageLink) -> None:
    """Put `answer(user, obj)` into the context of every `page` ("agency", "district", "school") as `name`."""
    if page not in _links:
        raise ValueError(UNKNOWN_PAGE.format(page=page, pages=", ".join(PAGES)))
    _links[page][name] = answer


def page_links(page: str, user: Any, obj: Any) -> dict[str, Any]:
    """The registered context entries of `page` for `user` looking at `obj`."""
    return {name: answer(user, obj) for name, answer in _links[page].items()}
