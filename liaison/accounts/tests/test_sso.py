"""Single sign-on against a real OpenID Connect provider (oidc_provider.py, Authlib's server on a live port).

Nothing of the protocol is mocked: Liaison's client fetches discovery and keys, sends the browser to
the provider's authorize page, exchanges the code at its token endpoint and checks the signed ID token.
"""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liaison.accounts import sso
from liaison.accounts.lockout import DEVICE_COOKIE
from liaison.accounts.models import AuditEntry, IdentityProvider, Membership, SsoIdentity
from liaison.accounts.roles import Role
from liaison.accounts.tests.oidc_provider import Provider, plain_http
from liaison.accounts.tests.test_mfa import VERIFY, enrol
from liaison.accounts.tests.test_people_permissions import AGENCY_MANAGERS, SEES_AGENCY, expected
from liaison.conftest import PASSWORD, ROLES

CLIENT_ID, CLIENT_SECRET = "liaison", "idp-client-secret"
CALLBACK = "http://testserver/accounts/sso/callback/"
ACCOUNT = reverse("accounts:account")


@pytest.fixture
def idp(monkeypatch):
    plain_http(monkeypatch)
    provider = Provider().start()
    provider.add_client(CLIENT_ID, CLIENT_SECRET, CALLBACK)
    yield provider
    provider.stop()


@pytest.fixture
def org_idp(world, idp) -> IdentityProvider:
    """Millbrook PD's provider, set up by its admin through the service the settings page calls."""
    provider = IdentityProvider(
        agency=world.agency, name="Millbrook Entra", issuer=idp.url, client_id=CLIENT_ID, mfa_counts="never"
    )
    return sso.provider_save(actor=world.users["agency_admin"], provider=provider, client_secret=CLIENT_SECRET)


def link(user, org_idp: IdentityProvider, idp: Provider, sub: str) -> SsoIdentity:
    idp.add_person(sub)
    return SsoIdentity.objects.create(user=user, provider=org_idp, issuer=idp.url, subject=sub)


def to_provider(client: Client, org_idp: IdentityProvider, next_url: str = "") -> str:
    url = reverse("accounts:sso_start", args=[org_idp.uuid]) + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302, response.content
    return response["Location"]


