"""The insights app's choices, for the pages and the API: they reach no model (docs/architecture.md)."""

from __future__ import annotations

from .models import ProgramReport

ReportAudience = ProgramReport.Audience
ReportStatus = ProgramReport.Status

__all__ = ["ReportAudience", "ReportStatus"]
