"""Changes of superuser status, permissions and roles made in /admin/ each leave exactly one audit entry."""

from __future__ import annotations

from html.parser import HTMLParser

from liaison.accounts.models import AuditEntry, Membership


class _FormFields(HTMLParser):
    """The values a browser would submit from the page's main form, as Django's test client takes them."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or ("on" if a.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] = [data]


def change_page(client, user) -> tuple[str, dict[str, list[str]]]:
    url = f"/admin/accounts/user/{user.pk}/change/"
    parser = _FormFields()
    parser.feed(client.get(url).content.decode())
    return url, parser.data


def privilege_entries(user) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="accounts.privileges", object_uuid=user.uuid))


def test_making_someone_a_superuser_in_admin_leaves_one_entry(page_as, world):
    client = page_as("platform_admin", second_factor=True)
    root, target = world.users["platform_admin"], world.users["evaluator"]
    url, data = change_page(client, target)
    data["is_superuser"] = ["on"]
    assert client.post(url, data).status_code == 302
    [entry] = privilege_entries(target)
    assert (entry.actor, entry.action) == (root, "update")
    assert entry.before == {"is_superuser": False} and entry.after == {"is_superuser": True}
    assert "is_superuser" in entry.summary


def test_giving_a_role_in_admin_leaves_one_entry(page_as, world):
    client, target = page_as("platform_admin", second_factor=True), world.users["evaluator"]
    url, data = change_page(client, target)
    total = int(data["memberships-TOTAL_FORMS"][0])
    data["memberships-TOTAL_FORMS"] = [str(total + 1)]
    data[f"memberships-{total}-role"] = ["agency_admin"]
    data[f"memberships-{total}-agency"] = [str(world.agency.pk)]
    assert client.post(url, data).status_code == 302
    assert Membership.objects.filter(user=target, role="agency_admin").exists()
    [entry] = privilege_entries(target)
    assert any("agency_admin" in role for role in entry.after["roles"])


def test_saving_without_a_change_in_admin_leaves_no_entry(page_as, world):
    client, target = page_as("platform_admin", second_factor=True), world.users["evaluator"]
    url, data = change_page(client, target)
    assert client.post(url, data).status_code == 302
    assert privilege_entries(target) == []


def test_deleting_selected_users_in_admin_leaves_one_entry_for_each(page_as, world):
    from liaison.accounts.models import User

    client, root = page_as("platform_admin", second_factor=True), world.users["platform_admin"]
    targets = [User.objects.create_user(username=f"leaving{n}", password="x" * 16) for n in range(2)]
    response = client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [str(u.pk) for u in targets], "post": "yes"},
    )
    assert response.status_code == 302
    assert not User.objects.filter(username__startswith="leaving").exists()
    entries = AuditEntry.objects.filter(object_type="accounts.privileges", action="delete")
    assert sorted(e.summary for e in entries) == ["Deleted leaving0 in /admin/", "Deleted leaving1 in /admin/"]
    assert {e.actor for e in entries} == {root}


def _admin_form(client, url: str) -> dict[str, list[str]]:
    parser = _FormFields()
    parser.feed(client.get(url).content.decode())
    return parser.data


def test_moving_a_partnerships_dates_in_admin_leaves_one_entry_its_admins_can_see(page_as, world):
    from liaison.directory.models import Partnership

    client = page_as("platform_admin", second_factor=True)
    partnership = Partnership.objects.get(agency=world.agency, district=world.district)
    url = f"/admin/directory/partnership/{partnership.pk}/change/"
    data = _admin_form(client, url)
    data["end_date"] = ["2031-06-30"]
    assert client.post(url, data).status_code == 302
    [entry] = AuditEntry.objects.filter(object_type="directory.partnership", summary__contains="/admin/")
    assert (entry.action, entry.before, entry.after) == ("update", {"end_date": None}, {"end_date": "2031-06-30"})
    assert (entry.agency_id, entry.district_id) == (world.agency.pk, world.district.pk)
    assert "in /admin/" in entry.summary


def test_saving_an_unchanged_school_in_admin_writes_nothing(page_as, world):
    client = page_as("platform_admin", second_factor=True)
    url = f"/admin/directory/school/{world.elementary.pk}/change/"
    before = AuditEntry.objects.count()
    assert client.post(url, _admin_form(client, url)).status_code == 302
    assert AuditEntry.objects.count() == before


def test_deleting_selected_training_records_in_admin_leaves_one_entry_for_each(page_as, world):
    import datetime

    from liaison.directory.models import TrainingRecord

    client = page_as("platform_admin", second_factor=True)
    records = [
        TrainingRecord.objects.create(
            agency=world.agency, officer=world.officer, course=course, hours=8, completed_on=datetime.date(2025, 1, 2)
        )
        for course in ("basic_sro", "de_escalation")
    ]
    response = client.post(
        "/admin/directory/trainingrecord/",
        {"action": "delete_selected", "_selected_action": [str(r.pk) for r in records], "post": "yes"},
    )
    assert response.status_code == 302
    entries = AuditEntry.objects.filter(object_type="directory.trainingrecord", summary__contains="/admin/")
    assert sorted(e.before["course"] for e in entries) == ["basic_sro", "de_escalation"]
    assert {e.agency_id for e in entries} == {world.agency.pk}
