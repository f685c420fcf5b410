"""Load geography and size bands; make the audit table append-only at the database level."""

from django.db import migrations

SQLITE_GUARD = [
    "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
    "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
]
PG_GUARD = [
    "CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;",
    "DROP TRIGGER IF EXISTS core_auditentry_guard ON core_auditentry;",
    "CREATE TRIGGER core_auditentry_guard BEFORE UPDATE OR DELETE ON core_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();",
]


def reference(apps, schema_editor):
    from suksa.core.reference import load_geography, seed_size_bands

    load_geography(apps.get_model("core", "Province"), apps.get_model("core", "District"),
                   apps.get_model("core", "Subdistrict"))
    seed_size_bands(apps.get_model("core", "SizeBandRule"))


def guard(apps, schema_editor):
    statements = PG_GUARD if schema_editor.connection.vendor == "postgresql" else SQLITE_GUARD
    for sql in statements:
        schema_editor.execute(sql)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_guard ON core_auditentry;")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update;")
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_delete;")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [
        migrations.RunPython(reference, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
