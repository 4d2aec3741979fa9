"""The demo programs' MOUs, drafted, signed and revised through the agreements services.

Every partnership has an MOU in force today, each in a state a real program meets: the town renewed
its MOU on 1 July with stricter rules; the city's MOU with its own district is past its review date
and a revision is in draft; the inner-suburb district's review is due soon; one rural MOU expires
soon, and its renewal, signed by the sheriff, awaits the superintendent's signature; and one rural
district signed only weeks into the demo's year, so its first weeks had no MOU in force. Dates follow
the demo's `today`, like its activity.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from liaison.accounts.models import Membership, User
from liaison.accounts.roles import Role as UserRole
from liaison.directory.models import Partnership
from liaison.interactions.vocabulary import ActionType, ReasonCategory

from . import services
from .models import Agreement, AgreementVersion, Review, ReviewComment, Signatory
from .services import review_close, review_comment
from .vocabulary import Element, Finding, Level, Outcome

# --- what each partnership's MOU looks like -------------------------------------------------------------


@dataclass(frozen=True)
class RuleChange:
    category: str
    level: str
    note: str = ""
    consultation_required_for: tuple[str, ...] = (ActionType.ARREST,)
    prohibited_actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class VersionPlan:
    """One version, dated in days from the start of the demo's school year (1 July before `today`)."""

    effective: int = 0
    effective_in: int | None = None  # days from `today`, for a version signed during the demo's year
    expiry: int | None = None
    review_due: int | None = None  # None: one year after taking effect
    # Dates a reader should see near the present: days from `today`.
    review_due_in: int | None = None
    expires_in: int | None = None
    signed: bool = True
    # Not signed, but submitted and signed by the agency head: it awaits the superintendent's signature.
    awaiting_superintendent: bool = False
    rules: tuple[RuleChange, ...] = ()
    sections: dict[str, str] = field(default_factory=dict)  # changed texts
    empty: tuple[str, ...] = ()  # elements the parties left empty


@dataclass(frozen=True)
class AgreementPlan:
    district: str  # the district's NCES id
    agency_head: str
    superintendent: str
    versions: tuple[VersionPlan, ...]
    published: bool = False
    figures_published: bool = False  # the program's figures beside the MOU on the public page


VAPING_TO_SCHOOL = RuleChange(
    ReasonCategory.TOBACCO_VAPING,
    Level.SCHOOL_ONLY,
    "Vaping is handled by the school's substance-use protocol; the officer issues no citation.",
    consultation_required_for=(),
)
NO_CITING_A_STUDENT_IN_CRISIS = RuleChange(
    ReasonCategory.STUDENT_IN_CRISIS,
    Level.ASSIST_ON_REQUEST,
    "A student in crisis is met by the counsellor or the mobile crisis team; never cited or arrested.",
    consultation_required_for=(),
    prohibited_actions=(ActionType.ARREST, ActionType.CRIMINAL_CITATION, ActionType.NONCRIMINAL_CITATION),
)
SEARCH_NEEDS_CONSULTATION = RuleChange(
    ReasonCategory.DRUG_DISTRIBUTION,
    Level.OFFICER_MAY_ACT,
    "A search or an arrest on school grounds follows a consultation with the principal or designee.",
    consultation_required_for=(ActionType.ARREST, ActionType.SEARCH),
)

RENEWED_REVIEW = (
    "This agreement was reviewed in May at a public meeting of the Board of Education with parents, "
    "students and teachers; the vaping and student-in-crisis rules were changed as a result. It is "
    "reviewed every year before 1 July."
)
DRAFT_PROCEDURES = (
    "Before any search, citation or arrest on school grounds, except in an emergency, the officer "
    "consults the principal or designee. Parents are notified by the school as soon as possible, and "
    "before questioning when the student is under 14. Draft: the parties are still discussing whether "
    "restorative conferences replace citations for first offenses."
)

d = datetime.timedelta

