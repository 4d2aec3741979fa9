"""The state view (liaison/insights/state.py): a state evaluator sees every agency and district of
the state, through the disclosure rules; nobody else sees it.

Massachusetts, 2025-2026 (closed): Millbrook Public Schools (two schools) is served by Millbrook PD,
under an MOU in force; Essex Regional (one school) by Millbrook PD *and* Essex County Sheriff. Millbrook
PD's 3 referrals in Essex Regional are a small count that the agencies' and districts' totals would
give away by subtraction (Millbrook PD's total minus its Millbrook figure) unless the engine hides more.
Vermont's Harlow Union (the outsiders) is not in Massachusetts.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from scipy.optimize import linprog

from liaison.accounts.models import AuditEntry, Membership
from liaison.accounts.roles import Role
from liaison.agreements.tests.mous import mou_in_force
from liaison.conftest import PASSWORD, _user
from liaison.directory import services as directory_services
from liaison.directory.models import Agency, District, School
from liaison.insights import state as state_module
from liaison.insights.models import FigureSnapshot
from liaison.insights.registry import registered_figures
from liaison.insights.tests.test_equity import ZERO_GROUPS
from liaison.interactions.services import interaction_record
from liaison.lib.disclosure_audit import audit

YEAR = "2025-2026"
OPEN_YEAR = "2026-2027"
THRESHOLD = 10


def _enrollment(world: Any, school: School, total: int, white: int, black: int, hispanic: int) -> None:
    directory_services.enrollment_set(
        actor=world.users["platform_admin"],
        school=school,
        school_year=YEAR,
        total=total,
        white=white,
        black=black,
        hispanic_latino=hispanic,
        asian=total - white - black - hispanic,
        **ZERO_GROUPS,
    )


def _actions(
    officer: Any,
    school: School,
    action_type: str,
    race: str,
    times: int,
    day: int = 15,
    reason: str = "assault_with_injury",
) -> None:
    for i in range(times):
        interaction_record(
            actor=officer.user,
            officer=officer,
            school=school,
            kind="enforcement",
            occurred_at=datetime.datetime(2025, 10, day, 14, i, tzinfo=datetime.UTC),
            enforcement={
                "action_type": action_type,
                "reason_category": reason,
                "requested_by": "administrator",
                "admin_consulted": True,
                "admin_consulted_role": "administrator",
                "demographics_source": "school_record",
                "race_ethnicity": race,
            },
            justification="Test fixture.",
        )


@pytest.fixture
def state_world(world: Any) -> Any:
    root = world.users["platform_admin"]
    mou_in_force(world)
    essex = directory_services.district_create(actor=root, name="Essex Regional", state="MA", nces_id="2500002")
    essex_high = directory_services.school_create(
        actor=root,
        district=essex,
        name="Essex Regional High",
        nces_id="250000200001",
        level=School.Level.HIGH,
        lowest_grade=9,
        highest_grade=12,
    )
    sheriff = directory_services.agency_create(
        actor=root, name="Essex County Sheriff", kind=Agency.Kind.SHERIFF, state="MA", ori="MA0050000"
    )
    start = datetime.date(2024, 7, 1)
    directory_services.partnership_create(actor=root, agency=sheriff, district=essex, start_date=start)
    directory_services.partnership_create(actor=root, agency=world.agency, district=essex, start_date=start)
    deputy = directory_services.officer_create(
        actor=root,
        agency=sheriff,
        username="essex_deputy",
        first_name="Essex",
        last_name="Deputy",
        badge_number="9",
        rank="Deputy",
        password=PASSWORD,
    )
    second = directory_services.officer_create(
        actor=root,
        agency=world.agency,
        username="millbrook_second",
        first_name="Second",
        last_name="Officer",
        badge_number="102",
        rank="Officer",
        password=PASSWORD,
    )
    for officer in (deputy, second):
        directory_services.assignment_create(
            actor=root, officer=officer, school=essex_high, start_date=datetime.date(2024, 8, 20)
        )
    _enrollment(world, world.elementary, 400, 250, 50, 100)
    _enrollment(world, world.high, 500, 250, 50, 200)
    _enrollment(world, essex_high, 600, 300, 100, 200)
    # Millbrook PD in Millbrook (an MOU in force): 15 referrals and 11 arrests within it, 12 warnings
    # for vaping outside it (the school's to handle).
    _actions(world.officer, world.elementary, "referral_to_law_enforcement", "white", 15)
    _actions(world.officer, world.elementary, "arrest", "black", 11, day=16)
    _actions(world.officer, world.elementary, "warning", "white", 12, day=17, reason="tobacco_vaping")
    # Millbrook PD in Essex Regional (no MOU there): 3 referrals — the small count.
    _actions(second, essex_high, "referral_to_law_enforcement", "white", 3)
    # Essex County Sheriff in Essex Regional: 14 referrals and 12 arrests.
    _actions(deputy, essex_high, "referral_to_law_enforcement", "white", 14)
    _actions(deputy, essex_high, "arrest", "hispanic_latino", 12, day=16)
    # Vermont, not counted.
    _actions(world.other_officer, world.other_school, "arrest", "white", 4)
    world.essex, world.essex_high, world.sheriff = essex, essex_high, sheriff
    world.users["state_evaluator"] = _member(_user("state_evaluator"), state="MA")
    world.users["vermont_evaluator"] = _member(_user("vermont_evaluator"), state="VT")
    return world


def _member(user: Any, **scope: Any) -> Any:
    Membership.objects.create(user=user, role=Role.EVALUATOR, **scope)
    return user


def _body(api_as: Any, role: str = "state_evaluator", **params: Any) -> dict[str, Any]:
    response = api_as(role).get("/insights/state/MA", school_year=YEAR, **params)
    assert response.status_code == 200, response.content
    return response.json()


# --- what is shown -----------------------------------------------------------------------------------


def test_every_district_and_agency_of_the_state_and_nothing_else(api_as, state_world):
    body = _body(api_as)
    assert body["state"] == "MA" and body["school_year"] == YEAR
    assert [d["name"] for d in body["districts"]] == ["Essex Regional", "Millbrook Public Schools"]
    assert [a["name"] for a in body["agencies"]] == ["Essex County Sheriff", "Millbrook Police Department"]
    totals = body["totals"]
    assert (totals["schools"], totals["schools_covered"], totals["officers"]) == (3, 2, 3)
    assert totals["enrollment"] == 1500
    millbrook = next(d for d in body["districts"] if d["name"] == "Millbrook Public Schools")
    sheriff = next(a for a in body["agencies"] if a["name"] == "Essex County Sheriff")
    millbrook_pd = next(a for a in body["agencies"] if a["name"] == "Millbrook Police Department")
    # Millbrook PD made no arrest in Essex Regional: nothing small to protect among arrests.
    assert (totals["arrested"], millbrook["arrested"], sheriff["arrested"], millbrook_pd["arrested"]) == (
        23,
        11,
        12,
        11,
    )
    assert millbrook["schools_covered"] == 1 and millbrook["schools"] == 2
    # Its 3 actions there would be its total (41) minus Millbrook's (38), or the state's (67) minus
    # Millbrook's and the sheriff's (26): large counts are hidden so that neither subtraction works.
    assert None in (millbrook_pd["actions"], millbrook["actions"])
    assert None in (totals["actions"], millbrook["actions"], sheriff["actions"])


def test_no_small_count_is_shown_and_the_pair_count_is_not_given_away(api_as, state_world):
    body = _body(api_as)
    rows = [body["totals"], *body["districts"], *body["agencies"]]
    for row in rows:
        for measure in state_module.MEASURES:
            assert row[measure] is None or not 0 < row[measure] < THRESHOLD, (row.get("name"), measure)
    for group in body["groups"]:
        for measure in ("referred", "arrested"):
            assert group[measure] is None or not 0 < group[measure] < THRESHOLD
    millbrook_pd = next(a for a in body["agencies"] if a["name"] == "Millbrook Police Department")
    millbrook = next(d for d in body["districts"] if d["name"] == "Millbrook Public Schools")
    if millbrook_pd["referred"] is not None and millbrook["referred"] is not None:
        assert millbrook_pd["referred"] - millbrook["referred"] != 3


def _attack_ranges(body: dict[str, Any], pairs: list[tuple[str, str]]) -> dict[Any, tuple[float, float]]:
    """The attacker's computation, written here from the API's answer alone (not the engine's): every
    agency–district pair's counts are unknowns; every shown figure fixes its sum, every suppressed one
    is at least 1 (a zero is never hidden), and the definitions hold (actions = within + not within,
    arrests ≤ referrals ≤ actions, the state's breakdown by race adds up to its total). Returns, for
    every suppressed figure and every pair count, the least and the most it can be."""
    measures = state_module.MEASURES
    index: dict[Any, int] = {}
    for pair, measure in itertools.product(pairs, measures):
        index[("pair", *pair, measure)] = len(index)
    groups = [g["group"] for g in body["groups"]]
    for measure, group in itertools.product(("referred", "arrested"), groups):
        index[("group", measure, group)] = len(index)
    width = len(index)

    def pair_sum(select: Any, measure: str) -> np.ndarray:
        row = np.zeros(width)
        for pair in pairs:
            if select(pair):
                row[index[("pair", *pair, measure)]] = 1
        return row

    figures: dict[Any, tuple[np.ndarray, int | None]] = {}
    for measure in measures:
        figures[("state", measure)] = (pair_sum(lambda p: True, measure), body["totals"][measure])
        for d in body["districts"]:
            figures[("district", d["name"], measure)] = (
                pair_sum(lambda p, n=d["name"]: p[1] == n, measure),
                d[measure],
            )
        for a in body["agencies"]:
            figures[("agency", a["name"], measure)] = (pair_sum(lambda p, n=a["name"]: p[0] == n, measure), a[measure])
    for g in body["groups"]:
        for measure in ("referred", "arrested"):
            row = np.zeros(width)
            row[index[("group", measure, g["group"])]] = 1
            figures[("group", measure, g["group"])] = (row, g[measure])
    equalities, values, upper, bounds = [], [], [], []
    for row, value in figures.values():
        if value is None:
            upper.append(-row)  # at least 1
            bounds.append(-1)
        else:
            equalities.append(row)
            values.append(value)
    for pair in pairs:
        p = {m: index[("pair", *pair, m)] for m in measures}
        row = np.zeros(width)
        row[p["actions"]], row[p["within_mou"]], row[p["not_within_mou"]] = 1, -1, -1
        equalities.append(row)
        values.append(0)
        for small, large in (("referred", "actions"), ("arrested", "referred")):
            row = np.zeros(width)
            row[p[small]], row[p[large]] = 1, -1
            upper.append(row)
            bounds.append(0)
    for measure in ("referred", "arrested"):
        row = pair_sum(lambda p: True, measure)
        for group in groups:
            row[index[("group", measure, group)]] = -1
        equalities.append(row)
        values.append(0)
    for group in groups:
        row = np.zeros(width)
        row[index[("group", "arrested", group)]], row[index[("group", "referred", group)]] = 1, -1
        upper.append(row)
        bounds.append(0)
    targets = {key: row for key, (row, value) in figures.items() if value is None}
    targets |= {key: np.eye(width)[i] for key, i in index.items() if key[0] == "pair"}
    ranges = {}
    for key, objective in targets.items():
        found = []
        for sign in (1, -1):
            result = linprog(
                sign * objective,
                A_ub=np.array(upper) if upper else None,
                b_ub=np.array(bounds) if bounds else None,
                A_eq=np.array(equalities),
                b_eq=np.array(values),
                bounds=(0, None),
                method="highs",
            )
            found.append(sign * result.fun if result.status == 0 else (np.inf if sign < 0 else 0.0))
        ranges[key] = (found[0], found[1])
    return ranges


def test_attack_no_suppressed_small_count_comes_back_from_the_totals(api_as, state_world):
    """State totals, districts' and agencies' figures and the breakdown by race, all together: every
    small count (a suppressed figure, or an agency's count in one district) stays between 1 and 10."""
    body = _body(api_as)
    pairs = [
        ("Millbrook Police Department", "Millbrook Public Schools"),
        ("Millbrook Police Department", "Essex Regional"),
        ("Essex County Sheriff", "Essex Regional"),
    ]
    districts = list(District.objects.filter(state="MA"))
    counted, by_group = state_module._pair_counts(districts, datetime.date(2025, 7, 1), datetime.date(2026, 6, 30))
    names = {a.pk: a.name for a in Agency.objects.all()} | {-d.pk: d.name for d in districts}
    truth = {("pair", names[a], names[-d]): counts for (a, d), counts in counted.items()}
    assert truth[("pair", *pairs[1])]["referred"] == 3
    ranges = _attack_ranges(body, pairs)
    assert any(key[0] != "pair" for key in ranges), "something was suppressed"
    checked: set = set()
    for key, (low, high) in ranges.items():
        if not 0 < _true_value(key, truth, by_group) < THRESHOLD:
            continue  # a large count hidden to protect a small one may be worked out: it is not small
        checked.add(key)
        assert high >= THRESHOLD - 1e-6, (key, low, high)
        assert low <= 1 + 1e-6 or key[0] in {"state", "district", "agency"} and low <= 2 + 1e-6, (key, low, high)
    assert ("pair", *pairs[1], "referred") in checked  # Millbrook PD's 3 in Essex Regional


def _true_value(key: tuple, truth: dict, by_group: dict) -> int:
    if key[0] == "pair":
        return truth[key[:3]][key[3]]
    if key[0] == "group":
        return by_group[key[1]].get(key[2], 0)
    measure = key[-1]
    if key[0] == "state":
        return sum(counts[measure] for counts in truth.values())
    position = 1 if key[0] == "agency" else 2
    return sum(counts[measure] for pair, counts in truth.items() if pair[position] == key[1])


def test_every_door_shows_what_the_engine_audited(api_as, page_as, state_world):
    """The API, the page and the CSV show the same figures; fed back as what the evaluator knows,
    the engine's own audit (every small hidden cell protected) passes on the true table."""
    body = _body(api_as)
    page = page_as("state_evaluator").get(reverse("insights:state", args=["MA"]), {"school_year": YEAR})
    assert page.status_code == 200
    assert page.context["body"] == body
    csv_response = page_as("state_evaluator").get(
        reverse("insights:state", args=["MA"]), {"school_year": YEAR, "format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode())))
    assert {row["level"] for row in rows} == {"state", "district", "agency"}
    for row in rows:
        for measure in state_module.MEASURES:
            assert row[measure] == "suppressed" or not 0 < int(row[measure]) < THRESHOLD
    districts = list(District.objects.filter(state="MA").order_by("name", "pk"))
    first, last = datetime.date(2025, 7, 1), datetime.date(2026, 6, 30)
    pairs, by_group = state_module._pair_counts(districts, first, last)
    agencies = list(Agency.objects.filter(state="MA").order_by("name", "pk"))
    table = state_module.state_table(pairs, [a.pk for a in agencies], [d.pk for d in districts], by_group)
    names = {("agency", a.pk): a.name for a in agencies} | {("district", d.pk): d.name for d in districts}
    shown = {}
    for level_key, name in names.items():
        row = next(r for r in body["agencies" if level_key[0] == "agency" else "districts"] if r["name"] == name)
        for measure in state_module.MEASURES:
            if row[measure] is not None:
                shown[(*level_key, measure)] = row[measure]
    for measure in state_module.MEASURES:
        if body["totals"][measure] is not None:
            shown[("state", measure)] = body["totals"][measure]
    for group in body["groups"]:
        for measure in ("referred", "arrested"):
            if group[measure] is not None:
                shown[("group", measure, group["group"])] = group[measure]
    for key, value in shown.items():
        assert table.cells[key] == value, key
    hidden = {key for key in table.cells if key not in shown and key not in table.unpublished}
    assert hidden
    assert audit(table, hidden, threshold=THRESHOLD).passed


def test_the_figures_are_the_closed_years_stored_snapshot(api_as, state_world):
    first = _body(api_as)
    assert FigureSnapshot.objects.filter(figure="state", scope="state:MA", period=YEAR).count() == 1
    _actions(state_world.officer, state_world.elementary, "arrest", "white", 1, day=20)  # entered late
    assert _body(api_as) == first


def test_an_open_school_year_is_refused(api_as, state_world):
    response = api_as("state_evaluator").get("/insights/state/MA", school_year=OPEN_YEAR)
    assert response.status_code == 400
    assert "school_year" in response.json()["error"]["fields"]


# --- who sees it ------------------------------------------------------------------------------------

EVERY_ROLE = [
    ("platform_admin", 200),
    ("state_evaluator", 200),
    ("vermont_evaluator", 404),
    ("agency_admin", 404),
    ("supervisor", 404),
    ("officer", 404),
    ("district_admin", 404),
    ("school_admin", 404),
    ("evaluator", 404),
    ("outsider_agency_admin", 404),
    ("outsider_district_admin", 404),
]


@pytest.mark.parametrize(("role", "status"), EVERY_ROLE)
def test_who_sees_the_state_view(api_as, page_as, state_world, role, status):
    url = reverse("insights:state", args=["MA"])
    assert page_as(role).get(url, {"school_year": YEAR}).status_code == status
    assert page_as(role).get(url, {"school_year": YEAR, "format": "csv"}).status_code == status
    assert api_as(role).get("/insights/state/MA", school_year=YEAR).status_code == status


def test_anonymous_is_sent_to_sign_in(api_as, page_as, state_world):
    response = page_as("anonymous").get(reverse("insights:state", args=["MA"]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert api_as("anonymous").get("/insights/state/MA").status_code == 401


def test_a_state_that_does_not_exist_is_not_found(api_as, state_world):
    assert api_as("platform_admin").get("/insights/state/XX").status_code == 404


def test_a_state_evaluator_sees_no_districts_or_agencys_own_pages(api_as, page_as, state_world):
    client = page_as("state_evaluator")
    assert client.get(reverse("insights:equity", args=[state_world.district.uuid])).status_code == 404
    assert client.get(reverse("directory:district_detail", args=[state_world.district.uuid])).status_code == 404
    assert api_as("state_evaluator").get(f"/insights/crdc/{state_world.essex.uuid}").status_code == 404


def test_a_state_evaluator_lands_on_the_state_view(page_as, state_world):
    response = page_as("state_evaluator").get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("insights:state", args=["MA"])


def test_the_csv_download_is_audited(page_as, state_world):
    before = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count()
    page_as("state_evaluator").get(reverse("insights:state", args=["MA"]), {"school_year": YEAR, "format": "csv"})
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == before + 1


def test_a_state_membership_holds_nothing_else(world):
    user = _user("confused")
    with pytest.raises(ValidationError):
        Membership(user=user, role=Role.EVALUATOR, state="MA", district=world.district).clean()
    with pytest.raises(ValidationError):
        Membership(user=user, role=Role.DISTRICT_ADMIN, state="MA", district=world.district).clean()
    Membership(user=user, role=Role.EVALUATOR, state="MA").clean()
    for scope in (
        {"role": Role.EVALUATOR, "state": "MA", "agency": world.agency},
        {"role": Role.AGENCY_ADMIN, "state": "MA"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(user=user, **scope)


def test_the_state_view_is_registered_as_a_restricted_figure():
    doors = {(f.url_name, f.door) for f in registered_figures() if "evaluator" in f.audiences}
    assert {("insights:state", "page"), ("insights:state", "csv"), ("api:state_figures", "api")} <= doors


def test_the_yearly_build_stores_each_state_with_a_state_evaluator(state_world):
    from liaison.insights.figures import snapshots_build

    snapshots_build(datetime.date(2026, 12, 6), school_year=YEAR)
    assert FigureSnapshot.objects.filter(figure="state", period=YEAR).values_list("scope", flat=True).count() == 2
    assert set(FigureSnapshot.objects.filter(figure="state").values_list("scope", flat=True)) == {
        "state:MA",
        "state:VT",
    }


def test_the_navigation_leads_a_state_evaluator_to_the_state_view(page_as, state_world):
    page = page_as("state_evaluator").get(reverse("accounts:account"))
    assert f'href="{reverse("insights:state", args=["MA"])}"' in page.content.decode()
    other = page_as("district_admin").get(reverse("accounts:account"))
    assert "State view" not in other.content.decode()


def test_a_platform_admin_makes_a_state_evaluator_in_admin_and_it_is_audited(page_as, world):
    from liaison.accounts.tests.test_admin_audit import change_page, privilege_entries

    client, target = page_as("platform_admin", second_factor=True), _user("state_office")
    url, data = change_page(client, target)
    total = int(data["memberships-TOTAL_FORMS"][0])
    data["memberships-TOTAL_FORMS"] = [str(total + 1)]
    data[f"memberships-{total}-role"] = ["evaluator"]
    data[f"memberships-{total}-state"] = ["MA"]
    assert client.post(url, data).status_code == 302
    assert Membership.objects.filter(user=target, role="evaluator", state="MA").exists()
    [entry] = privilege_entries(target)
    assert any("state=MA" in role for role in entry.after["roles"])
