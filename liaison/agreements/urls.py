from __future__ import annotations

from django.urls import path

from . import views

app_name = "agreements"

urlpatterns: list = [
    # --- MOUs and versions ---
    path("", views.agreement_list, name="list"),
    path("new/", views.agreement_create, name="create"),
    path("<uuid:uuid>/", views.agreement_detail, name="detail"),
    path("<uuid:uuid>/changes/", views.version_changes, name="changes"),
    path("<uuid:uuid>/drafts/new/", views.draft_create, name="draft_create"),
    path("<uuid:uuid>/publish/", views.agreement_publish, name="publish"),
    path("versions/<uuid:uuid>/sections/", views.sections_save, name="sections_save"),
    path("versions/<uuid:uuid>/rules/", views.rules_save, name="rules_save"),
    path("versions/<uuid:uuid>/terms/", views.terms_save, name="terms_save"),
    path("versions/<uuid:uuid>/submit/", views.version_submit, name="submit"),
    path("versions/<uuid:uuid>/sign/", views.version_sign, name="sign"),
    # --- signed documents ---
    path("versions/<uuid:uuid>/document/", views.document, name="document"),
    path("versions/<uuid:uuid>/document.pdf", views.document_pdf, name="document_pdf"),
    # --- reviews ---
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/<uuid:uuid>/", views.review_detail, name="review_detail"),
    path("reviews/<uuid:uuid>/comments/", views.review_comment, name="review_comment"),
    path("reviews/<uuid:uuid>/close/", views.review_close, name="review_close"),
    # --- dashboard and reminders ---
    path("dashboard/<str:owner>/<uuid:uuid>/", views.mou_dashboard, name="dashboard"),
]
