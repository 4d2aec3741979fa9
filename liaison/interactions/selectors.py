"""Reads of contacts and enforcement actions, always through `access`."""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet, Sum

from liaison.directory.models import Assignment, Officer, School
from liaison.directory.selectors import in_force_on, schools_partnered_with

from . import access
from .models import DailyRollup, Interaction, StudentKeySetting
from .vocabulary import POSITIVE_KINDS, Kind, Role

# --- records over time: filtered lists, counts and exports ------------------------------------------

LIST_PAGE_SIZE = 50
# Newest first. The day leads so the (agency|school|officer, occurred_on) indexes give the order and
# only one day's rows are sorted; the uuid breaks ties without exposing an integer key in cursors.
LIST_ORDER = ("-occurred_on", "-occurred_at", "-uuid")
# What a list or an export of everyone's records reads: no demographics, no student key.
LIST_FIELDS = (
    "uuid", "occurred_on", "occurred_at", "kind", "role", "duration_minutes", "student_count", "grade_band",
    "setting", "initiated_by", "staff_role", "service", "instead_of_enforcement", "source", "voided",
    "agency__time_zone", "school__uuid", "school__name", "officer__uuid", "officer__rank", "officer__user__first_name",
    "officer__user__last_name", "officer__user__username", "enforcement__action_type",
    "enforcement__reason_category", "enforcement__counts_as_referral", "enforcement__counts_as_arrest",
)  # fmt: skip
BAD_CURSOR = "This page link is not valid; start again from the first page."


@dataclass(frozen=True)
class RecordFilters:
    """What a list, its counts and its export are narrowed to.

    Every filter but `include_void` is a daily-rollup dimension, so counts never read raw rows.
    Void records never count; `include_void` only shows them in the list and the export.
    """

    school: UUID | None = None
    officer: UUID | None = None
    kind: str = ""
    role: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    include_void: bool = False

    def described(self) -> dict[str, Any]:
        """The filters that are set, as JSON-safe values (for the audit log)."""
        values = {
            "school": self.school,
            "officer": self.officer,
            "kind": self.kind,
            "role": self.role,
            "since": self.since,
            "until": self.until,
            "include_void": self.include_void,
        }
        return {k: (v if isinstance(v, (bool, int)) else str(v)) for k, v in values.items() if v}


def _dimensions(filters: RecordFilters, day: str) -> Q:
    """The filters as a condition on raw records (day="occurred_on") or rollups (day="day")."""
    rule = Q()
    if filters.school is not None:
        rule &= Q(school__uuid=filters.school)
    if filters.officer is not None:
        rule &= Q(officer__uuid=filters.officer)
    if filters.kind:
        rule &= Q(kind=filters.kind)
    if filters.role:
        rule &= Q(role=filters.role)
    if filters.since is not None:
        rule &= Q(**{f"{day}__gte": filters.since})
    if filters.until is not None:
        rule &= Q(**{f"{day}__lte": filters.until})
    return rule


# --- counts, from the daily rollups ------------------------------------------------------------


@dataclass(frozen=True)
class RecordCounts:
    """Counts of the records that count (void ones never do), for one set of filters."""

    total: int
    by_kind: dict[str, int] = field(default_factory=dict)
    by_role: dict[str, int] = field(default_factory=dict)


def interaction_counts(*, user: Any, filters: RecordFilters) -> RecordCounts:
    """Total and per kind and role, summed from the rollups the user may see: whole calendar months
    from the monthly rollups, the days before the first and after the last whole month from the daily
    ones. Without dates, that is a year's 12 rows per cell instead of about 200."""
    months, edges = rollup_spans(filters.since, filters.until)
    undated = replace(filters, since=None, until=None)
    cells: list[tuple[str, str, int]] = []
    if months is not None:
        monthly = access.monthly_rollups_visible_to(user).filter(_dimensions(undated, "month"))
        if months[0] is not None:
            monthly = monthly.filter(month__gte=months[0])
        if months[1] is not None:
            monthly = monthly.filter(month__lte=months[1])
        cells += monthly.values_list("kind", "role").annotate(n=Sum("count")).order_by()
    for first, last in edges:
        daily = access.daily_rollups_visible_to(user).filter(_dimensions(undated, "day"), day__range=(first, last))
        cells += daily.values_list("kind", "role").annotate(n=Sum("count")).order_by()
    by_kind = dict.fromkeys(Kind.values, 0)
    by_role = dict.fromkeys(Role.values, 0)
    for kind, role, n in cells:
        by_kind[kind] = by_kind.get(kind, 0) + n
        by_role[role] = by_role.get(role, 0) + n
    return RecordCounts(total=sum(by_kind.values()), by_kind=by_kind, by_role=by_role)


