"""Generate a synthetic state or nation of SRO programs (docs/scale.md): for benchmarks only."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.accounts.db_roles import as_owner
from liaison.demo.scale import PRESETS, ScalePlan, generate
from liaison.interactions.partitions import is_partitioned, partitions, partitions_ensure
from liaison.lib.school_years import school_year_days, school_year_of
from liaison.lib.states import STATE_FIPS

BAD_STATE = "Unknown state code {state!r}: use a two-letter code such as MA."


class Command(BaseCommand):
    help = (
        "Write a synthetic state (1,500 officers, 10 million contacts) or nation (18,000 officers, 100 million "
        "contacts) of SRO programs for a school year, deterministic from --seed. COPY on PostgreSQL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scope", choices=sorted(PRESETS), help="the preset: a state or the nation")
        parser.add_argument("--contacts", type=int, default=0, help="contacts to write (default: the preset's)")
        parser.add_argument("--officers", type=int, default=0, help="officers (default: the preset's)")
        parser.add_argument("--state", default="MA", help="the state's two-letter code (scope 'state')")
        parser.add_argument("--school-year", default="", help="e.g. 2025-2026 (default: the last closed one)")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        state = options["state"].upper()
        if state not in STATE_FIPS:
            raise CommandError(BAD_STATE.format(state=state))
        school_year = options["school_year"]
        if not school_year:
            import datetime

            current = school_year_of(datetime.date.today())
            school_year = f"{int(current[:4]) - 1}-{current[:4]}"
        plan = ScalePlan.preset(
            options["scope"],
            school_year=school_year,
            seed=options["seed"],
            state=state,
            officers=options["officers"],
            contacts=options["contacts"],
        )
        started = time.perf_counter()
        verbose = options["verbosity"] > 0

        def say(line: str) -> None:
            if verbose:
                self.stdout.write(line)

        if is_partitioned() and plan.school_year not in partitions():
            with as_owner():  # the application's role may not create the year's partition
                partitions_ensure(through=school_year_days(plan.school_year)[1])
        result = generate(plan, say=say)
        seconds = time.perf_counter() - started
        enforcement = result.enforcement / result.contacts if result.contacts else 0
        self.stdout.write(
            f"{result.agencies:,} agencies, {result.districts:,} districts, {result.schools:,} schools, "
            f"{result.officers:,} officers, {result.contacts:,} contacts ({enforcement:.2%} enforcement) "
            f"for {school_year} in {seconds:.0f} s ({result.contacts / max(seconds, 0.001):,.0f} contacts/s)"
        )
