"""The interactions app's choices, for the pages and the API: they reach no model (docs/architecture.md)."""

from __future__ import annotations

from .models import Interaction

InteractionSource = Interaction.Source

__all__ = ["InteractionSource"]
