"""Prometheus metrics at /metrics: off unless METRICS_TOKEN is set, and only with that token.

Every figure is read from the database at scrape time, so it is the same whichever gunicorn
process answers, and no process keeps counters that a restart would lose.
"""

from __future__ import annotations

import datetime
import hmac
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

import liaison

from .heartbeat import worker_health
from .models import JobRun


class LiaisonCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        health = worker_health()
        info = GaugeMetricFamily("liaison_info", "This server's Liaison version.", labels=["version"])
        info.add_metric([liaison.__version__], 1)
        yield info
        yield GaugeMetricFamily(
            "liaison_worker_up", "1 when a worker beat within the last 90 seconds.", value=int(health.ok)
        )
        if health.last_seen_seconds is not None:
            yield GaugeMetricFamily(
                "liaison_worker_last_seen_seconds", "Seconds since a worker last beat.", value=health.last_seen_seconds
            )
        yield GaugeMetricFamily("liaison_tasks_queued", "Background tasks waiting to run.", value=health.queued)
        yield GaugeMetricFamily(
            "liaison_tasks_oldest_queued_seconds",
            "Seconds the oldest waiting task has waited (0 when none waits).",
            value=health.oldest_queued_seconds or 0,
        )
        yield from _job_metrics()


def _job_metrics() -> Iterator[GaugeMetricFamily]:
    since = timezone.now() - datetime.timedelta(days=1)
    failed = GaugeMetricFamily(
        "liaison_job_failures_last_day", "Scheduled job runs failed in 24 hours.", labels=["job"]
    )
    for row in (
        JobRun.objects.filter(status=JobRun.Status.FAILED, period_start__gte=since)
        .values("name")
        .annotate(n=Count("*"))
    ):
        failed.add_metric([row["name"]], row["n"])
    yield failed
    last = GaugeMetricFamily(
        "liaison_job_last_success_timestamp_seconds", "When each job last succeeded (Unix time).", labels=["job"]
    )
    for row in JobRun.objects.filter(status=JobRun.Status.SUCCEEDED).values("name").annotate(at=Max("finished_at")):
        if row["at"] is not None:
            last.add_metric([row["name"]], row["at"].timestamp())
    yield last


def _authorised(request: HttpRequest) -> bool:
    expected = f"Bearer {settings.METRICS_TOKEN}"
    return hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected.encode())


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not settings.METRICS_TOKEN:
        raise Http404
    if not _authorised(request):
        response = HttpResponse("Bearer token required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = CollectorRegistry()
    registry.register(LiaisonCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
