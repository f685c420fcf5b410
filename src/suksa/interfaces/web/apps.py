from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "suksa.interfaces.web"
    label = "web"
    verbose_name = "Web shell"