def at_provider(authorize_url: str, sub: str, password: str = "idp-password") -> str:
    """The person signs in on the provider's own page; where it sends the browser back to."""
    assert "Test identity provider" in requests.get(authorize_url, timeout=5).text
    answer = requests.post(
        authorize_url, data={"username": sub, "password": password}, allow_redirects=False, timeout=5
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def back(client: Client, location: str):
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return client.get(f"{parts.path}?{parts.query}")


def sso_sign_in(client: Client, org_idp: IdentityProvider, sub: str, next_url: str = ""):
    return back(client, at_provider(to_provider(client, org_idp, next_url), sub))


def signed_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def refusals() -> list[str]:
    return list(
        AuditEntry.objects.filter(action="login_failed", object_type="accounts.sso").values_list("summary", flat=True)
    )


# --- the whole flow ------------------------------------------------------------------------------------


def test_a_linked_person_signs_in_through_the_provider(world, idp, org_idp):
    supervisor = world.users["supervisor"]
    link(supervisor, org_idp, idp, "entra-sub-supervisor")
    client = Client()
    response = sso_sign_in(client, org_idp, "entra-sub-supervisor", next_url=ACCOUNT)
    assert response.status_code == 302 and response["Location"] == ACCOUNT
    assert signed_in_as(client) == supervisor.pk
    assert client.get(ACCOUNT).status_code == 200
    assert DEVICE_COOKIE in response.cookies  # no factor of their own: the sign-in is complete
    entry = AuditEntry.objects.get(action="login", object_type="accounts.sso")
    assert entry.actor == supervisor and entry.agency_id == world.agency.pk
    assert "Millbrook Entra (first factor only)" in entry.summary
    assert SsoIdentity.objects.get(user=supervisor).last_used_at is not None


def test_the_authorization_request_carries_state_nonce_and_a_pkce_challenge(world, idp, org_idp):
    query = parse_qs(urlsplit(to_provider(Client(), org_idp)).query)
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert query["redirect_uri"] == [CALLBACK]
    assert set(query["scope"][0].split()) >= {"openid", "email"}


def test_the_sign_in_page_offers_the_provider(world, idp, org_idp):
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "Sign in with Millbrook Entra" in page


def test_a_switched_off_provider_is_neither_offered_nor_started(world, idp, org_idp):
    IdentityProvider.objects.filter(pk=org_idp.pk).update(enabled=False)
    assert "Sign in with" not in Client().get(reverse("accounts:login")).content.decode()
    assert Client().get(reverse("accounts:sso_start", args=[org_idp.uuid])).status_code == 404


# --- the second factor -------------------------------------------------------------------------------------


def test_the_provider_is_the_first_factor_only_by_default(world, idp, org_idp):
    supervisor = world.users["supervisor"]
    enrol(supervisor)
    link(supervisor, org_idp, idp, "sub-s")
    client = Client()
    response = sso_sign_in(client, org_idp, "sub-s")
    assert DEVICE_COOKIE not in response.cookies
    assert client.get(ACCOUNT)["Location"].startswith(VERIFY)


def test_an_attested_provider_counts_as_the_second_factor(world, idp, org_idp):
    IdentityProvider.objects.filter(pk=org_idp.pk).update(mfa_counts="attested")
    enrol(world.users["supervisor"])
    link(world.users["supervisor"], org_idp, idp, "sub-s")
    client = Client()
    sso_sign_in(client, org_idp, "sub-s")
    assert client.get(ACCOUNT).status_code == 200
    assert "counted as the second factor" in AuditEntry.objects.get(action="login", object_type="accounts.sso").summary


@pytest.mark.parametrize(("amr", "counted"), [(["pwd", "mfa"], True), (["pwd"], False), (None, False)])
def test_the_amr_claim_decides_when_the_organisation_says_so(world, idp, org_idp, amr, counted):
    IdentityProvider.objects.filter(pk=org_idp.pk).update(mfa_counts="amr")
    enrol(world.users["supervisor"])
    link(world.users["supervisor"], org_idp, idp, "sub-s")
    idp.amr = amr
    client = Client()
    sso_sign_in(client, org_idp, "sub-s")
    assert (client.get(ACCOUNT).status_code == 200) is counted


# --- failures: each refused, nobody signed in, the refusal audited --------------------------------------------


def test_a_forged_state_is_refused(world, idp, org_idp):
    link(world.users["supervisor"], org_idp, idp, "sub-s")
    client = Client()
    location = at_provider(to_provider(client, org_idp), "sub-s")
    forged = location.replace("state=", "state=forged")
    response = back(client, forged)
    assert response.status_code == 400 and signed_in_as(client) is None
    assert "did not match" in refusals()[0]


def test_a_callback_from_a_flow_another_browser_started_is_refused(world, idp, org_idp):
    """Login CSRF: the attacker's own code and state, planted in the victim's browser."""
    link(world.users["supervisor"], org_idp, idp, "sub-s")
    attacker, victim = Client(), Client()
    location = at_provider(to_provider(attacker, org_idp), "sub-s")
    assert back(victim, location).status_code == 400 and signed_in_as(victim) is None


def test_a_state_is_used_once(world, idp, org_idp):
    link(world.users["supervisor"], org_idp, idp, "sub-s")
    client = Client()
    location = at_provider(to_provider(client, org_idp), "sub-s")
    assert back(client, location).status_code == 302
    client.post(reverse("accounts:logout"))
    assert back(client, location).status_code == 400 and signed_in_as(client) is None


def test_a_discovery_document_naming_another_issuer_is_refused(world, idp, org_idp):
    idp.issuer_claimed = "https://login.attacker.example"
    response = Client().get(reverse("accounts:sso_start", args=[org_idp.uuid]))
    assert response.status_code == 502
    assert "names the issuer 'https://login.attacker.example'" in refusals()[0]


def test_an_id_token_from_another_issuer_is_refused(world, idp, org_idp):
    link(world.users["supervisor"], org_idp, idp, "sub-s")
    idp.token_issuer = "https://login.attacker.example"
    client = Client()
    response = sso_sign_in(client, org_idp, "sub-s")
    assert response.status_code == 400 and signed_in_as(client) is None
    assert "iss" in refusals()[0]


def test_an_expired_id_token_is_refused(world, idp, org_idp):
    link(world.users["supervisor"], org_idp, idp, "sub-s")
    idp.id_token_seconds = -300  # expired five minutes ago, beyond the minute's leeway for clocks
    client = Client()
    response = sso_sign_in(client, org_idp, "sub-s")
    assert response.status_code == 400 and signed_in_as(client) is None
    assert "exp" in refusals()[0]


def test_an_id_token_signed_by_another_key_is_refused(world, idp, org_idp):
    from joserfc.jwk import RSAKey

    link(world.users["supervisor"], org_idp, idp, "sub-s")
    idp.signing_key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})  # JWKS still publishes the old one
    client = Client()
    assert sso_sign_in(client, org_idp, "sub-s").status_code == 400 and signed_in_as(client) is None


