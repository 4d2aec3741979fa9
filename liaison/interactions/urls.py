from __future__ import annotations

from django.urls import path  # noqa: F401  (routes are added per group below)

app_name = "interactions"

urlpatterns: list = [
    # --- the officer's quick log ---
    # --- enforcement actions ---
    # --- lists and exports ---
    # --- imports ---
]
