"""The shared rate-limit store: atomic counts in fixed windows, hashed keys, both backends."""

from __future__ import annotations

import datetime
import threading
import uuid

import pytest
import time_machine
from django.db import connection

from liaison.ratelimits import store
from liaison.ratelimits.models import Counter

START = datetime.datetime(2026, 3, 2, 8, 0, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["database", "redis"])
def backend(request, settings):
    """Every behaviour is checked on the database table and on Redis (keys unique per test)."""
    if request.param == "redis":
        settings.RATE_LIMIT_REDIS_URL = "redis://127.0.0.1:6379/15"
        settings.SECRET_KEY = f"test-{uuid.uuid4()}"  # fresh hashed keys, so runs never share counts
    return request.param


def test_it_counts_hits_in_one_window(backend):
    with time_machine.travel(START, tick=False):
        assert [store.hit("sign-in:203.0.113.9", window_seconds=60) for _ in range(3)] == [1, 2, 3]
        assert store.peek("sign-in:203.0.113.9", window_seconds=60) == 3
        assert store.peek("sign-in:198.51.100.1", window_seconds=60) == 0


def test_a_new_window_starts_from_zero(backend):
    with time_machine.travel(START, tick=False) as clock:
        store.hit("k", window_seconds=60, cost=5)
        clock.shift(59)
        assert store.hit("k", window_seconds=60) == 6
        clock.shift(1)
        assert store.peek("k", window_seconds=60) == 0
        assert store.hit("k", window_seconds=60) == 1


def test_windows_of_different_lengths_count_apart(backend):
    with time_machine.travel(START, tick=False):
        store.hit("k", window_seconds=60)
        assert store.hit("k", window_seconds=3600) == 1


def test_allow_answers_false_past_the_limit(backend):
    with time_machine.travel(START, tick=False):
        assert [store.allow("k", limit=2, window_seconds=60) for _ in range(3)] == [True, True, False]


def test_reset_forgets_the_count(backend):
    with time_machine.travel(START, tick=False):
        store.hit("k", window_seconds=60, cost=4)
        store.reset("k", window_seconds=60)
        assert store.peek("k", window_seconds=60) == 0


def test_seconds_left_is_the_rest_of_the_window():
    with time_machine.travel(START + datetime.timedelta(seconds=20), tick=False):
        assert store.seconds_left(window_seconds=60) == 40


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match="window_seconds"):
        store.hit("k", window_seconds=0)
    with pytest.raises(ValueError, match="cost"):
        store.hit("k", window_seconds=60, cost=0)


def test_the_table_never_holds_the_raw_key():
    store.hit("reset-from:203.0.113.9", window_seconds=3600)
    (row,) = Counter.objects.all()
    assert "203.0.113.9" not in row.key and len(row.key) == 64


def test_expired_counters_are_purged_and_live_ones_kept():
    with time_machine.travel(START, tick=False) as clock:
        store.hit("short", window_seconds=60)
        store.hit("long", window_seconds=3600)
        clock.shift(61)
        assert store.purge_expired() == 1
        assert store.peek("long", window_seconds=3600) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_are_never_lost():
    """Threads on their own connections: a read-then-write store would lose some of these."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("the in-memory SQLite test database is one connection")
    threads, per_thread = 4, 25

    def hammer() -> None:
        try:
            for _ in range(per_thread):
                store.hit("contended", window_seconds=3600)
        finally:
            connection.close()

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert store.peek("contended", window_seconds=3600) == threads * per_thread
