"""What waits for each person: the work queue their home page shows and `GET /api/v1/me/queue` returns.

One plain function per section, each scoped through the owning app's access function; `queue_for`
composes the sections of every role the user holds (an officer who is also a supervisor sees both).
Each item is a link. An item "waits" when the user is the one to act on it (a signature that is
theirs, a review to close, a class to teach); the navigation's count is the number waiting.
Sections never carry a justification, a note or anything about a student: only what kind of item
waits, where, and since when.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from liaison.accounts.roles import Role
from liaison.accounts.scope import UserScope, user_scope
from liaison.agreements import access as agreements_access
from liaison.agreements.models import Agreement, AgreementVersion, Review, ReviewComment
from liaison.agreements.selectors import agreement_current_version, mou_reminders, review_age_days, signatures_awaited
from liaison.agreements.vocabulary import ReminderKind
from liaison.directory import access as directory_access
from liaison.directory.models import Agency, Assignment, Officer, School
from liaison.directory.selectors import agency_today, in_force_on
from liaison.insights.access import equity_available
from liaison.interactions import access as interactions_access
from liaison.interactions.vocabulary import POSITIVE_KINDS
from liaison.programs import access as programs_access
from liaison.programs.selectors import monday, relationships_dosage
from liaison.programs.vocabulary import RelationshipStatus, SessionStatus
from liaison.surveys.access import waves_visible_to
from liaison.surveys.vocabulary import WaveStatus

from .enforcement import AMENDED_JUSTIFICATION
from .enforcement_imports import IMPORTED_JUSTIFICATION

LISTED = 10  # items shown per section; the section's link leads to the rest
MOU_REMINDER_KINDS = {ReminderKind.EXPIRING, ReminderKind.REVIEW_DUE}
WITHOUT_JUSTIFICATION = (IMPORTED_JUSTIFICATION, AMENDED_JUSTIFICATION.split("(")[0])


@dataclass(frozen=True)
class Item:
    label: str
    url: str
    detail: str = ""
    waiting: bool = True  # the user is the one to act on it


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: list[Item]
    empty: str
    more_url: str = ""
    more_label: str = ""

    @property
    def waiting(self) -> int:
        return sum(1 for item in self.items if item.waiting)


@dataclass(frozen=True)
class Queue:
    sections: list[Section] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        return sum(section.waiting for section in self.sections)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


# --- the officer -------------------------------------------------------------------------------------


def officer_today(officer: Officer, today: datetime.date) -> Section:
    """Today's log first: what the officer recorded today, and the quick log to add to it."""
    recorded = (
        interactions_access.interactions_visible_to(officer.user)
        .filter(officer=officer, occurred_on=today, voided=False)
        .select_related("school")
        .order_by("-occurred_at")
    )
    items = [
        Item(
            label=f"{r.get_kind_display()} at {r.school.name}",
            url=reverse("interactions:detail", args=[r.uuid]),
            detail=timezone.localtime(r.occurred_at).strftime("%H:%M"),
            waiting=False,
        )
        for r in recorded[:LISTED]
    ]
    return Section(
        key="today",
        title="Today's log",
        items=items,
        empty="Nothing recorded yet today.",
        more_url=reverse("interactions:quick_log"),
        more_label="Log a contact",
    )


def _own_reviews(officer: Officer) -> Any:
    return (
        agreements_access.reviews_visible_to(officer.user)
        .filter(interaction__officer=officer)
        .select_related("school", "interaction__enforcement")
    )


def _review_label(review: Review) -> str:
    enforcement = getattr(review.interaction, "enforcement", None)
    action = enforcement.get_action_type_display() if enforcement is not None else "Enforcement action"
    return f"{action} at {review.school.name} on {review.interaction.occurred_on:%Y-%m-%d}"


def officer_justifications(officer: Officer) -> Section:
    """Open reviews of the officer's actions that carry no justification of theirs (imported, or judged
    again after an amendment) and that they have not yet answered with a comment."""
    without = Q()
    for start in WITHOUT_JUSTIFICATION:
        without |= Q(justification__startswith=start)
    answered = ReviewComment.objects.filter(author=officer.user).values("review_id")
    reviews = _own_reviews(officer).filter(without, closed_at__isnull=True).exclude(pk__in=answered)
    items = [
        Item(label=_review_label(r), url=reverse("agreements:review_detail", args=[r.uuid]), detail="add your account")
        for r in reviews.order_by("opened_at")[:LISTED]
    ]
    return Section(key="justifications", title="Actions awaiting your justification", items=items, empty="None.")