# The district NCES ids of directory/demo.py.
PLANS = (
    AgreementPlan(
        "3399101", "kfpd.chief", "kfsd.superintendent", published=True,
        versions=(
            VersionPlan(effective=-365),
            VersionPlan(
                effective=0, rules=(VAPING_TO_SCHOOL, NO_CITING_A_STUDENT_IN_CRISIS),
                sections={Element.REVIEW: RENEWED_REVIEW},
            ),
        ),
    ),
    AgreementPlan(
        "3999201", "pcpd.chief", "pccs.superintendent", published=True, figures_published=True,
        versions=(
            VersionPlan(effective=-365),  # review was due on the first of July: overdue
            VersionPlan(
                effective=184, signed=False, rules=(SEARCH_NEEDS_CONSULTATION, VAPING_TO_SCHOOL),
                sections={Element.PROCEDURES: DRAFT_PROCEDURES},
            ),
        ),
    ),
    AgreementPlan("3999202", "pcpd.chief", "hrls.superintendent",
                  versions=(VersionPlan(effective=-334, review_due_in=45),)),
    AgreementPlan("2999301", "lcso.sheriff", "pruett.superintendent",
                  versions=(VersionPlan(effective=-365, expiry=1094, review_due=304),)),
    AgreementPlan("2999302", "lcso.sheriff", "stonyford.superintendent",
                  versions=(VersionPlan(effective=-365, expiry=1094, review_due=304),)),
    AgreementPlan("2999303", "lcso.sheriff", "wexley.superintendent",
                  versions=(VersionPlan(effective=-730, expires_in=40, review_due_in=40),
                            # the sheriff signed the renewal; it waits on the superintendent
                            VersionPlan(effective_in=41, signed=False, awaiting_superintendent=True))),
    AgreementPlan("2999304", "lcso.sheriff", "bluemound.superintendent",
                  versions=(VersionPlan(effective_in=-320, empty=(Element.FUNDING, Element.PUBLICATION)),)),
)  # fmt: skip

# --- the sections' text ---------------------------------------------------------------------------------

SECTION_TEXT: dict[str, str] = {
    Element.PURPOSE: (
        "{agency} and {district} place school resource officers in the district's schools to keep "
        "students and staff safe, to build trust between young people and the police through positive, "
        "consistent contact, and to keep students out of the justice system for behaviour the school can "
        "address."
    ),
    Element.ROLES: (
        "The officer is a sworn member of {agency}, supervised by the agency's SRO supervisor, and works "
        "in three roles: educator, informal counselor and mentor, and law-enforcement officer. The "
        "principal directs the school's day; the agency directs police work. The supervisor and the "
        "principal meet monthly."
    ),
    Element.NO_DISCIPLINE: (
        "The officer takes no part in school discipline. Tardiness, truancy, dress code, device use, "
        "profanity, disrespect, disruption, academic dishonesty and minor conflicts are handled by "
        "administrators; the officer does not search, cite or arrest a student for them."
    ),
    Element.CRIME_VS_DISCIPLINE: (
        "Staff call the officer when a crime threatens someone's safety, not to enforce a school rule. "
        "For fights without serious injury, students in crisis and student trespass, the officer may help "
        "keep people safe when an administrator asks, without enforcement action."
    ),
    Element.SELECTION: (
        "Officers volunteer for the assignment and are chosen jointly by the agency and the district after "
        "an interview with the principal, a student and a parent representative."
    ),
    Element.TRAINING: (
        "Before or within the first year of assignment the officer completes the 40-hour basic SRO course, "
        "and each year eight hours of training in adolescent development, de-escalation, implicit bias and "
        "working with students with disabilities."
    ),
    Element.INFORMATION_SHARING: (
        "Education records are shared with the officer only as FERPA allows: under the health-or-safety "
        "emergency exception or with consent. Law-enforcement-unit records are kept apart from education "
        "records. No student's name is written in the contact log."
    ),
    Element.DATA_REPORTING: (
        "The agency records every contact and every enforcement action in Liaison, with the student's grade "
        "and demographics for enforcement actions, and reports them each semester to the Board of Education "
        "by school, action type and student subgroup."
    ),
    Element.COMPLAINTS: (
        "Families may complain to the principal, to the district office or directly to the agency's "
        "internal affairs unit, in person, by phone or online, in English or Spanish. Complaints are "
        "acknowledged within five school days."
    ),
    Element.PROCEDURES: (
        "Except in an emergency, the officer consults the principal or designee before an arrest on school "
        "grounds. Parents are notified by the school as soon as possible after a student is questioned, "
        "searched, cited or arrested. Force is used only as the agency's policy allows and is always "
        "reported to the principal the same day."
    ),
    Element.EMERGENCIES: (
        "In an emergency (a weapon, active violence, an imminent threat to life) the officer acts at once "
        "and the school's emergency operations plan governs roles; the officer takes part in drills."
    ),
    Element.FUNDING: (
        "The agency pays the officer's salary and equipment; the district pays half of the overtime worked "
        "at school events at the district's request."
    ),
    Element.EVALUATION: (
        "The principal and the SRO supervisor evaluate the officer each year together. The program is "
        "evaluated each year on contacts, enforcement actions by subgroup, and the student and family trust "
        "survey."
    ),
    Element.REVIEW: (
        "The parties review this agreement every year with parents, students, teachers and community "
        "members at a public meeting, before it is renewed."
    ),
    Element.PUBLICATION: (
        "This agreement is posted on the district's and the agency's web sites and given to every staff "
        "member at the start of the school year."
    ),
}


