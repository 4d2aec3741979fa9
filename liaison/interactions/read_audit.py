"""Audit entries for reading records in bulk: each list page or API page that shows notes or
enforcement details is one entry with the filters and the ids shown, so an auditor can answer
"who saw record X" (single records are audited where they are read)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from liaison.accounts.audit import audit_record
from liaison.accounts.roles import Role
from liaison.accounts.scope import user_scope
from liaison.directory.models import School

from .models import Interaction
from .selectors import RecordFilters
from .vocabulary import Kind

LIST_READ_SUMMARY = "Listed {count} record(s) with notes or enforcement details ({door})"


def audit_tenant(user: Any) -> tuple[int | None, int | None]:
    """The agency and district whose admins should see the entry in their audit log."""
    scope = user_scope(user)
    agency_ids = scope.managing_agency_ids or scope.agencies(Role.OFFICER)
    district_ids = scope.district_admin_ids or frozenset(
        School.objects.filter(pk__in=scope.school_admin_ids).values_list("district_id", flat=True)
    )
    return (min(agency_ids) if agency_ids else None, min(district_ids) if district_ids else None)


def _sensitive(record: Interaction) -> bool:
    if record.kind == Kind.ENFORCEMENT:
        return True
    return "note" not in record.get_deferred_fields() and bool(record.note)


def interactions_page_read_audit(
    *, user: Any, filters: RecordFilters, records: Sequence[Interaction], door: str, cursor: str = ""
) -> None:
    """One entry for a page of records that shows any note or enforcement detail; nothing otherwise."""
    shown = [str(record.uuid) for record in records if _sensitive(record)]
    records_list_read_audit(user=user, records=shown, filters=filters.described(), door=door, cursor=cursor)


def records_list_read_audit(
    *, user: Any, records: Sequence[str], filters: dict[str, Any], door: str, cursor: str = "", **extra: Any
) -> None:
    """One entry for a page of any list (records, reviews) that shows these records' notes or enforcement
    details: the records' uuids under `records`, whatever else the list showed under `extra`."""
    if not records:
        return
    agency_id, district_id = audit_tenant(user)
    audit_record(
        actor=user,
        action="read",
        object_type="interactions.interaction",
        summary=LIST_READ_SUMMARY.format(count=len(records), door=door),
        after={"filters": filters, "page": cursor or "first", "records": list(records), **extra},
        agency_id=agency_id,
        district_id=district_id,
    )