def test_a_nonce_that_does_not_match_is_refused(world, idp, org_idp):
    link(world.users["supervisor"], org_idp, idp, "sub-s")
    client = Client()
    location = at_provider(to_provider(client, org_idp), "sub-s")
    session = client.session
    flows = session[sso.FLOWS_SESSION]
    for flow in flows.values():
        flow["nonce"] = "not-the-nonce-sent"
    session[sso.FLOWS_SESSION] = flows
    session.save()
    assert back(client, location).status_code == 400 and signed_in_as(client) is None
    assert "nonce" in refusals()[0]


def test_an_unknown_subject_is_refused(world, idp, org_idp):
    idp.add_person("never-linked")
    client = Client()
    response = sso_sign_in(client, org_idp, "never-linked")
    assert response.status_code == 400 and signed_in_as(client) is None
    assert "not linked" in response.content.decode()
    assert "no Liaison login is linked to subject 'never-linked'" in refusals()[0]


def test_a_matching_email_alone_never_signs_anyone_in(world, idp, org_idp):
    supervisor = world.users["supervisor"]
    supervisor.email = "sam@millbrook.example"
    supervisor.save(update_fields=["email"])
    idp.add_person("someone-else", email="sam@millbrook.example")
    client = Client()
    assert sso_sign_in(client, org_idp, "someone-else").status_code == 400 and signed_in_as(client) is None


def test_a_switched_off_login_is_refused(world, idp, org_idp):
    supervisor = world.users["supervisor"]
    link(supervisor, org_idp, idp, "sub-s")
    supervisor.is_active = False
    supervisor.save(update_fields=["is_active"])
    client = Client()
    response = sso_sign_in(client, org_idp, "sub-s")
    assert response.status_code == 400 and signed_in_as(client) is None
    entry = AuditEntry.objects.get(action="login_failed", object_type="accounts.sso")
    assert entry.object_uuid == supervisor.uuid and "switched off" in entry.summary


def test_a_person_with_a_role_elsewhere_is_refused(world, idp, org_idp):
    supervisor = world.users["supervisor"]
    link(supervisor, org_idp, idp, "sub-s")
    Membership.objects.create(user=supervisor, role=Role.EVALUATOR, district=world.other_district)
    client = Client()
    assert sso_sign_in(client, org_idp, "sub-s").status_code == 400 and signed_in_as(client) is None
    assert "outside the provider's organisation" in refusals()[0]


def test_an_identity_linked_at_another_organisations_provider_does_not_sign_in_here(world, idp, org_idp):
    other = IdentityProvider.objects.create(
        agency=world.other_agency, name="Harlow", issuer="https://harlow.example", client_id="x", client_secret_env=""
    )
    SsoIdentity.objects.create(user=world.users["supervisor"], provider=other, issuer=idp.url, subject="sub-s")
    idp.add_person("sub-s")
    client = Client()
    assert sso_sign_in(client, org_idp, "sub-s").status_code == 400 and signed_in_as(client) is None


def test_the_email_domain_narrows_who_may_sign_in(world, idp, org_idp):
    IdentityProvider.objects.filter(pk=org_idp.pk).update(allowed_email_domain="millbrook.example")
    link(world.users["supervisor"], org_idp, idp, "sub-s")  # e-mail sub-s@example.org
    client = Client()
    assert sso_sign_in(client, org_idp, "sub-s").status_code == 400 and signed_in_as(client) is None


