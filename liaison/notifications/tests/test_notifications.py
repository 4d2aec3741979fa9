"""Notifications arrive for each event, in the app and by e-mail as each person chose; an e-mail never
carries a justification, a note, a comment or a student's details; everyone sees only their own."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from liaison.agreements import services as agreements
from liaison.agreements.tests.mous import draft_mou, flagged_action, mou_in_force
from liaison.interactions.services import interaction_record
from liaison.interactions.vocabulary import Disability, RaceEthnicity, Sex
from liaison.notifications.models import Notification
from liaison.notifications.services import digest_send, notifications_mark_read, preference_set
from liaison.notifications.vocabulary import Delivery, Kind
from liaison.operations.scheduler import registered_job
from liaison.programs.tests.programs import STUDENT_ID, relationship
from liaison.workflows.tests.pending import NOON_IN_MILLBROOK, noon

__all__ = ["noon"]  # fixture

LIST = reverse("notifications:list")
READ = reverse("notifications:mark_read")
PREFERENCES = reverse("notifications:preferences")
BADGE = reverse("notifications:badge")
SECRET = "ZEBRA-7731"  # planted in every free text a flagged action and its review can carry


@pytest.fixture
def addressed(world):
    """Everyone in the cast has an e-mail address."""
    for role, user in world.users.items():
        if user is not None:
            user.email = f"{role}@example.org"
            user.save(update_fields=["email"])
    return world


def _told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def _mailed(mailoutbox) -> set[str]:
    return {message.to[0].split("@")[0] for message in mailoutbox}


def test_submitting_a_version_asks_both_signers_at_once(addressed, mailoutbox, django_capture_on_commit_callbacks):
    version = draft_mou(addressed).versions.get()
    with django_capture_on_commit_callbacks(execute=True):
        agreements.version_submit(actor=addressed.users["agency_admin"], version=version, acknowledge_missing=True)
    assert _told(Kind.SIGNATURE) == {"agency_admin", "district_admin"}
    assert _mailed(mailoutbox) == {"agency_admin", "district_admin"}
    assert mailoutbox[0].subject == "Liaison: A signature is requested"
    assert f"http://localhost:8000{reverse('agreements:detail', args=[version.agreement.uuid])}" in mailoutbox[0].body


def test_a_flagged_action_tells_the_agencys_supervisor_and_chief(
    addressed, mailoutbox, django_capture_on_commit_callbacks
):
    mou_in_force(addressed)
    with django_capture_on_commit_callbacks(execute=True):
        review = flagged_action(addressed)
    assert _told(Kind.REVIEW_OPENED) == {"agency_admin", "supervisor"}
    assert _mailed(mailoutbox) == {"agency_admin", "supervisor"}
    assert Notification.objects.filter(url=reverse("agreements:review_detail", args=[review.uuid])).count() == 2


def test_a_comment_tells_the_officer_and_the_managers_but_not_its_author(
    addressed, mailoutbox, django_capture_on_commit_callbacks
):
    mou_in_force(addressed)
    review = flagged_action(addressed)
    with django_capture_on_commit_callbacks(execute=True):
        agreements.review_comment(actor=addressed.users["supervisor"], review=review, text="Who was consulted?")
    assert _told(Kind.REVIEW_COMMENT) == {"officer", "agency_admin"}
    assert _mailed(mailoutbox) == {"officer", "agency_admin"}


def test_an_enforcement_action_on_a_mentee_tells_the_supervisor(
    addressed, mailoutbox, django_capture_on_commit_callbacks, noon
):
    from liaison.programs.tests.programs import enforcement

    relationship(addressed)
    with django_capture_on_commit_callbacks(execute=True):
        enforcement(addressed, STUDENT_ID)
    assert _told(Kind.MENTEE_NOTICE) == {"agency_admin", "supervisor"}
    assert {m.subject for m in mailoutbox} >= {"Liaison: An enforcement action on a mentee"}


def test_no_email_carries_a_justification_a_note_a_comment_or_a_students_details(
    addressed, mailoutbox, django_capture_on_commit_callbacks, noon
):
    """The attack: every free text and demographic a flagged action on a mentee can carry is planted
    with a marker, every event is raised and the digest sent; nothing planted may leave in an e-mail."""
    world = addressed
    today = NOON_IN_MILLBROOK.date()
    agreement = mou_in_force(world, effective_date=today - datetime.timedelta(days=60))
    relationship(world, goals=f"Goals {SECRET}")
    preference_set(user=world.users["agency_admin"], kind=Kind.REVIEW_COMMENT, delivery=Delivery.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        recorded = interaction_record(
            actor=world.officer.user,
            officer=world.officer,
            school=world.elementary,
            kind="enforcement",
            occurred_at=NOON_IN_MILLBROOK - datetime.timedelta(hours=1),
            note=f"Note {SECRET}",
            justification=f"Justification {SECRET}",
            enforcement={
                "action_type": "arrest",
                "reason_category": "tobacco_vaping",
                "requested_by": "administrator",
                "admin_consulted": True,
                "admin_consulted_role": "administrator",
                "demographics_source": "perceived",
                "race_ethnicity": RaceEthnicity.AMERICAN_INDIAN_ALASKA_NATIVE,
                "sex": Sex.FEMALE,
                "disability": Disability.IDEA,
                "english_learner": "yes",
                "student_grade": "07",
                "student_id": STUDENT_ID,
            },
        )
        review = recorded.interaction.review
        agreements.review_comment(actor=world.users["supervisor"], review=review, text=f"Comment {SECRET}")
        renewal = agreements.version_new_draft(
            actor=world.users["agency_admin"], agreement=agreement, effective_date=today + datetime.timedelta(days=9)
        )
        agreements.version_submit(actor=world.users["agency_admin"], version=renewal, acknowledge_missing=True)
    digest_send()
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {Kind.REVIEW_OPENED, Kind.REVIEW_COMMENT, Kind.MENTEE_NOTICE, Kind.SIGNATURE}
    assert any(m.subject.endswith("waiting for you") for m in mailoutbox)  # the digest went too
    forbidden = [SECRET, STUDENT_ID, "Grade 7", "grade 7"]
    forbidden += [str(label) for label in (*RaceEthnicity.labels, *Sex.labels, *Disability.labels)]
    forbidden = [f for f in forbidden if f.lower() not in {"unknown", "none", "other"}]
    for message in mailoutbox:
        text = f"{message.subject}\n{message.body}"
        for planted in forbidden:
            assert planted not in text, (planted, message.subject)
    for summary in Notification.objects.values_list("summary", flat=True):
        assert SECRET not in summary and STUDENT_ID not in summary


# --- how each person chooses ---------------------------------------------------------------------------


def test_a_kind_chosen_for_the_digest_waits_for_the_daily_email_and_goes_once(
    addressed, mailoutbox, django_capture_on_commit_callbacks
):
    preference_set(user=addressed.users["supervisor"], kind=Kind.REVIEW_OPENED, delivery=Delivery.DIGEST)
    mou_in_force(addressed)
    with django_capture_on_commit_callbacks(execute=True):
        flagged_action(addressed)
    assert _mailed(mailoutbox) == {"agency_admin"}
    assert digest_send() == 1
    digest = mailoutbox[-1]
    assert digest.to == ["supervisor@example.org"]
    assert digest.subject == "Liaison: 1 item(s) waiting for you"
    assert "A review was opened" in digest.body
    assert digest_send() == 0  # each notification is in one digest only


def test_in_app_only_sends_no_email_at_all(addressed, mailoutbox, django_capture_on_commit_callbacks):
    for role in ("agency_admin", "supervisor"):
        preference_set(user=addressed.users[role], kind=Kind.REVIEW_OPENED, delivery=Delivery.IN_APP)
    mou_in_force(addressed)
    with django_capture_on_commit_callbacks(execute=True):
        flagged_action(addressed)
    digest_send()
    assert mailoutbox == []
    assert _told(Kind.REVIEW_OPENED) == {"agency_admin", "supervisor"}


def test_the_preferences_page_saves_each_persons_choice(addressed, page_as):
    response = page_as("officer").post(PREFERENCES, {k: Delivery.IN_APP for k in Kind.values})
    assert response.status_code == 302
    page = page_as("officer").get(PREFERENCES)
    assert page.context["form"].fields[Kind.REVIEW_COMMENT].initial == Delivery.IN_APP
    assert page_as("supervisor").get(PREFERENCES).context["form"].fields[Kind.REVIEW_COMMENT].initial == (
        Delivery.AT_ONCE
    )


def test_the_daily_job_is_registered_with_the_worker_and_announces_mou_reminders(addressed, mailoutbox):
    job = registered_job("notifications_daily")
    assert job is not None and job.every == datetime.timedelta(days=1)
    result = job.func()  # Harlow has an officer and no MOU: its chief and superintendent are told
    assert {"outsider_agency_admin", "outsider_district_admin"} <= _told(Kind.MOU_DUE)
    assert "digest" in result
    assert {"outsider_agency_admin", "outsider_district_admin"} <= _mailed(mailoutbox)
    job.func()
    assert Notification.objects.filter(kind=Kind.MOU_DUE, user=addressed.users["outsider_agency_admin"]).count() == 1


# --- scoped to their owner, for every role -------------------------------------------------------------


@pytest.fixture
def one_each(addressed):
    """One unread notification for every signed-in member of the cast."""
    from liaison.notifications.services import Announcement, notification_send

    for role, user in addressed.users.items():
        if user is not None:
            notification_send(
                users=[user],
                announcement=Announcement(kind=Kind.MOU_DUE, summary=f"For {role}", url="/mou/", key=f"test:{role}"),
            )
    return addressed


SIGNED_IN = [
    "platform_admin",
    "agency_admin",
    "supervisor",
    "officer",
    "district_admin",
    "school_admin",
    "evaluator",
    "outsider_agency_admin",
    "outsider_district_admin",
]


@pytest.mark.parametrize("role", SIGNED_IN)
def test_each_role_sees_only_their_own_notifications(one_each, page_as, api_as, role):
    page = page_as(role).get(LIST)
    assert page.status_code == 200
    shown = {n.summary for n in page.context["unread"]}
    assert shown == {f"For {role}"}
    assert [n["summary"] for n in api_as(role).get("/api/v1/me/notifications").json()] == [f"For {role}"]
    assert 'data-unread-count="1"' in page_as(role).get(BADGE).text
    assert page_as(role).get(PREFERENCES).status_code == 200


@pytest.mark.parametrize("role", ["officer", "evaluator"])
def test_nobody_can_mark_anothers_notification_read(one_each, page_as, api_as, role):
    others = Notification.objects.exclude(user=one_each.users[role])
    victim = others.get(user=one_each.users["agency_admin"])
    page_as(role).post(READ, {"notification": str(victim.uuid)})
    assert api_as(role).post("/api/v1/me/notifications/read", {"notifications": [str(victim.uuid)]}).json() == {
        "marked": 0
    }
    page_as(role).post(READ, {})  # "mark all" is all of one's own
    victim.refresh_from_db()
    assert victim.read_at is None
    assert Notification.objects.get(user=one_each.users[role]).read_at is not None
    assert notifications_mark_read(user=one_each.users[role]) == 0


def test_marking_one_read_moves_it_to_read(one_each, page_as):
    mine = Notification.objects.get(user=one_each.users["supervisor"])
    response = page_as("supervisor").post(READ, {"notification": str(mine.uuid)})
    assert response.status_code == 302
    page = page_as("supervisor").get(LIST)
    assert page.context["unread"] == [] and [n.pk for n in page.context["read"]] == [mine.pk]


@pytest.mark.parametrize("url", [LIST, PREFERENCES, BADGE])
def test_anonymous_is_sent_to_sign_in(world, client, api_as, url):
    assert client.get(url).url.startswith(reverse("accounts:login"))
    assert client.post(READ, {}).url.startswith(reverse("accounts:login"))
    assert api_as("anonymous").get("/api/v1/me/notifications").status_code == 401
