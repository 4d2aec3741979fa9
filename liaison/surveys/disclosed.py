"""Survey figures shown to restricted audiences (principals, SRO supervisors, evaluators), passed
through the one disclosure engine (liaison/lib/disclosure.py).

A school's results exist only once its wave has closed (a snapshot: nothing moves afterwards), and
a school with fewer than 10 respondents shows nothing. Within a shown school, a breakdown by a
demographic answer (grade, race/ethnicity, sex) is a table whose total, the school's respondents,
is shown: the engine hides every group of 1 to 9 and as many others as its audit needs so that no
hidden group can be worked back from the total and the shown groups.
"""

from __future__ import annotations

from collections.abc import Mapping

from liaison.lib.disclosure import Table, protect

EVERYONE = ("everyone",)
ANSWERED = ("answered",)
NOT_ANSWERED = ("not answered",)


def breakdown_hidden(counts: Mapping[str, int]) -> set[str]:
    """The groups of one breakdown to hide, given that their sum (the school's respondents) is shown."""
    table = Table()
    for key, count in counts.items():
        table.cell(key, count)
    table.total(EVERYONE, list(counts))
    release = protect(table)
    return {key for key in counts if release.is_hidden(key)}


def answer_counts_shown(counts: Mapping[str, int], respondents: int) -> tuple[dict[str, int | None], int | None]:
    """How many chose each answer of a demographic item, and how many answered it, as may be shown
    beside the school's respondents (None: suppressed); those who skipped it are the difference."""
    table = Table()
    for key, count in counts.items():
        table.cell(key, count)
    table.total(ANSWERED, list(counts))
    table.cell(NOT_ANSWERED, respondents - sum(counts.values()))
    table.total(EVERYONE, [*counts, NOT_ANSWERED])
    table.relate(EVERYONE, [ANSWERED, NOT_ANSWERED])
    release = protect(table)
    return {key: release.value(key) for key in counts}, release.value(ANSWERED)
