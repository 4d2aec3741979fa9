"""Switching a district's pseudonymous student keys on or off: the page and the API share this text."""

from __future__ import annotations

STUDENT_KEYS_EXPLAINED = (
    "With student keys on, officers may type the district's student id when they record a mentoring "
    "relationship or an enforcement action. Liaison never stores the id: it keeps only a key computed "
    "from it with a secret held by this server and this district, so the same student has the same "
    "key every time and can be followed over time (mentoring, repeat enforcement, CRDC's counts of "
    "unique students), while nobody can turn a key back into an id or a name. Keys from different "
    "districts never match. Switching keys off stops new keys being recorded; keys already recorded stay."
)
STUDENT_KEYS_ON = "Student keys are on for {district}."
STUDENT_KEYS_OFF = "Student keys are off for {district}."
