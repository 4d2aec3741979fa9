"""The attacker's computation: how far each hidden cell can be pinned down from what is shown.

This is the cell-suppression audit statistical agencies use (τ-ARGUS): every cell of a
`liaison.lib.disclosure.Table` is a variable; what the audience is shown becomes constraints —
a shown count fixes its cell (a shown zero included), every relation (a total is the sum of its
parts) holds, every band a rounded figure gives (e.g. a percentage rounded to a whole number)
bounds its linear expression, and a hidden cell is at least 1 because the engine never hides a
zero (an attacker who knows the policy knows that too). Cells never published at all are only
known to be at least 0. For each hidden cell, linear programming (HiGHS) then finds the smallest
and the largest value it can take.

A cell hidden because it was small (1 to threshold − 1) is **protected** when its range reaches
the threshold and comes down to the least value the table's structure allows at all (1 for a
single count; 2 for a total of two non-zero parts, which says nothing about any child). Then the
attacker cannot tell one student from ten.

The LP relaxation is used, as τ-ARGUS uses it: its range is never narrower than the integer one
for the tables here (sums with totals), so a pass is not a false comfort for them.

The audit looks only at hidden cells that are connected, through relations and bands, to one
another; each connected part is solved on its own, which keeps a 50-school district fast. Each part
is one HiGHS model, built once: its many solves change only the objective (and a few bounds), and
each starts from the last one's optimal basis, a warm start that a 390-school district's thousands
of solves need.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import highspy
import numpy as np
from scipy.sparse import csr_matrix

if TYPE_CHECKING:
    from .disclosure import Band, Table

Key = Hashable


@dataclass(frozen=True)
class CellRange:
    """What the attacker can work out about one hidden cell."""

    low: float
    high: float  # math.inf: no upper bound
    floor: float  # the least value the table's structure allows, whatever is shown (found where it decides:
    # a range reaching the threshold from above 1; elsewhere the low end)

    def protects(self, threshold: int) -> bool:
        return self.high >= threshold - 1e-6 and self.low <= max(1.0, self.floor) + 1e-6


@dataclass(frozen=True)
class AuditReport:
    ranges: dict[Key, CellRange]  # every hidden cell
    unprotected: frozenset[Key]  # primary (small) cells the attacker can pin down
    threshold: int

    @property
    def passed(self) -> bool:
        return not self.unprotected


def audit(
    table: Table,
    hidden: Iterable[Key],
    *,
    threshold: int,
    primary: Iterable[Key] | None = None,
    exact: bool = False,
    first_failure: bool = False,
) -> AuditReport:
    """The feasible range of every small hidden cell, and which are not protected.

    `primary` is the set of cells that must be protected; by default every hidden cell, and every
    sensitive cell never shown, whose value is 1 to threshold − 1. A range is proven only as far as
    protection needs (a feasible table where the cell is 1 or less, and one where it reaches the
    threshold: the range may stop there) and is exact within those bounds, so the side on which an
    unprotected cell fails is exact; with `exact`, every range is exact.

    `first_failure`: stop at the first cell found unprotected (the report then names that one only,
    and has not been given every range): for a caller that only needs to know whether it passes."""
    hidden = frozenset(hidden)
    if primary is None:
        candidates = hidden | frozenset(getattr(table, "sensitive", ()))
        primary = {key for key in candidates if 0 < table.cells[key] < threshold}
    targets = (set(hidden) | set(primary)) if exact else set(primary)
    ranges: dict[Key, CellRange] = {}
    stop = frozenset(primary) if first_failure else frozenset()
    shown = _shown(table, hidden)
    near = functools.cache(lambda: Touching(table))  # read once, when a first part needs its structure
    for part in _components(table, hidden, targets):
        wanted = [key for key in part.cells if key in targets]
        if wanted:
            lp = _ComponentLP(table, hidden, part, shown, near)
            ranges.update(lp.ranges(wanted, threshold, exact=exact, stop=stop))
            if any(key in stop and not ranges[key].protects(threshold) for key in wanted if key in ranges):
                break
    unprotected = frozenset(key for key in primary if key in ranges and not ranges[key].protects(threshold))
    return AuditReport(ranges, unprotected, threshold)


class ShowingTrials:
    """Hidden cells tried back one at a time over one table (a release's needless complements shown
    again): a cell is shown when the audit of the hidden cells linked to it still passes without it.

    Each trial comes to the verdict `audit(table, hidden - {cell}, primary=..., first_failure=True)`
    would, but is not built afresh: each connected part of the cells hidden at the start is one
    model, built once, in which a cell tried is held at its value (a shown cell is a constant) and let
    go again when the trial fails, so every trial starts from the last one's basis. Held cells can
    split a part; the model of the whole part then holds the pieces side by side, and a cell's range
    over it is its range over its own piece. A cell's structural floor is its own piece's, as the
    audit finds it (built from the piece's neighbourhood, and kept while the piece stays the same)."""

    def __init__(
        self,
        table: Table,
        hidden: Iterable[Key],
        threshold: int,
        primary: Iterable[Key],
        known: Mapping[Key, CellRange] | None = None,
    ) -> None:
        """`primary`: the cells that must stay protected. `known`: ranges an audit of the same hidden
        cells found (a release's report). A cell they show below the threshold stays below it whatever
        is shown (showing a cell only narrows every range): a trial with that cell among its own fails
        without a solve. A release around figures that already gave a count away has such a cell in its
        largest part, and every trial there fails."""
        self.table, self.threshold, self.primary = table, threshold, frozenset(primary)
        self.hidden = set(hidden)
        self.capped = {cell: found for cell, found in (known or {}).items() if found.high < threshold - 1e-6}
        self.near = Touching(table)
        start = frozenset(self.hidden)
        shown = _shown(table, start)
        self.parts = {key: part for part in _components(table, start) for key in part.cells}
        self.models: dict[int, _ComponentLP] = {}
        self._build = lambda part: _ComponentLP(table, start, part, shown, lambda: self.near)
        self.structures: dict[frozenset[Key], tuple[_System, dict[Key, int], list[float]]] = {}
        self.split: set[int] = set()  # the parts a cell has been shown in since the start
        self.wanted: dict[int, list[Key]] = {}  # each part's cells of `primary`, while it is whole

    def show_if_safe(self, key: Key) -> AuditReport:
        """The audit of the cells of `primary` linked to `key` with `key` shown; when it passes, `key`
        is shown from now on."""
        part = self.parts[key]
        wanted = self._wanted(key, part)
        for cell in wanted:
            if cell in self.capped:
                return AuditReport({cell: self.capped[cell]}, frozenset({cell}), self.threshold)
        model = self.models.get(id(part))
        if model is None:
            model = self.models[id(part)] = self._build(part)
        model.fix(key, float(self.table.cells[key]))
        pieces: dict[Key, frozenset[Key]] = {}

        def floor_of(cell: Key) -> float:
            if cell not in pieces:
                piece = frozenset(self._linked(cell, shown=key))
                pieces.update(dict.fromkeys(piece, piece))
            return self._floor(cell, pieces[cell])

        found = model.ranges_with(wanted, self.threshold, exact=False, stop=frozenset(wanted), floor_of=floor_of)
        unprotected = frozenset(cell for cell, range_ in found.items() if not range_.protects(self.threshold))
        if unprotected:
            model.fix(key, None)
        else:
            self.hidden.discard(key)
            self.split.add(id(part))
        return AuditReport(found, unprotected, self.threshold)

    def _wanted(self, key: Key, part: _Part) -> list[Key]:
        """The cells of `primary` linked to `key`: those of its part, until a cell of the part has been
        shown (the part may then have split; a 160-school district's largest part has thousands)."""
        if id(part) in self.split:
            return [cell for cell in self._linked(key) if cell in self.primary and cell != key]
        if id(part) not in self.wanted:
            self.wanted[id(part)] = [cell for cell in part.cells if cell in self.primary]
        return [cell for cell in self.wanted[id(part)] if cell != key]

    def _floor(self, cell: Key, piece: frozenset[Key]) -> float:
        """The least value the structure of the cell's piece allows it (`_ComponentLP._floor`)."""
        found = self.structures.get(piece)
        if found is None:
            members = sorted(piece, key=repr)
            index = {member: i for i, member in enumerate(members)}
            lower = [1.0 if member in self.hidden else 0.0 for member in members]
            found = self.structures[piece] = (_structure(self.table, index, members, self.near), index, lower)
        structure, index, lower = found
        return structure.bound(index[cell], lower, maximise=False)

    def _linked(self, key: Key, *, shown: Key | None = None) -> set[Key]:
        """The unknown cells linked to `key`, through relations and bands, to one another, as the cells
        are hidden now (with `shown` shown): `key`'s connected part, which the audit solves on its own."""
        unpublished = self.table.unpublished
        seen, frontier = {key}, [key]
        while frontier:
            member = frontier.pop()
            for _, keys in self.near.of(member):
                for other in keys:
                    if other not in seen and other != shown and (other in self.hidden or other in unpublished):
                        seen.add(other)
                        frontier.append(other)
        return seen


def _unknowns(table: Table, hidden: frozenset[Key]) -> set[Key]:
    return set(hidden) | set(table.unpublished)


@dataclass
class _Part:
    """A connected part of the unknown cells, with the relations and bands that touch it (in the
    table's order): each relation or band with an unknown cell touches exactly one part."""

    cells: list[Key]
    relations: list[tuple[Key, Sequence[Key]]] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)


