"""The install path's files: systemd units that verify, and every runner starting the same processes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import liaison

REPO = Path(__file__).resolve().parents[2]
UNITS = sorted((REPO / "deploy" / "systemd").glob("*.service"))


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze (Debian: systemd) not installed")
def test_the_systemd_units_verify(tmp_path):
    # The units name the installed paths; point them at this checkout so their commands exist.
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/liaison/current", str(REPO)))
    result = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_each_unit_restarts_runs_as_its_own_user_and_is_hardened(unit):
    text = unit.read_text()
    required = ("User=liaison", "EnvironmentFile=/etc/liaison/liaison.env", "ProtectSystem=strict", "UMask=0077")
    for line in required:
        assert line in text
    assert re.search(r"^Restart=(on-failure|always)$", text, re.MULTILINE)


def test_every_runner_starts_the_worker_with_its_scheduler():
    for path in ("Procfile", "deploy/compose.yaml", "deploy/systemd/liaison-worker.service", "scripts/serve"):
        text = (REPO / path).read_text()
        assert "worker" in text and "db_worker" not in text, path


def test_the_version_is_the_same_everywhere():
    assert f'version = "{liaison.__version__}"' in (REPO / "pyproject.toml").read_text()
    assert f"## {liaison.__version__} " in (REPO / "CHANGELOG.md").read_text()


def test_the_shell_scripts_parse():
    for script in ("scripts/install", "scripts/release", "scripts/serve", "scripts/check_install"):
        assert subprocess.run(["bash", "-n", str(REPO / script)], capture_output=True).returncode == 0, script
