"""Disclosure control: what of a table of counts about children a restricted audience may see.

One engine for every figure shown outside the people who own the records (evaluators, the public,
survey results). It knows nothing of pages or apps. Describe what will be shown as a `Table`:

    table = Table()
    table.cell(("referred", "white"), 7)            # a count about children
    table.cell(("referred", "black"), 31)
    table.total(("referred", "all"), [("referred", "white"), ("referred", "black")])  # a shown total
    table.cell("with_key", 30, published=False)     # in the arithmetic, never shown
    table.relate(("referred", "all"), ["with_key", "without_key"])  # another way the total splits
    table.at_most("students", "instances")          # what the attacker knows: students <= actions
    table.cell("referred_not_arrested", 3, sensitive=True)  # never shown, must not be worked out
    table.band({"within": 1, "all": -0.425}, low=0)  # a rounded share, as the attacker can read it
    table.derive("rri:black", ("referred", "black"), ("referred", "white"))  # a rate, RRI, interval,
                                                     # "n of N", a finding in words ...
    release = protect(table)                         # threshold 10 unless given (never lower)
    protect(table, already={"white": False})         # what an earlier snapshot showed (True) or hid
    release.value(("referred", "white"))             # None: suppressed; 0 stays 0
    release.shows("rri:black")                       # False: it depends on a hidden cell

`protect` hides every count from 1 to threshold − 1 (primary suppression), then hides more cells
(complementary suppression, in every relation: rows, columns, every shown total) until the LP
audit in `liaison.lib.disclosure_audit` finds every small hidden cell protected. It never hides a
zero: zero is shown as zero, distinct from "suppressed". A derived value is shown only when every
cell it is computed from is shown. Several linked tables (the same children counted on two pages)
belong in one `Table`, so the audit sees all of them together.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from .disclosure_audit import AuditReport, Touching, audit

Key = Hashable
MIN_THRESHOLD = 10  # never lower: Washington's courts, and our DOMAIN, suppress 1 to 9
SUPPRESSED = "Suppressed (fewer than 10)"
THRESHOLD_TOO_LOW = "The disclosure threshold cannot be lower than 10."


@dataclass(frozen=True)
class Band:
    """What an attacker knows as an inequality: low <= sum(coefficient × cell) <= high."""

    terms: Mapping[Key, float]
    low: float | None = None
    high: float | None = None


@dataclass
class Table:
    """Every count one audience is shown about the same children, with how the counts add up."""

    cells: dict[Key, int] = field(default_factory=dict)
    relations: list[tuple[Key, tuple[Key, ...]]] = field(default_factory=list)  # total = sum(parts)
    unpublished: set[Key] = field(default_factory=set)
    sensitive: set[Key] = field(default_factory=set)  # unpublished, but counts children all the same
    bands: list[Band] = field(default_factory=list)
    derived: dict[str, tuple[Key, ...]] = field(default_factory=dict)
    fixed: frozenset[Key] = frozenset()  # shown before, in a release that cannot be taken back

    def cell(self, key: Key, value: int, *, published: bool = True, sensitive: bool = False) -> Key:
        """`sensitive`: a count never shown that an attacker must not work out either, such as the
        students referred but not arrested (referrals minus arrests)."""
        if value < 0:
            raise ValueError(f"A count cannot be negative: {key!r} = {value}.")
        self.cells[key] = value
        if not published or sensitive:
            self.unpublished.add(key)
        if sensitive:
            self.sensitive.add(key)
        return key

    def total(self, key: Key, parts: Iterable[Key], value: int | None = None) -> Key:
        """A shown total (a margin, a sum across schools or months) and the cells it adds up."""
        parts = tuple(parts)
        self.cell(key, sum(self.cells[part] for part in parts) if value is None else value)
        self.relate(key, parts)
        return key

    def relate(self, total: Key, parts: Iterable[Key]) -> None:
        """Another way `total` splits into existing cells (a second breakdown of the same children)."""
        parts = tuple(parts)
        if self.cells[total] != sum(self.cells[part] for part in parts):
            raise ValueError(f"{total!r} is not the sum of its parts.")
        self.relations.append((total, parts))

    def at_most(self, small: Key, large: Key) -> None:
        """The attacker knows small <= large (unique students <= actions; arrests <= referrals)."""
        self.bands.append(Band({small: 1.0, large: -1.0}, high=0.0))

    def band(self, terms: Mapping[Key, float], *, low: float | None = None, high: float | None = None) -> None:
        self.bands.append(Band(dict(terms), low, high))

    def derive(self, name: str, *cells: Key) -> None:
        """A figure computed from these cells: shown only when all of them are."""
        missing = [cell for cell in cells if cell not in self.cells]
        if missing:
            raise KeyError(f"{name}: unknown cells {missing!r}")
        self.derived[name] = tuple(cells)

    def renamed(self, name: Callable[[Key], Key]) -> Table:
        """The same table with each cell's key passed through `name` (to hold two tables whose keys
        clash, such as one figure over two audiences' records, side by side)."""
        return Table(
            {name(key): value for key, value in self.cells.items()},
            [(name(total), tuple(name(part) for part in parts)) for total, parts in self.relations],
            {name(key) for key in self.unpublished},
            {name(key) for key in self.sensitive},
            [
                Band({name(key): weight for key, weight in band.terms.items()}, band.low, band.high)
                for band in self.bands
            ],
            {derived: tuple(name(key) for key in cells) for derived, cells in self.derived.items()},
            frozenset(name(key) for key in self.fixed),
        )

    def merge(self, other: Table) -> Table:
        """One table of two that the same audience sees (keys must not clash unless the same cell)."""
        for key, value in other.cells.items():
            if self.cells.get(key, value) != value:
                raise ValueError(f"{key!r} has two values.")
        return Table(
            {**self.cells, **other.cells},
            [*self.relations, *other.relations],
            self.unpublished | other.unpublished,
            self.sensitive | other.sensitive,
            [*self.bands, *other.bands],
            {**self.derived, **other.derived},
        )


