"""In Chromium: "Sign in with …" on Liaison's sign-in page, the provider's own page, and back signed in.

The provider is the real one the SSO tests use (Authlib's server on a local port); the browser
follows every redirect itself, so cookies, state and the callback are exactly a person's.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from liaison.accounts import sso
from liaison.accounts.models import AuditEntry, IdentityProvider, SsoIdentity
from liaison.accounts.tests.oidc_provider import Provider, plain_http

pytestmark = pytest.mark.browser


@pytest.fixture
def idp(monkeypatch):
    plain_http(monkeypatch)
    provider = Provider().start()
    yield provider
    provider.stop()


def test_a_supervisor_signs_in_with_the_agencys_provider(world, page, live_server, idp):
    idp.add_client("liaison", "browser-secret", f"{live_server.url}/accounts/sso/callback/")
    idp.add_person("entra-supervisor")
    provider = sso.provider_save(
        actor=world.users["agency_admin"],
        provider=IdentityProvider(agency=world.agency, name="Millbrook Entra", issuer=idp.url, client_id="liaison"),
        client_secret="browser-secret",
    )
    SsoIdentity.objects.create(
        user=world.users["supervisor"], provider=provider, issuer=idp.url, subject="entra-supervisor"
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Millbrook Entra").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("Username").fill("entra-supervisor")
    page.get_by_label("Password").fill("idp-password")
    page.get_by_role("button", name="Sign in at the provider").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    assert page.url.startswith(live_server.url)
    assert AuditEntry.objects.filter(action="login", object_type="accounts.sso").count() == 1
