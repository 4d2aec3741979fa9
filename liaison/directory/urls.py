from __future__ import annotations

from django.urls import path

from . import import_views, local_code_views, views

app_name = "directory"

urlpatterns = [
    # --- agencies ---
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/<uuid:uuid>/", views.agency_detail, name="agency_detail"),
    path("agencies/<uuid:uuid>/edit/", views.agency_edit, name="agency_edit"),
    path("agencies/<uuid:uuid>/coverage/", views.agency_coverage, name="agency_coverage"),
    path("agencies/<uuid:uuid>/officers/new/", views.officer_create, name="officer_create"),
    path(
        "agencies/<uuid:uuid>/training-requirements/",
        views.training_requirements_edit,
        name="training_requirements_edit",
    ),
    # --- partnerships ---
    path("partnerships/new/", views.partnership_create, name="partnership_create"),
    path("partnerships/<uuid:uuid>/edit/", views.partnership_edit, name="partnership_edit"),
    # --- districts ---
    path("districts/", views.district_list, name="district_list"),
    path("districts/new/", views.district_create, name="district_create"),
    path("districts/<uuid:uuid>/edit/", views.district_edit, name="district_edit"),
    path("districts/<uuid:uuid>/", views.district_detail, name="district_detail"),
    path("districts/<uuid:uuid>/schools/new/", views.school_create, name="school_create"),
    path("districts/<uuid:uuid>/local-codes/", local_code_views.local_codes_edit, name="local_codes"),
    path("districts/<uuid:uuid>/local-codes/upload/", local_code_views.local_codes_upload, name="local_codes_upload"),
    path("districts/<uuid:uuid>/local-codes.csv", local_code_views.local_codes_download, name="local_codes_download"),
    # --- schools ---
    path("schools/<uuid:uuid>/", views.school_detail, name="school_detail"),
    path("schools/<uuid:uuid>/edit/", views.school_edit, name="school_edit"),
    path("schools/<uuid:uuid>/enrollment/new/", views.enrollment_edit, name="enrollment_create"),
    path("schools/<uuid:uuid>/enrollment/<str:school_year>/", views.enrollment_edit, name="enrollment_edit"),
    # --- officers ---
    path("officers/<uuid:uuid>/", views.officer_detail, name="officer_detail"),
    path("officers/<uuid:uuid>/edit/", views.officer_edit, name="officer_edit"),
    path("officers/<uuid:uuid>/training/new/", views.training_record_create, name="training_record_create"),
    path("officers/<uuid:uuid>/assignments/new/", views.assignment_create, name="assignment_create"),
    # --- assignments ---
    path("assignments/<uuid:uuid>/end/", views.assignment_end, name="assignment_end"),
    # --- roster import ---
    path("imports/oneroster/", import_views.import_oneroster, name="import_oneroster"),
    path("imports/<uuid:uuid>/", import_views.import_status, name="import_status"),
    path("imports/<uuid:uuid>/status/", import_views.import_status_partial, name="import_status_partial"),
    path("imports/<uuid:uuid>/confirm/", import_views.import_confirm, name="import_confirm"),
]