Span = tuple[datetime.date, datetime.date]


def rollup_spans(
    since: datetime.date | None, until: datetime.date | None
) -> tuple[tuple[datetime.date | None, datetime.date | None] | None, list[Span]]:
    """Split [since, until] (either end open) into the whole calendar months it covers, as the first
    days of the first and last month (None: open; the outer None: no whole month), and the spans of
    days left before and after them."""
    first_month = None if since is None else _month_start(since, up=True)
    # The first day of the month after the last whole one.
    end_month = None if until is None else _month_start(until + datetime.timedelta(days=1), up=False)
    if first_month is not None and end_month is not None and first_month >= end_month:
        return None, [(since, until)] if since is not None and until is not None and since <= until else []
    edges: list[Span] = []
    if since is not None and first_month is not None and since < first_month:
        edges.append((since, first_month - datetime.timedelta(days=1)))
    if until is not None and end_month is not None and end_month <= until:
        edges.append((end_month, until))
    last_month = None if end_month is None else _month_start(end_month - datetime.timedelta(days=1), up=False)
    return (first_month, last_month), edges


def _month_start(day: datetime.date, *, up: bool) -> datetime.date:
    """The first day of the day's month, or (up) of the next month unless the day is a first."""
    start = day.replace(day=1)
    if up and start != day:
        start = (start + datetime.timedelta(days=32)).replace(day=1)
    return start


# --- the list, newest first, one bounded page at a time ------------------------------------------


@dataclass(frozen=True)
class ListPosition:
    """Where a page ends: the next page starts after this record (keyset pagination)."""

    occurred_on: datetime.date
    occurred_at: datetime.datetime
    uuid: UUID

    @classmethod
    def of(cls, record: Interaction) -> ListPosition:
        return cls(record.occurred_on, record.occurred_at, record.uuid)

    def token(self) -> str:
        raw = f"{self.occurred_on.isoformat()}|{self.occurred_at.isoformat()}|{self.uuid.hex}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def parse(cls, token: str) -> ListPosition:
        """Raises ValueError for anything that is not a token this class made."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            day, moment, uuid = raw.split("|")
            position = cls(datetime.date.fromisoformat(day), datetime.datetime.fromisoformat(moment), UUID(hex=uuid))
        except (binascii.Error, UnicodeDecodeError, ValueError) as error:
            raise ValueError(BAD_CURSOR) from error
        if position.occurred_at.tzinfo is None:
            raise ValueError(BAD_CURSOR)
        return position

    def following(self) -> Q:
        """The records that follow this one in list order (older, or the same moment with a smaller uuid)."""
        same_day = Q(occurred_on=self.occurred_on)
        older = Q(occurred_on__lt=self.occurred_on) | (same_day & Q(occurred_at__lt=self.occurred_at))
        tie = same_day & Q(occurred_at=self.occurred_at, uuid__lt=self.uuid)
        # The redundant upper bound lets the database range-scan its (…, occurred_on) index.
        return Q(occurred_on__lte=self.occurred_on) & (older | tie)


@dataclass(frozen=True)
class RecordPage:
    records: list[Interaction]
    next_position: ListPosition | None


def _matching(user: Any, filters: RecordFilters) -> QuerySet[Interaction]:
    records = access.interactions_visible_to(user).filter(_dimensions(filters, "occurred_on"))
    return records if filters.include_void else records.filter(voided=False)


def _for_listing(records: QuerySet[Interaction], *, local_time: bool = True) -> QuerySet[Interaction]:
    """Newest first, with list fields only; `local_time` adds the agency's time zone."""
    related = ["school", "officer__user", "enforcement", *(["agency"] if local_time else [])]
    fields = [name for name in LIST_FIELDS if local_time or not name.startswith("agency__")]
    return records.select_related(*related).only(*fields).order_by(*LIST_ORDER)