# --- loading ---------------------------------------------------------------------------------------------


def agreements_demo_load(*, today: datetime.date) -> list[Agreement]:
    """Draft, sign and revise one MOU per demo partnership, all or nothing."""
    year_start = school_year_start(today)
    with transaction.atomic():
        return [_agreement_load(plan, year_start=year_start, today=today) for plan in PLANS]


def school_year_start(today: datetime.date) -> datetime.date:
    """1 July of the school year that `today` falls in."""
    return datetime.date(today.year if today.month >= 7 else today.year - 1, 7, 1)


def _agreement_load(plan: AgreementPlan, *, year_start: datetime.date, today: datetime.date) -> Agreement:
    partnership = Partnership.objects.select_related("agency", "district").get(district__nces_id=plan.district)
    head = User.objects.get(username=plan.agency_head)
    superintendent = User.objects.get(username=plan.superintendent)
    first, *later = plan.versions
    agreement = services.agreement_create(
        actor=head,
        partnership=partnership,
        title=f"School Resource Officer MOU: {partnership.agency.name} and {partnership.district.name}",
        effective_date=_effective(first, year_start, today),
    )
    version = agreement.versions.get()
    _draft(version, first, partnership, head, year_start, today)
    for version_plan in later:
        _sign(version, head, superintendent)
        version = services.version_new_draft(
            actor=head, agreement=agreement, effective_date=_effective(version_plan, year_start, today)
        )
        _draft(version, version_plan, partnership, head, year_start, today)
    if plan.versions[-1].signed:
        _sign(version, head, superintendent)
    elif plan.versions[-1].awaiting_superintendent:
        services.version_submit(actor=head, version=version)
        services.version_sign(actor=head, version=version, party=Signatory.Party.AGENCY_HEAD)
    if plan.published:
        services.agreement_publish(actor=head, agreement=agreement, published=True, figures=plan.figures_published)
    return agreement


def _effective(plan: VersionPlan, year_start: datetime.date, today: datetime.date) -> datetime.date:
    return year_start + d(days=plan.effective) if plan.effective_in is None else today + d(days=plan.effective_in)


