"""CSV exports: results (suppressed like the pages) and de-identified raw responses.

Raw responses leave out the open question (people write names), the day and anything from a school
with fewer than 10 responses, and drop demographic columns until every combination of school and
the demographics kept holds at least 10 responses.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from typing import Any

from liaison.lib.suppression import MIN_GROUP, SUPPRESSED, is_suppressed

from . import scoring
from .item_bank import DEMOGRAPHIC_CODES
from .models import Item
from .selectors import WaveResults
from .vocabulary import ItemKind

RESULT_COLUMNS = [
    "wave",
    "school",
    "respondents",
    "measure",
    "mean",
    "ci_low",
    "ci_high",
    "percent_favourable",
    "alpha",
]


def _number(value: float | None, places: int = 2) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _measure_rows(wave: str, school: str, result: scoring.GroupResult) -> list[list[str]]:
    if result.suppressed:
        return [[wave, school, SUPPRESSED, "", "", "", "", "", ""]]
    if result.respondents == 0:
        return [[wave, school, "0", "", "", "", "", "", ""]]
    n = str(result.respondents)
    rows = []
    trust = result.trust
    if trust is not None:
        rows.append(
            [
                wave,
                school,
                n,
                "trust_index",
                _number(trust.mean, 1),
                _number(trust.low, 1),
                _number(trust.high, 1),
                "",
                "",
            ]
        )
    for scale in result.scales:
        est = scale.estimate
        rows.append(
            [
                wave,
                school,
                n,
                scale.scale,
                _number(est.mean if est else None),
                _number(est.low if est else None),
                _number(est.high if est else None),
                _number(scale.favourable, 1),
                _number(scale.alpha),
            ]
        )
    return rows


def results_csv(results: WaveResults) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RESULT_COLUMNS)
    for row in results.rows:
        writer.writerows(_measure_rows(results.wave.title, row.wave_school.school.name, row.result))
    writer.writerows(_measure_rows(results.wave.title, "All schools shown", results.pooled))
    return out.getvalue()


def demographics_kept(rows: Sequence[tuple[str, dict[str, Any]]], present: Sequence[str]) -> tuple[str, ...]:
    """The largest set of demographic columns (earliest first on ties) under which every school ×
    combination group has at least 10 responses."""
    for size in range(len(present), 0, -1):
        for kept in combinations(present, size):
            groups = Counter((school, *(str(a.get(code, "")) for code in kept)) for school, a in rows)
            if all(count >= MIN_GROUP for count in groups.values()):
                return kept
    return ()


def responses_csv(items: Sequence[Item], answers: dict[str, list[dict[str, Any]]]) -> str:
    """One row per response from schools with at least 10: school, then item values (raw, not reversed)."""
    rows = [(school, a) for school, group in answers.items() if not is_suppressed(len(group)) for a in group]
    demographic = [item.code for item in items if item.code in DEMOGRAPHIC_CODES]
    kept = set(demographics_kept(rows, demographic))
    columns = [
        item.code
        for item in items
        if item.kind != ItemKind.OPEN and (item.code not in DEMOGRAPHIC_CODES or item.code in kept)
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["school", *columns])
    for school, a in sorted(rows, key=lambda row: (row[0], sorted(map(str, row[1].items())))):
        writer.writerow([school, *(a.get(code, "") for code in columns)])
    return out.getvalue()
