"""The police side of the CRDC count, per school and school year (DOMAIN.md, Counting and equity).

CRDC asks each school for: instances of referrals to law enforcement and of school-related arrests;
and the unique students referred and arrested, split by race/ethnicity, sex, disability (IDEA,
Section 504 only, none) and English learner. Instances come straight from the records (citations,
court referrals and arrests are referrals too: derived when recorded). Unique students can only
be counted from the pseudonymous student key: when any action of a kind lacks one, the unique
counts for that kind are not collected (shown blank, never as a guess), and the page says how many
actions lacked a key. A student's categories are those of their most recent action. Void records
are left out. Nothing here names or identifies a student.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from liaison.directory.models import School
from liaison.interactions.models import EnforcementDetail
from liaison.interactions.vocabulary import Disability, Kind, RaceEthnicity, Sex, YesNoUnknown
from liaison.lib.disclosure import Release, Table
from liaison.lib.school_years import school_year_days

from .access import EquityScope
from .disclosure import crdc_kind_cells, release, subset_of
from .models import SchoolReportedCount

# (column prefix, label, the detail's field, its categories)
SPLITS: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    ("race", "Race/ethnicity", "race_ethnicity", tuple((v, str(label)) for v, label in RaceEthnicity.choices)),
    ("sex", "Sex", "sex", tuple((v, str(label)) for v, label in Sex.choices)),
    ("disability", "Disability", "disability", tuple((v, str(label)) for v, label in Disability.choices)),
    (
        "english_learner",
        "English learner",
        "english_learner",
        tuple((v, str(label)) for v, label in YesNoUnknown.choices),
    ),
)
KINDS = (
    ("referred", "counts_as_referral", "Referrals to law enforcement"),
    ("arrested", "counts_as_arrest", "School-related arrests"),
)


@dataclass(frozen=True)
class UniqueStudents:
    """Unique students of one kind (referred or arrested) at one school, split every CRDC way."""

    collected: bool  # False: an action lacked a student key, so students cannot be told apart
    total: int | None  # None: not collected, or hidden (1 to 9)
    splits: dict[str, dict[str, int | None]]  # split → category → count (None: not collected, or hidden)


@dataclass(frozen=True)
class KindCounts:
    instances: int | None  # None: hidden (1 to 9, for those who see suppressed figures)
    without_key: int | None  # None: hidden, like any count about children
    students: UniqueStudents


@dataclass(frozen=True)
class SchoolCounts:
    school: School
    kinds: dict[str, KindCounts]  # "referred", "arrested"
    reported: SchoolReportedCount | None = None  # what the school itself reported, when entered
    suppressed: bool = False
    hidden_reported: frozenset[str] = frozenset()  # kinds whose school-reported count the engine hides
    hidden_gap: frozenset[str] = frozenset()  # kinds whose gap is computed from a hidden count

    @property
    def any_actions(self) -> bool:
        """Whether there is anything to break down (a hidden count may hide some)."""
        return any(found.instances != 0 for found in self.kinds.values())

    def school_reported(self, kind: str) -> int | None:
        """The school's own instance count for "referred" or "arrested" (None: not entered or hidden)."""
        if self.reported is None:
            return None
        return None if kind in self.hidden_reported else self.reported_value(kind)

    def reported_value(self, kind: str) -> int | None:
        if self.reported is None:
            return None
        return self.reported.referral_instances if kind == "referred" else self.reported.arrest_instances

    def gap(self, kind: str) -> int | None:
        """Police records minus the school's report; None when either is missing or hidden."""
        ours, theirs = self.kinds[kind].instances, self.school_reported(kind)
        return None if ours is None or theirs is None or kind in self.hidden_gap else ours - theirs

    def gap_text(self, kind: str) -> str:
        """The comparison in words ("" when it cannot be made)."""
        gap = self.gap(kind)
        if gap is None:
            return ""
        if gap == 0:
            return "the same as the officers' records"
        if gap > 0:
            return f"{gap} fewer than the officers' records"
        return f"{-gap} more than the officers' records"


def crdc_counts(scope: EquityScope, school_year: str, *, only: Collection[int] | None = None) -> list[SchoolCounts]:
    """The counts; for a restricted scope, through the disclosure engine on its own (the figures
    module protects them together with the equity analysis the same audience sees).

    `only`: the ids of the schools to count (a page of them), within the scope; the query reads
    those schools' actions only. Not for a restricted scope: what the engine hides depends on every
    school's counts, so a restricted audience's counts are released whole (and paged when shown)."""
    if only is not None and scope.suppressed:
        raise ValueError("A restricted scope's counts are released for every school together.")
    counts = crdc_counted(scope, school_year, only=only)
    return crdc_released(counts, release(crdc_table(counts))) if scope.suppressed else counts


def crdc_schools(scope: EquityScope) -> list[tuple[int, UUID, str]]:
    """The (id, uuid, name) of the schools the scope counts, in the order the counts list them."""
    return list(_scope_schools(scope).values_list("pk", "uuid", "name"))


def _scope_schools(scope: EquityScope) -> QuerySet[School]:
    schools = School.objects.filter(district=scope.district).order_by("name", "pk")
    if scope.school_ids is not None:
        schools = schools.filter(pk__in=scope.school_ids)
    return schools


