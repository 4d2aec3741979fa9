"""Upgrade check for CI: a database made by the previous release, migrated by this one, keeps every row.

Usage: python scripts/check_upgrade.py [PREVIOUS_COMMIT]   (default: PREVIOUS_RELEASE below)
With DATABASE_URL=postgres://…/NAME it uses a fresh database NAME_upgrade; otherwise SQLite files.
The previous release's tree is taken from git (git archive), loaded with its demo data, counted,
then migrated with this tree's code and counted again.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PREVIOUS_RELEASE = "b48898a"  # 0.1.0, the last commit before 0.2.0
PYTHON = str(REPO / ".venv" / "bin" / "python")


def run(tree: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=tree, env=env, check=True)


def counts(env: dict[str, str], data_dir: Path) -> dict[str, int]:
    url = env.get("DATABASE_URL")
    if not url:
        with sqlite3.connect(data_dir / "liaison.sqlite3") as db:
            tables = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        tables = [n for (n,) in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # type: ignore[index]


def _drop_upgrade_database() -> None:
    if url := os.environ.get("DATABASE_URL"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/{name}".replace("postgres://", "postgresql://", 1), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}_upgrade" WITH (FORCE)')


def main() -> int:
    previous = sys.argv[1] if len(sys.argv) > 1 else PREVIOUS_RELEASE
    with tempfile.TemporaryDirectory() as scratch:
        old_tree, data_dir = Path(scratch) / "previous", Path(scratch) / "data"
        old_tree.mkdir()
        archive = subprocess.run(["git", "archive", previous], cwd=REPO, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old_tree)], input=archive, check=True)
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATA_DIR": str(data_dir),
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        if url := os.environ.get("DATABASE_URL"):
            base, name = url.rsplit("/", 1)
            env["DATABASE_URL"] = f"{base}/{name}_upgrade"
            admin = f"{base}/{name}".replace("postgres://", "postgresql://", 1)
            import psycopg

            with psycopg.connect(admin, autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{name}_upgrade"')
                db.execute(f'CREATE DATABASE "{name}_upgrade"')
        print(f"== previous release {previous}: migrate and load the demo", flush=True)
        run(old_tree, env, "migrate", "--no-input", "-v0")
        run(old_tree, env, "load_demo", "--if-empty")
        before = counts(env, data_dir)
        print(f"== this tree: migrate ({sum(before.values())} rows in {len(before)} tables)", flush=True)
        run(REPO, env, "migrate", "--no-input", "-v0")
        after = counts(env, data_dir)
        _drop_upgrade_database()
    lost = {t: (n, after.get(t)) for t, n in before.items() if t != "django_migrations" and after.get(t, -1) < n}
    if lost:
        print(f"Rows lost in the upgrade (table: before, after): {lost}", file=sys.stderr)
        return 1
    print(f"== every row kept: {sum(before.values())} rows in {len(before)} tables", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
