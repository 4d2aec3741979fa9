from __future__ import annotations

from typing import Any

from django import template

from liaison.programs import access

register = template.Library()


@register.filter
def may_view_mentoring(user: Any) -> bool:
    """Whether links to mentoring lead anywhere for the user (district admins are refused mentees' records)."""
    return access.may_view_mentoring(user)
