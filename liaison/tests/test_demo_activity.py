"""`manage.py load_demo`: the MOUs and the year of activity it adds to the three programs."""

from __future__ import annotations

import datetime

from django.db.models import Count, Sum

from liaison.agreements.models import Agreement, AgreementVersion, Evaluation, Review
from liaison.agreements.selectors import mou_reminders, version_completeness, version_status
from liaison.agreements.vocabulary import Element, ElementState, Outcome, ReminderKind, VersionStatus
from liaison.conftest import DEMO_TODAY
from liaison.directory.demo_calendar import demo_school_days
from liaison.directory.models import District, Officer, Partnership, School
from liaison.insights.access import EquityScope
from liaison.insights.crdc import crdc_counts
from liaison.interactions.demo import ASH_STREET_MIDDLE, WEXLEY_ELEMENTARY, demo_gaps
from liaison.interactions.models import Amendment, DailyRollup, Interaction
from liaison.interactions.vocabulary import POSITIVE_KINDS, Kind
from liaison.programs.models import LiaisonMeeting, MentoringRelationship, Session
from liaison.programs.selectors import relationships_dosage, schools_consistency, schools_without_check_in
from liaison.programs.vocabulary import LiaisonMeetingKind, RelationshipStatus, SessionStatus
from liaison.surveys import selectors as survey_selectors
from liaison.surveys.models import Wave, WaveSchool

TODAY = DEMO_TODAY


# --- the command -----------------------------------------------------------------------------------


def test_it_says_what_it_loaded(demo):
    assert "7 MOUs" in demo
    assert f"up to {TODAY:%Y-%m-%d}" in demo


# --- MOUs ------------------------------------------------------------------------------------------


def test_every_partnership_has_an_mou_in_force_today(demo):
    for partnership in Partnership.objects.all():
        versions = AgreementVersion.objects.filter(agreement__partnership=partnership)
        statuses = [version_status(version, TODAY) for version in versions]
        assert statuses.count(VersionStatus.IN_FORCE) == 1, partnership


def test_one_mou_has_a_revision_in_draft(demo):
    drafts = [v for v in AgreementVersion.objects.all() if version_status(v, TODAY) == VersionStatus.DRAFT]
    assert len(drafts) == 1
    assert drafts[0].number == 2
    assert drafts[0].agreement.district.name == "Port Calder City Schools"


def test_signed_versions_carry_both_signatures_and_the_town_superseded_its_first(demo):
    town = Agreement.objects.get(district__name="Kestrel Falls School District")
    first, second = town.versions.order_by("number")
    # Renewed with effect from 1 July, the start of the school year.
    assert second.effective_date == datetime.date(2025, 7, 1)
    assert version_status(first, datetime.date(2025, 6, 30)) == VersionStatus.IN_FORCE
    assert version_status(first, TODAY) == VersionStatus.SUPERSEDED
    assert version_status(second, TODAY) == VersionStatus.IN_FORCE
    for version in (first, second):
        assert all(s.signed_at and s.signed_hash == version.content_hash for s in version.signatories.all())
    assert town.published


def test_mous_are_complete_but_one_rural_mou_left_two_elements_empty(demo):
    gaps = {}
    for version in AgreementVersion.objects.filter(fully_signed_at__isnull=False):
        empty = {row.element for row in version_completeness(version).elements if row.state != ElementState.PRESENT}
        if empty:
            gaps[version.agreement.district.name] = empty
    assert gaps == {"Blue Mound R-IV School District": {Element.FUNDING, Element.PUBLICATION}}


def test_reminders_show_an_overdue_review_and_an_mou_about_to_expire(demo):
    kinds = {(r.kind, r.district.name) for r in mou_reminders(today=TODAY) if r.district is not None}
    assert (ReminderKind.REVIEW_DUE, "Harmon Ridge Local Schools") in kinds
    assert (ReminderKind.EXPIRING, "Wexley R-III School District") in kinds


# --- contacts --------------------------------------------------------------------------------------


