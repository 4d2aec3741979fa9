"""The insights app's periodic job: store the closed school year's restricted figures before anyone asks
(liaison/operations/scheduler.py), so no evaluator or public visitor waits for the audit."""

from __future__ import annotations

import datetime

from django.utils import timezone

from liaison.operations.scheduler import register

from .figures import snapshots_build
from .outcomes_release import outcome_snapshots_build
from .public_figures import public_snapshots_build


def figure_snapshots_build() -> str:
    """What `manage.py figures_snapshot` does for the last closed school year, once a day (a no-op
    once the year's snapshots exist): the equity and CRDC figures, the evaluators' outcomes releases
    (so an evaluator's first request reads them instead of building them), then the public figures."""
    today = timezone.localdate()
    restricted = snapshots_build(today) + outcome_snapshots_build(today)
    public = public_snapshots_build()  # after the outcomes: protected around them (outcomes_link)
    return f"{restricted} restricted and {public} public snapshot(s) built"


register(
    "figure_snapshots_build",
    func=figure_snapshots_build,
    every=datetime.timedelta(days=1),
    offset=datetime.timedelta(hours=2),
)