def _shown(table: Table, hidden: frozenset[Key]) -> dict[Key, float]:
    unknown = _unknowns(table, hidden)
    return {key: float(value) for key, value in table.cells.items() if key not in unknown}


def _components(table: Table, hidden: frozenset[Key], targets: Iterable[Key] = ()) -> list[_Part]:
    """Groups of unknown cells linked by a relation or a band (shown cells are constants), each with
    its relations and bands: a part's programme is built from its own, not by reading every relation
    of the table for every part (a 390-school district has thousands of parts)."""
    unknown = _unknowns(table, hidden)
    parent: dict[Key, Key] = {key: key for key in unknown}

    def find(key: Key) -> Key:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for keys in _linear_groups(table):
        members = [key for key in keys if key in unknown]
        for other in members[1:]:
            parent[find(other)] = find(members[0])
    groups: dict[Key, list[Key]] = {}
    for key in unknown:
        groups.setdefault(find(key), []).append(key)
    wanted = hidden | frozenset(targets)
    parts = {root: _Part(members) for root, members in groups.items() if any(key in wanted for key in members)}
    for total, summed in table.relations:
        part = _part_of(parts, find, unknown, (total, *summed))
        if part is not None:
            part.relations.append((total, summed))
    for band in table.bands:
        part = _part_of(parts, find, unknown, band.terms)
        if part is not None:
            part.bands.append(band)
    return list(parts.values())


