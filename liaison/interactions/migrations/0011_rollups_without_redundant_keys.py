"""The daily and monthly rollups lose their single-column foreign-key indexes and, on PostgreSQL,
their foreign-key constraints.

Indexes: the (agency, day), (district, day), (officer, day) indexes and the cell's unique key, which
starts with the school, already serve every lookup by agency, district, officer or school; the four
single-column indexes only slowed every insert (as migration 0003 found for the contacts).

Constraints: a rollup row is derived from stored contacts, whose own foreign keys hold; it is only
ever written with the contact it counts (services, imports) or by a recount of the contacts
(`rollup_rebuild`). Checking its four keys again cost more than writing the row: a million-contact
import adds about 87,000 daily cells, whose 350,000 deferred checks took 1.3 s at commit
(docs/benchmarks.md). Deleting an agency, district, school or officer still deletes its rollups
(Django's on_delete runs in Python, with or without a constraint in the database).

SQLite keeps its constraints: it cannot drop one without rebuilding the table, which would drop the
monthly triggers with it (migration 0006).
"""

import django.db.models.deletion
from django.db import migrations, models

TABLES = {
    "interactions_dailyrollup": {
        "indexes": {
            "agency_id": "interactions_dailyrollup_agency_id_e19db40a",
            "district_id": "interactions_dailyrollup_district_id_97e12e32",
            "officer_id": "interactions_dailyrollup_officer_id_699edbec",
            "school_id": "interactions_dailyrollup_school_id_8008547b",
        },
        "constraints": {
            "agency_id": ("interactions_dailyro_agency_id_e19db40a_fk_directory", "directory_agency"),
            "district_id": ("interactions_dailyro_district_id_97e12e32_fk_directory", "directory_district"),
            "officer_id": ("interactions_dailyro_officer_id_699edbec_fk_directory", "directory_officer"),
            "school_id": ("interactions_dailyro_school_id_8008547b_fk_directory", "directory_school"),
        },
    },
    "interactions_monthlyrollup": {
        "indexes": {
            "agency_id": "interactions_monthlyrollup_agency_id_4f15c204",
            "district_id": "interactions_monthlyrollup_district_id_4cd3598b",
            "officer_id": "interactions_monthlyrollup_officer_id_f2647ef6",
            "school_id": "interactions_monthlyrollup_school_id_155f8637",
        },
        "constraints": {
            "agency_id": ("interactions_monthly_agency_id_4f15c204_fk_directory", "directory_agency"),
            "district_id": ("interactions_monthly_district_id_4cd3598b_fk_directory", "directory_district"),
            "officer_id": ("interactions_monthly_officer_id_f2647ef6_fk_directory", "directory_officer"),
            "school_id": ("interactions_monthly_school_id_155f8637_fk_directory", "directory_school"),
        },
    },
}


def forward(apps, schema_editor):
    run = schema_editor.execute
    for table, keys in TABLES.items():
        for name in keys["indexes"].values():
            run(f'DROP INDEX IF EXISTS "{name}"')
        if schema_editor.connection.vendor == "postgresql":
            for name, _ in keys["constraints"].values():
                run(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"')


def backward(apps, schema_editor):
    run = schema_editor.execute
    for table, keys in TABLES.items():
        for column, name in keys["indexes"].items():
            run(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")')
        if schema_editor.connection.vendor == "postgresql":
            for column, (name, target) in keys["constraints"].items():
                run(
                    f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" FOREIGN KEY ("{column}") '
                    f'REFERENCES "{target}" ("id") DEFERRABLE INITIALLY DEFERRED'
                )


def _derived_key(to, related_name="+"):
    return models.ForeignKey(
        db_constraint=False,
        db_index=False,
        on_delete=django.db.models.deletion.CASCADE,
        related_name=related_name,
        to=to,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_program_directory"),
        ("interactions", "0010_enforcement_days_index_covers_crdc"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AlterField(model_name=model, name=name, field=_derived_key(f"directory.{name}"))
                for model in ("dailyrollup", "monthlyrollup")
                for name in ("agency", "district", "school", "officer")
            ],
        ),
    ]
