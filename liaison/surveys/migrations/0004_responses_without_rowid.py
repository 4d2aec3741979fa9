"""On SQLite, rebuild the response table WITHOUT ROWID: rows are then stored in the order of their
random UUID key, so no implicit rowid keeps the order in which responses were written. PostgreSQL has
no rowid (its physical order is the shuffled batch written at close), so nothing changes there.

A later migration that alters this table on SQLite rebuilds it the Django way, with a rowid: it must
then rebuild it WITHOUT ROWID again (the forensic test fails until it does).
"""

from django.db import migrations

TABLE = "surveys_response"


def rebuild_without_rowid(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
        (create,) = cursor.fetchone()
        if "WITHOUT ROWID" in create.upper():
            return
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL", [TABLE]
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(create.replace(f'"{TABLE}"', f'"{TABLE}__new"', 1) + " WITHOUT ROWID")
        cursor.execute(f'INSERT INTO "{TABLE}__new" SELECT * FROM "{TABLE}" ORDER BY id')
        cursor.execute(f'DROP TABLE "{TABLE}"')
        cursor.execute(f'ALTER TABLE "{TABLE}__new" RENAME TO "{TABLE}"')
        for index in indexes:
            cursor.execute(index)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_held_responses_bursts_counters")]

    operations = [migrations.RunPython(rebuild_without_rowid, migrations.RunPython.noop)]