def _part_of(
    parts: Mapping[Key, _Part], find: Callable[[Key], Key], unknown: set[Key], cells: Iterable[Key]
) -> _Part | None:
    """The part a relation's (or band's) unknown cells belong to; None when it has none, or its part
    has no cell the audit wants."""
    for key in cells:
        if key in unknown:
            return parts.get(find(key))
    return None


def _linear_groups(table: Table) -> Iterable[tuple[Key, ...]]:
    for total, parts in table.relations:
        yield (total, *parts)
    for band in table.bands:
        yield tuple(band.terms)


class _ComponentLP:
    """One connected part of the unknown cells, as a linear programme built once and solved for
    many objectives."""

    def __init__(
        self,
        table: Table,
        hidden: frozenset[Key],
        part: _Part,
        shown: Mapping[Key, float],
        near: Callable[[], Touching],
    ) -> None:
        """`shown`: every shown cell's value (`_shown`), the same for every part of one audit; `near`:
        the table's relations and bands by cell (`Touching`), the same for every part too."""
        self.near = near
        component = part.cells
        self.table, self.hidden, self.component = table, hidden, component
        self.index = {key: i for i, key in enumerate(component)}
        self.system = _System(*_constraints(part.relations, part.bands, self.index, shown), size=len(component))
        self.lower = [1.0 if key in hidden else 0.0 for key in component]
        self.structure: _System | None = None

    def ranges(
        self, wanted: list[Key], threshold: int, *, exact: bool, stop: frozenset[Key] = frozenset()
    ) -> dict[Key, CellRange]:
        """Each wanted cell's range; the first unprotected one among `stop` ends the search."""
        return self.ranges_with(wanted, threshold, exact=exact, stop=stop, floor_of=self._floor)

    def _floor(self, key: Key) -> float:
        """The least value the structure of this part allows the cell."""
        if self.structure is None:
            self.structure = _structure(self.table, self.index, self.component, self.near())
        return self.structure.bound(self.index[key], self.lower, maximise=False)

    def ranges_with(
        self,
        wanted: list[Key],
        threshold: int,
        *,
        exact: bool,
        stop: frozenset[Key],
        floor_of: Callable[[Key], float],
    ) -> dict[Key, CellRange]:
        """`ranges`, with each cell's structural floor (asked only of a cell whose range reaches the
        threshold and whose least value is above 1: elsewhere it decides nothing) found by `floor_of`.

        A cell that is the only unknown of a relation (a shown total less the shown parts) is worked out
        exactly, with nothing solved: the first round of a 160-school district's release has thousands."""
        pinned = self.system.pinned()
        found = {}
        for key in wanted:
            value = pinned.get(self.index[key])
            if value is not None:
                found[key] = self._range(key, value, value, threshold, floor_of)
                if key in stop and not found[key].protects(threshold):
                    return found
        rest = [key for key in wanted if key not in found]
        lows: dict[Key, float] = {}
        highs: dict[Key, float] = {}
        if not exact:
            highs = self._screen(rest, threshold, maximise=True)
            lows = self._screen(rest, threshold, maximise=False)
        for key in rest:
            position = self.index[key]
            low = lows[key] if key in lows else self.system.bound(position, self.lower, maximise=False)
            high = highs[key] if key in highs else self.system.bound(position, self.lower, maximise=True)
            found[key] = self._range(key, low, high, threshold, floor_of)
            if key in stop and not found[key].protects(threshold):
                break
        return found

    @staticmethod
    def _range(key: Key, low: float, high: float, threshold: int, floor_of: Callable[[Key], float]) -> CellRange:
        needs_floor = low > 1 + 1e-6 and high >= threshold - 1e-6
        return CellRange(low, high, floor_of(key) if needs_floor else low)

    def fix(self, key: Key, value: float | None) -> None:
        """Hold a cell of the part at a value, as if it were shown (None: unknown again)."""
        self.system.fix(self.index[key], value)

    def _screen(self, wanted: list[Key], threshold: int, *, maximise: bool) -> dict[Key, float]:
        """Cells proven to reach the threshold (or to come down to 1) by one table that does it for
        many at once: optimise their sum, keep those it settles, repeat with the rest."""
        settled: dict[Key, float] = {}
        remaining = list(wanted)
        while remaining:
            cap = float(threshold) if maximise else None
            values = self.system.solve_sum([self.index[k] for k in remaining], self.lower, maximise=maximise, cap=cap)
            if values is None:
                break
            if maximise:
                done = {k for k in remaining if values[self.index[k]] >= threshold - 1e-6}
            else:
                done = {k for k in remaining if values[self.index[k]] <= 1 + 1e-6}
            if not done:
                break
            settled.update({k: float(values[self.index[k]]) for k in done})
            remaining = [k for k in remaining if k not in done]
        return settled


