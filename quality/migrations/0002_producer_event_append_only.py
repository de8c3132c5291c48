"""On PostgreSQL, refuse UPDATE and DELETE of the registry's trail in the database itself."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION quality_producer_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'producer events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER quality_producerevent_append_only
    BEFORE UPDATE OR DELETE ON quality_producerevent
    FOR EACH ROW EXECUTE FUNCTION quality_producer_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS quality_producerevent_append_only ON quality_producerevent;
DROP FUNCTION IF EXISTS quality_producer_event_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
