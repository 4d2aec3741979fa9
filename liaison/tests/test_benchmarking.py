"""The bare-insert endpoint exists only for scripts/benchmark_api_create.py."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from liaison.accounts.models import AuditEntry
from liaison.benchmarking import BENCHMARK_OBJECT_TYPE, bare_insert


def test_the_bare_insert_is_not_routed_unless_benchmarks_are_switched_on():
    with pytest.raises(Resolver404):
        resolve("/benchmark/bare-insert")


@pytest.mark.django_db
def test_the_bare_insert_refuses_to_run_when_benchmarks_are_off(settings):
    settings.BENCHMARK_ENDPOINTS = False
    with pytest.raises(Http404):
        bare_insert(RequestFactory().post("/benchmark/bare-insert"))
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_the_bare_insert_writes_one_row_when_benchmarks_are_on(settings):
    settings.BENCHMARK_ENDPOINTS = True
    response = bare_insert(RequestFactory().post("/benchmark/bare-insert"))
    assert response.status_code == 201
    assert AuditEntry.objects.get().object_type == BENCHMARK_OBJECT_TYPE