# A constraint's coefficients by column: only the few cells a relation or band touches, of thousands.
Row = dict[int, float]


class _System:
    """Equalities and inequalities over a component's cells (and, for the structure, more)."""

    def __init__(
        self, eq_rows: list[Row], eq_rhs: list[float], ub_rows: list[Row], ub_rhs: list[float], *, size: int
    ) -> None:
        self.width = size
        self.eq_rows, self.eq_rhs, self.ub_rows, self.ub_rhs = eq_rows, eq_rhs, ub_rows, ub_rhs
        self._model: _Model | None = None
        self._pinned: dict[int, float] | None = None

    @property
    def empty(self) -> bool:
        return not self.eq_rows and not self.ub_rows

    def pinned(self) -> dict[int, float]:
        """The columns an equality alone fixes (the only unknown of a relation), with their values."""
        if self._pinned is None:
            self._pinned = {}
            for row, rhs in zip(self.eq_rows, self.eq_rhs, strict=True):
                terms = [(column, weight) for column, weight in row.items() if weight != 0]
                if len(terms) == 1:
                    column, weight = terms[0]
                    self._pinned[column] = rhs / weight
        return self._pinned

    def fix(self, position: int, value: float | None) -> None:
        """Hold a column at a value for the solves that follow (None: free again)."""
        if self.empty:
            return  # nothing ties the column to any other
        if self._model is None:
            self._model = _Model(self)
        self._model.fix(position, value)

    def _solve(self, objective: Row, lower: list[float], caps: Mapping[int, float] | None = None) -> _Solved:
        if self._model is None:
            self._model = _Model(self)
        solved = self._model.solve(objective, lower, caps or {})
        if solved.status == INFEASIBLE:
            raise ValueError("The shown figures contradict one another: no table fits them.")
        return solved

    def bound(self, position: int, lower: list[float], *, maximise: bool) -> float:
        """The least (or greatest) value the cell can take; math.inf when nothing bounds it."""
        if self.empty:
            return math.inf if maximise else lower[position]
        found = self._solve({position: -1.0 if maximise else 1.0}, lower)
        if found.status == UNBOUNDED:
            return math.inf
        if found.status != OPTIMAL:
            raise RuntimeError("HiGHS could not bound a hidden cell: the audit cannot say it is protected.")
        return -found.value if maximise else found.value

    def solve_sum(
        self, positions: list[int], lower: list[float], *, maximise: bool, cap: float | None
    ) -> np.ndarray | None:
        """A feasible table that makes these cells' sum as large (each capped) or as small as can be."""
        if self.empty:
            values = np.array([lower[i] if i < len(lower) else 0.0 for i in range(self.width)], dtype=float)
            if maximise and cap is not None:
                values[positions] = cap
            return values
        objective = dict.fromkeys(positions, -1.0 if maximise else 1.0)
        found = self._solve(objective, lower, dict.fromkeys(positions, cap) if cap else None)
        return found.x if found.status == OPTIMAL else None


