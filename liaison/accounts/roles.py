"""The roles a membership can give a user (DESIGN.md, Roles)."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    AGENCY_ADMIN = "agency_admin", "Agency admin (chief)"
    SUPERVISOR = "supervisor", "SRO supervisor"
    OFFICER = "officer", "Officer"
    DISTRICT_ADMIN = "district_admin", "District admin (superintendent)"
    SCHOOL_ADMIN = "school_admin", "School admin (principal)"
    EVALUATOR = "evaluator", "Evaluator"


AGENCY_ROLES = frozenset({Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.OFFICER})
