from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "liaison.insights"
    label = "insights"
    verbose_name = "Insights: equity and program measures"

    def ready(self) -> None:
        from .page_links import page_links_register

        page_links_register()
