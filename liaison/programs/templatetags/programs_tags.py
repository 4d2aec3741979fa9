from __future__ import annotations

from typing import Any

from django import template

from liaison.programs import access
from liaison.programs.selectors import RoleSplit, RoleTime

register = template.Library()


@register.simple_tag
def role_share(split: RoleSplit, role: RoleTime) -> float | None:
    """The role's percent of the officer's time (or of their contacts, when no duration is known)."""
    share = split.share_of(role)
    return None if share is None else share * 100


@register.filter
def may_view_mentoring(user: Any) -> bool:
    """Whether links to mentoring lead anywhere for the user (district admins are refused mentees' records)."""
    return access.may_view_mentoring(user)
