from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "liaison.directory"
    label = "directory"
    verbose_name = "Program directory"

    def ready(self) -> None:
        from . import time_zones  # noqa: F401  (the sign-in receiver that keeps the program's zone)
