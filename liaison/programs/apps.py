from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "liaison.programs"
    label = "programs"
    verbose_name = "Programs: classes, mentoring and presence"
