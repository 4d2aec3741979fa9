from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from liaison.accounts import urls as accounts_urls
from liaison.agreements import public_views as public_mous
from liaison.api import api
from liaison.health import healthz
from liaison.insights import public_figure_views as public_figures
from liaison.insights import public_outcome_views as public_outcomes
from liaison.insights import report_views as public_reports
from liaison.interactions import offline_views
from liaison.operations.metrics import metrics
from liaison.people import urls as people_urls
from liaison.surveys import views as surveys_views
from liaison.workflows import views as queue_views

urlpatterns = [
    # --- service ---
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("api/v1/", api.urls),
    # --- the installable app: the service worker's scope is the whole site ---
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.manifest, name="app_manifest"),
    path("app-icon-<int:size>.png", offline_views.app_icon, name="app_icon"),
    path("favicon.ico", offline_views.favicon, name="favicon"),
    # --- people and access ---
    path("", queue_views.home, name="home"),
    path("me/queue/badge/", queue_views.queue_badge, name="queue_badge"),
    # The people pages (liaison/people) need the directory as well as accounts: one `accounts:` namespace.
    path("accounts/", include((accounts_urls.urlpatterns + people_urls.urlpatterns, accounts_urls.app_name))),
    path("notifications/", include("liaison.notifications.urls")),
    # --- contacts and enforcement actions ---
    path("log/", include("liaison.interactions.urls")),
    # --- the public page: published MOUs in force (no sign-in) ---
    path("public/mous/", public_mous.public_list, name="public_mous"),
    path("public/mous/<uuid:uuid>/", public_mous.public_document, name="public_mou"),
    path("public/mous/<uuid:uuid>.pdf", public_mous.public_document_pdf, name="public_mou_pdf"),
    path("public/mous/<uuid:uuid>/figures/", public_figures.public_figures_page, name="public_figures"),
    # --- the public page: published annual program reports (no sign-in) ---
    path("public/reports/", public_reports.public_reports, name="public_reports"),
    path("public/reports/<uuid:uuid>/", public_reports.public_report, name="public_report"),
    path("public/reports/<uuid:uuid>.pdf", public_reports.public_report_pdf, name="public_report_pdf"),
    # --- the public page: a district's or an agency's published outcomes of a closed school year (no sign-in) ---
    path("public/outcomes/", public_outcomes.public_outcomes_index, name="public_outcomes"),
    path(
        "public/outcomes/districts/<uuid:uuid>/<str:school_year>/",
        public_outcomes.public_district_outcomes,
        name="public_outcomes_district",
    ),
    path(
        "public/outcomes/districts/<uuid:uuid>/<str:school_year>/schools/<uuid:school>/",
        public_outcomes.public_school_outcomes,
        name="public_outcomes_school",
    ),
    path(
        "public/outcomes/districts/<uuid:uuid>/<str:school_year>/trust/",
        public_outcomes.public_contacts_trust,
        name="public_outcomes_contacts_trust",
    ),
    path(
        "public/outcomes/agencies/<uuid:uuid>/<str:school_year>/",
        public_outcomes.public_agency_outcomes,
        name="public_outcomes_agency",
    ),
    # --- MOUs and reviews ---
    path("mou/", include("liaison.agreements.urls")),
    # --- classes, mentoring, presence ---
    path("programs/", include("liaison.programs.urls")),
    # --- trust surveys (staff pages, and the public survey links) ---
    path("surveys/", include("liaison.surveys.urls")),
    path("s/<str:short>", surveys_views.short_link, name="survey_short_link"),
    # --- equity and program measures ---
    path("insights/", include("liaison.insights.urls")),
    # --- program directory ---
    path("", include("liaison.directory.urls")),
    # --- platform administration (superusers only) ---
    path("admin/", admin.site.urls),
]

# --- benchmarks: only with LIAISON_BENCHMARK_ENDPOINTS=1 (scripts/benchmark_api_create.py) ---
if settings.BENCHMARK_ENDPOINTS:
    from liaison import benchmarking

    urlpatterns += benchmarking.urlpatterns
