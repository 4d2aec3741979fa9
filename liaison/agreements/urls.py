from __future__ import annotations

from django.urls import path  # noqa: F401  (routes are added per group below)

app_name = "agreements"

urlpatterns: list = [
    # --- MOUs and versions ---
    # --- signed documents ---
    # --- reviews ---
    # --- dashboard and reminders ---
]
