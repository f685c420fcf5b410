from django.apps import AppConfig


class StudentsConfig(AppConfig):
    name = "suksa.domains.students"
    label = "students"
    verbose_name = "Students (SMS)"
    default_auto_field = "django.db.models.BigAutoField"
