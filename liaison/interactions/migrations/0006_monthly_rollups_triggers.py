"""Keep `interactions_monthlyrollup` current from every change to `interactions_dailyrollup`.

PostgreSQL: three statement-level triggers with transition tables, so a bulk statement (an import's
one upsert of 87,000 cells, a rebuild) adds its months in one grouped upsert rather than one per row.
SQLite: row-level triggers (insert a zero row where there is none, then add to it; an OR IGNORE
in a trigger would yield to the outer statement's upsert clause), enough for the embedded size.
Taking rows out only subtracts from months that are there: a month already gone (the whole table
emptied first, as Django's flush does on SQLite) gets no negative row pointing at deleted schools.
Existing daily rows are summed into months once, here.
"""

from django.db import migrations

COLUMNS = "agency_id, district_id, school_id, officer_id, month, kind, role, count, minutes, minutes_count, students"
ADD = """
    ON CONFLICT (school_id, officer_id, month, kind, role) DO UPDATE SET
        count = interactions_monthlyrollup.count + excluded.count,
        minutes = interactions_monthlyrollup.minutes + excluded.minutes,
        minutes_count = interactions_monthlyrollup.minutes_count + excluded.minutes_count,
        students = interactions_monthlyrollup.students + excluded.students
"""


def _postgres_function(name: str, select: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO interactions_monthlyrollup ({COLUMNS})
    {select}
    {ADD};
    RETURN NULL;
END $$;
"""


def _grouped(source: str, sign: str = "") -> str:
    return f"""SELECT agency_id, district_id, school_id, officer_id, date_trunc('month', day)::date, kind, role,
        {sign}sum(count), {sign}sum(minutes), {sign}sum(minutes_count), {sign}sum(students)
    FROM {source} GROUP BY 1, 2, 3, 4, 5, 6, 7"""


REMOVE_DELETED = """
CREATE OR REPLACE FUNCTION interactions_monthly_remove_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE interactions_monthlyrollup m SET count = m.count - d.count, minutes = m.minutes - d.minutes,
        minutes_count = m.minutes_count - d.minutes_count, students = m.students - d.students
    FROM (SELECT school_id, officer_id, date_trunc('month', day)::date AS month, kind, role, sum(count) AS count,
            sum(minutes) AS minutes, sum(minutes_count) AS minutes_count, sum(students) AS students
          FROM deleted GROUP BY 1, 2, 3, 4, 5) d
    WHERE m.school_id = d.school_id AND m.officer_id = d.officer_id AND m.month = d.month
        AND m.kind = d.kind AND m.role = d.role;
    RETURN NULL;
END $$;
"""

POSTGRES_FORWARD = [
    _postgres_function("interactions_monthly_add_inserted", _grouped("inserted")),
    REMOVE_DELETED,
    _postgres_function(
        "interactions_monthly_add_updated",
        _grouped(
            "(SELECT n.agency_id, n.district_id, n.school_id, n.officer_id, n.day, n.kind, n.role,"
            " n.count - o.count AS count, n.minutes - o.minutes AS minutes,"
            " n.minutes_count - o.minutes_count AS minutes_count, n.students - o.students AS students"
            " FROM updated_new n JOIN updated_old o ON o.id = n.id) AS changed"
        ),
    ),
    """CREATE TRIGGER interactions_monthly_on_insert AFTER INSERT ON interactions_dailyrollup
        REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION interactions_monthly_add_inserted()""",
    """CREATE TRIGGER interactions_monthly_on_delete AFTER DELETE ON interactions_dailyrollup
        REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION interactions_monthly_remove_deleted()""",
    """CREATE TRIGGER interactions_monthly_on_update AFTER UPDATE ON interactions_dailyrollup
        REFERENCING OLD TABLE AS updated_old NEW TABLE AS updated_new
        FOR EACH STATEMENT EXECUTE FUNCTION interactions_monthly_add_updated()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS interactions_monthly_on_insert ON interactions_dailyrollup",
    "DROP TRIGGER IF EXISTS interactions_monthly_on_delete ON interactions_dailyrollup",
    "DROP TRIGGER IF EXISTS interactions_monthly_on_update ON interactions_dailyrollup",
    "DROP FUNCTION IF EXISTS interactions_monthly_add_inserted()",
    "DROP FUNCTION IF EXISTS interactions_monthly_remove_deleted()",
    "DROP FUNCTION IF EXISTS interactions_monthly_add_updated()",
]


def _sqlite_trigger(event: str, row: str, sign: str) -> str:
    month = f"date({row}.day, 'start of month')"
    adds = sign == "+"
    key = f"school_id = {row}.school_id AND officer_id = {row}.officer_id AND month = {month}"
    key += f" AND kind = {row}.kind AND role = {row}.role"
    return f"""
CREATE TRIGGER interactions_monthly_on_{event.lower()}_{row} AFTER {event} ON interactions_dailyrollup
BEGIN
    {_sqlite_zero_row(row, month, key) if adds else ""}
    UPDATE interactions_monthlyrollup SET count = count {sign} {row}.count, minutes = minutes {sign} {row}.minutes,
        minutes_count = minutes_count {sign} {row}.minutes_count, students = students {sign} {row}.students
        WHERE {key};
END
"""


def _sqlite_zero_row(row: str, month: str, key: str) -> str:
    return f"""INSERT INTO interactions_monthlyrollup ({COLUMNS})
        SELECT {row}.agency_id, {row}.district_id, {row}.school_id, {row}.officer_id, {month}, {row}.kind,
            {row}.role, 0, 0, 0, 0
        WHERE NOT EXISTS (SELECT 1 FROM interactions_monthlyrollup WHERE {key});"""


SQLITE_FORWARD = [
    _sqlite_trigger("INSERT", "new", "+"),
    _sqlite_trigger("DELETE", "old", "-"),
    # An update is its old row taken out and its new row added (two triggers, in that order).
    _sqlite_trigger("UPDATE", "old", "-"),
    _sqlite_trigger("UPDATE", "new", "+"),
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS interactions_monthly_on_insert_new",
    "DROP TRIGGER IF EXISTS interactions_monthly_on_delete_old",
    "DROP TRIGGER IF EXISTS interactions_monthly_on_update_old",
    "DROP TRIGGER IF EXISTS interactions_monthly_on_update_new",
]
# The months of the daily rows that exist already.
SUM_EXISTING = {
    "postgresql": f"INSERT INTO interactions_monthlyrollup ({COLUMNS}) "
    + _grouped("interactions_dailyrollup")
    + ADD,
    "sqlite": f"INSERT INTO interactions_monthlyrollup ({COLUMNS}) "
    "SELECT agency_id, district_id, school_id, officer_id, date(day, 'start of month'), kind, role,"
    " sum(count), sum(minutes), sum(minutes_count), sum(students) FROM interactions_dailyrollup"
    " GROUP BY 1, 2, 3, 4, 5, 6, 7",
}


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}.get(vendor)
    if statements is None:
        return
    schema_editor.execute(SUM_EXISTING[vendor])
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(vendor, []):
        schema_editor.execute(statement)
    schema_editor.execute("DELETE FROM interactions_monthlyrollup")


class Migration(migrations.Migration):
    dependencies = [("interactions", "0005_monthly_rollups")]

    operations = [migrations.RunPython(forward, backward)]
