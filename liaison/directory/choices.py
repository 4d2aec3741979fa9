"""The directory's choices and fixed lists, for the pages and the API: they reach no model
(docs/architecture.md)."""

from __future__ import annotations

from .models import ENROLLMENT_SUBGROUPS, Grade, Officer, TrainingCourse

OfficerStatus = Officer.Status

__all__ = ["ENROLLMENT_SUBGROUPS", "Grade", "OfficerStatus", "TrainingCourse"]
