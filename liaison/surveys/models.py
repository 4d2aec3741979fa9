"""Instruments (a versioned item bank with translations), waves at schools, slip codes and the
anonymous responses.

Anonymity is built into the tables, not promised by the code: a response holds a random UUID as its
key, the school's wave link it came through, its language, the day (never the time) and its answers.
It has no user, no address, no token, no timestamp and no relation to a slip code; a used slip code
is only a flag. While a wave is open a response waits sealed in `HeldResponse` (see sealing.py); the
response table is written only when the wave closes, one shuffled batch per school, and on SQLite it
is a WITHOUT ROWID table, so no insertion order survives. See docs/surveys.md.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from liaison.directory.models import District, School

from .vocabulary import Audience, BurstDecision, ItemKind, NoticeMethod, Scale, WaveStatus

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B)
CODE_LENGTH = 8
SHORT_LENGTH = 7


def new_link_token() -> str:
    """An unguessable token for a school's survey link (about 190 bits; short enough for a QR code)."""
    return secrets.token_urlsafe(24)


def new_short_link() -> str:
    """The short code of a school's link, easy to type from a slip (case does not matter)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(SHORT_LENGTH))


def new_slip_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Instrument(models.Model):
    """One version of a questionnaire. Items never change once a wave uses it: new wording, new version."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.SlugField(max_length=40)
    version = models.PositiveSmallIntegerField()
    title = models.JSONField(help_text="Title per language code.")
    ui = models.JSONField(help_text="The survey page's own words per language code (buttons, headings).")
    languages = models.JSONField(help_text="Language codes every item is translated into.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="surveys_instrument_key_version")]
        ordering = ["key", "version"]

    def __str__(self) -> str:
        return f"{self.title.get('en', self.key)} (version {self.version})"


class Item(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField()
    page = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    scale = models.CharField(max_length=12, choices=Scale.choices)
    reverse_scored = models.BooleanField(default=False)
    text = models.JSONField(help_text="Wording per language code.")
    options = models.JSONField(default=list, blank=True, help_text='[{"value": 1, "label": {"en": …, "es": …}}, …]')
    audiences = models.JSONField(help_text="Audiences the item is asked of.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="surveys_item_code"),
            models.UniqueConstraint(fields=["instrument", "position"], name="surveys_item_position"),
        ]
        ordering = ["instrument", "position"]

    def __str__(self) -> str:
        return self.code


class Wave(models.Model):
    """One round of a survey at some of a district's schools, for one audience, between two days."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=120)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="waves")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="survey_waves")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    languages = models.JSONField()
    opens_on = models.DateField()
    closes_on = models.DateField()
    status = models.CharField(max_length=10, choices=WaveStatus.choices, default=WaveStatus.OPEN)
    uses_codes = models.BooleanField(default=False, help_text="Each response needs a one-time code from a slip.")
    notice_date = models.DateField(null=True, blank=True, help_text="When parents were notified (PPRA).")
    notice_method = models.CharField(max_length=10, choices=NoticeMethod.choices, blank=True)
    opt_out_handling = models.TextField(blank=True, help_text="How opted-out students are kept from taking it.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    hourly_allowance = models.PositiveIntegerField(
        default=100,
        help_text="Responses per school link per hour counted before the rest are held for review "
        "(student waves use the school's enrollment when it is known).",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(hourly_allowance__gte=1), name="surveys_wave_allowance_positive"),
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="surveys_wave_dates"),
            models.CheckConstraint(
                condition=~Q(audience=Audience.STUDENTS)
                | (Q(notice_date__isnull=False) & ~Q(notice_method="") & ~Q(opt_out_handling="")),
                name="surveys_student_wave_parental_notice",
            ),
        ]
        ordering = ["-opens_on", "title"]

    def __str__(self) -> str:
        return self.title


class WaveSchool(models.Model):
    """A school in a wave, with its own public link (the token is the key)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="wave_schools")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="survey_links")
    token = models.CharField(max_length=64, unique=True, default=new_link_token)
    short = models.CharField(max_length=12, unique=True, default=new_short_link, help_text="The short link's code.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "school"], name="surveys_wave_school")]

    def __str__(self) -> str:
        return f"{self.wave} at {self.school}"


class SlipCode(models.Model):
    """A one-time code printed on a slip. Using it sets a flag; nothing records which response used it."""

    wave_school = models.ForeignKey(WaveSchool, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=CODE_LENGTH)
    used = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave_school", "code"], name="surveys_slip_code")]

    def __str__(self) -> str:
        return self.code


class Response(models.Model):
    """One anonymous response. A random key (not a sequence) and the day only: see the module docstring."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave_school = models.ForeignKey(WaveSchool, on_delete=models.PROTECT, related_name="responses")
    submitted_on = models.DateField()
    language = models.CharField(max_length=8)
    answers = models.JSONField(help_text="Item code → answer value; skipped items are absent.")

    def __str__(self) -> str:
        return f"Response on {self.submitted_on}"


class Burst(models.Model):
    """Responses at one school link beyond its allowance (or sent faster than a person could answer),
    held whole for the district's wave owner to accept or discard without seeing the answers."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    wave_school = models.ForeignKey(WaveSchool, on_delete=models.CASCADE, related_name="bursts")
    day = models.DateField()
    size = models.PositiveIntegerField(default=0)
    decision = models.CharField(max_length=10, choices=BurstDecision.choices, default=BurstDecision.PENDING)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["wave_school", "day"],
                condition=Q(decision=BurstDecision.PENDING),
                name="surveys_burst_one_pending_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.size} held at {self.wave_school} on {self.day}"


class HeldResponse(models.Model):
    """A response waiting for its wave to close, sealed under the wave's key (kept outside the database).

    Holding happens in its own transaction, never in the one that used a slip code. No column but
    the link and, when it was held for review, its burst."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave_school = models.ForeignKey(WaveSchool, on_delete=models.CASCADE, related_name="held")
    burst = models.ForeignKey(Burst, null=True, blank=True, on_delete=models.CASCADE, related_name="held")
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return "Held response"


class SubmissionCounter(models.Model):
    """Shared counters of public submissions (all workers, all processes): a hashed key and a window.

    Stands in for the shared rate-limit store until it exists; only `limits.count_hit` touches it."""

    key = models.CharField(max_length=80, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires = models.BigIntegerField(help_text="Unix time after which the row may be deleted.")

    def __str__(self) -> str:
        return self.key
