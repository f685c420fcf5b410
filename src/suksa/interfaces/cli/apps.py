from django.apps import AppConfig


class CliConfig(AppConfig):
    name = "suksa.interfaces.cli"
    label = "cli"
    verbose_name = "The suksa command"
