"""The small-cell rule for a single breakdown, as the surveys use it: now a thin front to the
disclosure engine (liaison/lib/disclosure.py), so that there is one engine behind every figure.

Zero is shown as zero (nobody to identify). A group of 1 to 9 is hidden, and others with it until
the breakdown's total (treated as shown) cannot give a hidden one back, as the engine's audit
proves. New code should describe its whole table to the engine instead (docs/disclosure.md).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

from .disclosure import MIN_THRESHOLD, SUPPRESSED, Table, is_small, protect

MIN_GROUP = MIN_THRESHOLD
__all__ = ["MIN_GROUP", "SUPPRESSED", "complementary", "is_suppressed"]

K = TypeVar("K", bound=Hashable)


def is_suppressed(count: int) -> bool:
    """True for a group too small to show (1 to 9)."""
    return is_small(count)


def complementary(counts: Mapping[K, int]) -> set[K]:
    """The cells of a breakdown to hide, its total taken as shown: the engine's answer."""
    table = Table()
    for key, count in counts.items():
        table.cell(("cell", key), count)
    table.total(("total",), [("cell", key) for key in counts])
    released = protect(table)
    return {key for key in counts if released.is_hidden(("cell", key))}
