"""Uploaded files kept only while their import waits or runs."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

# A file is stored just before its job row is saved: younger files may belong to a job being created.
MIN_AGE_SECONDS = 300


def uploads_orphaned_delete(root: Path, folder: str, live: Iterable[str], *, min_age: float = MIN_AGE_SECONDS) -> int:
    """Delete the files under root/folder that no queued or running job names (paths relative to
    root); returns how many. Left by a worker that stopped mid-import, they may hold students' names."""
    keep = set(live)
    deleted = 0
    older_than = time.time() - min_age
    for path in (root / folder).glob("*"):
        if path.is_file() and str(path.relative_to(root)) not in keep and path.stat().st_mtime < older_than:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
