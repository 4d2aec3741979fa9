from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class OperationsConfig(AppConfig):
    name = "liaison.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Each app registers its periodic jobs in its own jobs.py (liaison/operations/scheduler.py).
        autodiscover_modules("jobs")
