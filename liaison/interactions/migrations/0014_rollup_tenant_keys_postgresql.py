"""PostgreSQL: the rollups' primary keys lead with the agency, as the contacts' do (0013).

`(agency_id, id)`, and `(agency_id, id, day)` for the daily rollups, whose partition key must be in
every unique key. Nothing points at a rollup row and nothing looks one up by `id` (they are written by
upserts on their cell keys and by their triggers, and read by aggregates), so unlike the contacts no
unique key on `id` alone is kept: the index is only wider, not one more.

The cell keys stay as they are: the upserts and triggers name them (docs/scale.md, "What Citus would
still refuse").

SQLite: nothing happens.
"""

from django.db import migrations

KEYS = {
    "interactions_dailyrollup": ("id, day", "agency_id, id, day"),
    "interactions_monthlyrollup": ("id", "agency_id, id"),
    "interactions_officermonthrollup": ("id", "agency_id, id"),
    "interactions_enforcementrollup": ("id", "agency_id, id"),
}


def _rekey(schema_editor, use: int) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, keys in KEYS.items():
            cursor.execute(
                f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey,"
                f" ADD CONSTRAINT {table}_pkey PRIMARY KEY ({keys[use]})"
            )


def forward(apps, schema_editor):
    _rekey(schema_editor, 1)


def backward(apps, schema_editor):
    _rekey(schema_editor, 0)


class Migration(migrations.Migration):
    dependencies = [("interactions", "0013_tenant_keys_postgresql")]

    operations = [migrations.RunPython(forward, backward)]
