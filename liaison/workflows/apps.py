from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "liaison.workflows"
    label = "workflows"
    verbose_name = "Workflows across the domain apps"

    def ready(self) -> None:
        from liaison.interactions.services import enforcement_steps_install

        from .enforcement import RecordingEnforcement
        from .notices import notices_connect

        enforcement_steps_install(RecordingEnforcement())
        notices_connect()
