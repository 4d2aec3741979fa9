"""`manage.py distribution_check`: what Citus would still refuse, read from the live schema."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from liaison.operations import distribution
from liaison.operations.distribution import (
    DISTRIBUTED,
    INTO_DISTRIBUTED,
    INTO_LOCAL,
    LOCAL,
    MISSING_COLUMN,
    NOT_THROUGH_COLUMN,
    UNIQUE_WITHOUT_COLUMN,
    distribution_blockers,
)

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL is distributed")
UNIQUE = UNIQUE_WITHOUT_COLUMN.format(column="agency_id")
THROUGH = NOT_THROUGH_COLUMN.format(column="agency_id")
DJANGO_KEY_TO_CONTACT = (
    "FOREIGN KEY (interaction_id) REFERENCES interactions_interaction(id) DEFERRABLE INITIALLY DEFERRED"
)

# What stands between this schema and Citus today (docs/scale.md, "What Citus would still refuse"): the
# primary keys on `id` (Django groups annotated queries by them), the foreign keys Django declares on
# `id` alone, the client ids, the one-to-one keys, and the rollups' cell keys.
EXPECTED = {
    *((table, "PRIMARY KEY (id)", UNIQUE) for table in sorted(set(DISTRIBUTED) - {"interactions_dailyrollup"})),
    ("interactions_dailyrollup", "PRIMARY KEY (id, day)", UNIQUE),
    *((table, DJANGO_KEY_TO_CONTACT, THROUGH) for table in (
        "agreements_evaluation", "agreements_review", "interactions_amendment", "interactions_enforcementdetail",
        "programs_menteeenforcementnotice", "programs_mentoringmeeting", "programs_session",
    )),
    *((table, "UNIQUE (uuid)", UNIQUE) for table in (
        "agreements_review", "interactions_amendment", "interactions_interaction", "interactions_interactionimport",
        "programs_menteeenforcementnotice", "programs_mentoringmeeting", "programs_session",
    )),
    *((table, "UNIQUE (interaction_id)", UNIQUE) for table in (
        "agreements_review", "interactions_enforcementdetail", "programs_mentoringmeeting", "programs_session",
    )),
    ("programs_menteeenforcementnotice", "UNIQUE (interaction_id, relationship_id)", UNIQUE),
    ("programs_session", "UNIQUE (feedback_token)", UNIQUE),
    ("programs_teacherfeedback", "UNIQUE (session_id)", UNIQUE),
    ("programs_teacherfeedback",
     "FOREIGN KEY (session_id) REFERENCES programs_session(id) DEFERRABLE INITIALLY DEFERRED", THROUGH),
    ("agreements_reviewcomment",
     "FOREIGN KEY (review_id) REFERENCES agreements_review(id) DEFERRABLE INITIALLY DEFERRED", INTO_DISTRIBUTED),
    ("interactions_dailyrollup", "UNIQUE (school_id, officer_id, day, kind, role)", UNIQUE),
    ("interactions_monthlyrollup", "UNIQUE (school_id, officer_id, month, kind, role)", UNIQUE),
    ("interactions_officermonthrollup", "UNIQUE (officer_id, month, role)", UNIQUE),
}  # fmt: skip


def _listed() -> set[tuple[str, str, str]]:
    return {(b.table, b.definition, b.reason) for b in distribution_blockers()}


@postgresql
def test_what_citus_would_refuse_is_exactly_what_is_left_to_do(db: None) -> None:
    assert _listed() == EXPECTED


@postgresql
def test_the_keys_through_the_agency_are_not_listed(db: None) -> None:
    listed = {b.constraint for b in distribution_blockers()}
    assert not {name for name in listed if name.endswith(("_same_agency", "_tenant_key"))}


@postgresql
def test_the_plan_names_tables_that_exist(db: None) -> None:
    tables = set(connection.introspection.table_names())
    assert set(DISTRIBUTED) <= tables
    assert LOCAL <= tables


@postgresql
def test_a_table_left_out_of_the_plan_that_points_at_contacts_is_listed(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(distribution.DISTRIBUTED, "agreements_evaluation")
    listed = {b for b in _listed() if b[0] == "agreements_evaluation"}
    assert listed == {
        ("agreements_evaluation", DJANGO_KEY_TO_CONTACT, INTO_DISTRIBUTED),
        (
            "agreements_evaluation",
            "FOREIGN KEY (agency_id, interaction_id) REFERENCES interactions_interaction(agency_id, id)"
            " DEFERRABLE INITIALLY DEFERRED",
            INTO_DISTRIBUTED,
        ),
    }


@postgresql
def test_a_distributed_table_without_the_agency_is_listed(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(distribution.DISTRIBUTED, "agreements_reviewcomment", "agency_id")
    listed = {b for b in _listed() if b[0] == "agreements_reviewcomment"}
    assert ("agreements_reviewcomment", "", MISSING_COLUMN.format(column="agency_id")) in listed
    assert ("agreements_reviewcomment", "PRIMARY KEY (id)", UNIQUE) in listed


@postgresql
def test_a_table_kept_local_that_others_point_at_is_listed(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(distribution, "LOCAL", LOCAL | {"directory_district"})
    listed = {(b.table, b.definition) for b in distribution_blockers() if b.reason == INTO_LOCAL}
    assert (
        "directory_school",
        "FOREIGN KEY (district_id) REFERENCES directory_district(id) DEFERRABLE INITIALLY DEFERRED",
    ) in listed
    assert all("REFERENCES directory_district(" in definition for _, definition in listed)


@postgresql
def test_the_command_prints_the_plan_and_each_constraint(db: None) -> None:
    out = io.StringIO()
    call_command("distribution_check", stdout=out)
    printed = out.getvalue()
    assert f"{len(DISTRIBUTED)} tables distributed by agency" in printed
    assert f"{len(EXPECTED)} constraint(s) Citus would refuse" in printed
    assert "\n  interactions_interaction\n    interactions_interaction_pkey: PRIMARY KEY (id)" in printed
    assert "\n    interactions_interaction_uuid_key: UNIQUE (uuid) (unique without agency_id)\n" in printed
    with pytest.raises(CommandError, match=f"{len(EXPECTED)} constraint"):
        call_command("distribution_check", "--strict", stdout=io.StringIO())


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the embedded database")
def test_the_command_says_sqlite_is_never_distributed(db: None) -> None:
    with pytest.raises(CommandError, match="Only a PostgreSQL database can be distributed; this one is sqlite"):
        call_command("distribution_check", stdout=io.StringIO())
