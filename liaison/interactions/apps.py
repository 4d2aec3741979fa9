from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "liaison.interactions"
    label = "interactions"
    verbose_name = "Contacts and enforcement actions"