def for_api(records: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """Whole records with their school, officer and action summary, in list order (the API's list)."""
    return records.select_related("school", "officer", "enforcement").order_by(*LIST_ORDER)


def interactions_listed(*, user: Any, filters: RecordFilters) -> QuerySet[Interaction]:
    """The records the user may see that match the filters, newest first, with list fields only.

    Without the agency join (times stay in UTC): SQLite would otherwise read agencies first and sort
    every record instead of following the (agency, occurred_on) index.
    """
    return _for_listing(_matching(user, filters), local_time=False)


def interaction_page(
    *,
    user: Any,
    filters: RecordFilters,
    after: ListPosition | None = None,
    size: int | None = None,
    read: Callable[[QuerySet[Interaction]], QuerySet[Interaction]] | None = None,
) -> RecordPage:
    """One page of the list (LIST_PAGE_SIZE records), starting after `after`; raw rows are never counted.

    The daily rollups say which (day, school) cells hold the next page, so the raw query reads only
    those: a filter that matches a few records scattered over a year, or none, reads no more than a
    page's worth. The page's ids are found without joins (the database sorts bare rows), then those
    few rows are read with their school, officer and action: by `read`, which orders them as the
    list does (default: the list's fields only).
    """
    size = size or LIST_PAGE_SIZE
    matching = _matching(user, filters)
    if after is not None:
        matching = matching.filter(after.following())
    if not filters.include_void:  # void records are in no rollup
        cells = _page_cells(user, filters, after, size)
        if not cells:
            return RecordPage([], None)
        matching = matching.filter(_in_cells(cells))
    ids = matching.order_by(*LIST_ORDER).values("pk")[: size + 1]
    rows = list((read or _for_listing)(Interaction.objects.filter(pk__in=ids)))
    more = len(rows) > size
    return RecordPage(rows[:size], ListPosition.of(rows[size - 1]) if more else None)


def _page_cells(
    user: Any, filters: RecordFilters, after: ListPosition | None, size: int
) -> list[tuple[datetime.date, int]]:
    """The (day, school) cells whose records fill the next page, from the rollups the user may see."""
    rollups = access.daily_rollups_visible_to(user).filter(_dimensions(filters, "day"), count__gt=0)
    if after is not None:
        rollups = rollups.filter(day__lte=after.occurred_on)
    days = _page_days(rollups, after, size)
    cells = rollups.filter(day__in=days).values_list("day", "school_id").distinct()
    return sorted(cells, reverse=True)


def _page_days(rollups: QuerySet, after: ListPosition | None, size: int) -> list[datetime.date]:
    """The newest days holding the next page. The newest two usually suffice, so they are asked for
    first; then as many days as a page can span (each holds at least one record)."""
    by_day = rollups.values_list("day").annotate(n=Sum("count")).order_by("-day")
    days, enough = _enough_days(by_day[:2], after, size)
    return days if enough or len(days) < 2 else _enough_days(by_day[: size + 2], after, size)[0]


def _enough_days(
    totals: Iterable[tuple[datetime.date, int]], after: ListPosition | None, size: int
) -> tuple[list[datetime.date], bool]:
    """From (day, records) newest first: the days up to the one that makes more than `size` records
    past `after`, and whether they do (else they are all the days there are)."""
    days: list[datetime.date] = []
    enough = 0
    for day, records in totals:
        if records <= 0 or (after is not None and day > after.occurred_on):
            continue
        days.append(day)
        # The cursor's own day is partly shown already: its records do not count towards the page.
        enough += records if after is None or day < after.occurred_on else 0
        if enough > size:
            return days, True
    return days, False


def _in_cells(cells: list[tuple[datetime.date, int]]) -> Q:
    schools_by_day: dict[datetime.date, list[int]] = {}
    for day, school_id in cells:
        schools_by_day.setdefault(day, []).append(school_id)
    rule = Q(pk__in=[])
    for day, school_ids in schools_by_day.items():
        rule |= Q(occurred_on=day, school_id__in=school_ids)
    return rule


def interactions_exported(*, user: Any, filters: RecordFilters, chunk_size: int = 2000) -> Iterator[Interaction]:
    """Every matching record, streamed from the database in chunks (constant memory)."""
    return interactions_listed(user=user, filters=filters).iterator(chunk_size=chunk_size)


def interactions_export_size(*, user: Any, filters: RecordFilters) -> int:
    """How many rows an export holds: the rollup total, plus void records when they are asked for."""
    rows = interaction_counts(user=user, filters=filters).total
    if filters.include_void:
        rows += _matching(user, filters).filter(voided=True).count()
    return rows


# --- the officer's own log: schools to record at, recent records, the week at a glance ----------------


def officer_recording_schools(*, officer: Officer, on: datetime.date) -> list[School]:
    """The schools the officer is assigned to on the day, the largest share of their time first.

    An officer with no current assignment may record at any school their agency serves.
    """
    current = (
        Assignment.objects.filter(in_force_on(on), officer=officer)
        .select_related("school__district")
        .order_by("-share_of_time", "school__name")
    )
    schools = list(dict.fromkeys(assignment.school for assignment in current))
    if schools:
        return schools
    return list(schools_partnered_with(agency=officer.agency).select_related("district").order_by("name"))


def week_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of the day's week."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def officer_records_between(*, officer: Officer, since: datetime.date, until: datetime.date) -> QuerySet[Interaction]:
    """The officer's own records (not void) on the days from since to until, newest first."""
    return (
        Interaction.objects.filter(officer=officer, occurred_on__gte=since, occurred_on__lte=until, voided=False)
        .select_related("school")
        .order_by("-occurred_at", "-id")
    )


@dataclass(frozen=True)
class WeekSummary:
    """An officer's week, counted from the daily rollups: per kind, per role, and positive per enforcement."""

    week_start: datetime.date
    week_end: datetime.date
    by_kind: dict[str, int]
    by_role: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def enforcement(self) -> int:
        return self.by_kind[Kind.ENFORCEMENT]

    @property
    def positive(self) -> int:
        return sum(count for kind, count in self.by_kind.items() if kind in POSITIVE_KINDS)

    @property
    def positive_per_enforcement(self) -> float | None:
        """None when there was no enforcement action: a ratio to zero is not a number."""
        return round(self.positive / self.enforcement, 1) if self.enforcement else None

    def kind_rows(self) -> list[tuple[str, int]]:
        return [(label, self.by_kind[value]) for value, label in Kind.choices]

    def role_rows(self) -> list[tuple[str, int]]:
        return [(label, self.by_role[value]) for value, label in Role.choices]


def officer_week_summary(*, officer: Officer, week_of: datetime.date) -> WeekSummary:
    """The officer's week (Monday to Sunday) around the day, from DailyRollup, never from raw records."""
    start, end = week_bounds(week_of)
    cells = (
        DailyRollup.objects.filter(officer=officer, day__gte=start, day__lte=end)
        .values("kind", "role")
        .annotate(n=Sum("count"))
        .order_by()
    )
    by_kind = dict.fromkeys(Kind.values, 0)
    by_role = dict.fromkeys(Role.values, 0)
    for cell in cells:
        by_kind[cell["kind"]] += cell["n"]
        by_role[cell["role"]] += cell["n"]
    return WeekSummary(week_start=start, week_end=end, by_kind=by_kind, by_role=by_role)


def student_key_district_ids(schools: QuerySet[School]) -> QuerySet:
    """The districts of these schools that have student keys turned on (the form asks for a student id there)."""
    found = StudentKeySetting.objects.filter(enabled=True, district_id__in=schools.values("district_id"))
    return found.values_list("district_id", flat=True)