@dataclass(frozen=True)
class Release:
    """What may be shown: the table with its hidden cells, and the audit that proves them safe."""

    table: Table
    hidden: frozenset[Key]
    primary: frozenset[Key]
    report: AuditReport

    def value(self, key: Key) -> int | None:
        """The count to show, or None when it is suppressed (or never shown at all)."""
        return None if key in self.hidden or key in self.table.unpublished else self.table.cells[key]

    def is_hidden(self, key: Key) -> bool:
        return key in self.hidden

    def shows(self, name: str) -> bool:
        """Whether a derived value may be shown (none of its cells hidden)."""
        unknown = self.hidden | self.table.unpublished
        return not any(cell in unknown for cell in self.table.derived[name])

    def shown(self) -> dict[Key, int]:
        """Everything the audience sees (published cells only)."""
        return {k: v for k, v in self.table.cells.items() if k not in self.hidden and k not in self.table.unpublished}


def check_threshold(threshold: int) -> int:
    if threshold < MIN_THRESHOLD:
        raise ValueError(THRESHOLD_TOO_LOW)
    return threshold


def is_small(count: int, threshold: int = MIN_THRESHOLD) -> bool:
    """A count too small to show (1 to threshold − 1); zero is not small."""
    return 0 < count < threshold


def protect(table: Table, *, threshold: int = MIN_THRESHOLD, already: Mapping[Key, bool] | None = None) -> Release:
    """Primary and complementary suppression, repeated until the audit passes.

    `already`: cells the same audience was shown before (True) or not (False), in a release that
    cannot be taken back (an earlier snapshot): they keep that state and are never chosen as a
    complement; the audit counts what they gave away."""
    check_threshold(threshold)
    already = dict(already or {})
    published = [key for key in table.cells if key not in table.unpublished]
    small = frozenset(key for key in published if is_small(table.cells[key], threshold))
    if any(already.get(key) for key in small):
        raise ValueError("A small count was shown before: it cannot be protected now.")
    # (the engine never hides a zero, so no earlier release of it did)
    hidden = set(small) | {key for key, shown in already.items() if not shown and table.cells.get(key, 0) > 0}
    primary = small | {key for key in table.sensitive if is_small(table.cells[key], threshold)}
    table = _with_fixed(table, already)
    near = Touching(table)
    hideable = frozenset(hidden) | {key for key in published if table.cells[key] > 0 and key not in already}
    pending: frozenset[Key] = primary
    rounds = 0
    while True:
        rounds += 1
        # Hiding more only widens every range, so a cell once protected stays protected: each
        # round audits only the cells the last one could still pin down.
        report = audit(table, hidden, threshold=threshold, primary=pending)
        if report.passed:
            final = audit(table, hidden, threshold=threshold, primary=primary) if pending != primary else report
            return Release(table, frozenset(hidden), primary, final)
        pending = report.unprotected
        if rounds == HOPELESS_CHECK_ROUND and not _protectable(table, hideable, pending, threshold):
            raise CannotProtect("The table cannot be protected (given what was shown before).")
        offers = _Offers(table, hidden, near)
        added = {_complement(offers, key) for key in sorted(report.unprotected, key=repr)} - {None}
        if not added:  # nothing sensible left to add: hide every non-zero figure that may still be
            added = set(hideable - hidden)
            if not added:
                raise CannotProtect("The table cannot be protected (given what was shown before).")
        hidden |= added


# After this many rounds without a pass, the engine asks once whether hiding every cell it may hide
# would protect the cells still pinned down. When figures shown before already give a count away, no
# choice of complements can help, and the rounds would go on adding a few complements each until none
# was left: a hundred rounds for a 15-school district, thousands for a city's (docs/benchmarks.md).
HOPELESS_CHECK_ROUND = 2


