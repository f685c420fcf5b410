from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "suksa.domains.insights"
    label = "insights"
    verbose_name = "Insights (trends, strengths, lessons, warnings, briefs)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the job kind and every stage of a run (each stage module registers itself).
        from suksa.domains.insights.services import stages  # noqa: F401
