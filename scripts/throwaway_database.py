"""A fresh, empty database for a benchmark run, on whichever engine DATABASE_URL selects.

With DATABASE_URL=postgres://…/NAME the benchmark gets a new database NAME_<label> on the same
server (dropped afterwards); without it, an SQLite file in a temporary DATA_DIR. Used by the
scripts in this folder; never by the application.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


def engine_name() -> str:
    return "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"


@contextmanager
def throwaway_database(label: str, *, app_role: bool = False) -> Iterator[dict[str, str]]:
    """Yield the environment variables that point Django at a new database; remove it afterwards.

    `app_role` (PostgreSQL): DATABASE_URL's role becomes the owner (DATABASE_MIGRATE_URL) and the
    benchmark connects as a new role NAME_<label>_app with the application's privileges only.
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        yield from _postgres(url, label, app_role)
    else:
        yield from _sqlite(label)


def _sqlite(label: str) -> Iterator[dict[str, str]]:
    directory = tempfile.mkdtemp(prefix=f"liaison-{label}-")
    try:
        yield {"DATA_DIR": directory}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _postgres(url: str, label: str, app_role: bool) -> Iterator[dict[str, str]]:
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'liaison'}_{label}"
    server = urlunsplit(parts._replace(path="/postgres"))
    role = f"{name}_app"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        if app_role:
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')
            admin.execute(f'CREATE ROLE "{role}" LOGIN')
    owner_url = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        if app_role:
            host = parts.hostname or "127.0.0.1"
            app_url = urlunsplit(parts._replace(netloc=f"{role}@{host}:{parts.port or 5432}", path=f"/{name}"))
            yield {"DATABASE_URL": app_url, "DATABASE_MIGRATE_URL": owner_url}
        else:
            yield {"DATABASE_URL": owner_url}
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if app_role:
                admin.execute(f'DROP ROLE IF EXISTS "{role}"')
