"""The one CSV writer for every export: no cell a spreadsheet would run as a formula.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP's list for CSV
injection) is written with a leading `'`, which spreadsheets show as text. A plain number
(`-3`, `+1.5`) is left alone: a spreadsheet reads it as a number, never as a formula, and a
prefix would turn a figure into text. Every export writes through `csv_writer` or
`csv_dict_writer`; `liaison/tests/test_csv_exports.py` fails on any other `csv.writer(`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise(value: Any) -> Any:
    """The value, or its text prefixed with `'` when a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer's writerow/writerows, with every cell neutralised."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file: Any, **options: Any) -> SafeWriter:
    return SafeWriter(csv.writer(file, **options))


def csv_dict_writer(file: Any, fieldnames: Sequence[str], **options: Any) -> csv.DictWriter:
    writer = csv.DictWriter(file, fieldnames, **options)
    writer.writer = SafeWriter(writer.writer)  # type: ignore[assignment]
    return writer
