from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _partitions_ahead(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Every `migrate` (each install and upgrade, as the owner role) adds the coming school years'
    partitions of the daily rollups: the application's role may not create tables."""
    from django.db import connections

    from .partitions import partitions_ensure

    if connections[using].vendor == "postgresql":
        partitions_ensure()


class InteractionsConfig(AppConfig):
    name = "liaison.interactions"
    label = "interactions"
    verbose_name = "Contacts and enforcement actions"

    def ready(self) -> None:
        post_migrate.connect(_partitions_ahead, sender=self, dispatch_uid="interactions_partitions_ahead")