def _draft(
    version: AgreementVersion,
    plan: VersionPlan,
    partnership: Partnership,
    actor: User,
    year_start: datetime.date,
    today: datetime.date,
) -> None:
    """Write the version's sections, rule changes and dates."""
    names = {"agency": partnership.agency.name, "district": partnership.district.name}
    if version.number == 1:
        for element, text in SECTION_TEXT.items():
            if element not in plan.empty:
                services.section_update(actor=actor, version=version, element=element, text=text.format(**names))
    for element, text in plan.sections.items():
        services.section_update(actor=actor, version=version, element=element, text=text.format(**names))
    for rule in plan.rules:
        services.rule_set(
            actor=actor,
            version=version,
            category=rule.category,
            level=rule.level,
            note=rule.note,
            consultation_required_for=list(rule.consultation_required_for),
            prohibited_actions=list(rule.prohibited_actions),
        )
    dates = _dates(plan, year_start, today)
    if dates:
        services.version_update(actor=actor, version=version, **dates)


def _dates(plan: VersionPlan, year_start: datetime.date, today: datetime.date) -> dict[str, datetime.date]:
    """The dates the plan sets; the others keep their defaults."""
    dates = {}
    if plan.expiry is not None:
        dates["expiry_date"] = year_start + d(days=plan.expiry)
    if plan.expires_in is not None:
        dates["expiry_date"] = today + d(days=plan.expires_in)
    if plan.review_due is not None:
        dates["review_due_date"] = year_start + d(days=plan.review_due)
    if plan.review_due_in is not None:
        dates["review_due_date"] = today + d(days=plan.review_due_in)
    return dates


def _sign(version: AgreementVersion, head: User, superintendent: User) -> None:
    services.version_submit(actor=head, version=version, acknowledge_missing=True)
    services.version_sign(actor=head, version=version, party=Signatory.Party.AGENCY_HEAD)
    services.version_sign(actor=superintendent, version=version, party=Signatory.Party.SUPERINTENDENT)


# --- reviews in every state ---------------------------------------------------------------------------

# What the supervisor finds depends on what happened: the reason for the action decides.
FINDING_BY_CATEGORY: dict[str, str] = {
    ReasonCategory.TOBACCO_VAPING: Finding.POLICY_VIOLATION,
    ReasonCategory.DEVICE_USE: Finding.POLICY_VIOLATION,
    ReasonCategory.CLASSROOM_DISRUPTION: Finding.MOU_GAP,
    ReasonCategory.DRUG_DISTRIBUTION: Finding.MOU_GAP,
    ReasonCategory.FIGHT_NO_INJURY: Finding.JUSTIFIED_EMERGENCY,
}
SUPERVISOR_SAYS: dict[str, str] = {
    Finding.POLICY_VIOLATION: "Talked it through with the officer; the MOU is clear that this is the school's to "
    "handle, whoever asks.",
    Finding.JUSTIFIED_EMERGENCY: "Reviewed the body-worn camera video; the officer's account matches it.",
    Finding.MOU_GAP: "No administrator was there to consult, and the MOU does not say who decides then.",
    Finding.DATA_ERROR: "The nurse's report shows an injury: this looks like assault with injury, not a fight.",
}
SCHOOL_SAYS: dict[str, str] = {
    Finding.POLICY_VIOLATION: "We should not have asked; our assistant principals will get the MOU refresher.",
    Finding.JUSTIFIED_EMERGENCY: "Staff on duty agree it could not wait; the family has been told what happened.",
    Finding.MOU_GAP: "We will have an administrator on call for evening events from next month.",
    Finding.DATA_ERROR: "Our incident report agrees with the nurse's.",
}
CLOSING: dict[str, str] = {
    Finding.POLICY_VIOLATION: "Outside the MOU. The officer has been reminded of the school-only categories.",
    Finding.JUSTIFIED_EMERGENCY: "Justified: a risk of injury that could not wait for an administrator.",
    Finding.MOU_GAP: "Raised for the next revision of the MOU: who decides when no administrator is on site.",
    Finding.DATA_ERROR: "Recorded under the wrong category; the officer will amend the record.",
}
STILL_OPEN = 3  # each agency's newest reviews: two under discussion, the newest not yet looked at


