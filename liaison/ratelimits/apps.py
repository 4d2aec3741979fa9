from __future__ import annotations

from django.apps import AppConfig


class RatelimitsConfig(AppConfig):
    name = "liaison.ratelimits"
    verbose_name = "Rate limits"
    default_auto_field = "django.db.models.BigAutoField"
