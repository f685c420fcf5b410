from django.apps import AppConfig


class CockpitConfig(AppConfig):
    name = "suksa.domains.cockpit"
    label = "cockpit"
    verbose_name = "Executive cockpit (precomputed dashboard figures)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the cockpit stage with the insights run (it runs after the briefs).
        from suksa.domains.cockpit.services import aggregate  # noqa: F401
