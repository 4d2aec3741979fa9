from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from . import email_views, mfa_views, password_views, session_views, sso_views, views

app_name = "accounts"

# The pages that also need the directory (your account page, people and roles, single sign-on
# settings) are liaison/people/urls.py, joined to these under the same `accounts:` names in liaison/urls.py.
urlpatterns = [
    # --- session ---
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("no-access/", views.no_access, name="no_access"),
    path("sso/<uuid:uuid>/", sso_views.sso_start, name="sso_start"),
    path("sso/<uuid:uuid>/link/", sso_views.sso_link, name="sso_link"),
    path("sso/callback/", sso_views.sso_callback, name="sso_callback"),
    path("unlock/", session_views.unlock, name="unlock"),
    path("unlock/resume/", session_views.unlock_resume, name="unlock_resume"),
    path("account/sign-out-everywhere/", session_views.sign_out_everywhere, name="sign_out_everywhere"),
    path("account/email/confirm/<str:token>/", email_views.email_confirm, name="email_confirm"),
    # --- your account and password ---
    path("account/confirm/", views.confirm, name="confirm"),
    path("account/second-factor/", mfa_views.verify, name="mfa_verify"),
    path("account/second-factor/passkey/options/", mfa_views.passkey_auth_options, name="passkey_auth_options"),
    path("account/second-factor/passkey/", mfa_views.passkey_auth, name="passkey_auth"),
    path("account/authenticator/", mfa_views.totp_setup, name="mfa_totp"),
    path("account/authenticator/passkey/options/", mfa_views.passkey_options, name="passkey_options"),
    path("account/authenticator/passkey/", mfa_views.passkey_add, name="passkey_add"),
    path("account/authenticator/remove/", mfa_views.totp_remove, name="mfa_totp_remove"),
    path("account/passkeys/<uuid:uuid>/remove/", mfa_views.passkey_remove, name="passkey_remove"),
    path("account/recovery-codes/", mfa_views.recovery_codes, name="recovery_codes"),
    path("account/tokens/new/", views.api_token_new, name="api_token_new"),
    path("account/tokens/<uuid:uuid>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("password/change/", password_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", password_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", password_views.PasswordResetSentView.as_view(), name="password_reset_sent"),
    path("password/set/<uidb64>/<token>/", password_views.PasswordSetView.as_view(), name="password_reset_confirm"),
    path("password/set/done/", password_views.PasswordSetDoneView.as_view(), name="password_reset_complete"),
    # --- audit log ---
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
]
