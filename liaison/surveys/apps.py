from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "liaison.surveys"
    label = "surveys"
    verbose_name = "Trust surveys"
