"""MOU reminders: reviews due, versions expiring, schools with officers but no MOU in force — through the
selector, the API and the daily command."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from liaison.agreements import selectors, services
from liaison.agreements.evaluation import version_in_force
from liaison.agreements.tests.mous import draft_mou, sign_all
from liaison.agreements.vocabulary import ReminderKind
from liaison.directory import services as directory

TODAY = datetime.date(2026, 6, 1)


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def _mou(world, *, title: str = "Millbrook SRO MOU", **terms):
    """An MOU in force on TODAY with the given dates (review due far off unless named)."""
    mou = draft_mou(world, title=title)
    version = mou.versions.get()
    terms.setdefault("review_due_date", _days(365))
    services.version_update(actor=world.users["agency_admin"], version=version, **terms)
    sign_all(world, version)
    return mou


def _kinds(reminders) -> list[tuple[str, str]]:
    return [(r.kind, r.agency.name) for r in reminders]


def _for(reminders, kind: ReminderKind) -> list[selectors.Reminder]:
    return [r for r in reminders if r.kind == kind]


# --- reviews due and versions expiring -----------------------------------------------------------------


def test_an_mou_whose_review_is_due_within_60_days_is_listed(world):
    mou = _mou(world, review_due_date=_days(60))
    [reminder] = _for(selectors.mou_reminders(today=TODAY), ReminderKind.REVIEW_DUE)
    assert (reminder.agreement, reminder.version.number, reminder.days_left) == (mou, 1, 60)
    assert reminder.message == selectors.REVIEW_DUE.format(title=mou.title, number=1, due=_days(60))


def test_a_review_due_in_61_days_is_not_yet_listed(world):
    _mou(world, review_due_date=_days(61))
    assert _for(selectors.mou_reminders(today=TODAY), ReminderKind.REVIEW_DUE) == []


def test_an_overdue_review_is_listed_as_overdue(world):
    mou = _mou(world, review_due_date=_days(-5))
    [reminder] = _for(selectors.mou_reminders(today=TODAY), ReminderKind.REVIEW_DUE)
    assert reminder.days_left == -5
    assert reminder.message == selectors.REVIEW_OVERDUE.format(title=mou.title, number=1, due=_days(-5))


def test_a_version_expiring_within_60_days_is_listed(world):
    _mou(world, expiry_date=_days(30))
    [reminder] = _for(selectors.mou_reminders(today=TODAY), ReminderKind.EXPIRING)
    assert (reminder.due, reminder.days_left) == (_days(30), 30)


def test_an_expiring_version_with_a_signed_successor_is_not_listed(world):
    mou = _mou(world, expiry_date=_days(30))
    successor = services.version_new_draft(actor=world.users["agency_admin"], agreement=mou, effective_date=_days(31))
    sign_all(world, successor)
    assert _for(selectors.mou_reminders(today=TODAY), ReminderKind.EXPIRING) == []


def test_a_draft_mou_has_no_review_or_expiry_reminders(world):
    draft_mou(world)
    assert {r.kind for r in selectors.mou_reminders(today=TODAY)} == {ReminderKind.NO_MOU}


# --- schools with officers and no MOU --------------------------------------------------------------------


def test_schools_with_officers_assigned_but_no_mou_in_force_are_listed(world):
    reminders = _for(selectors.mou_reminders(today=TODAY), ReminderKind.NO_MOU)
    assert {(r.agency, r.school) for r in reminders} == {
        (world.agency, world.elementary),
        (world.other_agency, world.other_school),
    }
    millbrook = next(r for r in reminders if r.agency == world.agency)
    assert millbrook.message == selectors.NO_MOU.format(agency=world.agency.name, school=world.elementary.name)


def test_an_mou_in_force_at_the_school_clears_its_reminder(world):
    _mou(world)
    schools = {r.school for r in _for(selectors.mou_reminders(today=TODAY), ReminderKind.NO_MOU)}
    assert schools == {world.other_school}


def test_an_mou_that_does_not_cover_the_school_leaves_its_reminder(world):
    _mou(world, schools=[world.high])
    schools = {r.school for r in _for(selectors.mou_reminders(today=TODAY), ReminderKind.NO_MOU)}
    assert world.elementary in schools


def test_an_ended_assignment_needs_no_mou(world):
    directory.assignment_end(actor=world.users["platform_admin"], assignment=world.assignment, end_date=_days(-1))
    schools = {r.school for r in selectors.mou_reminders(today=TODAY)}
    assert world.elementary not in schools


def test_the_no_mou_reminder_agrees_with_the_evaluation(world):
    _mou(world, schools=[world.high])
    flagged = {(r.agency.pk, r.school.pk) for r in _for(selectors.mou_reminders(today=TODAY), ReminderKind.NO_MOU)}
    for agency_id, school_id in flagged:
        assert version_in_force(agency_id=agency_id, school_id=school_id, on=TODAY) is None


# --- scope ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("agency_admin", {"Millbrook Police Department"}),
        ("officer", {"Millbrook Police Department"}),
        ("school_admin", {"Millbrook Police Department"}),
        ("outsider_agency_admin", {"Harlow County Sheriff's Office"}),
        ("outsider_district_admin", {"Harlow County Sheriff's Office"}),
        ("platform_admin", {"Millbrook Police Department", "Harlow County Sheriff's Office"}),
    ],
)
def test_each_user_sees_only_their_own_reminders(world, role, expected):
    _mou(world, review_due_date=_days(10), schools=[world.high])
    reminders = selectors.mou_reminders(today=TODAY, user=world.users[role])
    assert {r.agency.name for r in reminders} == expected


def test_an_officer_is_not_told_about_schools_they_do_not_serve(world):
    colleague = directory.officer_create(
        actor=world.users["platform_admin"],
        agency=world.agency,
        username="colleague",
        first_name="Cal",
        last_name="Colleague",
        badge_number="9",
    )
    directory.assignment_create(
        actor=world.users["platform_admin"], officer=colleague, school=world.high, start_date=_days(-30)
    )
    officer_sees = {r.school for r in selectors.mou_reminders(today=TODAY, user=world.users["officer"])}
    chief_sees = {r.school for r in selectors.mou_reminders(today=TODAY, user=world.users["agency_admin"])}
    assert (officer_sees, chief_sees) == ({world.elementary}, {world.elementary, world.high})


def test_reminders_can_be_limited_to_one_agency(world):
    reminders = selectors.mou_reminders(today=TODAY, agency=world.other_agency)
    assert _kinds(reminders) == [(ReminderKind.NO_MOU, world.other_agency.name)]


def test_reminders_come_soonest_first(world):
    _mou(world, review_due_date=_days(50), expiry_date=_days(20), schools=[world.high])
    assert [r.due for r in selectors.mou_reminders(today=TODAY, agency=world.agency)] == [TODAY, _days(20), _days(50)]


# --- the API -------------------------------------------------------------------------------------------------


def test_the_api_lists_the_callers_reminders(api_as, world):
    mou = _mou(world, review_due_date=_days(10))
    body = api_as("district_admin").get("/agreements/reminders", on=TODAY.isoformat()).json()
    assert body["on"] == TODAY.isoformat()
    [reminder] = body["reminders"]
    assert (reminder["kind"], reminder["agreement"], reminder["version_number"], reminder["days_left"]) == (
        "review_due",
        str(mou.uuid),
        1,
        10,
    )
    assert reminder["school"] is None


def test_the_api_names_the_school_without_an_mou(api_as, world):
    [reminder] = api_as("school_admin").get("/agreements/reminders", on=TODAY.isoformat()).json()["reminders"]
    assert (reminder["kind"], reminder["school"], reminder["agreement"]) == ("no_mou", str(world.elementary.uuid), None)


def test_the_api_keeps_to_a_query_budget(api_as, world, django_assert_max_num_queries):
    for n in range(5):
        _mou(world, title=f"MOU {n}", review_due_date=_days(n))
    api = api_as("agency_admin")
    with django_assert_max_num_queries(10):
        assert len(api.get("/agreements/reminders", on=TODAY.isoformat()).json()["reminders"]) == 5


# --- the daily command ------------------------------------------------------------------------------------------


def _run(**options) -> str:
    out = io.StringIO()
    call_command("mou_reminders", on=TODAY, stdout=out, **options)
    return out.getvalue()


def test_the_command_prints_every_agencys_reminders(world):
    mou = _mou(world, expiry_date=_days(45), schools=[world.high])
    output = _run()
    assert selectors.EXPIRING.format(title=mou.title, number=1, due=_days(45)) in output
    assert selectors.NO_MOU.format(agency=world.agency.name, school=world.elementary.name) in output
    assert selectors.NO_MOU.format(agency=world.other_agency.name, school=world.other_school.name) in output
    assert output.splitlines()[-1] == "3 MOU reminder(s)."


def test_the_command_can_be_limited_to_one_agency(world):
    output = _run(agency=str(world.other_agency.uuid))
    assert world.other_school.name in output
    assert world.elementary.name not in output


def test_the_command_says_when_nothing_is_due(world):
    _mou(world)
    assert _run(agency=str(world.agency.uuid)).strip() == "No MOU reminders."


def test_the_command_refuses_an_unknown_agency(world):
    with pytest.raises(CommandError, match="No agency with the id"):
        _run(agency="not-a-uuid")


# --- by e-mail (the daily run with --email) --------------------------------------------------------


def _addresses(world, **emails: str) -> None:
    for role, address in emails.items():
        user = world.users[role]
        user.email = address
        user.save(update_fields=["email"])


def test_the_daily_run_emails_each_signer_the_reminders_that_concern_them(world, mailoutbox):
    _addresses(
        world,
        agency_admin="chief@millbrook.example",
        district_admin="super@millbrook.example",
        outsider_agency_admin="sheriff@harlow.example",
        supervisor="sgt@millbrook.example",
    )
    mou = _mou(world, expiry_date=_days(45), schools=[world.high])
    output = _run(email=True)
    sent = {message.to[0]: message for message in mailoutbox}
    assert set(sent) == {"chief@millbrook.example", "super@millbrook.example", "sheriff@harlow.example"}
    chief = sent["chief@millbrook.example"]
    assert chief.subject == "Liaison: 2 MOU reminder(s)"
    assert selectors.EXPIRING.format(title=mou.title, number=1, due=_days(45)) in chief.body
    assert selectors.NO_MOU.format(agency=world.agency.name, school=world.elementary.name) in chief.body
    assert world.other_school.name not in chief.body, "another agency's reminder goes to its own people"
    assert world.other_school.name in sent["sheriff@harlow.example"].body
    assert "E-mailed 3 person(s)." in output
    assert "sgt@millbrook.example" not in sent, "supervisors do not sign the MOU"


def test_signers_without_an_address_are_named_not_skipped_silently(world, mailoutbox):
    _addresses(world, agency_admin="chief@millbrook.example")
    output = _run(agency=str(world.agency.uuid), email=True)
    assert [message.to for message in mailoutbox] == [["chief@millbrook.example"]]
    missing = world.users["district_admin"].username
    assert f"Not e-mailed, no address on file: {missing}." in output


def test_without_email_the_daily_run_sends_nothing(world, mailoutbox):
    _addresses(world, agency_admin="chief@millbrook.example")
    _run()
    assert mailoutbox == []
