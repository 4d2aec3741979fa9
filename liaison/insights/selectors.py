"""The equity analysis of enforcement actions in a district (or a principal's school) for a school year.

Decision points (DOMAIN.md, ours): enrollment → referral to law enforcement → citation or summons,
school-related arrest, court referral, each per referral. Counts are of actions (instances), as
CRDC counts instances; a student referred twice counts twice. Void records are left out. An action
whose student's race/ethnicity is unknown is counted, and shown as unknown, but belongs to no group.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from django.db.models import Q, Sum

from liaison.directory.models import District, Enrollment, School
from liaison.interactions.models import EnforcementRollup
from liaison.interactions.vocabulary import ActionType, RaceEthnicity
from liaison.lib.disclosure import Release, Table
from liaison.lib.school_years import school_year_days

from .access import EquityScope
from .disclosure import equity_table, release
from .equity import GroupRate, relative_rates
from .models import SchoolReportedCount

REFERENCE_GROUP = RaceEthnicity.WHITE.value
GROUPS: tuple[tuple[str, str], ...] = tuple(
    (value, str(label)) for value, label in RaceEthnicity.choices if value != RaceEthnicity.UNKNOWN
)
UNKNOWN = RaceEthnicity.UNKNOWN.value


@dataclass(frozen=True)
class PointDefinition:
    key: str
    label: str
    base_label: str
    per: int  # rates are shown per this many of the base
    events: Q  # which actions count at this point (fields of an enforcement detail and of its rollup)


REFERRAL = PointDefinition(
    "referral", "Referral to law enforcement", "enrolled students", 1000, Q(counts_as_referral=True)
)
AFTER_REFERRAL = (
    PointDefinition(
        "citation",
        "Citation or summons",
        "referrals",
        100,
        Q(action_type__in=[ActionType.NONCRIMINAL_CITATION, ActionType.CRIMINAL_CITATION]),
    ),
    PointDefinition("arrest", "School-related arrest", "referrals", 100, Q(counts_as_arrest=True)),
    PointDefinition("court_referral", "Court referral", "referrals", 100, Q(action_type=ActionType.COURT_REFERRAL)),
)


@dataclass(frozen=True)
class DecisionPoint:
    definition: PointDefinition
    rows: list[GroupRate]
    unknown: int  # events whose race/ethnicity is unknown
    total: int  # every event at this point, unknown included
    # For restricted audiences, what the disclosure engine hides: groups (and "unknown") whose
    # counts hide; groups whose referral count (the base after the first point) hides; groups
    # whose rate, and whose index (RRI, interval, flag, finding), depend on a hidden count.
    hidden: frozenset[str] = frozenset()
    total_hidden: bool = False
    base_hidden: frozenset[str] = frozenset()
    rate_hidden: frozenset[str] = frozenset()
    index_hidden: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        return self.definition.key


@dataclass(frozen=True)
class EquityAnalysis:
    scope: EquityScope
    school_year: str
    schools: list[School]
    enrollment_total: int | None  # None: a school in scope has no enrollment for the year
    enrollment: dict[str, int | None]
    points: list[DecisionPoint] = field(default_factory=list)

    @property
    def labels(self) -> dict[str, str]:
        return dict(GROUPS)

    @property
    def enrollment_complete(self) -> bool:
        return self.enrollment_total is not None and all(v is not None for v in self.enrollment.values())


def equity_analysis(scope: EquityScope, school_year: str) -> EquityAnalysis:
    """The analysis; for a restricted scope, through the disclosure engine on its own (the figures
    module protects it together with the CRDC counts the same audience sees)."""
    analysis = equity_counted(scope, school_year)
    if scope.suppressed:
        return equity_released(analysis, release(equity_disclosure_table(analysis)))
    return analysis


def equity_counted(scope: EquityScope, school_year: str) -> EquityAnalysis:
    """Every figure of the analysis, nothing hidden."""
    schools = _schools(scope)
    enrollment_total, enrollment = _enrollment(schools, school_year)
    counts = _event_counts(scope, schools, school_year)
    referrals = counts[REFERRAL.key]
    first = _point(REFERRAL, enrollment, referrals, enrollment, enrollment_total)
    referral_bases: dict[str, int | None] = {group: referrals.get(group, 0) for group, _ in GROUPS}
    points = [first]
    for definition in AFTER_REFERRAL:
        points.append(_point(definition, referral_bases, counts[definition.key], enrollment, enrollment_total))
    return EquityAnalysis(scope, school_year, schools, enrollment_total, enrollment, points)


EQUITY_GROUPS = [group for group, _ in GROUPS] + [UNKNOWN]


def equity_disclosure_table(analysis: EquityAnalysis) -> Table:
    """Every point of the analysis as one table: the points share their bases (referrals), so a
    count hidden at one must not come back from another. Cells are (point, group), (point, "total")."""
    counts = {
        point.key: {row.group: row.events for row in point.rows} | {UNKNOWN: point.unknown} for point in analysis.points
    }
    return equity_table(counts, groups=EQUITY_GROUPS, reference=REFERENCE_GROUP, first=REFERRAL.key)


def equity_released(analysis: EquityAnalysis, released: Release) -> EquityAnalysis:
    """The analysis with what the engine hides marked hidden."""

    def hidden(point: str, kind: str | None = None) -> frozenset[str]:
        if kind is None:
            return frozenset(g for g in EQUITY_GROUPS if released.is_hidden((point, g)))
        return frozenset(g for g in EQUITY_GROUPS if not released.shows(f"{kind}:{point}:{g}"))

    points = [
        replace(
            point,
            hidden=hidden(point.key),
            total_hidden=released.is_hidden((point.key, "total")),
            base_hidden=frozenset() if point.key == REFERRAL.key else hidden(REFERRAL.key),
            rate_hidden=hidden(point.key, "rate"),
            index_hidden=hidden(point.key, "index"),
        )
        for point in analysis.points
    ]
    return replace(analysis, points=points)


def _schools(scope: EquityScope) -> list[School]:
    schools = School.objects.filter(district=scope.district).order_by("name")
    if scope.school_ids is not None:
        schools = schools.filter(pk__in=scope.school_ids)
    return list(schools)


def _enrollment(schools: list[School], school_year: str) -> tuple[int | None, dict[str, int | None]]:
    """Enrollment by group summed over the schools; a group is None when any school did not collect it."""
    rows = {e.school_id: e for e in Enrollment.objects.filter(school__in=schools, school_year=school_year)}
    if not schools or len(rows) < len(schools):
        return None, {group: None for group, _ in GROUPS}
    totals: dict[str, int | None] = {}
    for group, _ in GROUPS:
        values = [getattr(row, group) for row in rows.values()]
        totals[group] = None if any(v is None for v in values) else sum(values)
    return sum(row.total for row in rows.values()), totals


def _event_counts(scope: EquityScope, schools: list[School], school_year: str) -> dict[str, Counter[str]]:
    """Events per decision point and race/ethnicity, from the enforcement rollups (a school year is
    whole calendar months, July to June): one grouped query for every point, over the scope's cells."""
    first, last = school_year_days(school_year)
    cells = EnforcementRollup.objects.filter(school__in=schools, month__range=(first, last))
    if scope.agency_ids is not None:
        cells = cells.filter(agency_id__in=scope.agency_ids)
    points = (REFERRAL, *AFTER_REFERRAL)
    grouped = (
        cells.values("race_ethnicity")
        .annotate(**{p.key: Sum("count", filter=p.events, default=0) for p in points})
        .order_by()
    )
    counts: dict[str, Counter[str]] = {p.key: Counter() for p in points}
    for row in grouped:
        for p in points:
            if row[p.key]:
                counts[p.key][row["race_ethnicity"]] = row[p.key]
    return counts


def _point(
    definition: PointDefinition,
    bases: dict[str, int | None],
    events: Counter[str],
    enrollment: dict[str, int | None],
    enrollment_total: int | None,
) -> DecisionPoint:
    rows = relative_rates(
        bases=bases,
        events=dict(events),
        enrollment=enrollment,
        enrollment_total=enrollment_total,
        reference=REFERENCE_GROUP,
    )
    return DecisionPoint(definition, rows, unknown=events.get(UNKNOWN, 0), total=sum(events.values()))


def school_reported_of(*, school: School, school_year: str) -> SchoolReportedCount | None:
    """What the school itself reported for the CRDC that year, if the district entered it."""
    return SchoolReportedCount.objects.filter(school=school, school_year=school_year).first()


def school_names(uuids: list[str]) -> dict[str, str]:
    """Each school's name by its uuid (as a string), for links."""
    return {str(uuid): name for uuid, name in School.objects.filter(uuid__in=uuids).values_list("uuid", "name")}


def district_names(uuids: list[str]) -> dict[str, str]:
    """Each district's name by its uuid (as a string), for links."""
    return {str(uuid): name for uuid, name in District.objects.filter(uuid__in=uuids).values_list("uuid", "name")}
