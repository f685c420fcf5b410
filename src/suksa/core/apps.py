from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "suksa.core"
    label = "core"
    verbose_name = "Suksa core"
    default_auto_field = "django.db.models.BigAutoField"
