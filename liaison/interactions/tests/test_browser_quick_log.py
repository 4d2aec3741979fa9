"""The quick log on a phone (375×667), as an officer in a hallway uses it: count the taps."""

from __future__ import annotations

import datetime
import time

import pytest
from playwright.sync_api import expect

from liaison.directory import services as directory_services
from liaison.interactions import services
from liaison.interactions.models import EnforcementDetail, Interaction

pytestmark = pytest.mark.browser

PHONE_HEIGHT = 667
MIN_TARGET = 44  # px: the smallest comfortable touch target (WCAG 2.5.5)


# Keeps every id crypto.randomUUID() hands out, so the test can tell the browser's ids from the server's.
RECORD_BROWSER_IDS = """
window.browserIds = [];
const original = crypto.randomUUID.bind(crypto);
crypto.randomUUID = () => { const id = original(); window.browserIds.push(id); return id; };
"""


class Taps:
    """Every tap the test makes after signing in goes through here, so the count is honest."""

    def __init__(self, page) -> None:
        self.page = page
        self.count = 0

    def tap(self, locator) -> None:
        self.count += 1
        locator.tap()

    def tap_twice_fast(self, locator) -> None:
        """Two touches at the same spot with nothing in between: a double tap, not two deliberate taps."""
        box = locator.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        self.count += 2
        self.page.touchscreen.tap(x, y)
        self.page.touchscreen.tap(x, y)


def _status(page):
    return page.locator("#quick-log-status")


def _kind_button(page, label: str):
    return page.get_by_role("button", name=label)


def _open_log(page, sign_in, live_server, role: str = "officer") -> Taps:
    sign_in(page, role)  # not counted: the officer signs in once a shift, lands on their queue
    page.get_by_role("link", name="Log a contact").click()  # today's log comes first
    page.wait_for_url(f"{live_server.url}/log/")
    return Taps(page)


def test_a_positive_contact_takes_one_tap_and_under_fifteen_seconds(world, phone_page, sign_in, live_server):
    page = phone_page
    taps = _open_log(page, sign_in, live_server)
    button = _kind_button(page, "Informal positive contact")
    box = button.bounding_box()
    assert box["y"] + box["height"] <= PHONE_HEIGHT, "the first kind button is visible without scrolling"
    started = time.monotonic()
    taps.tap(button)
    expect(_status(page)).to_contain_text("Saved: Informal positive contact at Millbrook Elementary, ")
    assert time.monotonic() - started < 15
    assert taps.count == 1 <= 3
    record = Interaction.objects.get()
    assert (record.kind, record.role, record.school_id, record.source) == (
        "positive",
        "mentor",
        world.elementary.pk,
        "quick_log",
    )
    expect(page.locator("#quick-log-activity")).to_contain_text("Informal positive contact")


def test_switching_school_and_recording_takes_two_taps(world, phone_page, sign_in, live_server):
    root = world.users["platform_admin"]
    directory_services.assignment_end(actor=root, assignment=world.assignment, end_date=datetime.date(2025, 1, 1))
    start = datetime.date(2025, 1, 2)
    for school, share in ((world.elementary, 60), (world.high, 40)):
        directory_services.assignment_create(
            actor=root, officer=world.officer, school=school, start_date=start, share_of_time=share
        )
    page = phone_page
    taps = _open_log(page, sign_in, live_server)
    taps.tap(page.locator("label.segment", has_text="Millbrook High"))
    taps.tap(_kind_button(page, "Informal positive contact"))
    expect(_status(page)).to_contain_text("Saved: Informal positive contact at Millbrook High, ")
    assert taps.count == 2 <= 3
    assert Interaction.objects.get().school_id == world.high.pk
    # The fresh form keeps the school the officer switched to.
    expect(page.get_by_label("Millbrook High")).to_be_checked()


