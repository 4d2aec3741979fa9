"""The small-cell rule, in one place: a group of 1 to 9 is never shown, on any page, export or API.

Zero is shown as zero (nobody to identify). When exactly one cell of a breakdown is hidden, the
next smallest is hidden too (complementary suppression), so the hidden one cannot be recovered
from the total.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

MIN_GROUP = 10
SUPPRESSED = "Suppressed (fewer than 10)"

K = TypeVar("K", bound=Hashable)


def is_suppressed(count: int) -> bool:
    """True for a group too small to show (1 to 9)."""
    return 0 < count < MIN_GROUP


def complementary(counts: Mapping[K, int]) -> set[K]:
    """The cells of a breakdown to hide: the small ones, and one more when only one is small."""
    hidden = {key for key, count in counts.items() if is_suppressed(count)}
    if len(hidden) == 1:
        others = sorted((count, str(key), key) for key, count in counts.items() if key not in hidden and count > 0)
        if others:
            hidden.add(others[0][2])
    return hidden