def officer_review_comments(officer: Officer) -> Section:
    """Reviews of the officer's actions whose latest comment is someone else's: a question waits."""
    reviews = _own_reviews(officer).annotate(last_comment=Max("comments__id")).filter(last_comment__isnull=False)
    last_authors = dict(
        ReviewComment.objects.filter(pk__in=[r.last_comment for r in reviews]).values_list("review_id", "author_id")
    )
    items = [
        Item(
            label=_review_label(r),
            url=reverse("agreements:review_detail", args=[r.uuid]),
            detail="closed" if r.closed_at else f"open {_days(review_age_days(r))}",
            waiting=r.closed_at is None,
        )
        for r in reviews.order_by("-last_comment")
        if last_authors.get(r.pk) != officer.user_id
    ][:LISTED]
    return Section(key="review_comments", title="Reviews of your actions with new comments", items=items, empty="None.")


def officer_classes_today(officer: Officer, today: datetime.date) -> Section:
    sessions = (
        programs_access.sessions_visible_to(officer.user)
        .filter(officer=officer, starts_on=today, status=SessionStatus.SCHEDULED)
        .select_related("school", "curriculum")
        .order_by("starts_at")
    )
    items = [
        Item(
            label=f"{s.curriculum.title}, {s.class_name} at {s.school.name}",
            url=reverse("programs:session", args=[s.uuid]),
            detail=timezone.localtime(s.starts_at).strftime("%H:%M"),
        )
        for s in sessions[:LISTED]
    ]
    return Section(
        key="classes_today",
        title="Classes today",
        items=items,
        empty="No class scheduled today.",
        more_url=reverse("programs:sessions"),
        more_label="All classes",
    )


def officer_mentees_due(officer: Officer, today: datetime.date) -> Section:
    """Active mentoring relationships with no meeting for longer than the program's interval. The item
    names the school and the start date, never the student."""
    relationships = (
        programs_access.relationships_visible_to(officer.user)
        .filter(officer=officer, status=RelationshipStatus.ACTIVE)
        .select_related("school")
    )
    due = sorted(
        (d for d in relationships_dosage(relationships, as_of=today) if d.overdue),
        key=lambda d: -d.days_since_last,
    )
    items = [
        Item(
            label=f"Mentee at {d.relationship.school.name} since {d.relationship.started_on:%Y-%m-%d}",
            url=reverse("programs:relationship", args=[d.relationship.uuid]),
            detail=f"{_days(d.days_since_last)} since the last meeting",
        )
        for d in due[:LISTED]
    ]
    return Section(
        key="mentees_due",
        title="Mentees due a meeting",
        items=items,
        empty="Every mentee has met you recently.",
        more_url=reverse("programs:mentoring"),
        more_label="All mentoring",
    )


def officer_sections(user: Any, officer: Officer) -> list[Section]:
    today = agency_today(officer.agency)
    return [
        officer_today(officer, today),
        officer_justifications(officer),
        officer_review_comments(officer),
        officer_classes_today(officer, today),
        officer_mentees_due(officer, today),
    ]


# --- reviews, signatures, MOUs: the supervisor, the chief, the superintendent, the principal -------


def open_reviews(user: Any, *, closable: bool) -> Section:
    """Open reviews the user may see, oldest first; they wait on those who close them."""
    reviews = (
        agreements_access.reviews_visible_to(user)
        .filter(closed_at__isnull=True)
        .select_related("school", "interaction__enforcement")
        .order_by("opened_at")
    )
    now = timezone.now()
    items = [
        Item(
            label=_review_label(r),
            url=reverse("agreements:review_detail", args=[r.uuid]),
            detail=f"open {_days(review_age_days(r, now=now))}",
            waiting=closable and agreements_access.review_closable(user, r),
        )
        for r in reviews[:LISTED]
    ]
    total = reviews.count() if len(items) == LISTED else len(items)
    title = f"Open reviews ({total})" if total > LISTED else "Open reviews"
    return Section(
        key="open_reviews",
        title=title,
        items=items,
        empty="No open reviews.",
        more_url=reverse("agreements:reviews"),
        more_label="All reviews",
    )


