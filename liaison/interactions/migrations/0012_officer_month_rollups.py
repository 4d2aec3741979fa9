"""Officer months: the monthly rollups summed per officer, month and triad role, kept current from
every change to `interactions_monthlyrollup` the way those are kept from the daily rollups (0006).

An officer's split across the triad over a school year read about 60 monthly cells per officer and
month (schools times kinds); it reads one row per officer, month and role here. Writers of contacts
change the daily rollups, whose triggers change the months, whose triggers change these: none of
them has to know about this table.

PostgreSQL: statement-level triggers with transition tables (an import's months arrive in one
statement, and become officer months in one grouped upsert). SQLite: row-level triggers. As for the
months, taking rows out only subtracts from officer months that are there. Existing months are summed
here once.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "interactions_officermonthrollup"
COLUMNS = "agency_id, officer_id, month, role, count, minutes, minutes_count"
ADD = f"""
    ON CONFLICT (officer_id, month, role) DO UPDATE SET
        count = {TABLE}.count + excluded.count,
        minutes = {TABLE}.minutes + excluded.minutes,
        minutes_count = {TABLE}.minutes_count + excluded.minutes_count
"""


def _grouped(source: str, sign: str = "") -> str:
    # The agency is the officer's (one per officer): min() only keeps one row per cell whatever comes.
    return f"""SELECT min(agency_id), officer_id, month, role,
        {sign}sum(count), {sign}sum(minutes), {sign}sum(minutes_count)
    FROM {source} GROUP BY officer_id, month, role"""


def _postgres_function(name: str, select: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TABLE} ({COLUMNS})
    {select}
    {ADD};
    RETURN NULL;
END $$;
"""


REMOVE_DELETED = f"""
CREATE OR REPLACE FUNCTION interactions_officer_month_remove_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {TABLE} o SET count = o.count - d.count, minutes = o.minutes - d.minutes,
        minutes_count = o.minutes_count - d.minutes_count
    FROM (SELECT officer_id, month, role, sum(count) AS count, sum(minutes) AS minutes,
            sum(minutes_count) AS minutes_count
          FROM deleted GROUP BY 1, 2, 3) d
    WHERE o.officer_id = d.officer_id AND o.month = d.month AND o.role = d.role;
    RETURN NULL;
END $$;
"""

POSTGRES_FORWARD = [
    _postgres_function("interactions_officer_month_add_inserted", _grouped("inserted")),
    REMOVE_DELETED,
    _postgres_function(
        "interactions_officer_month_add_updated",
        _grouped(
            "(SELECT n.agency_id, n.officer_id, n.month, n.role, n.count - o.count AS count, n.minutes - o.minutes AS minutes,"
            " n.minutes_count - o.minutes_count AS minutes_count"
            " FROM updated_new n JOIN updated_old o ON o.id = n.id) AS changed"
        ),
    ),
    """CREATE TRIGGER interactions_officer_month_on_insert AFTER INSERT ON interactions_monthlyrollup
        REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
        EXECUTE FUNCTION interactions_officer_month_add_inserted()""",
    """CREATE TRIGGER interactions_officer_month_on_delete AFTER DELETE ON interactions_monthlyrollup
        REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
        EXECUTE FUNCTION interactions_officer_month_remove_deleted()""",
    """CREATE TRIGGER interactions_officer_month_on_update AFTER UPDATE ON interactions_monthlyrollup
        REFERENCING OLD TABLE AS updated_old NEW TABLE AS updated_new
        FOR EACH STATEMENT EXECUTE FUNCTION interactions_officer_month_add_updated()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS interactions_officer_month_on_insert ON interactions_monthlyrollup",
    "DROP TRIGGER IF EXISTS interactions_officer_month_on_delete ON interactions_monthlyrollup",
    "DROP TRIGGER IF EXISTS interactions_officer_month_on_update ON interactions_monthlyrollup",
    "DROP FUNCTION IF EXISTS interactions_officer_month_add_inserted()",
    "DROP FUNCTION IF EXISTS interactions_officer_month_remove_deleted()",
    "DROP FUNCTION IF EXISTS interactions_officer_month_add_updated()",
]


def _sqlite_trigger(event: str, row: str, sign: str) -> str:
    key = f"officer_id = {row}.officer_id AND month = {row}.month AND role = {row}.role"
    zero_row = f"""INSERT INTO {TABLE} ({COLUMNS})
        SELECT {row}.agency_id, {row}.officer_id, {row}.month, {row}.role, 0, 0, 0
        WHERE NOT EXISTS (SELECT 1 FROM {TABLE} WHERE {key});"""
    return f"""
CREATE TRIGGER interactions_officer_month_on_{event.lower()}_{row} AFTER {event} ON interactions_monthlyrollup
BEGIN
    {zero_row if sign == "+" else ""}
    UPDATE {TABLE} SET count = count {sign} {row}.count, minutes = minutes {sign} {row}.minutes,
        minutes_count = minutes_count {sign} {row}.minutes_count
        WHERE {key};
END
"""


SQLITE_FORWARD = [
    _sqlite_trigger("INSERT", "new", "+"),
    _sqlite_trigger("DELETE", "old", "-"),
    # An update is its old row taken out and its new row added (two triggers).
    _sqlite_trigger("UPDATE", "old", "-"),
    _sqlite_trigger("UPDATE", "new", "+"),
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS interactions_officer_month_on_insert_new",
    "DROP TRIGGER IF EXISTS interactions_officer_month_on_delete_old",
    "DROP TRIGGER IF EXISTS interactions_officer_month_on_update_old",
    "DROP TRIGGER IF EXISTS interactions_officer_month_on_update_new",
]
# The officer months of the monthly rows that exist already (the generator's SQL is the same).
SUM_EXISTING = f"INSERT INTO {TABLE} ({COLUMNS}) " + _grouped("interactions_monthlyrollup")


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}.get(vendor)
    if statements is None:
        return
    schema_editor.execute(SUM_EXISTING)
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_roster_import_confirm_step"),
        ("interactions", "0011_rollups_without_redundant_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="OfficerMonthRollup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField()),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("educator", "Educator"),
                            ("law_enforcement", "Law enforcement"),
                            ("mentor", "Mentor / informal counselor"),
                        ],
                        max_length=16,
                    ),
                ),
                ("count", models.IntegerField(default=0)),
                ("minutes", models.IntegerField(default=0)),
                ("minutes_count", models.IntegerField(default=0)),
                (
                    "agency",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="directory.agency",
                    ),
                ),
                (
                    "officer",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="directory.officer",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("officer", "month", "role"), name="officer_month_rollup_one_row_per_cell"
                    )
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
