from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "suksa.core"
    label = "core"
    verbose_name = "Suksa core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from suksa.core import lookups  # noqa: F401 - registers the path__under lookup
