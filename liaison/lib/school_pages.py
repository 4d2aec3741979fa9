"""Pages of schools: a page that shows something per school (the CRDC counts, presence) for an agency
or a district of hundreds of schools shows one school (`?school=<uuid>`) or a page of them
(`?page=N`, every page linked by components/school_pages.html); its CSV stays whole."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest


def selected_school(request: HttpRequest, schools: Sequence[uuid.UUID]) -> uuid.UUID | None:
    """The one school asked for (`?school=<uuid>`), if any; 404 for one outside `schools`."""
    asked = request.GET.get("school", "")
    if not asked:
        return None
    try:
        school = uuid.UUID(asked)
    except ValueError:
        raise Http404 from None
    if school not in schools:
        raise Http404
    return school


def school_page(
    request: HttpRequest, choices: Sequence[tuple[uuid.UUID, Any]], size: int
) -> tuple[uuid.UUID | None, Page | None, list[uuid.UUID]]:
    """From every (uuid, name) the page may show: the school asked for, the page of them (None when
    one school is asked for), and the schools to show."""
    selected = selected_school(request, [school for school, _ in choices])
    page = Paginator(choices, size).get_page(request.GET.get("page"))
    shown = [selected] if selected else [school for school, _ in page.object_list]
    return selected, None if selected else page, shown