def test_the_records_id_is_made_in_the_browser_and_a_double_tap_stores_one_record(
    world, phone_page, sign_in, live_server
):
    page = phone_page
    page.add_init_script(RECORD_BROWSER_IDS)
    taps = _open_log(page, sign_in, live_server)
    client_uuid = page.locator("input[name=client_uuid]")
    in_browser = client_uuid.input_value()
    assert in_browser in page.evaluate("window.browserIds")  # made by crypto.randomUUID(), not the server
    taps.tap_twice_fast(_kind_button(page, "Informal positive contact"))
    expect(_status(page)).to_contain_text("Saved: Informal positive contact")
    page.wait_for_load_state("networkidle")
    assert [str(u) for u in Interaction.objects.values_list("uuid", flat=True)] == [in_browser]
    next_id = client_uuid.input_value()
    assert next_id != in_browser and next_id in page.evaluate("window.browserIds"), "the next record, a new id"


def test_a_double_tap_whose_second_touch_comes_after_the_answer_stores_one_record(
    world, phone_page, sign_in, live_server
):
    """On a fast server the first save is answered, and the form renewed, before the second touch."""
    page = phone_page
    taps = _open_log(page, sign_in, live_server)
    taps.tap(_kind_button(page, "Informal positive contact"))
    expect(_status(page)).to_contain_text("Saved: Informal positive contact")
    taps.tap(_kind_button(page, "Informal positive contact"))  # the second touch of the same double tap
    page.wait_for_load_state("networkidle")
    assert Interaction.objects.count() == 1
    page.wait_for_timeout(900)  # a deliberate tap a moment later is a new record
    with page.expect_response(lambda response: response.request.method == "POST"):
        taps.tap(_kind_button(page, "Informal positive contact"))
    assert Interaction.objects.count() == 2


def test_a_retry_after_a_lost_answer_stores_one_record(world, phone_page_without_worker, sign_in, live_server):
    page = phone_page_without_worker
    taps = _open_log(page, sign_in, live_server)
    posts = []  # what the phone sent to /log/, and what became of it

    def lose_the_first_answer(route) -> None:
        if route.request.method == "POST" and not posts:
            route.fetch()  # the server receives and saves it; the phone never hears back
            route.abort("timedout")
            posts.append("answer lost")
        else:
            route.continue_()
            posts.append(f"{route.request.method} passed")

    page.route("**/log/", lose_the_first_answer)
    button = _kind_button(page, "Safety activity")
    taps.tap(button)
    # With no answer the tap is kept on the phone and sent again at once, under the same id, through
    # the queue (the API), not by posting the form again.
    try:
        expect(_status(page)).to_contain_text("Kept on this phone: Safety activity at Millbrook Elementary")
    except AssertionError as failure:
        raise AssertionError(f"{failure}\nRequests to /log/ after the tap: {posts}") from None
    expect(page.locator("[data-queue-notice]")).to_have_text("Sent 1 record.")
    assert posts == ["answer lost"]
    assert Interaction.objects.count() == 1
    taps.tap(button)
    expect(_status(page)).to_contain_text("Saved: Safety activity at Millbrook Elementary, ")
    assert Interaction.objects.count() == 2, "a deliberate second tap is a second record"


def test_undo_takes_the_record_back(world, phone_page, sign_in, live_server):
    page = phone_page
    taps = _open_log(page, sign_in, live_server)
    taps.tap(_kind_button(page, "Family contact"))
    undo = page.get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    assert undo.bounding_box()["height"] >= MIN_TARGET
    taps.tap(undo)
    expect(_status(page)).to_contain_text("Undone: Family contact at Millbrook Elementary, ")
    assert Interaction.objects.get().voided
    expect(page.locator("#quick-log-activity")).to_contain_text("Nothing logged yet today.")
    expect(_kind_button(page, "Family contact")).to_be_focused()  # not the page: where the officer was


