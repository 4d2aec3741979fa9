"""Every page of the accounts app (and the people pages under its names), of insights and of
notifications is named in a permission test, so a new one cannot slip in without deciding who may
open it."""

from __future__ import annotations

from liaison.accounts import urls as accounts_urls
from liaison.insights import urls as insights_urls
from liaison.notifications import urls as notifications_urls
from liaison.people import urls as people_urls

# The test module that checks each page for every role (or, for the sign-in pages, for anyone).
COVERED = {
    "login": "accounts/tests/test_login.py",
    "logout": "accounts/tests/test_login.py",
    "no_access": "accounts/tests/test_audit_log.py",
    "audit_log": "accounts/tests/test_audit_log.py",
    "audit_export": "accounts/tests/test_audit_page.py",
    "account": "accounts/tests/test_people_permissions.py",
    "api_token_new": "accounts/tests/test_token_self_service.py",
    "api_token_revoke": "accounts/tests/test_token_self_service.py",
    "confirm": "accounts/tests/test_token_self_service.py",
    "password_change": "accounts/tests/test_people_permissions.py",
    "password_reset": "accounts/tests/test_passwords.py",
    "password_reset_sent": "accounts/tests/test_passwords.py",
    "password_reset_confirm": "accounts/tests/test_passwords.py",
    "password_reset_complete": "accounts/tests/test_passwords.py",
    "people": "accounts/tests/test_people_permissions.py",
    "person_add": "accounts/tests/test_people_permissions.py",
    "role_grant": "accounts/tests/test_people_permissions.py",
    "person_edit": "accounts/tests/test_people_permissions.py",
    "person_unlock": "accounts/tests/test_sign_in_unlock.py",
    "person_mfa_reset": "accounts/tests/test_mfa.py",
    "unlock": "accounts/tests/test_sessions.py",
    "unlock_resume": "accounts/tests/test_sessions.py",
    "sign_out_everywhere": "accounts/tests/test_sessions.py",
    "email_confirm": "accounts/tests/test_email_change.py",
    "mfa_verify": "accounts/tests/test_mfa.py",
    "mfa_totp": "accounts/tests/test_mfa.py",
    "passkey_auth_options": "accounts/tests/test_passkeys.py",
    "passkey_auth": "accounts/tests/test_passkeys.py",
    "passkey_options": "accounts/tests/test_passkeys.py",
    "passkey_add": "accounts/tests/test_passkeys.py",
    "passkey_remove": "accounts/tests/test_recovery_and_removal.py",
    "mfa_totp_remove": "accounts/tests/test_recovery_and_removal.py",
    "recovery_codes": "accounts/tests/test_recovery_and_removal.py",
    "sso_start": "accounts/tests/test_sso.py",
    "sso_link": "accounts/tests/test_sso.py",
    "sso_callback": "accounts/tests/test_sso.py",
    "sso_settings": "accounts/tests/test_sso.py",
    "membership_remove": "accounts/tests/test_people_permissions.py",
    "invitation_resend": "accounts/tests/test_people_permissions.py",
    "equity": "insights/tests/test_equity.py",
    "crdc": "insights/tests/test_crdc.py",
    "state": "insights/tests/test_state_view.py",
    "school_reported_edit": "insights/tests/test_crdc.py",
    "list": "notifications/tests/test_notifications.py",
    "mark_read": "notifications/tests/test_notifications.py",
    "preferences": "notifications/tests/test_notifications.py",
    "badge": "notifications/tests/test_notifications.py",
    # the home page (the work queue) and its navigation count: workflows/tests/test_queues.py
    "report": "insights/tests/test_report.py",
    "report_build": "insights/tests/test_report.py",
    "report_publish": "insights/tests/test_report.py",
    "report_status": "insights/tests/test_report.py",
    "report_pdf": "insights/tests/test_report.py",
    "outcomes-school": "insights/tests/test_outcomes.py",
    "outcomes-agency": "insights/tests/test_outcomes.py",
    "outcomes-district": "insights/tests/test_outcomes.py",
    "contacts-trust": "insights/tests/test_contacts_trust_evaluator.py",  # (and test_outcomes.py)
    "outcomes-publish": "insights/tests/test_public_outcomes.py",
    "outcomes-agency-publish": "insights/tests/test_public_agency_outcomes.py",
}


def test_every_accounts_and_insights_page_has_a_permission_test():
    names = {p.name for p in accounts_urls.urlpatterns} | {p.name for p in insights_urls.urlpatterns}
    names |= {p.name for p in people_urls.urlpatterns}  # named accounts: too (liaison/urls.py)
    names |= {p.name for p in notifications_urls.urlpatterns}
    assert names - set(COVERED) == set()
