"""CSV exports: results (suppressed like the pages, with subgroups and the change since the previous
wave) and de-identified raw responses.

Raw responses leave out the open question (people write names), the day and anything from a school
with fewer than 10 responses, and drop demographic columns until every combination of school and
the demographics kept holds at least 10 responses.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from liaison.lib.csv_export import csv_dict_writer, csv_writer
from liaison.lib.suppression import MIN_GROUP, SUPPRESSED, is_suppressed

from . import scoring
from .item_bank import DEMOGRAPHIC_CODES
from .models import Item
from .selectors import ComparedWithPrevious, Subgroup, WaveResults
from .vocabulary import ItemKind

RESULT_COLUMNS = [
    "wave",
    "school",
    "group",
    "respondents",
    "measure",
    "mean",
    "ci_low",
    "ci_high",
    "percent_favourable",
    "alpha",
    "compared_with",
    "change",
    "change_ci_low",
    "change_ci_high",
    "change_distinguishable",
]
EVERYONE = "Everyone"


def _number(value: float | None, places: int = 2) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _measure_rows(result: scoring.GroupResult) -> list[dict[str, str]]:
    """One row per measure (trust index, then each scale); one row without a measure when the group
    is suppressed or empty."""
    if result.suppressed:
        return [{"respondents": SUPPRESSED}]
    if result.respondents == 0:
        return [{"respondents": "0"}]
    n = str(result.respondents)
    rows = []
    trust = result.trust
    if trust is not None:
        rows.append(
            {
                "respondents": n,
                "measure": "trust_index",
                "mean": _number(trust.mean, 1),
                "ci_low": _number(trust.low, 1),
                "ci_high": _number(trust.high, 1),
            }
        )
    for scale in result.scales:
        est = scale.estimate
        rows.append(
            {
                "respondents": n,
                "measure": scale.scale,
                "mean": _number(est.mean if est else None),
                "ci_low": _number(est.low if est else None),
                "ci_high": _number(est.high if est else None),
                "percent_favourable": _number(scale.favourable, 1),
                "alpha": _number(scale.alpha),
            }
        )
    return rows


def _change_cells(compared: ComparedWithPrevious | None, measure: str) -> dict[str, str]:
    """This wave minus the school's previous one for a measure; the change is marked suppressed when
    either wave is, and left empty when either has too few answers for an interval."""
    if compared is None:
        return {}
    cells = {"compared_with": compared.previous.wave.title}
    if compared.suppressed:
        return {**cells, "change": SUPPRESSED}
    found = next((change.comparison for change in compared.changes if change.measure == measure), None)
    if found is None:
        return cells
    return {
        **cells,
        "change": _number(found.difference),
        "change_ci_low": _number(found.low),
        "change_ci_high": _number(found.high),
        "change_distinguishable": "yes" if found.distinguishable else "no",
    }


@dataclass(frozen=True)
class SchoolExtras:
    """What the results file adds for one school: its subgroups and its change since the last wave."""

    subgroups: list[Subgroup]
    compared: ComparedWithPrevious | None


def results_csv(results: WaveResults, extras: dict[int, SchoolExtras]) -> str:
    """Per school (everyone, then each subgroup asked for), then all schools shown; every figure
    suppressed where the page and the API suppress it."""
    out = io.StringIO()
    writer = csv_dict_writer(out, RESULT_COLUMNS, restval="")
    writer.writeheader()
    wave = results.wave.title
    for row in results.rows:
        school = row.wave_school.school.name
        extra = extras.get(row.wave_school.pk, SchoolExtras([], None))
        for cells in _measure_rows(row.result):
            change = _change_cells(extra.compared, cells.get("measure", ""))
            writer.writerow({"wave": wave, "school": school, "group": EVERYONE, **cells, **change})
        for group in extra.subgroups:
            for cells in _measure_rows(group.result):
                writer.writerow({"wave": wave, "school": school, "group": group.label, **cells})
    for cells in _measure_rows(results.pooled):
        writer.writerow({"wave": wave, "school": "All schools shown", "group": EVERYONE, **cells})
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
    writer = csv_writer(out)
    writer.writerow(["school", *columns])
    for school, a in sorted(rows, key=lambda row: (row[0], sorted(map(str, row[1].items())))):
        writer.writerow([school, *(a.get(code, "") for code in columns)])
    return out.getvalue()
