"""Small OneRoster sets the import tests build in tmp_path, and tests of the reader on them.

The Millbrook set matches the cast's district (NCES 2500001) and two of its schools, adds a
middle school, and has students whose counts are worked out by hand in EXPECTED.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from liaison.directory import oneroster
from liaison.directory.models import ENROLLMENT_FIELDS, School

ORG_HEADER = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
USER_HEADER_11 = [
    "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds",
    "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
    "password",
]  # fmt: skip
USER_HEADER_12 = [
    "sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName", "familyName",
    "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
    "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
    "preferredFamilyName", "primaryOrgSourcedId", "pronouns",
]  # fmt: skip
DEMOGRAPHIC_HEADER = [
    "sourcedId", "status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative", "asian",
    "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces",
    "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth",
    "publicSchoolResidenceStatus",
]  # fmt: skip
ENROLLMENT_HEADER = [
    "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role",
    "primary", "beginDate", "endDate",
]  # fmt: skip
ROLE_HEADER = [
    "sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate", "endDate",
    "orgSourcedId", "userProfileSourcedId",
]  # fmt: skip
MANIFEST_HEADER = ["propertyName", "value"]

RACE_COLUMN = {
    "aian": "americanIndianOrAlaskaNative",
    "asian": "asian",
    "black": "blackOrAfricanAmerican",
    "nhpi": "nativeHawaiianOrOtherPacificIslander",
    "white": "white",
}

DISTRICT_ID = "d-mill"
SCHOOLS = {
    "s-elem": ("Millbrook Elementary", "250000100001"),
    "s-mid": ("Millbrook Middle", "250000100002"),
    "s-high": ("Millbrook High", "250000100003"),
}
ELEMENTARY, MIDDLE, HIGH = "250000100001", "250000100002", "250000100003"


@dataclass(frozen=True)
class Person:
    sourced_id: str
    given_name: str
    grade: str
    school: str
    sex: str = ""
    races: tuple[str, ...] = ()
    hispanic: bool = False
    two_or_more: bool = False
    role: str = "student"
    status: str = "active"
    enabled: str = "true"
    demographics: bool = True


PEOPLE = (
    Person("stu-001", "Zephyrine", "KG", "s-elem", "female", ("white",), hispanic=True),
    Person("stu-002", "Bartholomew", "01", "s-elem", "male", ("white",)),
    Person("stu-003", "Quillon", "03", "s-elem", "female", ("black", "white")),
    Person("stu-004", "Marisol", "05", "s-elem", "other", ("asian",)),
    Person("stu-005", "Thaddeus", "02", "s-elem"),
    Person("stu-006", "Ottoline", "04", "s-elem", "male", two_or_more=True),
    Person("stu-007", "Evander", "09", "s-high", "male", ("black",)),
    Person("stu-008", "Rosalind", "12", "s-high", "female", ("nhpi",)),
    Person("stu-009", "Caspian", "10", "s-high", "male", ("aian",)),
    Person("stu-010", "Wilhelmina", "11", "s-high", "female", ("white",), enabled="false"),
    Person("stu-011", "Leopold", "11", "s-high", demographics=False),
    Person("stu-012", "Isadora", "10", "s-high", "male", ("white",), status="tobedeleted"),
    Person("stu-013", "Fitzgerald", "06", "s-mid", "male", ("white",)),
    Person("stu-014", "Seraphina", "08", "s-mid", "female", hispanic=True),
    Person("tch-001", "Gwendolyn", "", "s-high", "female", ("white",), role="teacher"),
)
STUDENT_NAMES = tuple(person.given_name for person in PEOPLE if person.role == "student")
STUDENT_IDS = tuple(person.sourced_id for person in PEOPLE if person.role == "student")


def _counts(total: int, **counts: int) -> dict[str, int | None]:
    """Expected Enrollment values: zero for collected subgroups not given, None for not collected."""
    values: dict[str, int | None] = {name: counts.get(name, 0) for name in oneroster.COUNTED_FIELDS[1:]}
    values |= {"disability_idea": None, "disability_504_only": None, "english_learner": None}
    return {"total": total, **{name: values[name] for name in ENROLLMENT_FIELDS}}


# Worked out by hand from PEOPLE (CRDC: Hispanic first; 2+ flags or the two-or-more flag → two or more).
EXPECTED = {
    ELEMENTARY: _counts(6, hispanic_latino=1, white=1, two_or_more_races=2, asian=1, male=2, female=2, nonbinary=1),
    HIGH: _counts(
        5, black=1, native_hawaiian_pacific_islander=1, american_indian_alaska_native=1, white=1, male=2, female=2
    ),
    MIDDLE: _counts(2, white=1, hispanic_latino=1, male=1, female=1),
}
EXPECTED_GRADES = {ELEMENTARY: (0, 5, "elementary"), MIDDLE: (6, 8, "middle"), HIGH: (9, 12, "high")}


@dataclass
class Table:
    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.header = list(self.header)  # tests edit it; the module's headers stay as they are

    def add(self, row: dict[str, str]) -> int:
        """Append a row; returns its line in the file."""
        self.rows.append(row)
        return len(self.rows) + 1

    def row(self, sourced_id: str) -> dict[str, str]:
        return next(row for row in self.rows if row.get("sourcedId") == sourced_id)

    def text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.header)
        for row in self.rows:
            writer.writerow([row.get(column, "") for column in self.header])
        return out.getvalue()

    def line_of(self, sourced_id: str) -> int:
        """The file line of the row with this sourcedId (the header is line 1)."""
        return next(i for i, row in enumerate(self.rows, start=2) if row.get("sourcedId") == sourced_id)

    def rename(self, old: str, new: str) -> None:
        self.header = [new if column == old else column for column in self.header]
        for row in self.rows:
            if old in row:
                row[new] = row.pop(old)


@dataclass
class RosterSet:
    tables: dict[str, Table]
    extra: dict[str, str | bytes] = field(default_factory=dict)  # files as written, overriding tables

    def texts(self) -> dict[str, str | bytes]:
        return {name: table.text() for name, table in self.tables.items()} | self.extra

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in self.texts().items():
            (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode())
        return folder

    def zip(self, path: Path, *, inside: str = "") -> Path:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in self.texts().items():
                archive.writestr(f"{inside}{name}", text)
        return path


def _org_table() -> Table:
    table = Table(ORG_HEADER)
    table.rows.append(
        {"sourcedId": DISTRICT_ID, "name": "Millbrook Public Schools", "type": "district", "identifier": "2500001"}
    )
    for sourced_id, (name, nces) in SCHOOLS.items():
        table.rows.append(
            {
                "sourcedId": sourced_id,
                "name": name,
                "type": "school",
                "identifier": nces,
                "parentSourcedId": DISTRICT_ID,
            }
        )
    table.rows.append({"sourcedId": "dept-sci", "name": "Science", "type": "department", "parentSourcedId": "s-high"})
    return table


def _user_row(person: Person, orgs: str) -> dict[str, str]:
    return {
        "sourcedId": person.sourced_id,
        "status": "" if person.status == "active" else person.status,
        "enabledUser": person.enabled,
        "orgSourcedIds": orgs,
        "role": person.role,
        "username": person.given_name.lower(),
        "givenName": person.given_name,
        "familyName": "Example",
        "grades": person.grade,
    }


def _demographic_row(person: Person) -> dict[str, str]:
    row = {"sourcedId": person.sourced_id, "birthDate": "2012-05-01", "sex": person.sex}
    row |= {column: "true" if key in person.races else "false" for key, column in RACE_COLUMN.items()}
    row["demographicRaceTwoOrMoreRaces"] = "true" if person.two_or_more else "false"
    row["hispanicOrLatinoEthnicity"] = "true" if person.hispanic else "false"
    return row


def millbrook_set(*, version: str = "1.1", placement: str = "users") -> RosterSet:
    """The Millbrook roster. placement: "users" (orgSourcedIds) or "enrollments" (class enrollments)."""
    people = [person for person in PEOPLE]
    orgs_of = {p.sourced_id: (p.school if placement == "users" else DISTRICT_ID) for p in people}
    users = Table(USER_HEADER_11 if version == "1.1" else USER_HEADER_12)
    users.rows = [_user_row(p, f"{DISTRICT_ID},{orgs_of[p.sourced_id]}") for p in people]
    demographics = Table(DEMOGRAPHIC_HEADER, [_demographic_row(p) for p in people if p.demographics])
    manifest = Table(MANIFEST_HEADER, [{"propertyName": "oneroster.version", "value": version}])
    manifest.rows += [{"propertyName": f"file.{n}", "value": "bulk"} for n in ("orgs", "users", "demographics")]
    tables = {"manifest.csv": manifest, "orgs.csv": _org_table(), "users.csv": users, "demographics.csv": demographics}
    if version == "1.2":
        tables["roles.csv"] = _roles(people)
    if placement == "enrollments":
        tables["enrollments.csv"] = _enrollments(people)
    return RosterSet(tables)


def _roles(people: list[Person]) -> Table:
    roles = Table(ROLE_HEADER)
    for i, person in enumerate(people, start=1):
        status = "" if person.status == "active" else person.status
        row = {"sourcedId": f"role-{i}", "status": status, "userSourcedId": person.sourced_id, "roleType": "primary"}
        roles.rows.append(row | {"role": person.role, "orgSourcedId": person.school})
    return roles


def _enrollments(people: list[Person]) -> Table:
    """Two class enrollments per person at their school: a student still counts once."""
    enrollments = Table(ENROLLMENT_HEADER)
    for i, person in enumerate(people, start=1):
        for period in (1, 2):
            enrollments.rows.append(
                {
                    "sourcedId": f"enr-{i}-{period}",
                    "classSourcedId": f"class-{person.school}-{period}",
                    "schoolSourcedId": person.school,
                    "userSourcedId": person.sourced_id,
                    "role": person.role,
                    "primary": "false",
                }
            )
    return enrollments


def read(path: Path) -> tuple[oneroster.Roster | None, oneroster.ErrorLog]:
    errors = oneroster.ErrorLog()
    return oneroster.read_roster(path, errors=errors), errors


def counts_by_nces(roster: oneroster.Roster) -> dict[str, dict[str, int | None]]:
    tallies = {org.nces_id: org.sourced_id for org in roster.schools}
    return {
        nces: {"total": roster.tallies[sid].total, **roster.enrollment_counts(sid)} for nces, sid in tallies.items()
    }


# --- the reader on its own (no database) ------------------------------------------------------


def test_it_counts_the_millbrook_set_as_worked_out_by_hand(tmp_path):
    roster, errors = read(millbrook_set().write(tmp_path / "set"))
    assert not errors.as_list()
    assert counts_by_nces(roster) == EXPECTED
    assert roster.students == 13
    assert roster.version == "1.1"


@pytest.mark.parametrize(("version", "placement"), [("1.1", "enrollments"), ("1.2", "users"), ("1.2", "enrollments")])
def test_every_way_of_placing_students_gives_the_same_counts(tmp_path, version, placement):
    roster, errors = read(millbrook_set(version=version, placement=placement).write(tmp_path / "set"))
    assert not errors.as_list()
    assert counts_by_nces(roster) == EXPECTED


def test_it_reads_a_zip_whose_files_sit_in_a_folder(tmp_path):
    roster, errors = read(millbrook_set().zip(tmp_path / "roster.zip", inside="export-2025/"))
    assert not errors.as_list()
    assert counts_by_nces(roster) == EXPECTED


def test_grade_spans_give_each_schools_level(tmp_path):
    roster, _ = read(millbrook_set().write(tmp_path / "set"))
    spans = {org.nces_id: roster.tallies[org.sourced_id] for org in roster.schools}
    for nces, (lowest, highest, level) in EXPECTED_GRADES.items():
        assert (spans[nces].lowest, spans[nces].highest) == (lowest, highest)
        assert oneroster.school_level(lowest, highest) == level


@pytest.mark.parametrize(
    ("lowest", "highest", "level"),
    [
        (-1, 5, School.Level.ELEMENTARY),
        (0, 8, School.Level.ELEMENTARY),
        (6, 8, School.Level.MIDDLE),
        (4, 6, School.Level.MIDDLE),
        (9, 12, School.Level.HIGH),
        (7, 12, School.Level.HIGH),
        (0, 12, School.Level.K12),
        (5, 12, School.Level.OTHER),
        (10, 11, School.Level.OTHER),
    ],
)
def test_school_level_follows_the_nces_grade_span_rules(lowest, highest, level):
    assert oneroster.school_level(lowest, highest) == level


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"hispanicOrLatinoEthnicity": "true", "white": "true", "blackOrAfricanAmerican": "true"}, "hispanic_latino"),
        ({"white": "true", "asian": "true"}, "two_or_more_races"),
        ({"demographicRaceTwoOrMoreRaces": "TRUE"}, "two_or_more_races"),
        ({"nativeHawaiianOrOtherPacificIslander": "True"}, "native_hawaiian_pacific_islander"),
        ({}, None),
    ],
)
def test_race_follows_the_crdc_rule(tmp_path, flags, expected):
    roster_set = millbrook_set()
    row = roster_set.tables["demographics.csv"].rows[0]
    row |= {column: "false" for column in RACE_COLUMN.values()} | {"hispanicOrLatinoEthnicity": "false"}
    row |= {"demographicRaceTwoOrMoreRaces": ""} | flags
    roster, errors = read(roster_set.write(tmp_path / "set"))
    assert not errors.as_list()
    races = {name: count for name, count in counts_by_nces(roster)[ELEMENTARY].items() if name in oneroster.RACE_FIELDS}
    others = dict(EXPECTED[ELEMENTARY]) | {"hispanic_latino": 0}  # stu-001 was the one Hispanic student
    for name in oneroster.RACE_FIELDS:
        assert races[name] == (others[name] or 0) + (1 if name == expected else 0), name


@pytest.mark.parametrize(
    ("canonical", "variant"),
    [
        ("demographicRaceTwoOrMoreRaces", "demographicRaceTwoorMoreRaces"),
        ("demographicRaceTwoOrMoreRaces", "demogrphicRaceTwoOrMoreRaces"),
        ("americanIndianOrAlaskaNative", "americanIndianorAlaskaNative"),
        ("nativeHawaiianOrOtherPacificIslander", "nativeHawaiianOrOtherPacificIslande"),
        ("hispanicOrLatinoEthnicity", "HispanicOrLatinoEthnicity"),
    ],
)
def test_known_misspellings_of_race_columns_are_read(tmp_path, canonical, variant):
    roster_set = millbrook_set()
    roster_set.tables["demographics.csv"].rename(canonical, variant)
    roster, errors = read(roster_set.write(tmp_path / "set"))
    assert not errors.as_list()
    assert counts_by_nces(roster) == EXPECTED


def test_a_missing_race_column_leaves_every_race_count_blank_not_zero(tmp_path):
    roster_set = millbrook_set()
    table = roster_set.tables["demographics.csv"]
    table.header.remove("asian")
    roster, errors = read(roster_set.write(tmp_path / "set"))
    assert not errors.as_list()
    counts = counts_by_nces(roster)[ELEMENTARY]
    assert all(counts[name] is None for name in oneroster.RACE_FIELDS)
    assert counts["male"] == 2  # sex is still collected
    assert counts["total"] == 6


def test_without_demographics_only_totals_are_counted(tmp_path):
    roster_set = millbrook_set()
    del roster_set.tables["demographics.csv"]
    roster, errors = read(roster_set.write(tmp_path / "set"))
    assert not errors.as_list()
    counts = counts_by_nces(roster)[HIGH]
    assert counts == {name: None for name in ENROLLMENT_FIELDS} | {"total": 5}


def test_the_error_list_stops_at_200_and_counts_the_rest(tmp_path):
    roster_set = millbrook_set()
    rows = roster_set.tables["demographics.csv"].rows
    first_line = len(rows) + 2
    rows += [{"sourcedId": f"ghost-{i}", "sex": "male"} for i in range(250)]
    roster, errors = read(roster_set.write(tmp_path / "set"))
    assert len(errors.items) == oneroster.MAX_ERRORS
    assert errors.not_shown == 50
    assert errors.items[0] == oneroster.RosterError("demographics.csv", first_line, "sourcedId", oneroster.UNKNOWN_USER)
