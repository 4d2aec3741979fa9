# The (agency, occurred_on), (school, occurred_on) and (officer, occurred_on) indexes already serve
# every lookup by agency, school or officer; their single-column foreign-key indexes only slowed
# inserts. Dropped by name, so that SQLite does not rebuild the table three times to do it.

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "agency_id": "interactions_interaction_agency_id_45ea2fb4",
    "officer_id": "interactions_interaction_officer_id_f67f9b7a",
    "school_id": "interactions_interaction_school_id_709a496a",
}


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0001_program_directory'),
        ('interactions', '0002_interaction_imports'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "interactions_interaction" ("{column}")',
                )
                for column, name in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='interaction',
                    name='agency',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.agency'),
                ),
                migrations.AlterField(
                    model_name='interaction',
                    name='officer',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='interactions', to='directory.officer'),
                ),
                migrations.AlterField(
                    model_name='interaction',
                    name='school',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='interactions', to='directory.school'),
                ),
            ],
        ),
    ]
