"""The quick log with no signal (375×667): contacts wait on the phone and reach the server once each.

"Offline" here is the browser context set offline *and* every request to the server blocked, so the
service worker cannot reach it either: what the officer sees comes from the phone alone.
"""

from __future__ import annotations

import datetime
import re
import threading
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from liaison.interactions.models import EnforcementDetail, Interaction

pytestmark = pytest.mark.browser

# The phone's queue, as the page's own script reads it (every user's records, for the assertions).
ALL_QUEUED = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("liaison-offline");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const names = Array.from(open.result.objectStoreNames);
    if (!names.includes("contacts")) { resolve([]); return; }
    const all = open.result.transaction("contacts").objectStore("contacts").getAll();
    all.onsuccess = () => resolve(all.result);
  };
})"""

KEPT_PAGES = """async () => {
  const kept = [];
  for (const name of await caches.keys()) {
    if (!name.startsWith("liaison-pages-")) continue;
    for (const request of await (await caches.open(name)).keys()) kept.push([name, new URL(request.url).pathname]);
  }
  return kept;
}"""

KEPT_PAGE_TEXT = """async () => {
  let text = "";
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) text += await (await cache.match(request)).text();
  }
  return text;
}"""


@pytest.fixture(autouse=True)
def _one_request_at_a_time_on_sqlite(live_server: Any) -> Any:
    """The test's in-memory SQLite database is one connection, shared with the live server's threads,
    and two requests at once would use it together. On SQLite the server takes the browser's
    concurrent requests (the retry storm, a page and the worker) one at a time; PostgreSQL takes them
    truly at once, each on its own connection."""
    if connection.vendor != "sqlite":
        yield
        return
    server = live_server.thread.httpd
    app = server.get_app()
    lock = threading.Lock()

    def one_at_a_time(environ: Any, start_response: Any) -> Any:
        with lock:
            return list(app(environ, start_response))

    server.set_app(one_at_a_time)
    yield
    server.set_app(app)


@pytest.fixture
def phone(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    yield context
    context.close()


def _until(page: Any, script: str, arg: Any = None, seconds: float = 10) -> None:
    """Poll a check in the page (wait_for_function would evaluate a string, which the CSP forbids)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(script, arg):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {seconds}s: {script}")


KEPT = """async (path) => {
  for (const name of await caches.keys())
    if (name.startsWith("liaison-pages-") && await (await caches.open(name)).match(path)) return true;
  return false;
}"""


def _installed(page: Any, path: str = "/log/") -> None:
    """Wait until the service worker controls the page and keeps a copy of it for offline use."""
    # The officer's home registers the worker and the officer taps on to the log at once: a registration cut
    # short by that navigation is made again by the next page load, as on a real phone's next visit.
    controlled = "() => navigator.serviceWorker.controller !== null"
    try:
        _until(page, controlled, seconds=10)
    except AssertionError:
        page.reload()
        _until(page, controlled, seconds=20)
    page.reload()  # the first visit came before the worker: this one goes through it and is kept
    _until(page, KEPT, path, seconds=30)


def _open_log(phone: Any, sign_in: Any, role: str = "officer") -> Any:
    page = phone.new_page()
    sign_in(page, role)
    page.get_by_role("link", name="Log a contact").click()  # home is the work queue, today's log first
    page.wait_for_url("**/log/")
    _installed(page)
    return page


def _offline(phone: Any) -> None:
    phone.route("**/*", lambda route: route.abort("internetdisconnected"))
    phone.set_offline(True)


def _online(phone: Any) -> None:
    phone.unroute("**/*")
    phone.set_offline(False)


def _log(page: Any, label: str) -> None:
    page.get_by_role("button", name=label).tap()
    status = page.locator("#quick-log-status")
    expect(status).to_contain_text(f"Kept on this phone: {label}")
    expect(status).to_contain_text("at Millbrook Elementary")
    page.wait_for_timeout(850)  # past the double-tap guard: the next tap is a deliberate one