def test_after_undo_by_keyboard_focus_returns_to_the_button_that_was_pressed(world, phone_page, sign_in, live_server):
    page = phone_page
    _open_log(page, sign_in, live_server)
    _kind_button(page, "Family contact").focus()
    page.keyboard.press("Enter")
    undo = page.get_by_role("button", name="Undo")
    undo.focus()
    page.keyboard.press("Enter")
    expect(_status(page)).to_contain_text("Undone: Family contact")
    page.wait_for_timeout(300)  # htmx settles the out-of-band parts after the status line
    expect(_kind_button(page, "Family contact")).to_be_focused()


def test_a_note_with_a_phone_number_is_refused_next_to_the_note(world, phone_page, sign_in, live_server):
    page = phone_page
    taps = _open_log(page, sign_in, live_server)
    taps.tap(page.get_by_text("More details (optional)"))
    page.get_by_label("Short note").fill("Call mom at 617-555-0199")
    taps.tap(_kind_button(page, "Mentoring or counselling conversation"))
    expect(_status(page)).to_contain_text("Not saved")
    expect(page.locator(".field.has-error")).to_contain_text("Remove the phone number")
    expect(page.get_by_label("Short note")).to_have_value("Call mom at 617-555-0199")
    assert Interaction.objects.count() == 0


def test_every_touch_target_is_at_least_44_pixels_high(world, phone_page, sign_in, live_server):
    page = phone_page
    _open_log(page, sign_in, live_server)
    targets = page.locator(".kind-button, label.segment, .quick-log-details > summary, .quick-log-enforcement a")
    heights = [box["height"] for box in (targets.nth(i).bounding_box() for i in range(targets.count()))]
    assert len(heights) == 10
    assert min(heights) >= MIN_TARGET
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "nothing scrolls sideways"


def test_an_officer_fills_in_the_enforcement_form_on_a_phone(world, phone_page, sign_in, live_server):
    services.student_keys_enable(actor=world.users["platform_admin"], district=world.district)
    page = phone_page
    _open_log(page, sign_in, live_server)
    page.get_by_role("link", name="Record an enforcement action").tap()
    expect(page.get_by_role("heading", name="Record an enforcement action")).to_be_visible()
    page.get_by_label("Action").select_option("criminal_citation")
    page.get_by_label("Reason (MOU behaviour category)").select_option("drug_distribution")
    page.get_by_label("NIBRS offense code").fill("35A")
    page.get_by_label("Who asked for the officer's involvement").select_option("administrator")
    page.get_by_role("group", name="Was a school administrator consulted").get_by_label("Yes").check()
    page.get_by_label("Role of the person consulted").select_option("administrator")
    page.get_by_label("Student's grade").select_option("11")
    page.get_by_label("English learner").select_option("no")
    page.get_by_role("group", name="These demographics are").get_by_label("School record").check()
    expect(page.get_by_label("District student id")).to_be_visible()
    page.get_by_label("District student id").fill("S7654321")
    page.get_by_label("RMS report number").fill("26-004321")
    page.get_by_label("Why it was needed (justification)").fill("No MOU is in force here yet; the student sold pills.")
    page.get_by_role("button", name="Save the enforcement action").tap()
    expect(page.get_by_role("heading", name="Enforcement action")).to_be_visible()
    # No MOU is in force here: the officer is told so, and that a review is open.
    expect(page.locator("main")).to_contain_text("Saved the enforcement action: ")
    expect(page.locator("main")).to_contain_text("a review is open for your supervisor")
    detail = EnforcementDetail.objects.get()
    assert (detail.action_type, detail.nibrs_code, detail.counts_as_referral, detail.counts_as_arrest) == (
        "criminal_citation",
        "35A",
        True,
        False,
    )
    assert (detail.race_ethnicity, detail.sex, detail.english_learner) == ("unknown", "unknown", "no")
    assert len(detail.student_key) == 64
    assert detail.interaction.school_id == world.elementary.pk
