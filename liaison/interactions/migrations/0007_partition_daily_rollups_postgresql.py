"""PostgreSQL: `interactions_dailyrollup` becomes a table partitioned by school year (range of `day`).

The partition key must be in every unique key: the cell's unique key already holds `day`, and the
primary key becomes (id, day); Django keeps addressing rows by `id`, which stays unique (one
sequence). Nothing points at daily rollup rows with a foreign key, so nothing else changes. The
monthly triggers are created again on the new table; the rows are copied as they are.

SQLite: nothing happens (the embedded database stays one plain table).
"""

from django.db import migrations

from liaison.interactions.partitions import partitions_ensure

OLD = "interactions_dailyrollup_unpartitioned"
TRIGGERS = ("insert", "delete", "update")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(f"ALTER TABLE interactions_dailyrollup RENAME TO {OLD}")
    for event in TRIGGERS:
        run(f"DROP TRIGGER IF EXISTS interactions_monthly_on_{event} ON {OLD}")
    # The old table's constraint and index names are freed for the new one.
    run(
        f"""DO $$ DECLARE name text; BEGIN
        FOR name IN SELECT conname FROM pg_constraint WHERE conrelid = '{OLD}'::regclass AND contype IN ('p', 'u', 'f')
        LOOP EXECUTE format('ALTER TABLE {OLD} DROP CONSTRAINT %%I', name); END LOOP;
        FOR name IN SELECT indexname FROM pg_indexes WHERE tablename = '{OLD}'
        LOOP EXECUTE format('DROP INDEX %%I', name); END LOOP;
        END $$"""
    )
    run("CREATE SEQUENCE interactions_dailyrollup_rows_seq")
    run(
        """CREATE TABLE interactions_dailyrollup (
        id bigint NOT NULL DEFAULT nextval('interactions_dailyrollup_rows_seq'),
        day date NOT NULL,
        kind varchar(16) NOT NULL,
        role varchar(16) NOT NULL,
        count integer NOT NULL,
        minutes integer NOT NULL,
        minutes_count integer NOT NULL,
        students integer NOT NULL,
        agency_id bigint NOT NULL CONSTRAINT interactions_dailyro_agency_id_e19db40a_fk_directory REFERENCES directory_agency (id) DEFERRABLE INITIALLY DEFERRED,
        district_id bigint NOT NULL CONSTRAINT interactions_dailyro_district_id_97e12e32_fk_directory REFERENCES directory_district (id) DEFERRABLE INITIALLY DEFERRED,
        officer_id bigint NOT NULL CONSTRAINT interactions_dailyro_officer_id_699edbec_fk_directory REFERENCES directory_officer (id) DEFERRABLE INITIALLY DEFERRED,
        school_id bigint NOT NULL CONSTRAINT interactions_dailyro_school_id_8008547b_fk_directory REFERENCES directory_school (id) DEFERRABLE INITIALLY DEFERRED,
        PRIMARY KEY (id, day),
        CONSTRAINT rollup_one_row_per_cell UNIQUE (school_id, officer_id, day, kind, role)
    ) PARTITION BY RANGE (day)"""
    )
    run("ALTER SEQUENCE interactions_dailyrollup_rows_seq OWNED BY interactions_dailyrollup.id")
    run("CREATE TABLE interactions_dailyrollup_default PARTITION OF interactions_dailyrollup DEFAULT")
    for name, columns in (
        ("interaction_agency__994263_idx", "agency_id, day"),
        ("interaction_officer_8e10a4_idx", "officer_id, day"),
        ("interaction_distric_b25a87_idx", "district_id, day"),
        # The foreign keys' own indexes, under Django's names, so the schema is the one Django expects.
        ("interactions_dailyrollup_agency_id_e19db40a", "agency_id"),
        ("interactions_dailyrollup_district_id_97e12e32", "district_id"),
        ("interactions_dailyrollup_officer_id_699edbec", "officer_id"),
        ("interactions_dailyrollup_school_id_8008547b", "school_id"),
    ):
        run(f"CREATE INDEX {name} ON interactions_dailyrollup ({columns})")
    partitions_ensure()
    run(
        f"""INSERT INTO interactions_dailyrollup
        (id, day, kind, role, count, minutes, minutes_count, students, agency_id, district_id, officer_id, school_id)
        SELECT id, day, kind, role, count, minutes, minutes_count, students, agency_id, district_id, officer_id,
            school_id FROM {OLD}"""
    )
    run(
        f"SELECT setval('interactions_dailyrollup_rows_seq', COALESCE((SELECT max(id) FROM {OLD}), 0) + 1, false)"
    )
    run(f"DROP TABLE {OLD}")
    # The rows were copied with their months already counted: the triggers come back only now.
    run(
        """CREATE TRIGGER interactions_monthly_on_insert AFTER INSERT ON interactions_dailyrollup
        REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION interactions_monthly_add_inserted()"""
    )
    run(
        """CREATE TRIGGER interactions_monthly_on_delete AFTER DELETE ON interactions_dailyrollup
        REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION interactions_monthly_remove_deleted()"""
    )
    run(
        """CREATE TRIGGER interactions_monthly_on_update AFTER UPDATE ON interactions_dailyrollup
        REFERENCING OLD TABLE AS updated_old NEW TABLE AS updated_new
        FOR EACH STATEMENT EXECUTE FUNCTION interactions_monthly_add_updated()"""
    )


class Migration(migrations.Migration):
    # Not reversible: going back to one table is a dump of the rows and a restore (docs/scale.md).
    dependencies = [("interactions", "0006_monthly_rollups_triggers")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
