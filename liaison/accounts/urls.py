from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from . import password_views, people_views, views

app_name = "accounts"

urlpatterns = [
    # --- session ---
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("no-access/", views.no_access, name="no_access"),
    # --- your account and password ---
    path("account/", views.account, name="account"),
    path("account/tokens/new/", views.api_token_new, name="api_token_new"),
    path("account/tokens/<uuid:uuid>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("password/change/", password_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", password_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", password_views.PasswordResetSentView.as_view(), name="password_reset_sent"),
    path("password/set/<uidb64>/<token>/", password_views.PasswordSetView.as_view(), name="password_reset_confirm"),
    path("password/set/done/", password_views.PasswordSetDoneView.as_view(), name="password_reset_complete"),
    # --- people and their roles at an agency or district ---
    path("people/<str:kind>/<uuid:uuid>/", people_views.people_list, name="people"),
    path("people/<str:kind>/<uuid:uuid>/new/", people_views.person_add, name="person_add"),
    path("people/<str:kind>/<uuid:uuid>/grant/", people_views.role_grant, name="role_grant"),
    path("people/<str:kind>/<uuid:uuid>/person/<uuid:user_uuid>/", people_views.person_edit, name="person_edit"),
    path("roles/<uuid:uuid>/remove/", people_views.membership_remove, name="membership_remove"),
    path("roles/<uuid:uuid>/invitation/", people_views.invitation_resend, name="invitation_resend"),
    # --- audit log ---
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
]
