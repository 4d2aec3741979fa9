from __future__ import annotations

from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    # --- agencies ---
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<uuid:uuid>/", views.agency_detail, name="agency_detail"),
    # --- districts ---
    path("districts/<uuid:uuid>/", views.district_detail, name="district_detail"),
    # --- schools ---
    path("schools/<uuid:uuid>/", views.school_detail, name="school_detail"),
    # --- officers ---
    path("officers/<uuid:uuid>/", views.officer_detail, name="officer_detail"),
    # --- roster import ---
    path("imports/oneroster/", views.import_oneroster, name="import_oneroster"),
]
