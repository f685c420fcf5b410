from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "suksa.domains.accounts"
    label = "accounts"
    verbose_name = "Accounts (UMS)"
    default_auto_field = "django.db.models.BigAutoField"