def test_the_provider_refusing_is_shown_and_audited(world, idp, org_idp):
    client = Client()
    to_provider(client, org_idp)
    state = next(iter(client.session[sso.FLOWS_SESSION]))
    response = client.get(
        reverse("accounts:sso_callback") + "?" + urlencode({"state": state, "error": "access_denied"})
    )
    assert response.status_code == 400 and "access_denied" in response.content.decode()
    assert "the provider answered access_denied" in refusals()[0]


def test_a_wrong_client_secret_is_refused_by_the_provider(world, idp, org_idp):
    link(world.users["supervisor"], org_idp, idp, "sub-s")
    sso.provider_save(actor=world.users["agency_admin"], provider=org_idp, client_secret="not-the-secret")
    client = Client()
    assert sso_sign_in(client, org_idp, "sub-s").status_code == 400 and signed_in_as(client) is None
    assert "code exchange failed" in refusals()[0]


# --- linking one's own account ------------------------------------------------------------------------------


def test_a_person_links_their_account_once_and_then_signs_in_with_it(world, idp, org_idp, page_as):
    idp.add_person("entra-officer")
    officer = page_as("officer", second_factor=True)
    account = officer.get(ACCOUNT).content.decode()
    assert "Link your Millbrook Entra account" in account
    start = officer.post(reverse("accounts:sso_link", args=[org_idp.uuid]))
    assert start.status_code == 302
    done = back(officer, at_provider(start["Location"], "entra-officer"))
    assert done.status_code == 302 and done["Location"].startswith(ACCOUNT)
    identity = SsoIdentity.objects.get(user=world.users["officer"])
    assert (identity.issuer, identity.subject) == (idp.url, "entra-officer")
    assert AuditEntry.objects.filter(action="create", summary__contains="linked their Millbrook Entra account").exists()
    fresh = Client()
    sso_sign_in(fresh, org_idp, "entra-officer")
    assert signed_in_as(fresh) == world.users["officer"].pk