OPTIMAL, INFEASIBLE, UNBOUNDED, UNKNOWN = "optimal", "infeasible", "unbounded", "unknown"


@dataclass(frozen=True)
class _Solved:
    status: str
    value: float = math.nan  # the objective's optimum
    x: np.ndarray | None = None  # a table that reaches it


class _Quiet(highspy.Highs):
    """HiGHS without its callbacks: the audit uses none, and setting them up prints the solver's
    banner on the process's standard output, which a command's output must not carry."""

    def enableCallbacks(self) -> None:
        pass


PRIMAL_SIMPLEX = 4  # HiGHS's `simplex_strategy` value for the primal simplex method


class _Model:
    """A `_System` as one HiGHS model. Each solve sets a new objective (and caps a few cells' upper
    bounds), then solves from the previous solve's optimal basis: the constraints never change, so
    that basis stays feasible and only a few pivots are needed, where a solve from scratch (SciPy's
    `linprog`) presolves and factorises the whole programme every time."""

    def __init__(self, system: _System) -> None:
        self.highs = _Quiet()
        self.highs.setOptionValue("output_flag", False)
        # Between solves the constraints stay and only the objective changes, so the last optimal basis
        # is still feasible: where the primal simplex method starts. HiGHS's default (dual simplex) took
        # three times as long over a 15-school district's release (docs/benchmarks.md).
        self.highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        self.lower: list[float] | None = None
        self.cost: Row = {}
        self.fixed: dict[int, float] = {}  # columns held at a value (cells tried as shown)
        self.highs.passModel(_lp(system))
        self.width = system.width

    def fix(self, column: int, value: float | None) -> None:
        if value is None:
            self.fixed.pop(column, None)
        else:
            self.fixed[column] = value
        if self.lower is not None:  # the bounds are set: change this column's now
            low = value if value is not None else (self.lower[column] if column < len(self.lower) else 0.0)
            high = value if value is not None else highspy.kHighsInf
            self.highs.changeColsBounds(1, np.array([column], dtype=np.int32), np.array([low]), np.array([high]))

    def solve(self, objective: Row, lower: list[float], caps: Mapping[int, float]) -> _Solved:
        self._set_lower(lower)
        self._set_cost(objective)
        caps = {column: cap for column, cap in caps.items() if column not in self.fixed}
        if caps:
            self._set_upper(caps, lower)
        try:
            solved = self._run()
            if solved.status == UNKNOWN:  # a basis HiGHS could not go on from: solve afresh
                self.highs.clearSolver()
                solved = self._run()
        finally:
            if caps:
                self._set_upper(dict.fromkeys(caps, highspy.kHighsInf), lower)
        return solved

    def _run(self) -> _Solved:
        self.highs.run()
        if self.highs.getModelStatus() == highspy.HighsModelStatus.kUnboundedOrInfeasible:
            # presolve saw one or the other without saying which; the simplex method alone says which
            self.highs.setOptionValue("presolve", "off")
            try:
                self.highs.run()
            finally:
                self.highs.setOptionValue("presolve", "choose")
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            value = float(self.highs.getInfo().objective_function_value)
            return _Solved(OPTIMAL, value, np.asarray(self.highs.getSolution().col_value, dtype=float))
        if status == highspy.HighsModelStatus.kInfeasible:
            return _Solved(INFEASIBLE)
        if status == highspy.HighsModelStatus.kUnbounded:
            return _Solved(UNBOUNDED)
        return _Solved(UNKNOWN)

    def _set_cost(self, objective: Row) -> None:
        changed = {**dict.fromkeys(self.cost, 0.0), **objective}
        columns = np.fromiter(changed, dtype=np.int32, count=len(changed))
        self.highs.changeColsCost(len(changed), columns, np.fromiter(changed.values(), dtype=float))
        self.cost = objective

    def _set_lower(self, lower: list[float]) -> None:
        if lower is self.lower:
            return
        columns = np.arange(self.width, dtype=np.int32)
        floors = np.array([lower[i] if i < len(lower) else 0.0 for i in range(self.width)], dtype=float)
        ceilings = np.full(self.width, highspy.kHighsInf)
        for column, value in self.fixed.items():
            floors[column] = ceilings[column] = value
        self.highs.changeColsBounds(self.width, columns, floors, ceilings)
        self.lower = lower

    def _set_upper(self, caps: Mapping[int, float], lower: list[float]) -> None:
        columns = np.fromiter(caps, dtype=np.int32, count=len(caps))
        floors = np.array([lower[i] if i < len(lower) else 0.0 for i in caps], dtype=float)
        self.highs.changeColsBounds(len(caps), columns, floors, np.fromiter(caps.values(), dtype=float))