def signatures(user: Any) -> Section:
    items = [
        Item(
            label=f"{s.version.agreement.title} (version {s.version.number})",
            url=reverse("agreements:detail", args=[s.version.agreement.uuid]),
            detail="awaits your signature" if s.yours else f"awaits the {s.party_label}",
            waiting=s.yours,
        )
        for s in signatures_awaited(user)[:LISTED]
    ]
    return Section(key="signatures", title="Signatures awaited", items=items, empty="No MOU awaits a signature.")


def mous_expiring(user: Any, today: datetime.date) -> Section:
    reminders = [r for r in mou_reminders(today=today, user=user) if r.kind in MOU_REMINDER_KINDS]
    items = [
        Item(
            label=r.message,
            url=reverse("agreements:detail", args=[r.agreement.uuid]) if r.agreement else reverse("agreements:list"),
            detail=f"in {_days(r.days_left)}" if r.days_left >= 0 else f"{_days(-r.days_left)} late",
        )
        for r in reminders[:LISTED]
    ]
    return Section(
        key="mous_expiring",
        title="MOUs expiring or due for review",
        items=items,
        empty="No MOU expires or is due for review in the next 60 days.",
        more_url=reverse("agreements:list"),
        more_label="All MOUs",
    )


def _schools_without_officer(user: Any, today: datetime.date) -> list[School]:
    scope = user_scope(user)
    schools = directory_access.schools_visible_to(user).select_related("district")
    if scope.district_admin_ids and not scope.managing_agency_ids:
        schools = schools.filter(district_id__in=scope.district_admin_ids)
    else:
        served = Agency.objects.filter(pk__in=scope.managing_agency_ids)
        schools = schools.filter(district__partnerships__agency__in=served).distinct()
    covered = Assignment.objects.filter(in_force_on(today)).values("school_id")
    return list(schools.exclude(pk__in=covered).order_by("name")[:LISTED])


def coverage_gaps(user: Any, today: datetime.date) -> Section:
    """Schools with officers but no MOU in force (the user's to fix), then partner schools with no officer."""
    no_mou = [r for r in mou_reminders(today=today, user=user) if r.kind == ReminderKind.NO_MOU]
    items = [Item(label=r.message, url=reverse("agreements:list"), detail="no MOU in force") for r in no_mou]
    items += [
        Item(
            label=f"{school.name} has no officer assigned today",
            url=reverse("directory:school_detail", args=[school.uuid]),
            waiting=False,
        )
        for school in _schools_without_officer(user, today)
    ]
    return Section(
        key="coverage_gaps",
        title="Coverage gaps",
        items=items[:LISTED],
        empty="Every school with an officer has an MOU in force, and every partner school has an officer.",
    )


def outcomes_summary(user: Any) -> Section:
    """Links to whether the program is working: the outcomes view, then the pages it summarises."""
    scope = user_scope(user)
    items = _outcomes_links(user, scope)
    dashboards = _dashboard_links(user, scope)
    items += [Item(label=label, url=url, waiting=False) for label, url in dashboards]
    if scope.managing_agency_ids or scope.district_admin_ids or scope.platform_admin:
        items.append(
            Item(label="Presence: weeks with a visit, by school", url=reverse("programs:presence"), waiting=False)
        )
    for district in directory_access.districts_visible_to(user).order_by("name")[:LISTED]:
        if equity_available(user, district):
            url = reverse("insights:equity", args=[district.uuid])
            items.append(Item(label=f"Equity: who is referred and arrested in {district.name}", url=url, waiting=False))
    items.append(Item(label="Trust surveys", url=reverse("surveys:home"), waiting=False))
    return Section(key="outcomes", title="Is the program working?", items=items, empty="")


