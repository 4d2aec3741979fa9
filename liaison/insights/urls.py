from __future__ import annotations

from django.urls import path

from . import outcome_views, public_outcome_views, report_views, state_views, views

app_name = "insights"

urlpatterns = [
    path("equity/<uuid:uuid>/", views.equity, name="equity"),
    path("crdc/<uuid:uuid>/", views.crdc, name="crdc"),
    path("state/<str:state>/", state_views.state, name="state"),
    path("crdc/schools/<uuid:uuid>/<str:school_year>/", views.school_reported_edit, name="school_reported_edit"),
    # --- the annual program report ---
    path("reports/<str:owner>/<uuid:uuid>/", report_views.report_page, name="report"),
    path("reports/<str:owner>/<uuid:uuid>/build", report_views.report_build, name="report_build"),
    path("reports/<str:owner>/<uuid:uuid>/publish", report_views.report_publish, name="report_publish"),
    path("reports/<uuid:uuid>/status", report_views.report_status, name="report_status"),
    path("reports/<uuid:uuid>/report.pdf", report_views.report_pdf, name="report_pdf"),
    # --- outcomes: is the program working? ---
    path("outcomes/schools/<uuid:uuid>/", outcome_views.school_outcomes, name="outcomes-school"),
    path("outcomes/agencies/<uuid:uuid>/", outcome_views.agency_outcomes, name="outcomes-agency"),
    path(
        "outcomes/agencies/<uuid:uuid>/publish",
        public_outcome_views.agency_outcomes_publish,
        name="outcomes-agency-publish",
    ),
    path("outcomes/districts/<uuid:uuid>/", outcome_views.district_outcomes, name="outcomes-district"),
    path("outcomes/districts/<uuid:uuid>/publish", public_outcome_views.outcomes_publish, name="outcomes-publish"),
    path("outcomes/districts/<uuid:uuid>/trust/", outcome_views.district_contacts_trust, name="contacts-trust"),
]