def _lp(system: _System) -> highspy.HighsLp:
    """The system's rows as a HiGHS programme: equalities (lower = upper), then the bands' upper
    bounds; no objective and no column bounds yet (each solve sets its own)."""
    rows = system.eq_rows + system.ub_rows
    matrix = _matrix(rows, system.width)
    lp = highspy.HighsLp()
    lp.num_col_ = system.width
    lp.num_row_ = len(rows)
    lp.col_cost_ = np.zeros(system.width)
    lp.col_lower_ = np.zeros(system.width)
    lp.col_upper_ = np.full(system.width, highspy.kHighsInf)
    lp.row_lower_ = np.array([*system.eq_rhs, *([-highspy.kHighsInf] * len(system.ub_rows))], dtype=float)
    lp.row_upper_ = np.array([*system.eq_rhs, *system.ub_rhs], dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = system.width
    lp.a_matrix_.num_row_ = len(rows)
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(float)
    return lp


def _matrix(rows: list[Row], width: int) -> csr_matrix:
    """The rows as a sparse matrix, built from their non-zero coefficients only: a 390-school district's
    component has thousands of cells and tens of thousands of constraints, and writing out every zero
    (then finding the non-zeros again) took longer than solving."""
    columns = np.fromiter((column for row in rows for column in row), dtype=np.int64)
    values = np.fromiter((value for row in rows for value in row.values()), dtype=float)
    starts = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(row) for row in rows], out=starts[1:])
    matrix = csr_matrix((values, columns, starts), shape=(len(rows), width))
    matrix.eliminate_zeros()  # a cell both the total and a part of one relation cancels out
    matrix.sort_indices()
    return matrix


