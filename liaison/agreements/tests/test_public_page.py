"""The public page: the MOU in force, when published, for anyone without signing in; nothing else."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from liaison.agreements import services
from liaison.agreements.tests.mous import draft_mou, mou_in_force, sign_all


def publish(world, agreement, published=True):
    services.agreement_publish(actor=world.users["agency_admin"], agreement=agreement, published=published)


@pytest.fixture
def anonymous():
    return Client()


def test_a_published_mou_in_force_is_listed_and_readable_without_signing_in(world, anonymous):
    agreement = mou_in_force(world)
    publish(world, agreement)
    listing = anonymous.get(reverse("public_mous"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert reverse("public_mou", args=[agreement.uuid]) in page and "Millbrook Police Department" in page
    document = anonymous.get(reverse("public_mou", args=[agreement.uuid]))
    assert document.status_code == 200
    text = document.content.decode()
    assert "Millbrook SRO MOU" in text and "Signatures" in text and "Agency Tester" in text
    pdf = anonymous.get(reverse("public_mou_pdf", args=[agreement.uuid]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_an_unpublished_mou_is_not_shown(world, anonymous):
    agreement = mou_in_force(world)
    assert anonymous.get(reverse("public_mou", args=[agreement.uuid])).status_code == 404
    assert anonymous.get(reverse("public_mou_pdf", args=[agreement.uuid])).status_code == 404
    assert reverse("public_mou", args=[agreement.uuid]) not in anonymous.get(reverse("public_mous")).content.decode()
    publish(world, agreement)
    publish(world, agreement, published=False)
    assert anonymous.get(reverse("public_mou", args=[agreement.uuid])).status_code == 404


def test_a_published_draft_or_one_awaiting_signatures_is_not_shown(world, anonymous):
    agreement = draft_mou(world)
    publish(world, agreement)
    assert anonymous.get(reverse("public_mou", args=[agreement.uuid])).status_code == 404
    services.version_submit(
        actor=world.users["agency_admin"], version=agreement.versions.get(), acknowledge_missing=True
    )
    assert anonymous.get(reverse("public_mou", args=[agreement.uuid])).status_code == 404


def test_a_signed_version_not_yet_in_effect_is_not_shown(world, anonymous):
    future = datetime.date.today() + datetime.timedelta(days=60)
    agreement = draft_mou(world, effective_date=future)
    sign_all(world, agreement.versions.get())
    publish(world, agreement)
    assert anonymous.get(reverse("public_mou", args=[agreement.uuid])).status_code == 404


def test_the_mou_page_links_to_its_public_page_once_published(page_as, world):
    agreement = mou_in_force(world)
    detail = reverse("agreements:detail", args=[agreement.uuid])
    client = page_as("agency_admin")
    assert reverse("public_mou", args=[agreement.uuid]) not in client.get(detail).content.decode()
    publish(world, agreement)
    assert reverse("public_mou", args=[agreement.uuid]) in client.get(detail).content.decode()


def test_an_unknown_mou_is_a_404(world, anonymous):
    assert anonymous.get("/public/mous/00000000-0000-0000-0000-000000000000/").status_code == 404