def _outcomes_links(user: Any, scope: UserScope) -> list[Item]:
    """The outcomes view of each agency the user manages and each district they administer (the
    people liaison/insights/outcomes_access.py lets in), and the district's contacts-and-trust view."""
    items = []
    for agency in Agency.objects.filter(pk__in=scope.managing_agency_ids).order_by("name")[:LISTED]:
        url = reverse("insights:outcomes-agency", args=[agency.uuid])
        items.append(Item(label=f"Outcomes over time: {agency.name}", url=url, waiting=False))
    districts = directory_access.districts_visible_to(user).filter(pk__in=scope.district_admin_ids)
    for district in districts.order_by("name")[:LISTED]:
        url = reverse("insights:outcomes-district", args=[district.uuid])
        items.append(Item(label=f"Outcomes over time: {district.name}", url=url, waiting=False))
        url = reverse("insights:contacts-trust", args=[district.uuid])
        items.append(Item(label=f"Contacts and trust, school by school: {district.name}", url=url, waiting=False))
    return items


def _dashboard_links(user: Any, scope: UserScope) -> list[tuple[str, str]]:
    links = []
    for agency in Agency.objects.filter(pk__in=scope.managing_agency_ids).order_by("name"):
        links.append((f"MOU dashboard: {agency.name}", reverse("agreements:dashboard", args=["agency", agency.uuid])))
    for district in (
        directory_access.districts_visible_to(user).filter(pk__in=scope.district_admin_ids).order_by("name")
    ):
        links.append(
            (f"MOU dashboard: {district.name}", reverse("agreements:dashboard", args=["district", district.uuid]))
        )
    return links


# --- the supervisor's week ------------------------------------------------------------------------