def _constraints(
    relations: Iterable[tuple[Key, Iterable[Key]]],
    bands: Iterable[Band],
    index: Mapping[Key, int],
    shown: Mapping[Key, float],
) -> tuple[list[Row], list[float], list[Row], list[float]]:
    """Relations and bands over the component's cells, shown cells moved to the right-hand side."""
    eq_rows: list[Row] = []
    eq_rhs: list[float] = []
    for total, parts in relations:
        terms: dict[Key, float] = {total: 1.0}
        for part in parts:
            terms[part] = terms.get(part, 0.0) - 1.0
        row, rhs, touched = _row(terms, index, shown)
        if touched:
            eq_rows.append(row)
            eq_rhs.append(rhs)
    ub_rows: list[Row] = []
    ub_rhs: list[float] = []
    for band in bands:
        row, rhs, touched = _row(band.terms, index, shown)
        if not touched:
            continue
        if band.high is not None:
            ub_rows.append(row)
            ub_rhs.append(band.high + rhs)
        if band.low is not None:
            ub_rows.append({column: -value for column, value in row.items()})
            ub_rhs.append(-(band.low + rhs))
    return eq_rows, eq_rhs, ub_rows, ub_rhs


def _row(terms: Mapping[Key, float], index: Mapping[Key, int], shown: Mapping[Key, float]) -> tuple[Row, float, bool]:
    """Coefficients over the component, and the constant (minus the shown cells' contribution)."""
    row: Row = {}
    rhs = 0.0
    touched = False
    for key, coefficient in terms.items():
        if key in index:
            column = index[key]
            row[column] = row.get(column, 0.0) + coefficient
            touched = True
        elif key in shown:
            rhs -= coefficient * shown[key]
        else:
            return row, rhs, False  # an unknown cell of another component: not this one's constraint
    return row, rhs, touched


def _structure(table: Table, index: Mapping[Key, int], component: list[Key], near: Touching) -> _System:
    """The constraints an attacker has with no figure but the zeros: shown non-zero cells released,
    and of the bands only those that state structure (students <= actions), not a figure.

    `near`: the table's relations and bands by cell. Only those around the component are read (the
    others have no cell of it, nor of the shown cells around it): reading every relation of the table
    for each part that needed its structure took a 160-school district's release 6.7 s."""
    members = set(component)
    relations, bands = near.around(members)
    groups = [*((total, *parts) for total, parts in relations), *(tuple(band.terms) for band in bands)]
    nearby = {key for keys in groups if members.intersection(keys) for key in keys} - members
    free = sorted((key for key in nearby if table.cells[key] != 0), key=repr)
    wide = dict(index)
    for key in free:
        wide.setdefault(key, len(wide))
    relations, bands = near.around(wide)
    groups = [*((total, *parts) for total, parts in relations), *(tuple(band.terms) for band in bands)]
    zeros = {key: 0.0 for keys in groups for key in keys if key not in members and table.cells[key] == 0}
    structural = [band for band in bands if band.low in (None, 0) and band.high in (None, 0)]
    eq_rows, eq_rhs, ub_rows, ub_rhs = _constraints(relations, structural, wide, zeros)
    # the released cells become extra variables (>= 1, as the non-zero figures they are)
    for key in free:
        ub_rows.append({wide[key]: -1.0})
        ub_rhs.append(-1.0)
    return _System(eq_rows, eq_rhs, ub_rows, ub_rhs, size=len(wide))


class Touching:
    """Each cell's relations and bands, in the table's order: read once per release (the engine's
    complement search) or per audit, where looking them up by scanning every relation for each cell
    took most of a fifteen-school district's release (108 s of 150, docs/benchmarks.md)."""

    def __init__(self, table: Table) -> None:
        self.relations, self.bands = table.relations, table.bands
        self.groups = list(_linear_groups(table))  # the relations', then the bands'
        self.by_cell: dict[Key, list[int]] = {}
        for position, keys in enumerate(self.groups):
            for key in dict.fromkeys(keys):
                self.by_cell.setdefault(key, []).append(position)

    def of(self, cell: Key) -> Iterable[tuple[int, tuple[Key, ...]]]:
        """The cell's relations and bands, each as its position and its cells."""
        for position in self.by_cell.get(cell, ()):
            yield position, self.groups[position]

    def around(self, cells: Iterable[Key]) -> tuple[list[tuple[Key, tuple[Key, ...]]], list[Band]]:
        """The relations and the bands with any of these cells."""
        positions = sorted({position for key in cells for position in self.by_cell.get(key, ())})
        count = len(self.relations)
        relations = [self.relations[p] for p in positions if p < count]
        return relations, [self.bands[p - count] for p in positions if p >= count]
