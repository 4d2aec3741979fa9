from __future__ import annotations

from django.urls import path

from . import import_views, list_views, offline_views, student_keys_views, views

app_name = "interactions"

urlpatterns: list = [
    # --- the officer's quick log ---
    path("", views.quick_log, name="quick_log"),
    path("<uuid:uuid>/undo/", views.quick_log_undo, name="undo"),
    path("offline/session/", offline_views.offline_session, name="offline_session"),
    # --- enforcement actions ---
    path("enforcement/new/", views.enforcement_new, name="enforcement_new"),
    path("enforcement/mou-check/", views.enforcement_mou_check, name="enforcement_mou_check"),
    # --- one record: its page, changes and voiding ---
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/edit/", views.edit, name="edit"),
    path("<uuid:uuid>/void/", views.void, name="void"),
    # --- lists and exports ---
    path("records/", list_views.record_list, name="list"),
    path("records/export.csv", list_views.record_export, name="export"),
    # --- imports ---
    path("imports/", import_views.import_upload, name="import"),
    path("imports/<uuid:uuid>/", import_views.import_status, name="import_status"),
    path("imports/<uuid:uuid>/status/", import_views.import_status_partial, name="import_status_partial"),
    # --- a district's pseudonymous student keys (its admins) ---
    path("student-keys/<uuid:uuid>/", student_keys_views.student_keys, name="student_keys"),
]
