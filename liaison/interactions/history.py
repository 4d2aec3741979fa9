"""A record's amendments as its page shows them: each change with the column's label and the values
as a person reads them (school names, choice labels, local times)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone

from liaison.directory.selectors import school_names

from .forms import InteractionChangeForm
from .models import Amendment, Interaction


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    amendment: Amendment
    changes: list[Change]


# Columns that follow from others, or are bookkeeping, and would only repeat a change.
_NOT_SHOWN = frozenset({"id", "updated_at", "occurred_on", "district_id", "agency_id"})


def _shown(name: str, value: Any, school_names: dict[int, str]) -> str:
    """A snapshot value as a person reads it: names for schools, labels for codes, local times."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name == "school_id":
        return school_names.get(value, str(value))
    if name == "occurred_at":
        moment = timezone.localtime(datetime.datetime.fromisoformat(value))
        return formats.date_format(moment, "j M Y, H:i")
    field = Interaction._meta.get_field(name)
    return str(dict(field.flatchoices).get(value, value)) if field.choices else str(value)  # type: ignore[union-attr]


def _label(attname: str) -> str:
    """The name a person knows a column by: the edit form's label where there is one."""
    field = Interaction._meta.get_field(attname)
    form_field = InteractionChangeForm.base_fields.get(field.name)
    return str(form_field.label if form_field else field.verbose_name.capitalize())  # type: ignore[union-attr]


def _changes(amendment: Amendment, school_names: dict[int, str]) -> list[Change]:
    before, after = amendment.before or {}, amendment.after or {}
    names = [name for name in after if name not in _NOT_SHOWN and before.get(name) != after.get(name)]
    return [
        Change(_label(name), _shown(name, before.get(name), school_names), _shown(name, after.get(name), school_names))
        for name in names
    ]


def history_of(record: Interaction) -> list[HistoryEntry]:
    """Every amendment of the record, oldest first, with what it changed as a person reads it."""
    amendments = list(record.amendments.select_related("amended_by"))
    school_ids = {a.before.get("school_id") for a in amendments} | {a.after.get("school_id") for a in amendments}
    names = school_names(school_ids - {None}) if amendments else {}
    return [HistoryEntry(amendment, _changes(amendment, names)) for amendment in amendments]
