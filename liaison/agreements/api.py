# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""API for MOUs, their versions, evaluation and reviews."""

from ninja import Router

router = Router(tags=["agreements"])
