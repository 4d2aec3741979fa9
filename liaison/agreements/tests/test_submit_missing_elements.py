"""Submitting an MOU with missing or empty elements shows them and needs the submitter's acknowledgement."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from liaison.accounts.models import AuditEntry
from liaison.agreements import services
from liaison.agreements.selectors import version_completeness
from liaison.agreements.tests.mous import draft_mou
from liaison.agreements.tests.pages import page_text, url
from liaison.agreements.vocabulary import Element


@pytest.fixture
def draft(world):
    return draft_mou(world).versions.get()


def _submitted(version) -> bool:
    version.refresh_from_db()
    return not version.is_draft


def test_the_submit_form_lists_the_missing_elements_with_a_checkbox(page_as, draft):
    html = page_text(page_as("agency_admin").get(url("detail", draft.agreement.uuid)))
    gaps = version_completeness(draft).gaps
    assert gaps
    for check in gaps:
        assert str(check.label) in html
    assert 'name="acknowledge_missing"' in html


def test_the_page_refuses_an_unacknowledged_submit_and_names_the_gaps(page_as, draft):
    response = page_as("agency_admin").post(url("submit", draft.uuid))
    assert not _submitted(draft)
    assert "are missing or empty" in page_text(response)


def test_the_page_submits_with_the_acknowledgement_and_the_audit_log_records_it(page_as, world, draft):
    gaps = [check.element for check in version_completeness(draft).gaps]
    page_as("agency_admin").post(url("submit", draft.uuid), {"acknowledge_missing": "on"})
    assert _submitted(draft)
    entry = AuditEntry.objects.filter(object_uuid=draft.uuid, summary__startswith="Submitted").get()
    assert entry.actor == world.users["agency_admin"]
    assert entry.after["acknowledged_missing"] is True and entry.after["missing_elements"] == gaps
    assert "acknowledging" in entry.summary


def test_the_api_names_the_field_and_submits_when_acknowledged(api_as, draft):
    chief = api_as("agency_admin")
    path = f"/agreements/versions/{draft.uuid}/submit"
    refused = chief.post(path, {})
    assert refused.status_code == 400
    assert "acknowledge_missing" in refused.content.decode()
    assert not _submitted(draft)
    assert chief.post(path, {"acknowledge_missing": True}).status_code == 200
    assert _submitted(draft)


def test_a_complete_version_needs_no_acknowledgement_and_records_none(world, draft):
    for element, _ in Element.choices:
        services.section_update(actor=world.users["agency_admin"], version=draft, element=element, text="Written.")
    assert version_completeness(draft).complete
    services.version_submit(actor=world.users["agency_admin"], version=draft)
    entry = AuditEntry.objects.filter(object_uuid=draft.uuid, summary__startswith="Submitted").get()
    assert "missing_elements" not in entry.after


def test_the_service_refuses_without_the_acknowledgement(world, draft):
    with pytest.raises(ValidationError) as refused:
        services.version_submit(actor=world.users["agency_admin"], version=draft)
    assert "acknowledge_missing" in refused.value.message_dict
