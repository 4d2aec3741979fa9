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
def throwaway_database(label: str) -> Iterator[dict[str, str]]:
    """Yield the environment variables that point Django at a new database; remove it afterwards."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield from _postgres(url, label)
    else:
        yield from _sqlite(label)


def _sqlite(label: str) -> Iterator[dict[str, str]]:
    directory = tempfile.mkdtemp(prefix=f"liaison-{label}-")
    try:
        yield {"DATA_DIR": directory}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _postgres(url: str, label: str) -> Iterator[dict[str, str]]:
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'liaison'}_{label}"
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