def _protectable(table: Table, hideable: frozenset[Key], pending: frozenset[Key], threshold: int) -> bool:
    """Whether the pending cells would be protected with every cell the engine may hide hidden: if not,
    no smaller choice protects them either (hiding more only widens ranges)."""
    return audit(table, hideable, threshold=threshold, primary=pending, first_failure=True).passed


class CannotProtect(RuntimeError):
    """What was shown before already pins a small count down: no choice of cells to hide protects it."""


def protect_or_hide_all(
    table: Table, *, threshold: int = MIN_THRESHOLD, already: Mapping[Key, bool] | None = None
) -> Release:
    """`protect`; or, when what was shown before already gives a small count away (`CannotProtect`),
    a release that hides every non-zero count not shown before: it gives nothing more away, though
    the count already given away stays known (its report names it)."""
    try:
        return protect(table, threshold=threshold, already=already)
    except CannotProtect:
        pass
    already = dict(already or {})
    published = [key for key in table.cells if key not in table.unpublished]
    hidden = frozenset(key for key in published if table.cells[key] > 0 and not already.get(key))
    candidates = [*published, *table.sensitive]
    primary = frozenset(key for key in candidates if is_small(table.cells[key], threshold))
    fixed = _with_fixed(table, already)
    return Release(fixed, hidden, primary, audit(fixed, hidden, threshold=threshold, primary=primary))


def _with_fixed(table: Table, already: Mapping[Key, bool]) -> Table:
    fixed = frozenset(key for key, shown in already.items() if shown and key in table.cells)
    return Table(table.cells, table.relations, table.unpublished, table.sensitive, table.bands, table.derived, fixed)


def _complement(offers: _Offers, key: Key) -> Key | None:
    """The cell to hide next for an unprotected one: the smallest shown non-zero cell in the
    relation (or band) where it is least covered; failing that, in those of the hidden cells it
    is linked to (nearest first). Two offers that tie are the same cell (an offer names its cell),
    so the order the cells are visited in does not matter."""
    seen, frontier = {key}, {key}
    while frontier:
        offered = [choice for member in frontier if (choice := offers.best(member)) is not None]
        if offered:
            return min(offered, key=lambda choice: choice[:3])[3]
        frontier = set().union(*(offers.linked(member) for member in frontier)) - seen
        seen |= frontier
    return None


# A shown cell a relation offers to hide: (how many unknown cells the relation has, the cell's value,
# its repr, the cell).
Offer = tuple[int, int, str, Key]


class _Offers:
    """Each relation's (or band's) unknown cells and the shown cell it offers to hide, while the hidden
    cells stay as they are: a round of the engine finds the complements of many unprotected cells,
    which reach the same cells and relations again and again; each relation, and each cell's
    relations together, is read once a round, where reading them for every complement took a
    15-school district's release 66 s of 160 (docs/benchmarks.md)."""

    def __init__(self, table: Table, hidden: set[Key], near: Touching) -> None:
        """`near`: the table's relations and bands by cell."""
        self.table, self.hidden, self.near = table, hidden, near
        self.found: dict[int, tuple[list[Key], Offer | None]] = {}
        self.members: dict[Key, tuple[frozenset[Key], Offer | None]] = {}

    def best(self, member: Key) -> Offer | None:
        """The best cell any of the member's relations offers."""
        return self._member(member)[1]

    def linked(self, member: Key) -> frozenset[Key]:
        """The unknown cells of the member's relations."""
        return self._member(member)[0]

    def _member(self, member: Key) -> tuple[frozenset[Key], Offer | None]:
        found = self.members.get(member)
        if found is None:
            linked: set[Key] = set()
            best: Offer | None = None
            for position, group in self.near.of(member):
                unknown, choice = self._of(position, group)
                linked.update(unknown)
                if choice is not None and (best is None or choice[:3] < best[:3]):
                    best = choice
            found = self.members[member] = (frozenset(linked), best)
        return found

    def _of(self, position: int, group: tuple[Key, ...]) -> tuple[list[Key], Offer | None]:
        found = self.found.get(position)
        if found is None:
            found = self.found[position] = self._read(group)
        return found

    def _read(self, group: tuple[Key, ...]) -> tuple[list[Key], Offer | None]:
        table = self.table
        unknown = [cell for cell in group if cell in self.hidden or cell in table.unpublished]
        best: Offer | None = None
        # (the unprotected cell itself is unknown, so it is never offered)
        for cell in group:
            if cell in unknown or table.cells[cell] <= 0 or cell in table.fixed:
                continue
            choice = (len(unknown), table.cells[cell], repr(cell), cell)
            if best is None or choice[:3] < best[:3]:
                best = choice
        return unknown, best
