"""Seed the ESA standards, the indicator catalogue and the global validation rules."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from suksa.domains.monitoring.seed import catalogue_seed

    catalogue_seed(
        apps.get_model("monitoring", "Standard"),
        apps.get_model("monitoring", "Indicator"),
        apps.get_model("monitoring", "ValidationRule"),
    )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
