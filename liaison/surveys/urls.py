from __future__ import annotations

from django.urls import path

from . import views

app_name = "surveys"

urlpatterns: list = [
    # --- waves ---
    path("", views.home, name="home"),
    path("waves/new/", views.wave_create, name="wave_create"),
    path("waves/<uuid:uuid>/", views.wave_detail, name="wave"),
    path("waves/<uuid:uuid>/close/", views.wave_close, name="wave_close"),
    path("waves/<uuid:uuid>/results.csv", views.results_csv, name="results_csv"),
    path("waves/<uuid:uuid>/responses.csv", views.responses_csv, name="responses_csv"),
    # --- held bursts (the district decides) ---
    path("bursts/<uuid:uuid>/decide/", views.burst_decide, name="burst_decide"),
    # --- one school in a wave: results, link, QR code, poster, slips ---
    path("schools/<uuid:uuid>/", views.school_results, name="school"),
    path("schools/<uuid:uuid>/open-answers/", views.open_answers, name="open_answers"),
    path("schools/<uuid:uuid>/qr.<str:kind>", views.qr_code, name="qr"),
    path("schools/<uuid:uuid>/poster/", views.poster, name="poster"),
    path("schools/<uuid:uuid>/slips/", views.slips, name="slips"),
    # --- the public survey (no sign-in: the link's token is the key) ---
    path("s/<str:token>/", views.take, name="take"),
]
