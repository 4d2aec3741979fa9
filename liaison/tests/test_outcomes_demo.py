"""The outcomes view over the three demo programs: it renders, and agrees with the pages it summarises
(presence, the MOU dashboard, survey results, equity, the public figures); contacts and trust show one
school where both rise and one where both fall."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from liaison.accounts import mfa
from liaison.agreements.dashboard import Period, Scope, outcomes_by_school_month
from liaison.agreements.models import Agreement
from liaison.agreements.vocabulary import Outcome
from liaison.conftest import DEMO_TODAY
from liaison.directory.models import Agency, District, School
from liaison.insights.access import EquityScope, equity_scope_for
from liaison.insights.outcomes import AGENCY, DISTRICT, OutcomesScope, agency_schools, contacts_and_trust
from liaison.insights.outcomes import outcomes_timeline as timeline_of
from liaison.insights.outcomes_release import build_year
from liaison.insights.public_figures import public_figures
from liaison.insights.selectors import equity_analysis
from liaison.lib.school_years import school_year_days
from liaison.programs.selectors import schools_consistency
from liaison.surveys.selectors import wave_results

TODAY = DEMO_TODAY
YEAR = "2025-2026"
PROGRAMS = ("Kestrel Falls Police Department", "Port Calder Division of Police", "Larkin County Sheriff's Office")


def district_scope(district: District) -> OutcomesScope:
    schools = tuple(School.objects.filter(district=district).order_by("name"))
    return OutcomesScope(DISTRICT, district.name, str(district.uuid), schools, None, frozenset({district.pk}))


def agency_scope(agency: Agency) -> OutcomesScope:
    schools = tuple(agency_schools(agency.pk, YEAR))
    districts = frozenset(s.district_id for s in schools)
    return OutcomesScope(AGENCY, agency.name, str(agency.uuid), schools, frozenset({agency.pk}), districts)


def test_the_pages_render_for_the_three_demo_programs(demo):
    client = Client()
    client.force_login(
        get_user_model().objects.filter(is_superuser=True).first(),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    session = client.session
    session[mfa.MFA_SESSION] = {"state": mfa.VERIFIED}  # the demo's platform admin has a second factor
    session.save()
    for agency in Agency.objects.filter(name__in=PROGRAMS):
        assert client.get(reverse("insights:outcomes-agency", args=[agency.uuid])).status_code == 200
        for district in District.objects.filter(partnerships__agency=agency).distinct():
            page = client.get(reverse("insights:outcomes-district", args=[district.uuid]))
            assert page.status_code == 200 and page.content.count(b"<svg") >= 13
            trust = client.get(reverse("insights:contacts-trust", args=[district.uuid]))
            assert trust.status_code == 200 and b"not an effect" in trust.content
    school = School.objects.get(name="Fulton Middle School")
    assert client.get(reverse("insights:outcomes-school", args=[school.uuid])).status_code == 200


@pytest.mark.parametrize(
    "name", ["Kestrel Falls School District", "Port Calder City Schools", "Wexley R-III School District"]
)
def test_a_districts_outcomes_agree_with_the_pages_they_summarise(demo, name):
    district = District.objects.get(name=name)
    scope = district_scope(district)
    timeline = timeline_of(scope, YEAR, as_of=TODAY)
    year = timeline.current.total
    first, _ = school_year_days(YEAR)

    presence = schools_consistency(scope.schools, school_year=YEAR, as_of=TODAY)  # the presence page
    assert year.school_weeks == sum(c.school_weeks for c in presence) > 0
    assert year.weeks_with_visit == sum(c.weeks_with_contact for c in presence)
    assert timeline.current.longest_gap[1].days == max(c.longest_gap.days for c in presence)

    dashboard = outcomes_by_school_month(scope=Scope(district_id=district.pk), period=Period(first, TODAY))
    for index, outcome in enumerate(Outcome.values):  # the MOU dashboard's totals per outcome
        assert year.evaluated[outcome] == sum(school.totals[index] for school in dashboard)
    assert year.evaluated_total == year.enforcement  # every action judged once

    equity = equity_analysis(EquityScope(district, None, None, suppressed=False), YEAR)  # the equity page
    totals = {point.key: point.total for point in equity.points}
    assert (year.referrals, year.arrests) == (totals["referral"], totals["arrest"])
    assert year.enrollment == equity.enrollment_total

    for wave in timeline.trust:  # the survey results page: the schools shown, pooled
        wave_schools = list(wave.wave.wave_schools.filter(school__district=district))
        pooled = wave_results(wave.wave, wave_schools).pooled
        assert wave.trust is not None and round(wave.trust.mean, 6) == round(pooled.trust.mean, 6)
    assert len([w for w in timeline.trust if w.audience == "Students"]) == 2


def test_an_agencys_positive_contacts_are_the_public_figures_of_its_mous(demo):
    for agency in Agency.objects.filter(name__in=PROGRAMS):
        scope = agency_scope(agency)
        timeline = timeline_of(scope, YEAR, as_of=TODAY)
        public = 0
        for agreement in Agreement.objects.filter(agency=agency):
            schools = list(School.objects.filter(district=agreement.district))
            public += public_figures(agreement, schools, TODAY, with_trust=False).positive_contacts
        assert timeline.current.total.positive == public > 0


def test_contacts_and_trust_rise_together_at_one_school_and_fall_together_at_another(demo):
    found = {}
    for name in ("Port Calder City Schools", "Harmon Ridge Local Schools"):
        district = District.objects.get(name=name)
        for school in contacts_and_trust(name, district_scope(district).schools, agency_ids=None, as_of=TODAY).schools:
            found[school.school.name] = school
    fulton, harmon = found["Fulton Middle School"], found["Harmon Ridge Middle School"]
    assert fulton.contacts_change > 0 and fulton.trust_change.difference > 0
    assert harmon.contacts_change < 0 and harmon.trust_change.difference < 0
    assert found["Whitcomb Middle School"].trust_change is None  # spring had too few answers
    assert not found["Whitcomb Middle School"].plotted


def test_the_evaluators_release_keeps_the_headline_figures_of_a_demo_district(demo):
    """Suppression takes the small counts (enforcement, referrals, arrests by month) and what protects
    them, not the positive contacts a council asks about: needless complements are shown again."""
    evaluator = get_user_model().objects.get(username="evaluator")
    district = District.objects.get(name="Port Calder City Schools")
    scope = equity_scope_for(evaluator, district.uuid)
    assert scope.suppressed
    body = build_year(scope, YEAR, school_year_days(YEAR)[1] + datetime.timedelta(days=1))["year"]
    active = [m for m in body["months"] if m["contacts"] or "contacts" in m["hidden"]]
    assert active
    assert all(m["positive_per_100"] is not None and m["positive_share"] is not None for m in active)
    assert any(m["hidden"] for m in active)  # and the demo has small counts that are hidden
