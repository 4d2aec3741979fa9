"""Uploads read within fixed bounds: a line too long, too many columns or a zip bomb is refused
before it can fill the worker's memory.

`csv.reader` builds a whole row before anyone can look at its width: a 200 MB line of commas is a
list of 200 million strings (about 2 GB). So the reader is fed lines read with a length limit
(`readline(limit)`, never more than the limit in memory) whose commas are counted first. A zip is
refused by its directory, before anything is unpacked: too many entries, too large unpacked in
total, or an entry packed more tightly than real CSV ever is.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import IO

# A contacts row is under 1,000 characters and a OneRoster row a few thousand; these leave room.
MAX_LINE_CHARS = 100_000
MAX_COLUMNS = 500
MAX_ZIP_ENTRIES = 100
MAX_ZIP_UNPACKED_BYTES = 4 * 1024**3  # a state-wide users.csv is a few hundred MB
MAX_ZIP_RATIO = 100  # CSV packs about 5-15 times; a bomb thousands of times

LINE_TOO_LONG = "Line {line} of {file} is longer than {limit:,} characters; nothing was imported."
TOO_MANY_COLUMNS = "Line {line} of {file} has more than {limit:,} columns; nothing was imported."
ZIP_TOO_MANY_ENTRIES = "{file} holds {count:,} entries; at most {limit:,} are accepted."
ZIP_TOO_LARGE = "{file} unpacks to {size:,} bytes; at most {limit:,} are accepted."
ZIP_RATIO_TOO_HIGH = "{entry} in {file} is packed {ratio:,} times smaller than its content; real CSV never is."


class InputTooLarge(ValueError):
    """An upload beyond a limit; the message names the file (and the line)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def bounded_lines(
    stream: IO[str], *, file: str, max_chars: int = MAX_LINE_CHARS, max_columns: int = MAX_COLUMNS
) -> Iterator[str]:
    """The stream's lines for csv.reader, each checked for length and commas before it is split."""
    readline = stream.readline
    line = 0
    while text := readline(max_chars + 1):
        line += 1
        if len(text) > max_chars:
            raise InputTooLarge(LINE_TOO_LONG.format(line=line, file=file, limit=max_chars), line)
        if text.count(",") >= max_columns:
            raise InputTooLarge(TOO_MANY_COLUMNS.format(line=line, file=file, limit=max_columns), line)
        yield text


def zip_check(archive: zipfile.ZipFile, *, file: str) -> None:
    """Refuse a zip whose directory promises more than an honest roster holds."""
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise InputTooLarge(ZIP_TOO_MANY_ENTRIES.format(file=file, count=len(entries), limit=MAX_ZIP_ENTRIES))
    total = sum(info.file_size for info in entries)
    if total > MAX_ZIP_UNPACKED_BYTES:
        raise InputTooLarge(ZIP_TOO_LARGE.format(file=file, size=total, limit=MAX_ZIP_UNPACKED_BYTES))
    for info in entries:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > 1024**2 and ratio > MAX_ZIP_RATIO:
            raise InputTooLarge(ZIP_RATIO_TOO_HIGH.format(entry=info.filename, file=file, ratio=ratio))
