"""Each surveys test keeps its wave keys in its own data directory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _own_key_store(settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path
