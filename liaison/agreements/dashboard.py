"""The numbers on the MOU dashboard, for one agency or one district.

Plain functions over a `Scope` (an agency or a district) and a period. Enforcement actions are a
small share of all contacts and each has one evaluation row, so these read `Evaluation` and the
enforcement details directly, grouped in the database by day and folded into months here (SQLite's
TruncMonth runs Python per row). Void records never count as actions; a review stays open until
someone closes it, so the open reviews match the reviews list.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from liaison.directory.models import Agency, District, School
from liaison.directory.selectors import agency_today
from liaison.interactions.models import EnforcementDetail
from liaison.interactions.vocabulary import ActionType, ReasonCategory

from .models import Evaluation, Review
from .vocabulary import Outcome

TOP_CATEGORIES = 5
DEFAULT_MONTHS = 12  # the period when none is asked for: this month and the eleven before it


@dataclass(frozen=True)
class Scope:
    """Whose numbers: an agency's (all its actions) or a district's (all agencies' actions at its schools)."""

    agency_id: int | None = None
    district_id: int | None = None
    school_id: int | None = None  # narrower still: one school (the outcomes view of a school)

    @classmethod
    def of(cls, owner: Agency | District | School) -> Scope:
        if isinstance(owner, School):
            return cls(district_id=owner.district_id, school_id=owner.pk)
        return cls(agency_id=owner.pk) if isinstance(owner, Agency) else cls(district_id=owner.pk)

    def lookup(self, prefix: str = "interaction__") -> Q:
        """Every field that is set narrows the records (an agency's records at one district's schools)."""
        found = Q()
        for name in ("agency_id", "district_id", "school_id"):
            if getattr(self, name) is not None:
                found &= Q(**{f"{prefix}{name}": getattr(self, name)})
        return found


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    def on_interaction(self, prefix: str = "interaction__") -> Q:
        return Q(**{f"{prefix}occurred_on__gte": self.start, f"{prefix}occurred_on__lte": self.end})


@dataclass
class MonthRow:
    month: datetime.date
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def cells(self) -> list[int]:
        return [self.counts.get(outcome, 0) for outcome in Outcome.values]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class SchoolOutcomes:
    school: str
    months: list[MonthRow]

    @property
    def totals(self) -> list[int]:
        return [sum(row.counts.get(outcome, 0) for row in self.months) for outcome in Outcome.values]

    @property
    def total(self) -> int:
        return sum(self.totals)


@dataclass(frozen=True)
class CategoryCount:
    category: str
    label: str
    count: int


@dataclass(frozen=True)
class Share:
    part: int
    whole: int

    @property
    def percent(self) -> int | None:
        """Rounded percentage; None when there is nothing to divide (shown as "no arrests", never 0%)."""
        return round(100 * self.part / self.whole) if self.whole else None


@dataclass(frozen=True)
class OpenReviews:
    count: int
    oldest_days: int | None


def months_back(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` before the day's month."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _evaluations(scope: Scope, period: Period) -> QuerySet[Evaluation]:
    return Evaluation.objects.kept().filter(scope.lookup(), period.on_interaction(), interaction__voided=False)


def outcomes_by_school_month(*, scope: Scope, period: Period) -> list[SchoolOutcomes]:
    """Enforcement actions by MOU outcome, per school and month (only months with actions)."""
    rows = (
        _evaluations(scope, period)
        .values("interaction__school__name", "interaction__occurred_on", "outcome")
        .annotate(n=Count("*"))
        .order_by()
    )
    grid: dict[str, dict[datetime.date, MonthRow]] = defaultdict(dict)
    for row in rows:
        month = row["interaction__occurred_on"].replace(day=1)
        cell = grid[row["interaction__school__name"]].setdefault(month, MonthRow(month))
        cell.counts[row["outcome"]] = cell.counts.get(row["outcome"], 0) + row["n"]
    return [SchoolOutcomes(school, [months[m] for m in sorted(months)]) for school, months in sorted(grid.items())]


def categories_outside(*, scope: Scope, period: Period, limit: int = TOP_CATEGORIES) -> list[CategoryCount]:
    """The behaviour categories most often outside the MOU (the action's own category, even with no rule)."""
    rows = (
        _evaluations(scope, period)
        .filter(outcome=Outcome.OUTSIDE)
        .values("interaction__enforcement__reason_category")
        .annotate(n=Count("*"))
        .order_by("-n", "interaction__enforcement__reason_category")[:limit]
    )
    labels = dict(ReasonCategory.choices)
    return [
        CategoryCount(
            r["interaction__enforcement__reason_category"],
            labels.get(r["interaction__enforcement__reason_category"], ""),
            r["n"],
        )
        for r in rows
    ]


def arrests_with_consultation(*, scope: Scope, period: Period) -> Share:
    """School-related arrests where a school administrator was consulted first, of all arrests."""
    counts = EnforcementDetail.objects.filter(
        scope.lookup(), period.on_interaction(), action_type=ActionType.ARREST, interaction__voided=False
    ).aggregate(whole=Count("*"), part=Count("pk", filter=Q(admin_consulted=True)))
    return Share(part=counts["part"], whole=counts["whole"])


def open_reviews(*, scope: Scope, now: datetime.datetime) -> OpenReviews:
    """Open reviews now (whatever the period) and how many whole days the oldest has waited."""
    reviews = Review.objects.filter(scope.lookup(prefix=""), closed_at__isnull=True)
    oldest = reviews.order_by("opened_at").values_list("opened_at", flat=True).first()
    return OpenReviews(count=reviews.count(), oldest_days=(now - oldest).days if oldest else None)


def owner_today(owner: Agency | District) -> datetime.date:
    """Today where the agency is (a district has no time zone of its own: the server's)."""
    return agency_today(owner) if isinstance(owner, Agency) else timezone.localdate()


def default_period(today: datetime.date) -> Period:
    return Period(start=months_back(today, DEFAULT_MONTHS - 1), end=today)


@dataclass(frozen=True)
class Figures:
    """Everything the dashboard counts, for the page and the API alike."""

    by_school: list[SchoolOutcomes]
    open_reviews: OpenReviews
    categories: list[CategoryCount]
    arrests: Share


def dashboard_figures(*, scope: Scope, period: Period, now: datetime.datetime) -> Figures:
    return Figures(
        by_school=outcomes_by_school_month(scope=scope, period=period),
        open_reviews=open_reviews(scope=scope, now=now),
        categories=categories_outside(scope=scope, period=period),
        arrests=arrests_with_consultation(scope=scope, period=period),
    )
