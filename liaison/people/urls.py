"""The people pages' URLs: joined to the accounts app's under its `accounts:` names (liaison/urls.py)."""

from __future__ import annotations

from django.urls import path

from . import account_views, sso_views, views

urlpatterns = [
    # --- your account ---
    path("account/", account_views.account, name="account"),
    # --- single sign-on settings of an agency or district ---
    path("sso/settings/<str:kind>/<uuid:uuid>/", sso_views.sso_settings, name="sso_settings"),
    # --- people and their roles at an agency or district ---
    path("people/<str:kind>/<uuid:uuid>/", views.people_list, name="people"),
    path("people/<str:kind>/<uuid:uuid>/new/", views.person_add, name="person_add"),
    path("people/<str:kind>/<uuid:uuid>/grant/", views.role_grant, name="role_grant"),
    path("people/<str:kind>/<uuid:uuid>/person/<uuid:user_uuid>/", views.person_edit, name="person_edit"),
    path(
        "people/<str:kind>/<uuid:uuid>/person/<uuid:user_uuid>/unlock/",
        views.person_unlock,
        name="person_unlock",
    ),
    path(
        "people/<str:kind>/<uuid:uuid>/person/<uuid:user_uuid>/second-factor/reset/",
        views.person_mfa_reset,
        name="person_mfa_reset",
    ),
    path("roles/<uuid:uuid>/remove/", views.membership_remove, name="membership_remove"),
    path("roles/<uuid:uuid>/invitation/", views.invitation_resend, name="invitation_resend"),
]