def test_a_year_of_mostly_positive_contacts_on_school_days_only(demo):
    records = Interaction.objects.all()
    assert 5_000 <= records.count() <= 50_000
    positive = records.filter(kind__in=POSITIVE_KINDS).count()
    assert positive / records.count() > 0.75  # the rest: liaison work (staff, safety) and a few actions
    assert records.exclude(kind=Kind.ENFORCEMENT).count() / records.count() > 0.97
    days = set(records.values_list("occurred_on", flat=True).distinct())
    assert days <= set(demo_school_days(TODAY - datetime.timedelta(days=364), TODAY))
    assert not any(day.weekday() >= 5 or (day.month, day.day) >= (12, 22) for day in days)


def test_every_assigned_officer_has_records_this_week(demo):
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    active = Officer.objects.filter(assignments__end_date__isnull=True).distinct()
    this_week = Interaction.objects.filter(occurred_on__gte=monday, occurred_on__lte=TODAY)
    assert set(active) == {record.officer for record in this_week.select_related("officer")}


def test_instruction_is_concentrated_in_a_few_weeks_per_school(demo):
    school = School.objects.get(name="Kestrel Falls High School")
    per_week = (
        Interaction.objects.filter(school=school, kind=Kind.INSTRUCTION)
        .values_list("occurred_on", flat=True)
        .order_by("occurred_on")
    )
    weeks: dict[datetime.date, int] = {}
    for day in per_week:
        monday = day - datetime.timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0) + 1
    busiest = sorted(weeks.values(), reverse=True)[:5]
    assert sum(busiest) > 0.5 * sum(weeks.values())


def test_one_school_has_six_weeks_without_its_officer(demo):
    school = School.objects.get(nces_id=WEXLEY_ELEMENTARY)
    days = sorted(set(Interaction.objects.filter(school=school).values_list("occurred_on", flat=True)))
    longest = max(later - earlier for earlier, later in zip(days, days[1:], strict=False))
    assert longest >= datetime.timedelta(weeks=6)
    # The deputy kept working at her other schools.
    officer = Interaction.objects.filter(school=school).first().officer
    elsewhere = Interaction.objects.filter(officer=officer).exclude(school=school)
    assert elsewhere.filter(occurred_on__month__in=[2, 3]).exists()


def test_the_rollups_count_every_record_that_counts(demo):
    counted = DailyRollup.objects.aggregate(n=Sum("count"))["n"]
    assert counted == Interaction.objects.filter(voided=False).count()


def test_one_record_was_voided_and_one_amended_and_both_are_kept(demo):
    assert Interaction.objects.filter(voided=True).count() == 1
    assert Amendment.objects.filter(voids=True).count() == 1
    assert Amendment.objects.filter(voids=False).count() == 1


# --- enforcement actions and their reviews -----------------------------------------------------------


def test_a_small_number_of_enforcement_actions_each_evaluated_against_the_mou(demo):
    actions = Interaction.objects.filter(kind=Kind.ENFORCEMENT)
    assert 30 <= actions.count() <= 150
    assert Evaluation.objects.count() == actions.count()
    outcomes = dict(Evaluation.objects.values_list("outcome").annotate(n=Count("id")))
    assert outcomes[Outcome.WITHIN] > outcomes[Outcome.OUTSIDE]
    assert outcomes[Outcome.NO_MOU] >= 1


def test_every_flagged_action_has_a_review_with_the_officers_justification(demo):
    flagged = Evaluation.objects.exclude(outcome=Outcome.WITHIN)
    reviews = Review.objects.filter(interaction__in=flagged.values("interaction"))
    assert reviews.count() == flagged.count()
    assert all(review.justification for review in reviews)
    assert Review.objects.count() == flagged.count()


def test_reviews_are_in_several_states(demo):
    closed = Review.objects.filter(closed_at__isnull=False)
    assert closed.values("finding").distinct().count() >= 3
    open_reviews = Review.objects.filter(closed_at__isnull=True).annotate(said=Count("comments"))
    assert open_reviews.filter(said=0).exists()
    assert open_reviews.filter(said__gt=0).exists()
    assert all(review.opened_at.date() <= TODAY for review in Review.objects.all())


