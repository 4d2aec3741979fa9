from __future__ import annotations

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns: list = [
    path("", views.notification_list, name="list"),
    path("read/", views.mark_read, name="mark_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("badge/", views.badge, name="badge"),
]
