# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""API schemas for instruments, waves, results and the public submission."""

import datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

from .vocabulary import Audience, NoticeMethod, WaveStatus


class ItemOut(Schema):
    code: str
    page: int
    kind: str
    scale: str
    reverse_scored: bool
    text: dict[str, str]
    options: list[dict[str, Any]]
    audiences: list[str]


class InstrumentOut(Schema):
    uuid: UUID
    key: str
    version: int
    title: dict[str, str]
    languages: list[str]
    items: list[ItemOut]


class WaveIn(Schema):
    title: str = Field(min_length=1, max_length=120)
    instrument: UUID
    audience: Audience
    schools: list[UUID] = Field(min_length=1)
    languages: list[str] = Field(min_length=1)
    opens_on: datetime.date
    closes_on: datetime.date
    uses_codes: bool = False
    notice_date: datetime.date | None = None
    notice_method: NoticeMethod | None = None
    opt_out_handling: str = Field("", max_length=2000)
    hourly_allowance: int = Field(
        100,
        ge=1,
        le=100000,
        description="Responses per school link per hour counted before the rest are held for review "
        "(student waves use the school's enrollment when it is known).",
    )


class WaveSchoolOut(Schema):
    uuid: UUID
    school: UUID
    school_name: str
    survey_path: str | None = Field(None, description="The public link; only for those who manage the school's wave.")


class WaveOut(Schema):
    uuid: UUID
    title: str
    instrument: UUID
    instrument_version: int
    district: UUID
    audience: Audience
    languages: list[str]
    opens_on: datetime.date
    closes_on: datetime.date
    status: WaveStatus
    uses_codes: bool
    notice_date: datetime.date | None
    notice_method: str
    opt_out_handling: str
    hourly_allowance: int
    schools: list[WaveSchoolOut]


class EstimateOut(Schema):
    n: int
    mean: float
    low: float | None
    high: float | None


class ScaleOut(Schema):
    scale: str
    label: str
    estimate: EstimateOut | None
    percent_favourable: float | None
    alpha: float | None


class GroupOut(Schema):
    respondents: int | None = Field(description="Null when suppressed.")
    suppressed: bool
    note: str = Field(description='"Suppressed (fewer than 10)" when suppressed, else empty.')
    trust_index: EstimateOut | None
    scales: list[ScaleOut]


class SubgroupOut(GroupOut):
    group: str = Field(description='The answer to the breakdown item; "not_answered" for skips.')


class ChangeOut(Schema):
    measure: str = Field(description='"trust_index" or a scale.')
    label: str
    difference: float | None = Field(description="This wave's mean minus the previous wave's.")
    low: float | None = Field(description="Welch's 95% confidence interval of the difference.")
    high: float | None
    distinguishable: bool | None = Field(description="Whether the interval excludes no change.")


class ComparedOut(Schema):
    previous_wave: UUID
    previous_title: str
    suppressed: bool = Field(description="Either wave is suppressed at this school: nothing is compared.")
    changes: list[ChangeOut]


class SchoolResultOut(GroupOut):
    school: UUID
    school_name: str
    link: UUID
    groups: list[SubgroupOut] = Field(description="Per answer to `by`, when asked for and the school is shown.")
    compared_with_previous: ComparedOut | None = Field(
        description="Against the school's previous wave of the same instrument and audience; null when none."
    )
    held_for_review: int = Field(
        0, description="Responses held in bursts (beyond the hourly allowance, or too fast), whatever was decided."
    )
    discarded: int = Field(0, description="Of those, how many the district discarded (not counted).")


class ResultsQuery(Schema):
    by: Literal["about_grade", "about_race", "about_sex"] | None = Field(None, description="Break down by this item.")


class WaveResultsOut(Schema):
    wave: UUID
    schools: list[SchoolResultOut]
    all_schools_shown: GroupOut


class ResponseIn(Schema):
    token: str = Field(min_length=8, max_length=64, description="The school's survey link token.")
    language: str = Field(max_length=8)
    code: str = Field("", max_length=20, description="The one-time code, for waves that use slips.")
    form_token: str = Field(
        "", max_length=200, description="The single-use token from GET /surveys/links/{token}/form-token."
    )
    answers: dict[str, int | str] = Field(description="Item code → answer; leave skipped items out.")


class FormTokenOut(Schema):
    form_token: str = Field(description="Spend it on one submission within six hours.")


class BurstOut(Schema):
    uuid: UUID
    school: UUID
    school_name: str
    day: datetime.date
    size: int = Field(description="How many responses the burst holds (their answers are never shown).")
    decision: Literal["pending", "accepted", "discarded"]


class BurstDecisionIn(Schema):
    accept: bool = Field(description="True: count the burst's responses at close; false: delete them now.")


class ProgressOut(Schema):
    school: UUID
    school_name: str
    responded: int = Field(description="Responses so far that will count (held for review excluded).")
    held_for_review: int = Field(description="Responses held in bursts waiting for the wave owner's decision.")
    discarded: int = Field(description="Responses in bursts the wave owner discarded.")


class ReceivedOut(Schema):
    received: bool


class OpenAnswerOut(Schema):
    text: str
    count: int = Field(description="How many wrote the same words (letter case and spacing aside).")


class OpenAnswersOut(Schema):
    wave: UUID
    school: UUID
    school_name: str
    suppressed: bool = Field(description="Fewer than 10 responses at the school: no answer is given.")
    note: str
    answers: list[OpenAnswerOut] = Field(description="In random order, never by when they came in; only after close.")
    withheld: int = Field(description="Answers holding an e-mail address, a phone number or a date.")