def _moment(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


KINDS = ("Informal positive contact", "Classroom instruction", "Family contact", "Safety activity")


def test_four_contacts_logged_offline_survive_a_reload_and_reach_the_server_once_with_their_times(
    world, phone, sign_in
):
    page = _open_log(phone, sign_in)
    _offline(phone)
    for label in KINDS:
        _log(page, label)
    queued = page.evaluate(ALL_QUEUED)
    assert len(queued) == 4
    today = page.locator("[data-queued-today] li")
    expect(today).to_have_count(4)
    expect(today.first).to_contain_text("waiting to send")
    expect(page.locator("[data-queue-count]")).to_have_text("4 waiting to send")

    reloaded = page.reload()  # from the phone: the worker's copy of the page, and the queue from IndexedDB
    assert reloaded is not None and reloaded.from_service_worker
    expect(page.get_by_role("heading", name="Log a contact")).to_be_visible()
    expect(page.locator("[data-queued-today] li")).to_have_count(4)
    expect(page.locator("[data-queue-count]")).to_have_text("4 waiting to send")
    assert Interaction.objects.count() == 0

    _online(phone)
    expect(page.locator("[data-queue-notice]")).to_have_text("Sent 4 records.")
    expect(page.locator("[data-queued-today] li")).to_have_count(0)
    expect(page.locator("[data-queue-last-sync]")).to_contain_text("Last sent to the server")
    stored = {str(record.uuid): record for record in Interaction.objects.all()}
    assert set(stored) == {entry["uuid"] for entry in queued}
    for entry in queued:
        record = stored[entry["uuid"]]
        assert record.occurred_at == _moment(entry["payload"]["occurred_at"]), "the time it happened, not of sending"
        assert (record.officer_id, record.school_id) == (world.officer.pk, world.elementary.pk)
    assert page.evaluate(ALL_QUEUED) == []


def test_the_enforcement_form_offline_says_it_needs_a_connection_and_keeps_nothing(world, phone, sign_in):
    page = _open_log(phone, sign_in)
    page.goto(page.url + "enforcement/new/")
    _installed(page, "/log/enforcement/new/")
    _offline(phone)
    page.reload()
    notice = page.locator("[data-needs-connection]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("This form needs a connection")
    expect(page.get_by_role("button", name="Save the enforcement action")).to_be_disabled()
    page.get_by_label("RMS report number").fill("RMS-OFFLINE-77")
    page.get_by_label("RMS report number").press("Enter")  # a try to send it anyway
    expect(notice).to_be_visible()
    expect(page.get_by_label("RMS report number")).to_have_value("RMS-OFFLINE-77")  # on the screen only
    assert page.evaluate(ALL_QUEUED) == []
    stored = page.evaluate("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    assert "RMS-OFFLINE-77" not in stored  # (htmx keeps only the current path in sessionStorage)
    assert "RMS-OFFLINE-77" not in page.evaluate(KEPT_PAGE_TEXT)
    assert not EnforcementDetail.objects.exists()


def test_a_record_the_server_refuses_stays_queued_with_its_message_until_fixed(world, phone, sign_in):
    page = _open_log(phone, sign_in)
    _offline(phone)
    page.get_by_text("More details (optional)").tap()
    page.get_by_label("Service referred to").select_option("counselling")  # only referrals name a service
    _log(page, "Informal positive contact")
    _online(phone)
    refused = page.locator("[data-queue-refused] li")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("A service is recorded only on a referral to services.")
    expect(page.locator("[data-queue-count]")).to_have_text("1 waiting to send")
    [entry] = page.evaluate(ALL_QUEUED)
    assert entry["state"] == "refused" and "referral to services" in entry["message"]
    assert Interaction.objects.count() == 0

    refused.get_by_label("Service referred to").select_option("")  # the officer fixes it
    refused.get_by_role("button", name="Send again").tap()
    expect(page.locator("[data-queue-notice]")).to_have_text("Sent 1 record.")
    record = Interaction.objects.get()
    assert (str(record.uuid), record.service) == (entry["uuid"], "")
    assert page.evaluate(ALL_QUEUED) == []


STORM = """async () => {
  const who = await LiaisonQueue.session();
  const queued = await LiaisonQueue.entries(who.user);
  const once = () => Promise.all(queued.map((entry) => LiaisonQueue.post(entry, who.csrf)));
  const answers = await Promise.all([once(), once(), LiaisonQueue.send(), LiaisonQueue.send()]);
  return answers.slice(0, 2).flat();
}"""


def test_a_retry_storm_stores_each_queued_record_once(world, phone, sign_in):
    page = _open_log(phone, sign_in)
    _offline(phone)
    for label in KINDS[:3]:
        _log(page, label)
    queued = {entry["uuid"] for entry in page.evaluate(ALL_QUEUED)}
    phone.set_offline(False)  # the phone is back online; the server stays out of reach for now
    expect(page.locator("[data-queue-notice]")).to_have_text("No connection: they are sent when it returns.")
    phone.unroute("**/*")
    assert page.evaluate(STORM) == ["sent"] * 6  # the same queue, sent twice at once, and twice more by send()
    assert {str(uuid) for uuid in Interaction.objects.values_list("uuid", flat=True)} == queued
    assert page.evaluate(ALL_QUEUED) == []


def _sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()


def test_signing_out_with_unsent_records_offers_to_send_them_first(world, phone, sign_in, live_server):
    page = _open_log(phone, sign_in)
    _offline(phone)
    _log(page, "Family contact")
    phone.route("**/api/v1/interactions", lambda route: route.abort("internetdisconnected"))  # not sent yet
    _online(phone)
    page.goto(f"{live_server.url}/log/records/")  # every page says how many wait, beside "Sign out"
    expect(page.locator("[data-unsent-badge]")).to_have_text("1 waiting to send")
    _sign_out(page)
    dialog = page.get_by_role("dialog", name="1 record not sent yet")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-unsent] li")).to_have_text([re.compile("^Family contact at Millbrook Elementary")])
    discard = dialog.get_by_role("button", name="Discard 1 record and sign out")
    expect(discard).to_be_disabled()  # discarding takes its own, explicit choice
    phone.unroute("**/api/v1/interactions")
    dialog.get_by_role("button", name="Send them, then sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")
    assert Interaction.objects.get().kind == "family"
    assert page.evaluate(ALL_QUEUED) == []
    assert page.evaluate(KEPT_PAGES) == [], "a signed-out phone keeps no one's pages"


def test_discarding_unsent_records_at_sign_out_takes_ticking_a_box_under_their_list(world, phone, sign_in, live_server):
    page = _open_log(phone, sign_in)
    _offline(phone)
    _log(page, "Family contact")
    _log(page, "Safety activity")
    phone.route("**/api/v1/interactions", lambda route: route.abort("internetdisconnected"))
    _online(phone)
    page.reload()
    _sign_out(page)
    dialog = page.get_by_role("dialog", name="2 records not sent yet")
    expect(dialog.locator("[data-unsent] li")).to_have_count(2)
    dialog.get_by_label("I understand the 2 records listed above will be lost").check()
    dialog.get_by_role("button", name="Discard 2 records and sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")
    assert page.evaluate(ALL_QUEUED) == [] and Interaction.objects.count() == 0


def test_another_person_on_the_phone_never_sees_or_sends_the_queue_and_the_officer_sends_it_later(
    world, phone, sign_in, live_server
):
    page = _open_log(phone, sign_in)
    _offline(phone)
    _log(page, "Mentoring or counselling conversation")
    phone.route("**/api/v1/interactions", lambda route: route.abort("internetdisconnected"))
    _online(phone)
    page.reload()
    _sign_out(page)
    page.get_by_role("button", name="Keep them for my next sign-in, and sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")
    phone.unroute("**/api/v1/interactions")

    sign_in(page, "supervisor")
    page.goto(f"{live_server.url}/log/enforcement/new/")  # a page of theirs that the worker keeps
    page.wait_for_load_state("networkidle")
    assert len(page.evaluate(ALL_QUEUED)) == 1 and Interaction.objects.count() == 0, "not sent as the supervisor's"
    assert all("/log/" != path for _, path in page.evaluate(KEPT_PAGES)), "no page of the officer's is kept"
    _sign_out(page)
    page.wait_for_url(f"{live_server.url}/accounts/login/**")

    sign_in(page, "officer")  # the officer again: the queue goes out on the first page
    expect(page.locator("[data-queue-notice]")).to_have_text("Sent 1 record.")
    assert Interaction.objects.get().kind == "mentoring"


def test_an_ended_session_keeps_the_queue_and_sends_it_after_signing_in_again(world, phone, sign_in, live_server):
    page = _open_log(phone, sign_in)
    _offline(phone)
    _log(page, "Safety activity")
    phone.clear_cookies()  # the session ends (idle lock, expiry) while the phone is offline
    _online(phone)
    ended = "Your session has ended: sign in again and they will be sent."
    expect(page.locator("[data-queue-notice]")).to_have_text(ended)
    assert len(page.evaluate(ALL_QUEUED)) == 1 and Interaction.objects.count() == 0
    sign_in(page, "officer")
    expect(page.locator("[data-queue-notice]")).to_have_text("Sent 1 record.")
    assert Interaction.objects.get().kind == "safety"


def test_the_queue_and_the_sign_out_check_pass_axe_on_a_phone(world, browser, sign_in):
    from liaison.surveys.tests.test_browser_surveys import axe_violations

    context = browser.new_context(
        viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True, bypass_csp=True
    )
    try:
        page = _open_log(context, sign_in)
        _offline(context)
        page.get_by_text("More details (optional)").tap()
        page.get_by_label("Service referred to").select_option("counselling")
        _log(page, "Informal positive contact")
        _online(context)
        expect(page.locator("[data-queue-refused] li")).to_have_count(1)
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, "nothing scrolls sideways"
        _sign_out(page)
        expect(page.get_by_role("dialog", name="1 record not sent yet")).to_be_visible()
        assert axe_violations(page) == []
    finally:
        context.close()
