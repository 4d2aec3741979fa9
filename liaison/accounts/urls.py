from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    # --- session ---
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("no-access/", views.no_access, name="no_access"),
    # --- audit log ---
    path("audit/", views.audit_log, name="audit_log"),
]