def _member(role: str, **scope: Any) -> User | None:
    membership = Membership.objects.filter(role=role, **scope).select_related("user").order_by("pk").first()
    return membership.user if membership else None


def _finding(review: Review, position: int) -> str:
    if review.outcome == Outcome.NO_MOU:
        return Finding.MOU_GAP
    finding = FINDING_BY_CATEGORY.get(review.interaction.enforcement.reason_category, Finding.JUSTIFIED_EMERGENCY)
    # Every third fight turns out to have been recorded under the wrong category.
    return Finding.DATA_ERROR if finding == Finding.JUSTIFIED_EMERGENCY and position % 3 == 2 else finding


def agreements_demo_reviews() -> dict[str, int]:
    """Most reviews are closed with a finding after comments; the newest stay open, some discussed.

    Each step goes through the review services (and the audit log); the dates are then set back to
    the days after the action, so the reviews' ages read as they would have."""
    reviews = list(
        Review.objects.select_related("interaction__enforcement", "school", "district").order_by(
            "interaction__occurred_at"
        )
    )
    states = {"closed": 0, "discussed": 0, "open": 0}
    # Each agency's newest reviews stay open, so every program's supervisor, chief and officers have
    # some waiting (and its superintendent and principals see them).
    per_agency = Counter(review.agency_id for review in reviews)
    seen: Counter[int] = Counter()
    for position, review in enumerate(reviews):
        seen[review.agency_id] += 1
        supervisor = _member(UserRole.SUPERVISOR, agency_id=review.agency_id)
        school_admin = _member(UserRole.SCHOOL_ADMIN, school=review.school) or _member(
            UserRole.DISTRICT_ADMIN, district=review.district
        )
        happened = review.interaction.occurred_at
        Review.objects.filter(pk=review.pk).update(opened_at=happened + datetime.timedelta(hours=1))
        finding = _finding(review, position)
        newest = per_agency[review.agency_id] - seen[review.agency_id] + 1
        if supervisor is None or newest == 1:
            states["open"] += 1
            continue
        review_comment(actor=supervisor, review=review, text=SUPERVISOR_SAYS[finding])
        if school_admin is not None:
            review_comment(actor=school_admin, review=review, text=SCHOOL_SAYS[finding])
        if newest <= STILL_OPEN:
            states["discussed"] += 1
        else:
            review_close(actor=supervisor, review=review, finding=finding, comment=CLOSING[finding])
            took = close_after_days(position)
            Review.objects.filter(pk=review.pk).update(closed_at=happened + datetime.timedelta(days=took))
            states["closed"] += 1
            _backdate_comments(review, happened, took)
            continue
        _backdate_comments(review, happened, OPEN_DISCUSSION_DAYS)
    return states


# How long closing took: some the next day, most within two weeks, a few after a month (a supervisor
# on leave, a video to request), so the reviews page and the queues show ages as a real program's do.
CLOSE_AFTER_DAYS = (1, 4, 9, 2, 14, 6, 31, 3, 11, 45, 7, 20)
OPEN_DISCUSSION_DAYS = 3  # the reviews still open: the supervisor asked on day 1, the school answered on day 2


def close_after_days(position: int) -> int:
    return CLOSE_AFTER_DAYS[position % len(CLOSE_AFTER_DAYS)]


def _backdate_comments(review: Review, happened: datetime.datetime, took: int) -> None:
    """The supervisor's question a third of the way, the school's answer two thirds of the way, and
    the closing comment on the day the review closed (or, still open, on days one and two)."""
    span = datetime.timedelta(days=took)
    for comment, share in zip(review.comments.order_by("pk"), (1 / 3, 2 / 3, 1), strict=False):
        ReviewComment.objects.filter(pk=comment.pk).update(created_at=happened + span * share)
