"""The worker stores the evaluators' outcomes releases ahead of time: a first request reads them.

Built on a request, a demo district's two years took the evaluator about 1.5 s before its schools
were in the same release, and far longer since (docs/benchmarks.md). The daily figures job
(`figure_snapshots_build`, `manage.py figures_snapshot`) builds them for the last closed year and
the year before, after the equity and CRDC figures they are protected around, and before the public
figures that are protected around them.
"""

from __future__ import annotations

import datetime

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.insights.access import equity_scope_for
from liaison.insights.figures import scope_key
from liaison.insights.models import FigureSnapshot
from liaison.insights.outcomes_release import OUTCOMES, outcome_snapshots_build
from liaison.insights.snapshots import snapshot_rebuild
from liaison.insights.tests.test_outcomes_disclosure import PREVIOUS, YEAR, closed_year  # noqa: F401
from liaison.operations.scheduler import registered_job

# The evaluator's API request once the releases are stored (11 queries: session and user, the
# evaluator's scope, the district, the equity, CRDC and outcomes snapshots of two years, the
# district's schools); building the releases on the request takes many more (the next test).
READ_BUDGET = 12


def _run_job() -> str:
    job = registered_job("figure_snapshots_build")
    assert job is not None
    return job.func()


def _url(world) -> str:
    return f"/api/v1/insights/outcomes/districts/{world.district.uuid}"


def _scope(world) -> str:
    return scope_key(equity_scope_for(world.users["evaluator"], world.district.uuid))


def test_the_daily_job_stores_the_outcomes_of_the_closed_year_and_the_year_before(closed_year):  # noqa: F811
    assert "restricted" in _run_job()
    stored = FigureSnapshot.objects.filter(figure=OUTCOMES, scope=_scope(closed_year))
    assert sorted(stored.values_list("period", flat=True)) == [PREVIOUS, YEAR]


def test_after_the_job_the_evaluators_request_builds_nothing(
    closed_year,  # noqa: F811
    api_as,
    page_as,
    django_assert_max_num_queries,
):
    _run_job()
    before = FigureSnapshot.objects.count()
    client = api_as("evaluator")
    with django_assert_max_num_queries(READ_BUDGET):
        response = client.get(_url(closed_year), school_year=YEAR)
    assert response.status_code == 200
    url = reverse("insights:outcomes-district", args=[closed_year.district.uuid])
    assert page_as("evaluator").get(url, {"school_year": YEAR}).status_code == 200
    assert page_as("evaluator").get(url, {"school_year": YEAR, "format": "csv"}).status_code == 200
    assert FigureSnapshot.objects.count() == before


def test_without_the_job_the_first_request_builds_them(closed_year, api_as):  # noqa: F811
    client = api_as("evaluator")
    with CaptureQueriesContext(connection) as captured:
        client.get(_url(closed_year), school_year=YEAR)
    assert len(captured.captured_queries) > 5 * READ_BUDGET
    assert FigureSnapshot.objects.filter(figure=OUTCOMES).count() == 2


def test_the_job_stores_what_the_first_request_would_have(closed_year, api_as):  # noqa: F811
    """Prebuilt or built on request, the evaluator reads the same release."""
    _run_job()
    prebuilt = api_as("evaluator").get(_url(closed_year), school_year=YEAR).json()
    for period in (YEAR, PREVIOUS):
        snapshot_rebuild(figure=OUTCOMES, scope=_scope(closed_year), period=period)
    assert api_as("evaluator").get(_url(closed_year), school_year=YEAR).json() == prebuilt


def test_the_job_keeps_a_stored_release_as_it_is(closed_year, api_as):  # noqa: F811
    first = api_as("evaluator").get(_url(closed_year), school_year=YEAR).json()
    # only the agency's two years are built (its evaluator's, across its districts: stored after them)
    assert outcome_snapshots_build(datetime.date.today()) == 2
    assert outcome_snapshots_build(datetime.date.today()) == 0
    assert api_as("evaluator").get(_url(closed_year), school_year=YEAR).json() == first


def test_the_command_builds_them_too(closed_year):  # noqa: F811
    call_command("figures_snapshot", "--school-year", YEAR)
    assert FigureSnapshot.objects.filter(figure=OUTCOMES, period=YEAR, scope=_scope(closed_year)).exists()


def test_without_the_job_a_worker_builds_them_while_the_page_says_so(closed_year, api_as, page_as, monkeypatch):  # noqa: F811
    """A large district's release takes longer than a request may run. In production the worker builds
    it in its own time: the evaluator's first request asks it once (not again on each reload), the
    page and the API say the figures are being prepared, and once built they are served."""
    from liaison.insights import tasks

    prepare, asked = tasks.outcomes_release_prepare, []
    monkeypatch.setattr(tasks, "outcomes_release_prepare", type("Queue", (), {"enqueue": lambda *a: asked.append(a)}))
    url = reverse("insights:outcomes-district", args=[closed_year.district.uuid])
    api = api_as("evaluator").get(_url(closed_year), school_year=YEAR)
    assert api.status_code == 202 and api["Retry-After"] == "60"
    assert api.json()["detail"].startswith(f"The figures of {YEAR} are being prepared")
    for _ in range(2):
        page = page_as("evaluator").get(url, {"school_year": YEAR})
        assert page.status_code == 202 and "are being prepared" in page.content.decode()
    assert len(asked) == 1 and not FigureSnapshot.objects.filter(figure=OUTCOMES).exists()
    prepare.call(*asked[0])  # what the worker runs
    assert api_as("evaluator").get(_url(closed_year), school_year=YEAR).status_code == 200
    assert page_as("evaluator").get(url, {"school_year": YEAR}).status_code == 200
    snapshot_rebuild(figure=OUTCOMES, scope=_scope(closed_year), period=YEAR)  # after a correction
    assert api_as("evaluator").get(_url(closed_year), school_year=YEAR).status_code == 202
    assert len(asked) == 2  # asked again: the worker's run cleared its request
