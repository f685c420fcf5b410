from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "suksa.interfaces.api"
    label = "api"
    verbose_name = "REST API v1"
