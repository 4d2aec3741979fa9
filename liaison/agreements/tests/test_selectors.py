"""Where a version stands on a day, which one is in force, completeness and the diff, as the pages read them."""

from __future__ import annotations

import datetime

import pytest

from liaison.agreements import evaluation as ev
from liaison.agreements import selectors, services
from liaison.agreements.models import Agreement
from liaison.agreements.tests.mous import START, draft_mou, sign_all
from liaison.agreements.vocabulary import ElementState, VersionStatus

DAY = datetime.timedelta(days=1)


def _next(world, mou, effective: datetime.date, **changes):
    version = services.version_new_draft(actor=world.users["agency_admin"], agreement=mou, effective_date=effective)
    if changes:
        services.version_update(actor=world.users["agency_admin"], version=version, **changes)
    return sign_all(world, version)


def _status(version, on: datetime.date) -> VersionStatus:
    version.refresh_from_db()
    return selectors.version_status(version, on)


def test_a_version_moves_from_draft_through_signatures_to_in_force(world):
    version = draft_mou(world).versions.get()
    assert _status(version, START) == VersionStatus.DRAFT
    services.version_submit(actor=world.users["agency_admin"], version=version, acknowledge_missing=True)
    assert _status(version, START) == VersionStatus.AWAITING_SIGNATURES
    sign_all(world, version)
    assert _status(version, START - DAY) == VersionStatus.SIGNED
    assert _status(version, START) == VersionStatus.IN_FORCE


def test_a_version_is_in_force_on_its_expiry_date_and_expired_the_day_after(world):
    version = draft_mou(world).versions.get()
    expiry = datetime.date(2026, 6, 30)
    services.version_update(actor=world.users["agency_admin"], version=version, expiry_date=expiry)
    sign_all(world, version)
    assert _status(version, expiry) == VersionStatus.IN_FORCE
    assert _status(version, expiry + DAY) == VersionStatus.EXPIRED


def test_a_newer_version_supersedes_the_old_one_from_its_effective_date(world):
    mou = draft_mou(world)
    first = sign_all(world, mou.versions.get())
    second = _next(world, mou, datetime.date(2026, 1, 1))
    assert (_status(first, datetime.date(2025, 12, 31)), _status(second, datetime.date(2025, 12, 31))) == (
        VersionStatus.IN_FORCE,
        VersionStatus.SIGNED,
    )
    assert (_status(first, datetime.date(2026, 1, 1)), _status(second, datetime.date(2026, 1, 1))) == (
        VersionStatus.SUPERSEDED,
        VersionStatus.IN_FORCE,
    )


def test_a_renewal_the_day_after_expiry_supersedes_but_one_after_a_gap_does_not(world):
    expiry = datetime.date(2026, 6, 30)
    renewed, lapsed = draft_mou(world), draft_mou(world, title="Lapsed MOU")
    for mou, gap in ((renewed, 0), (lapsed, 10)):
        first = mou.versions.get()
        services.version_update(actor=world.users["agency_admin"], version=first, expiry_date=expiry)
        sign_all(world, first)
        _next(world, mou, expiry + DAY + datetime.timedelta(days=gap))
    later = datetime.date(2026, 8, 1)
    assert _status(renewed.versions.get(number=1), later) == VersionStatus.SUPERSEDED
    assert _status(lapsed.versions.get(number=1), later) == VersionStatus.EXPIRED


def test_the_current_version_is_the_one_evaluation_finds(world):
    mou = draft_mou(world)
    first = sign_all(world, mou.versions.get())
    second = _next(world, mou, datetime.date(2026, 1, 1))
    for day, expected in ((START - DAY, None), (START, first), (datetime.date(2026, 1, 1), second)):
        found = ev.version_in_force(agency_id=world.agency.pk, school_id=world.high.pk, on=day)
        assert selectors.agreement_current_version(mou, day) == found == expected


def test_the_agreement_status_is_in_force_while_a_new_draft_is_written(world):
    mou = draft_mou(world)
    sign_all(world, mou.versions.get())
    services.version_new_draft(
        actor=world.users["agency_admin"], agreement=mou, effective_date=datetime.date(2026, 8, 1)
    )
    assert selectors.agreement_status(mou, START) == VersionStatus.IN_FORCE
    assert selectors.agreement_latest_version(mou).number == 2
    assert selectors.agreement_status(mou, START - DAY) == VersionStatus.DRAFT


def test_status_of_prefetched_versions_costs_no_queries(world, django_assert_num_queries):
    mou = draft_mou(world)
    sign_all(world, mou.versions.get())
    loaded = Agreement.objects.prefetch_related("versions").get(pk=mou.pk)
    with django_assert_num_queries(0):
        assert [selectors.version_status(v, START) for v in loaded.versions.all()] == [VersionStatus.IN_FORCE]
        assert selectors.agreement_current_version(loaded, START) is not None


def test_completeness_counts_what_is_written(world):
    version = draft_mou(world).versions.get()
    services.section_update(actor=world.users["agency_admin"], version=version, element="purpose", text="Safety.")
    version.sections.filter(element="review").delete()
    completeness = selectors.version_completeness(version)
    assert (completeness.present, completeness.complete) == (1, False)
    assert {c.element: c.state for c in completeness.gaps}["review"] == ElementState.MISSING


def test_the_diff_refuses_versions_of_different_mous(world):
    one, other = draft_mou(world).versions.get(), draft_mou(world, title="Other").versions.get()
    with pytest.raises(ValueError, match=selectors.DIFFERENT_AGREEMENTS):
        selectors.version_diff(one, other)


def test_a_rule_added_back_shows_as_added(world):
    mou = draft_mou(world)
    first = sign_all(world, mou.versions.get())
    second = services.version_new_draft(actor=world.users["agency_admin"], agreement=mou, effective_date=START)
    services.rule_remove(actor=world.users["agency_admin"], version=second, category="weapon")
    diff = selectors.version_diff(second, first)
    assert [(r.category, r.change) for r in diff.rules] == [("weapon", "added")]
    assert diff.rules[0].before is None and diff.rules[0].after.level == "officer_must_act"
