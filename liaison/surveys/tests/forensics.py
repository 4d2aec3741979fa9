"""The forensic scenario and the linkers an attacker with the database's files would try.

`scenario` submits coded responses at one school (a fixed seed decides who uses which code and in
what order) and closes the wave. Each response carries a unique marker in its open answer, so the
test knows the truth: which code went with which answers. A linker is any way of pairing codes with
responses from what is left; `correct_pairs` counts how often it is right. By chance a pairing gets
one of N right on average (N × 1/N), whatever N is.

Run as a script (`python -m liaison.surveys.tests.forensics OUT`) it plays the scenario against a
fresh SQLite file database in DATA_DIR, copying the database and its write-ahead log just before
and just after the close, so a test can read the raw files as a thief of a backup would.
"""

from __future__ import annotations

import datetime
import json
import random
import shutil
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESPONDENTS = 30
SEED = 20261206
TOLERANCE = 5  # above chance (1 correct pair): a random pairing reaches 7 once in about 12,000 runs


@dataclass(frozen=True)
class Truth:
    wave_uuid: str
    used_in_order: list[str]  # codes, in the order they were used
    marker_of: dict[str, str]  # code → the marker in its response's open answer


def marker(index: int) -> str:
    return f"forensic-marker-{index:04d}-zq"


def scenario(*, actor: Any, school: Any, today: datetime.date, respondents: int = RESPONDENTS) -> Truth:
    from liaison.surveys import services
    from liaison.surveys.item_bank import item_bank_install
    from liaison.surveys.models import Instrument, Item

    wave = services.wave_open(
        actor=actor,
        title="Forensic wave",
        instrument=item_bank_install(Instrument, Item),
        schools=[school],
        audience="staff",
        languages=["en"],
        opens_on=today,
        closes_on=today,
        uses_codes=True,
        hourly_allowance=10 * respondents,
    )
    wave_school = wave.wave_schools.get()
    codes = services.slip_codes_issue(actor=actor, wave_school=wave_school, count=respondents, today=today)
    rng = random.Random(SEED)
    used = rng.sample(codes, len(codes))
    marker_of = {}
    for index, code in enumerate(used):
        marker_of[code] = marker(index)
        answers = {"pulse_safety": rng.randint(0, 10), "open_problem": marker_of[code]}
        services.survey_response_submit(
            wave_school=wave_school, language="en", answers=answers, code=code, today=today, seconds_taken=300
        )
    return Truth(str(wave.uuid), used, marker_of)


def close(*, actor: Any, truth: Truth, today: datetime.date) -> None:
    from liaison.surveys import services
    from liaison.surveys.models import Wave

    services.wave_close(actor=actor, wave=Wave.objects.get(uuid=truth.wave_uuid), today=today)


def correct_pairs(truth: Truth, pairs: Sequence[tuple[str, str]]) -> int:
    """How many (code, marker) pairs a linker proposed are right."""
    return sum(truth.marker_of.get(code) == found for code, found in pairs)


def by_rank(codes: Sequence[str], markers: Sequence[str]) -> list[tuple[str, str]]:
    """The linker's guess when it has two orders: the i-th code with the i-th response."""
    return list(zip(codes, markers, strict=False))


def markers_in_order_of_bytes(blob: bytes, truth: Truth) -> list[str]:
    """Markers in the order they first appear in the files' bytes (page order, frame order)."""
    found = [(blob.find(m.encode()), m) for m in truth.marker_of.values()]
    return [m for offset, m in sorted(found) if offset >= 0]


def wal_commits(wal: bytes) -> list[list[bytes]]:
    """The pages of each committed transaction in an SQLite write-ahead log, in commit order."""
    if len(wal) < 32:
        return []
    page_size = struct.unpack(">I", wal[8:12])[0]
    commits: list[list[bytes]] = []
    pending: list[bytes] = []
    offset = 32
    while offset + 24 + page_size <= len(wal):
        _page, size_after = struct.unpack(">II", wal[offset : offset + 8])
        pending.append(wal[offset + 24 : offset + 24 + page_size])
        offset += 24 + page_size
        if size_after:
            commits.append(pending)
            pending = []
    return commits


def _main(out: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from liaison.accounts.models import User
    from liaison.directory.models import District, School

    call_command("migrate", verbosity=0)
    actor = User.objects.create(username="forensic", is_superuser=True, is_staff=True)
    district = District.objects.create(name="Forensic Public Schools", state="MA", nces_id="2599999")
    school = School.objects.create(
        district=district,
        name="Forensic Middle",
        nces_id="259999900001",
        level="middle",
        lowest_grade=6,
        highest_grade=8,
    )
    today = timezone.localdate()
    truth = scenario(actor=actor, school=school, today=today)
    database = Path(settings.DATABASES["default"]["NAME"])
    _copy(database, out / "before")
    close(actor=actor, truth=truth, today=today)
    _copy(database, out / "after")
    (out / "truth.json").write_text(json.dumps(truth.__dict__))


def _copy(database: Path, into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        source = Path(f"{database}{suffix}")
        target = into / f"db{suffix}"
        if source.exists():
            shutil.copyfile(source, target)
        else:
            target.write_bytes(b"")


if __name__ == "__main__":
    _main(Path(sys.argv[1]))