def crdc_counted(scope: EquityScope, school_year: str, *, only: Collection[int] | None = None) -> list[SchoolCounts]:
    """Every count, nothing hidden; of the schools `only` (ids, within the scope) when given."""
    schools = _scope_schools(scope)
    if only is not None:
        schools = schools.filter(pk__in=list(only))
    first, last = school_year_days(school_year)
    details = EnforcementDetail.objects.filter(
        interaction__school__in=schools,
        interaction__occurred_on__range=(first, last),
        interaction__voided=False,
        interaction__kind=Kind.ENFORCEMENT,  # always true; it lets the database use the enforcement index
    )
    if scope.agency_ids is not None:
        details = details.filter(interaction__agency_id__in=scope.agency_ids)
    reported = {r.school_id: r for r in SchoolReportedCount.objects.filter(school__in=schools, school_year=school_year)}
    rows = _rows_by_school_and_kind(details)
    counts = [
        SchoolCounts(
            school,
            {kind: _kind_counts(rows.get((school.pk, kind), [])) for kind, _, _ in KINDS},
            reported.get(school.pk),
            scope.suppressed,
        )
        for school in schools
    ]
    return counts


def crdc_table(counts: list[SchoolCounts]) -> Table:
    """Every CRDC figure of every school in scope, as the restricted audience is shown them."""
    table = Table()
    for school in counts:
        for kind, _, _ in KINDS:
            found = school.kinds[kind]
            crdc_kind_cells(
                table,
                (school.school.pk, kind),
                instances=found.instances or 0,
                without_key=found.without_key or 0,
                students=found.students.total if found.students.collected else None,
                splits={
                    split: {v: c or 0 for v, c in values.items()} for split, values in found.students.splits.items()
                },
                reported=school.reported_value(kind),
            )
        subset_of(table, [((school.school.pk, "arrested", "instances"), (school.school.pk, "referred", "instances"))])
    return table


def crdc_released(counts: list[SchoolCounts], released: Release) -> list[SchoolCounts]:
    """The counts with what the engine hides marked hidden."""
    return [
        replace(
            school,
            kinds={
                kind: _kind_released(released, (school.school.pk, kind), found) for kind, found in school.kinds.items()
            },
            hidden_reported=frozenset(
                kind for kind in school.kinds if released.is_hidden((school.school.pk, kind, "reported"))
            ),
            hidden_gap=frozenset(
                kind
                for kind in school.kinds
                if f"gap:{(school.school.pk, kind)}" in released.table.derived
                and not released.shows(f"gap:{(school.school.pk, kind)}")
            ),
        )
        for school in counts
    ]


def _kind_released(released: Release, prefix: tuple[int, str], found: KindCounts) -> KindCounts:
    students = found.students
    if students.collected:
        students = UniqueStudents(
            True,
            released.value((*prefix, "students")),
            {
                split: {value: released.value((*prefix, split, value)) for value in values}
                for split, values in students.splits.items()
            },
        )
    return KindCounts(released.value((*prefix, "instances")), released.value((*prefix, "without_key")), students)


def _rows_by_school_and_kind(details: QuerySet[EnforcementDetail]) -> dict[tuple[int, str], list[dict]]:
    """One query for both kinds and every school, in time order (the latest action last): every
    arrest is a referral too (a constraint of the table), so the referrals hold the arrests."""
    found: dict[tuple[int, str], list[dict]] = {}
    rows = (
        details.filter(counts_as_referral=True)
        .order_by("interaction__occurred_at", "pk")
        .values_list("interaction__school_id", "counts_as_arrest", "student_key", *(f for _, _, f, _ in SPLITS))
    )
    names = ("student_key", *(field for _, _, field, _ in SPLITS))
    for school_id, arrest, *values in rows:
        row = dict(zip(names, values, strict=True))
        found.setdefault((school_id, "referred"), []).append(row)
        if arrest:
            found.setdefault((school_id, "arrested"), []).append(row)
    return found


def _kind_counts(rows: list[dict]) -> KindCounts:
    without_key = sum(1 for row in rows if not row["student_key"])
    if without_key:
        students = UniqueStudents(False, None, {split: dict.fromkeys(_values(split)) for split, *_ in SPLITS})
    else:
        latest = {row["student_key"]: row for row in rows}  # ordered by time: the last action wins
        splits: dict[str, dict[str, int | None]] = {}
        for split, _, field, categories in SPLITS:
            found = Counter(r[field] for r in latest.values())
            splits[split] = {value: found[value] for value, _ in categories}
        students = UniqueStudents(True, len(latest), splits)
    return KindCounts(len(rows), without_key, students)


def _values(split: str) -> list[str]:
    return [value for name, _, _, categories in SPLITS if name == split for value, _ in categories]


def school_counts_from_body(body: dict[str, Any]) -> list[SchoolCounts]:
    """The schools' counts as a stored body gives them (restricted audiences' page and CSV)."""
    schools = {str(s.uuid): s for s in School.objects.filter(uuid__in=[item["school"] for item in body["schools"]])}
    found = []
    for item in body["schools"]:
        entered = [kind for kind, _, _ in KINDS if item[kind]["school_reported_entered"]]
        reported = None
        if entered:
            reported = SchoolReportedCount(
                referral_instances=item["referred"]["school_reported"],
                arrest_instances=item["arrested"]["school_reported"],
            )
        found.append(
            SchoolCounts(
                schools[str(item["school"])],
                {kind: _kind_from_body(item[kind]) for kind, _, _ in KINDS},
                reported,
                body["suppressed"],
                hidden_reported=frozenset(k for k in entered if item[k]["school_reported"] is None),
                hidden_gap=frozenset(kind for kind, _, _ in KINDS if item[kind]["gap"] is None),
            )
        )
    return found


def _kind_from_body(kind: dict[str, Any]) -> KindCounts:
    students = UniqueStudents(kind["students_collected"], kind["students"], kind["splits"])
    return KindCounts(kind["instances"], kind["without_student_key"], students)