def officers_week(user: Any, agency_ids: frozenset[int]) -> Section:
    """Each active officer's week so far: contacts, the positive share, and their schools without a visit."""
    items = []
    for agency in Agency.objects.filter(pk__in=agency_ids).order_by("name"):
        today = agency_today(agency)
        first = monday(today)
        officers = list(
            directory_access.officers_visible_to(user)
            .filter(agency=agency, status=Officer.Status.ACTIVE)
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
        rows = (
            interactions_access.interactions_visible_to(user)
            .filter(officer__in=officers, occurred_on__range=(first, today), voided=False)
            .values_list("officer_id", "kind", "school_id")
        )
        kinds: dict[int, Counter[str]] = defaultdict(Counter)
        visited: dict[int, set[int]] = defaultdict(set)
        for officer_id, kind, school_id in rows:
            kinds[officer_id][kind] += 1
            visited[officer_id].add(school_id)
        assigned: dict[int, list[School]] = defaultdict(list)
        for a in Assignment.objects.filter(in_force_on(today), officer__in=officers).select_related("school"):
            assigned[a.officer_id].append(a.school)
        for officer in officers:
            items.append(_officer_week_item(officer, kinds[officer.pk], visited[officer.pk], assigned[officer.pk]))
    return Section(
        key="officers_week",
        title="Officers' week (since Monday)",
        items=items,
        empty="No active officers.",
        more_url=reverse("programs:presence"),
        more_label="Presence",
    )


def _officer_week_item(officer: Officer, kinds: Counter[str], visited: set[int], assigned: list[School]) -> Item:
    total = sum(kinds.values())
    positive = sum(n for kind, n in kinds.items() if kind in POSITIVE_KINDS)
    share = f", {round(100 * positive / total)}% positive" if total else ""
    missed = sorted(s.name for s in assigned if s.pk not in visited)
    gap = f"; no visit this week: {', '.join(missed)}" if missed else ""
    return Item(
        label=str(officer),
        url=reverse("directory:officer_detail", args=[officer.uuid]),
        detail=f"{total} contact{'s' if total != 1 else ''}{share}{gap}",
        waiting=False,
    )


def mentee_notices(user: Any) -> Section:
    notices = programs_access.notices_listed(user).filter(acknowledged_at__isnull=True).order_by("created_at")[:LISTED]
    items = [
        Item(
            label=f"Enforcement on a mentee of {n.officer} at {n.interaction.school.name}",
            url=reverse("programs:notices"),
            detail=f"{timezone.localtime(n.created_at):%Y-%m-%d}",
        )
        for n in notices
    ]
    return Section(
        key="mentee_notices",
        title="Mentee notices to acknowledge",
        items=items,
        empty="No notice waits.",
        more_url=reverse("programs:notices"),
        more_label="All notices",
    )


# --- the principal ------------------------------------------------------------------------------------


def school_officers(user: Any, school_ids: frozenset[int], today: datetime.date) -> Section:
    """The officers at the principal's school(s) this month, with the days they recorded a visit."""
    first = today.replace(day=1)
    assignments = (
        Assignment.objects.filter(in_force_on(today), school_id__in=school_ids)
        .select_related("officer__user", "school")
        .order_by("school__name", "officer__user__last_name")
    )
    this_month = interactions_access.interactions_visible_to(user).filter(
        school_id__in=school_ids, occurred_on__range=(first, today), voided=False
    )
    last = dict(this_month.values("officer_id").annotate(last=Max("occurred_on")).values_list("officer_id", "last"))
    visits = Counter(
        this_month.values_list("officer_id", "occurred_on").distinct().values_list("officer_id", flat=True)
    )
    items = [
        Item(
            label=f"{a.officer} at {a.school.name}",
            url=reverse("directory:school_detail", args=[a.school.uuid]),
            detail=f"visits on {visits[a.officer_id]} day{'s' if visits[a.officer_id] != 1 else ''} this month"
            + (f", last {last[a.officer_id]:%Y-%m-%d}" if a.officer_id in last else ""),
            waiting=False,
        )
        for a in assignments
    ]
    return Section(key="school_officers", title="Your officers this month", items=items, empty="No officer assigned.")


def survey_waves(user: Any, school_ids: frozenset[int]) -> Section:
    waves = (
        waves_visible_to(user).filter(wave_schools__school_id__in=school_ids).distinct().order_by("-opens_on")[:LISTED]
    )
    items = [
        Item(
            label=w.title,
            url=reverse("surveys:wave", args=[w.uuid]),
            detail=f"open until {w.closes_on:%Y-%m-%d}"
            if w.status == WaveStatus.OPEN
            else f"closed {w.closes_on:%Y-%m-%d}",
            waiting=False,
        )
        for w in waves
    ]
    return Section(
        key="survey_waves",
        title="Survey waves",
        items=items,
        empty="No survey wave at your school.",
        more_url=reverse("surveys:home"),
        more_label="Surveys",
    )


def mou_in_force(user: Any, school_ids: frozenset[int], today: datetime.date) -> Section:
    agreements = agreements_access.agreements_visible_to(user).prefetch_related("versions__schools")
    items = []
    for agreement in agreements.order_by("title"):
        version = agreement_current_version(agreement, today)
        if version is None:
            continue
        covered = {s.pk for s in version.schools.all()}
        if covered & set(school_ids):
            items.append(_mou_item(agreement, version))
    return Section(
        key="mou_in_force",
        title="The MOU in force",
        items=items,
        empty="No MOU is in force at your school.",
        more_url=reverse("agreements:list"),
        more_label="All MOUs",
    )


def _mou_item(agreement: Agreement, version: AgreementVersion) -> Item:
    until = f", until {version.expiry_date:%Y-%m-%d}" if version.expiry_date else ""
    return Item(
        label=f"{agreement.title} (version {version.number})",
        url=reverse("agreements:document", args=[version.uuid]),
        detail=f"in force{until}",
        waiting=False,
    )


# --- composing the queue -------------------------------------------------------------------------------


def queue_for(user: Any) -> Queue:
    """Every section for every role the user holds, each once, in the order a day's work goes."""
    scope = user_scope(user)
    today = timezone.localdate()
    sections: dict[str, Section] = {}

    def add(section: Section) -> None:
        sections.setdefault(section.key, section)

    officer = directory_access.own_officer(user)
    if officer is not None:
        for section in officer_sections(user, officer):
            add(section)
    managing = scope.managing_agency_ids
    if managing:
        add(open_reviews(user, closable=True))
        if scope.agencies(Role.SUPERVISOR):
            add(officers_week(user, managing))
        add(mentee_notices(user))
    if managing or scope.district_admin_ids:
        add(signatures(user))
    if scope.agencies(Role.AGENCY_ADMIN) or scope.district_admin_ids:
        add(mous_expiring(user, today))
        add(open_reviews(user, closable=bool(managing)))
        add(coverage_gaps(user, today))
        add(outcomes_summary(user))
    if scope.school_admin_ids:
        add(school_officers(user, scope.school_admin_ids, today))
        add(open_reviews(user, closable=False))
        add(survey_waves(user, scope.school_admin_ids))
        add(mou_in_force(user, scope.school_admin_ids, today))
    if Role.EVALUATOR in scope.roles:
        add(outcomes_summary(user))
    return Queue(sections=list(sections.values()))
