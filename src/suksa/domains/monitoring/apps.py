from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "suksa.domains.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring (e-MES)"
    default_auto_field = "django.db.models.BigAutoField"