def test_enforcement_demographics_come_from_the_schools_enrolment(demo):
    city = Interaction.objects.filter(kind=Kind.ENFORCEMENT, agency__name="Port Calder Division of Police")
    races = set(city.values_list("enforcement__race_ethnicity", flat=True))
    assert len(races) >= 3


# --- programs: classes, mentoring, presence, check-ins ------------------------------------------------


def test_classes_are_taught_all_year_and_each_delivered_class_is_one_instruction_contact(demo):
    delivered = Session.objects.filter(status=SessionStatus.DELIVERED)
    assert delivered.count() >= 100
    assert delivered.values("school").distinct().count() >= 10
    assert delivered.dates("starts_on", "month").count() >= 8, "classes across the school year, not one month"
    assert not delivered.filter(interaction__isnull=True).exists()
    assert not delivered.exclude(interaction__kind=Kind.INSTRUCTION).exists()
    assert Interaction.objects.filter(program_session__in=delivered).count() == delivered.count()
    assert Session.objects.filter(status=SessionStatus.SCHEDULED, starts_on__gt=TODAY).exists(), "classes ahead"
    assert not Session.objects.filter(status=SessionStatus.SCHEDULED, starts_on__lt=TODAY).exists()


def test_a_few_mentoring_relationships_keyed_never_named_with_consent_and_meetings(demo):
    relationships = list(MentoringRelationship.objects.all())
    assert 3 <= len(relationships) <= 6
    for relationship in relationships:
        assert relationship.student_key and not relationship.student_key.startswith(("PC-", "HR-", "KF-"))
        assert relationship.co_contact_name and relationship.consent_on <= relationship.started_on
        assert relationship.meetings.exists()
        assert all(meeting.interaction.kind == Kind.MENTORING for meeting in relationship.meetings.all())
    active = MentoringRelationship.objects.filter(status=RelationshipStatus.ACTIVE)
    quiet = [dosage for dosage in relationships_dosage(active, as_of=TODAY) if dosage.days_since_last > 30]
    assert len(quiet) == 1, "one active relationship has gone a month without a meeting"


def test_presence_shows_the_demo_gaps_and_steady_presence_elsewhere(demo):
    schools = School.objects.filter(assignments__isnull=False).distinct()
    figures = {row.school.nces_id: row for row in schools_consistency(schools, school_year="2025-2026", as_of=TODAY)}
    for nces_id, (first, last) in demo_gaps(TODAY).items():
        gap = figures[nces_id].longest_gap
        assert gap.days >= 20, "weeks of school days without the officer (breaks are not school days)"
        week = datetime.timedelta(days=7)  # a quiet day at either edge may lengthen it a little
        assert abs(gap.first - first) < week and abs(gap.last - last) < week, "the figures find the demo's gap"
    steady = [row for nces_id, row in figures.items() if nces_id not in (WEXLEY_ELEMENTARY, ASH_STREET_MIDDLE)]
    assert steady and all(row.longest_gap.days < 10 for row in steady)
    assert all(row.week_share is not None and row.week_share > 0.9 for row in steady)


def test_the_gap_school_is_listed_without_a_recent_mou_check_in(demo):
    due = {row.school.nces_id for row in schools_without_check_in(School.objects.all(), as_of=TODAY)}
    assert ASH_STREET_MIDDLE in due
    held = LiaisonMeeting.objects.filter(kind=LiaisonMeetingKind.MOU_CHECK_IN, status="held")
    assert held.values("school").distinct().count() >= 10


# --- trust surveys ---------------------------------------------------------------------------------


def test_a_fall_and_a_spring_student_wave_in_every_district_and_an_open_family_wave(demo):
    assert "15 survey waves" in demo
    assert Wave.objects.values("district").distinct().count() == District.objects.count() == 7
    titles = sorted(Wave.objects.values_list("title", "status"))
    assert ("Fall 2025 students", "closed") in titles and ("Spring 2026 students", "closed") in titles
    assert ("May 2026 families", "open") in titles


