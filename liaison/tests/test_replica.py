"""The read replica (liaison/lib/replica.py).

The first tests check the router's decisions on any database. The rest need a real PostgreSQL
primary with a streaming replica (`scripts/replica_cluster start`, as .ci/run does) and run only
when DATABASE_REPLICA_URL is set: a row written on the primary is read, once replayed, through the
replica; a lagging replica is left for the primary; writes never reach the replica.
"""

from __future__ import annotations

import time
from typing import Any

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from liaison.directory.models import Agency, District
from liaison.lib import replica
from liaison.lib.replica import PRIMARY, REPLICA, ReplicaRouter, database_for_reads, reads_from_replica, replica_reads

has_replica = REPLICA in settings.DATABASES
needs_replica = pytest.mark.skipif(not has_replica, reason="needs DATABASE_REPLICA_URL (scripts/replica_cluster)")


# --- the router's decisions (any database) ---------------------------------------------------------


@pytest.fixture
def fresh_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if a replica were configured and up to date."""
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    monkeypatch.setattr(replica, "replica_usable", lambda **_: True)


def test_unmarked_reads_use_the_primary(fresh_replica: None) -> None:
    assert database_for_reads() == PRIMARY


def test_marked_reads_use_a_fresh_replica(fresh_replica: None) -> None:
    with replica_reads():
        assert database_for_reads() == REPLICA
    assert database_for_reads() == PRIMARY


def test_without_a_replica_marked_reads_use_the_primary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "replica_configured", lambda: False)  # as when DATABASE_REPLICA_URL is unset
    with replica_reads():
        assert database_for_reads() == PRIMARY


def test_a_lagging_or_unreachable_replica_is_not_used(fresh_replica: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "replica_usable", lambda **_: False)
    with replica_reads():
        assert database_for_reads() == PRIMARY


def test_lag_threshold(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.REPLICA_MAX_LAG_SECONDS = 5
    for lag, usable in ((0.0, True), (5.0, True), (5.5, False), (None, False)):
        monkeypatch.setattr(replica, "replica_lag_seconds", lambda lag=lag: lag)
        assert replica.replica_usable(fresh=True) is usable


def test_writes_go_to_the_primary_and_pin_the_request(fresh_replica: None) -> None:
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_write(Agency) == PRIMARY
        assert database_for_reads() == PRIMARY  # what was just written is read back where it is
    assert router.db_for_write(Agency) == PRIMARY


def test_an_audit_entry_does_not_pin(fresh_replica: None) -> None:
    from liaison.accounts.models import AuditEntry

    with replica_reads():
        ReplicaRouter().db_for_write(AuditEntry)
        assert database_for_reads() == REPLICA


def test_no_migrations_on_the_replica() -> None:
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "directory") is False
    assert router.allow_migrate(PRIMARY, "directory") is True


def test_the_report_views_are_marked() -> None:
    from liaison.agreements import views as agreements_views
    from liaison.insights import views as insights_views
    from liaison.interactions import list_views

    for view in (insights_views.equity, insights_views.crdc, agreements_views.mou_dashboard, list_views.record_export):
        assert getattr(view, "reads_from_replica", False), view


def test_a_streamed_export_is_read_inside_the_mark(fresh_replica: None) -> None:
    from django.http import StreamingHttpResponse

    seen = []

    def chunks() -> Any:
        seen.append(database_for_reads())
        yield b"x"

    response = reads_from_replica(lambda: StreamingHttpResponse(chunks()))()
    assert b"".join(response.streaming_content) == b"x"
    assert seen == [REPLICA]


def test_a_session_that_wrote_reads_from_the_primary(fresh_replica: None) -> None:
    """The middleware pins a browser session to the primary after a write, for REPLICA_PIN_SECONDS."""
    from django.test import RequestFactory

    from liaison.lib.replica import PIN_SESSION_KEY, ReplicaPinMiddleware

    class Session(dict):
        session_key = "k"

    seen: list[str] = []

    def view(request: Any) -> Any:
        with replica_reads():
            seen.append(database_for_reads())
            if request.GET.get("write"):
                ReplicaRouter().db_for_write(Agency)
                seen.append(database_for_reads())
        return None

    middleware = ReplicaPinMiddleware(view)
    request = RequestFactory().get("/")
    request.session = Session()
    middleware(request)
    assert PIN_SESSION_KEY not in request.session
    middleware(_with_session(request, write=True))
    assert request.session[PIN_SESSION_KEY] > time.time()
    middleware(_with_session(request, write=False))
    assert seen == [REPLICA, REPLICA, PRIMARY, PRIMARY]


def _with_session(previous: Any, *, write: bool) -> Any:
    from django.test import RequestFactory

    request = RequestFactory().get("/", {"write": 1} if write else {})
    request.session = previous.session
    return request


# --- against a real streaming replica (scripts/replica_cluster) ----------------------------------


def _primary_lsn() -> str:
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def _wait_for_replay(timeout: float = 10.0) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    target = _primary_lsn()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the replica did not replay the primary's writes in time")


def _replica_superuser() -> psycopg.Connection:
    """The replica's superuser (trusted locally by scripts/replica_cluster): to pause replay."""
    url = dj_database_url.parse(settings.DATABASE_REPLICA_URL)
    return psycopg.connect(
        host=url["HOST"],
        port=url["PORT"],
        user="postgres",
        dbname=connections[REPLICA].settings_dict["NAME"],
        autocommit=True,
    )


def _district(nces: str) -> District:
    return District.objects.create(name=f"District {nces}", state="MA", nces_id=nces)


