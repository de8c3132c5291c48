"""On PostgreSQL, refuse UPDATE and DELETE of audit records in the database itself."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION confirmations_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER confirmations_auditentry_append_only
    BEFORE UPDATE OR DELETE ON confirmations_auditentry
    FOR EACH ROW EXECUTE FUNCTION confirmations_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS confirmations_auditentry_append_only ON confirmations_auditentry;
DROP FUNCTION IF EXISTS confirmations_audit_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("confirmations", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