def test_trust_rises_at_most_schools_stays_flat_at_one_and_one_school_is_suppressed(demo):
    spring = WaveSchool.objects.filter(wave__title="Spring 2026 students").select_related("school", "wave__instrument")
    changes = {}
    for wave_school in spring:
        history = survey_selectors.school_history(wave_school)
        (_, before), (_, after) = history
        if after.suppressed:
            changes[wave_school.school.name] = "suppressed"
            continue
        changes[wave_school.school.name] = round(after.trust.mean - before.trust.mean)
    assert changes["Whitcomb Middle School"] == "suppressed"
    assert abs(changes["Port Calder West High School"]) <= 3  # flat
    assert sum(1 for v in changes.values() if v != "suppressed" and v >= 5) >= 3, changes


def test_about_a_third_answer_the_open_question_and_the_school_side_can_read_them(demo):
    wave_school = WaveSchool.objects.select_related("school", "wave__instrument").get(
        wave__title="Spring 2026 students", school__name="Port Calder East High School"
    )
    found = survey_selectors.open_answers(wave_school)
    respondents = wave_school.responses.count()
    assert not found.suppressed and found.withheld == 0
    assert 0.2 * respondents <= sum(answer.count for answer in found.answers) <= 0.5 * respondents


def test_one_school_reported_fewer_arrests_than_the_officers_recorded(demo):
    district = District.objects.get(name="Port Calder City Schools")
    counted = crdc_counts(EquityScope(district, None, None, suppressed=False), "2025-2026")
    reported = [c for c in counted if c.reported is not None]
    assert reported and all(c.gap("referred") is not None for c in reported)
    assert [c.school.name for c in reported if (c.gap("arrested") or 0) > 0] != []
    assert sum(1 for c in reported if c.gap("arrested") == 0) >= 1


def test_two_mous_are_public_and_one_shows_its_programs_figures(demo):
    published = Agreement.objects.filter(published=True)
    assert published.count() == 2
    assert list(published.filter(figures_published=True).values_list("district__name", flat=True)) == [
        "Port Calder City Schools"
    ]


# --- work queues and notifications (issue 18) -----------------------------------------------------------


def test_reviews_were_closed_at_varied_speeds(demo):
    took = [(r.closed_at - r.opened_at).days for r in Review.objects.filter(closed_at__isnull=False)]
    assert min(took) <= 1 and max(took) >= 30
    assert len(set(took)) >= 6


def test_every_agency_has_open_reviews_and_a_renewal_awaits_the_wexley_superintendent(demo):
    from liaison.directory.models import Agency

    for agency in Agency.objects.all():
        assert Review.objects.filter(agency=agency, closed_at__isnull=True).exists(), agency
    awaiting = [
        v for v in AgreementVersion.objects.all() if version_status(v, TODAY) == VersionStatus.AWAITING_SIGNATURES
    ]
    assert [v.agreement.district.name for v in awaiting] == ["Wexley R-III School District"]


def test_each_demo_roles_home_shows_pending_items(demo):
    from collections import defaultdict

    from liaison.accounts.models import User
    from liaison.directory.demo import demo_logins
    from liaison.workflows.queues import queue_for

    by_role: dict[str, list[str]] = defaultdict(list)
    for login in demo_logins():
        by_role[login.role].append(login.username)
    acting = {"Officer", "SRO supervisor", "Agency admin (chief)", "District admin (superintendent)"}
    for role, usernames in by_role.items():
        queues = {name: queue_for(User.objects.get(username=name)) for name in usernames}
        if role in acting:
            assert any(q.waiting for q in queues.values()), role
        elif role != "Platform admin (superuser)":
            for name, queue in queues.items():
                assert any(section.items for section in queue.sections), name


def test_the_demo_keeps_its_history_of_notifications_without_emailing_it(demo):
    from liaison.notifications.models import Notification

    assert Notification.objects.filter(read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=False).exists()
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert Notification.objects.filter(kind="signature", read_at__isnull=True).get().user.username == (
        "wexley.superintendent"
    )
