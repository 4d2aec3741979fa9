from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo loader (`manage.py load_demo`): above every app, as it fills them all."""

    name = "liaison.demo"
    default_auto_field = "django.db.models.BigAutoField"
