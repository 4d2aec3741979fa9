"""The fixed words of the surveys app: audiences, item kinds, scales, wave states."""

from __future__ import annotations

from django.db import models


class Audience(models.TextChoices):
    STUDENTS = "students", "Students"
    FAMILIES = "families", "Families"
    STAFF = "staff", "Staff"


class ItemKind(models.TextChoices):
    RATING = "rating", "0–10 rating"
    AGREE = "agree", "5-point agree–disagree"
    CHOICE = "choice", "One choice"
    OPEN = "open", "Open question"


class Scale(models.TextChoices):
    PULSE = "pulse", "Pulse"
    VOICE = "voice", "Voice"
    NEUTRALITY = "neutrality", "Neutrality"
    FAIRNESS = "fairness", "Fairness"
    RESPECT = "respect", "Respect"
    LEGITIMACY = "legitimacy", "Legitimacy"
    OFFICER = "officer", "The school's officer"
    ABOUT = "about", "About you"
    OPEN = "open", "Open question"


# Scales reported as scores (mean, CI, % favourable, alpha), in display order.
SCORED_SCALES = (Scale.PULSE, Scale.VOICE, Scale.NEUTRALITY, Scale.FAIRNESS, Scale.RESPECT, Scale.LEGITIMACY)


class WaveStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class NoticeMethod(models.TextChoices):
    LETTER = "letter", "Letter home"
    EMAIL = "email", "E-mail"
    PORTAL = "portal", "Family portal or app"
    OTHER = "other", "Other"


class BurstDecision(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    ACCEPTED = "accepted", "Accepted"
    DISCARDED = "discarded", "Discarded"