def test_linking_needs_a_recent_second_factor(world, idp, org_idp, page_as):
    client = page_as("supervisor", second_factor=True)
    later = timezone.now() + datetime.timedelta(minutes=settings.REAUTH_MINUTES + 1)
    with time_machine.travel(later):
        response = client.post(reverse("accounts:sso_link", args=[org_idp.uuid]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:confirm"))


def test_a_session_still_at_the_code_page_cannot_link(world, idp, org_idp):
    enrol(world.users["supervisor"])
    client = Client()
    client.post(reverse("accounts:login"), {"username": "supervisor", "password": PASSWORD})
    response = client.post(reverse("accounts:sso_link", args=[org_idp.uuid]))
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert sso.FLOWS_SESSION not in client.session


def test_a_provider_account_linked_to_someone_else_cannot_be_linked_again(world, idp, org_idp, page_as):
    link(world.users["supervisor"], org_idp, idp, "shared-sub")
    officer = page_as("officer", second_factor=True)
    start = officer.post(reverse("accounts:sso_link", args=[org_idp.uuid]))
    response = back(officer, at_provider(start["Location"], "shared-sub"))
    assert response.status_code == 400
    assert SsoIdentity.objects.get(subject="shared-sub").user == world.users["supervisor"]


@pytest.mark.parametrize("role", ROLES)
def test_only_people_whose_roles_are_all_at_the_organisation_may_link(world, idp, org_idp, page_as, role):
    response = page_as(role, second_factor=True).post(reverse("accounts:sso_link", args=[org_idp.uuid]))
    at_agency_only = {"agency_admin", "supervisor", "officer", "evaluator"}  # (the evaluator is at the agency)
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == (302 if role in at_agency_only else 404)


# --- the organisation admin's settings page -------------------------------------------------------------------


def settings_url(world) -> str:
    return reverse("accounts:sso_settings", args=["agency", world.agency.uuid])


FORM = {
    "name": "Millbrook Google",
    "issuer": "https://accounts.google.com",
    "client_id": "123.apps.googleusercontent.com",
    "client_secret": "GOCSPX-very-secret",
    "client_secret_env": "",
    "allowed_email_domain": "millbrook.example",
    "mfa_counts": "attested",
    "enabled": "on",
}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_the_settings_page(world, page_as, role):
    statuses = expected(AGENCY_MANAGERS, SEES_AGENCY)
    assert page_as(role, second_factor=True).get(settings_url(world)).status_code == statuses[role]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_change_the_settings(world, page_as, role):
    statuses = expected(AGENCY_MANAGERS, SEES_AGENCY)
    response = page_as(role, second_factor=True).post(settings_url(world), FORM)
    assert response.status_code == (302 if statuses[role] == 200 else statuses[role])
    assert IdentityProvider.objects.filter(agency=world.agency).exists() is (statuses[role] == 200)


def test_the_secret_is_stored_encrypted_and_never_logged(world, page_as):
    page_as("agency_admin").post(settings_url(world), FORM)
    provider = IdentityProvider.objects.get(agency=world.agency)
    assert "GOCSPX" not in provider.client_secret_encrypted
    assert sso.provider_client_secret(provider) == "GOCSPX-very-secret"
    entry = AuditEntry.objects.get(object_type="accounts.identityprovider")
    assert entry.action == "create" and entry.agency_id == world.agency.pk
    assert "GOCSPX" not in str(entry.after) and entry.after["client_secret_encrypted"] == "(set)"


def test_a_change_is_audited_and_an_empty_secret_keeps_the_old(world, page_as):
    admin = page_as("agency_admin")
    admin.post(settings_url(world), FORM)
    admin.post(settings_url(world), FORM | {"client_secret": "", "mfa_counts": "never"})
    provider = IdentityProvider.objects.get(agency=world.agency)
    assert provider.mfa_counts == "never" and sso.provider_client_secret(provider) == "GOCSPX-very-secret"
    change = AuditEntry.objects.filter(object_type="accounts.identityprovider", action="update").get()
    assert change.before == {"mfa_counts": "attested"} and change.after == {"mfa_counts": "never"}


def test_the_secret_may_come_from_the_environment_but_only_a_sso_variable(world, page_as, monkeypatch):
    admin = page_as("agency_admin")
    refused = admin.post(settings_url(world), FORM | {"client_secret": "", "client_secret_env": "SECRET_KEY"})
    assert refused.status_code == 400 and not IdentityProvider.objects.exists()
    monkeypatch.setenv("SSO_CLIENT_SECRET_MILLBROOK", "from-the-environment")
    admin.post(settings_url(world), FORM | {"client_secret": "", "client_secret_env": "SSO_CLIENT_SECRET_MILLBROOK"})
    provider = IdentityProvider.objects.get(agency=world.agency)
    assert provider.client_secret_encrypted == ""
    assert sso.provider_client_secret(provider) == "from-the-environment"


def test_a_plain_http_issuer_is_refused_outside_the_test_provider(world, page_as, monkeypatch):
    monkeypatch.delenv("AUTHLIB_INSECURE_TRANSPORT", raising=False)
    response = page_as("agency_admin").post(settings_url(world), FORM | {"issuer": "http://idp.example"})
    assert response.status_code == 400 and not IdentityProvider.objects.exists()


def test_a_districts_provider_signs_in_its_school_admins_but_not_the_agencys_people(world, idp):
    provider = sso.provider_save(
        actor=world.users["district_admin"],
        provider=IdentityProvider(
            district=world.district, name="Millbrook Google", issuer=idp.url, client_id=CLIENT_ID
        ),
        client_secret=CLIENT_SECRET,
    )
    link(world.users["school_admin"], provider, idp, "google-principal")
    link(world.users["officer"], provider, idp, "google-officer")  # planted: the officer's roles are at the agency
    principal, officer = Client(), Client()
    sso_sign_in(principal, provider, "google-principal")
    assert signed_in_as(principal) == world.users["school_admin"].pk
    assert sso_sign_in(officer, provider, "google-officer").status_code == 400 and signed_in_as(officer) is None
    assert AuditEntry.objects.get(action="login", object_type="accounts.sso").district_id == world.district.pk