@pytest.fixture
def on_replica(transactional_db: Any, settings: Any) -> None:
    settings.REPLICA_MAX_LAG_SECONDS = 5
    replica.replica_check_reset()
    yield
    replica.replica_check_reset()


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_it_is_a_real_replica(on_replica: None) -> None:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_setting('port')")
        in_recovery, replica_port = cursor.fetchone()
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_setting('port')")
        primary_recovery, primary_port = cursor.fetchone()
    assert in_recovery is True and primary_recovery is False
    assert replica_port != primary_port


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_marked_reads_hit_the_replica_once_replayed(on_replica: None) -> None:
    written = _district("2599001")  # committed on the primary
    _wait_for_replay()
    with CaptureQueriesContext(connections[REPLICA]) as on_replica_queries:
        with CaptureQueriesContext(connections[PRIMARY]) as on_primary_queries, replica_reads():
            found = District.objects.get(pk=written.pk)
    assert found.nces_id == "2599001"
    assert any("directory_district" in q["sql"] for q in on_replica_queries.captured_queries)
    assert not any("directory_district" in q["sql"] for q in on_primary_queries.captured_queries)


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_unmarked_reads_and_reads_in_a_transaction_stay_on_the_primary(on_replica: None) -> None:
    written = _district("2599002")
    _wait_for_replay()
    with CaptureQueriesContext(connections[REPLICA]) as on_replica_queries:
        District.objects.get(pk=written.pk)
        with replica_reads(), transaction.atomic():
            District.objects.get(pk=written.pk)
    assert not any("directory_district" in q["sql"] for q in on_replica_queries.captured_queries)


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_writes_never_go_to_the_replica(on_replica: None) -> None:
    with CaptureQueriesContext(connections[REPLICA]) as on_replica_queries, replica_reads():
        written = _district("2599003")
        District.objects.filter(pk=written.pk).update(name="Renamed")
        again = District.objects.get(pk=written.pk)  # read back at once: from the primary
    assert again.name == "Renamed"
    assert not any("directory_district" in q["sql"] for q in on_replica_queries.captured_queries)
    # And the replica itself refuses writes, whoever asks.
    with pytest.raises(Exception, match="read-only transaction"):
        District.objects.using(REPLICA).create(name="Nope", state="MA", nces_id="2599004")


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_a_lagging_replica_falls_back_to_the_primary(on_replica: None, settings: Any) -> None:
    settings.REPLICA_MAX_LAG_SECONDS = 1
    with _replica_superuser() as admin:
        admin.execute("SELECT pg_wal_replay_pause()")
        try:
            written = _district("2599005")  # on the primary; the replica does not replay it
            time.sleep(1.5)
            lag = replica.replica_lag_seconds()
            assert lag is not None and lag > 1
            assert not District.objects.using(REPLICA).filter(pk=written.pk).exists()
            with CaptureQueriesContext(connections[REPLICA]) as on_replica_queries, replica_reads():
                replica.replica_check_reset()
                found = District.objects.filter(pk=written.pk).exists()  # the fallback: the primary
            assert found
            assert not any("directory_district" in q["sql"] for q in on_replica_queries.captured_queries)
        finally:
            admin.execute("SELECT pg_wal_replay_resume()")
    _wait_for_replay()
    replica.replica_check_reset()
    assert replica.replica_usable()


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_an_unreachable_replica_falls_back_to_the_primary(on_replica: None) -> None:
    written = _district("2599006")
    saved = connections[REPLICA].settings_dict["PORT"]
    connections[REPLICA].close()
    connections[REPLICA].settings_dict["PORT"] = "1"
    try:
        with replica_reads():
            replica.replica_check_reset()
            assert District.objects.filter(pk=written.pk).exists()
            assert database_for_reads() == PRIMARY
    finally:
        connections[REPLICA].close()
        connections[REPLICA].settings_dict["PORT"] = saved


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_the_two_roles_on_primary_and_replica(on_replica: None) -> None:
    """The application's role reads on both; on the replica it is the same role, and cannot write;
    the tables belong to the owner (DATABASE_MIGRATE_URL), so the audit log stays append-only."""
    application = dj_database_url.parse(settings.DATABASE_URL)["USER"]
    for alias in (PRIMARY, REPLICA):
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT current_user, tableowner FROM pg_tables WHERE tablename = 'accounts_auditentry'")
            user, owner = cursor.fetchone()
        assert user == application
        if settings.DATABASE_MIGRATE_URL:
            assert owner == dj_database_url.parse(settings.DATABASE_MIGRATE_URL)["USER"] != application


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_the_equity_page_reads_from_the_replica_and_a_write_pins_the_session(world: Any, settings: Any) -> None:
    from django.test import Client

    from liaison.lib.replica import PIN_SESSION_KEY

    settings.REPLICA_MAX_LAG_SECONDS = 5
    replica.replica_check_reset()
    client = Client()
    client.force_login(world.users["district_admin"], backend="django.contrib.auth.backends.ModelBackend")
    _wait_for_replay()
    url = f"/insights/equity/{world.district.uuid}/?school_year=2024-2025"
    with CaptureQueriesContext(connections[REPLICA]) as on_replica_queries:
        assert client.get(url).status_code == 200
    assert any("directory_school" in q["sql"] for q in on_replica_queries.captured_queries)

    session = client.session
    session[PIN_SESSION_KEY] = time.time() + 30  # as after a write in this session
    session.save()
    with CaptureQueriesContext(connections[REPLICA]) as on_replica_queries:
        assert client.get(url).status_code == 200
    assert not any("directory_school" in q["sql"] for q in on_replica_queries.captured_queries)
