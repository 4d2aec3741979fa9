# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""API for survey instruments, waves, results and the public (anonymous) submission.

The pages and these endpoints call the same services and scoring; waves come through `surveys.access`.
"""

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Status

from liaison.directory.access import NOT_ALLOWED
from liaison.lib.api_errors import ERROR_RESPONSES
from liaison.lib.suppression import SUPPRESSED

from . import access, form_tokens, scoring, selectors, services
from .schemas import (
    BurstDecisionIn,
    BurstOut,
    FormTokenOut,
    InstrumentOut,
    OpenAnswersOut,
    ProgressOut,
    ReceivedOut,
    ResponseIn,
    ResultsQuery,
    WaveIn,
    WaveOut,
    WaveResultsOut,
)
from .vocabulary import WaveStatus

if TYPE_CHECKING:
    from .models import Burst, Instrument, Wave, WaveSchool

router = Router(tags=["surveys"])

NO_SUCH_INSTRUMENT = "No such instrument."
NO_SUCH_SCHOOL = "No such school where you may open a wave."


# --- instruments -------------------------------------------------------------------------------


@router.get("/surveys/instruments", response={200: list[InstrumentOut], **ERROR_RESPONSES})
def instrument_list(request: HttpRequest) -> "list[Instrument]":
    return selectors.instruments_with_items()


# --- waves -------------------------------------------------------------------------------------


def _wave_out(request: HttpRequest, wave: "Wave", wave_schools: Any = None) -> dict[str, Any]:
    if wave_schools is None:
        wave_schools = access.wave_schools_visible(request.user, wave)
    return {
        "uuid": wave.uuid,
        "title": wave.title,
        "instrument": wave.instrument.uuid,
        "instrument_version": wave.instrument.version,
        "district": wave.district.uuid,
        "audience": wave.audience,
        "languages": wave.languages,
        "opens_on": wave.opens_on,
        "closes_on": wave.closes_on,
        "status": wave.status,
        "uses_codes": wave.uses_codes,
        "notice_date": wave.notice_date,
        "notice_method": wave.notice_method,
        "opt_out_handling": wave.opt_out_handling,
        "hourly_allowance": wave.hourly_allowance,
        "schools": [_wave_school_out(request, ws) for ws in wave_schools],
    }


def _wave_school_out(request: HttpRequest, wave_school: "WaveSchool") -> dict[str, Any]:
    manageable = access.wave_school_manageable(request.user, wave_school)
    return {
        "uuid": wave_school.uuid,
        "school": wave_school.school.uuid,
        "school_name": wave_school.school.name,
        "survey_path": reverse("surveys:take", args=[wave_school.token]) if manageable else None,
    }


@router.get("/surveys/waves", response={200: list[WaveOut], **ERROR_RESPONSES})
def wave_list(request: HttpRequest) -> list[dict[str, Any]]:
    access.require_survey_reader(request.user)
    visible = access.result_school_ids(request.user)
    in_order = selectors.wave_schools_by_school_name()
    waves = (
        access.waves_visible_to(request.user)
        .prefetch_related(Prefetch("wave_schools", queryset=in_order))
        .order_by("-opens_on", "title")[:200]
    )
    return [
        _wave_out(request, wave, [ws for ws in wave.wave_schools.all() if visible is None or ws.school_id in visible])
        for wave in waves
    ]


@router.post("/surveys/waves", response={201: WaveOut, **ERROR_RESPONSES})
def wave_create(request: HttpRequest, payload: WaveIn) -> Status:
    if not access.may_open_waves(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    fields = payload.dict()
    instrument = selectors.instrument_by_uuid(fields.pop("instrument"))
    if instrument is None:
        raise ValidationError({"instrument": NO_SUCH_INSTRUMENT})
    wanted = fields.pop("schools")
    schools = list(access.schools_for_new_wave(request.user).filter(uuid__in=wanted))
    if len(schools) != len(set(wanted)):
        raise ValidationError({"schools": NO_SUCH_SCHOOL})
    fields["notice_method"] = fields["notice_method"] or ""
    wave = services.wave_open(actor=request.user, instrument=instrument, schools=schools, **fields)
    return Status(201, _wave_out(request, wave))


@router.get("/surveys/waves/{uuid}", response={200: WaveOut, **ERROR_RESPONSES})
def wave_detail(request: HttpRequest, uuid: UUID) -> dict[str, Any]:
    return _wave_out(request, access.wave_get_for_user(request.user, uuid))


@router.post("/surveys/waves/{uuid}/close", response={200: WaveOut, **ERROR_RESPONSES})
def wave_close(request: HttpRequest, uuid: UUID) -> dict[str, Any]:
    wave = access.wave_get_for_user(request.user, uuid, write=True)
    return _wave_out(request, services.wave_close(actor=request.user, wave=wave, today=timezone.localdate()))


# --- results -----------------------------------------------------------------------------------


def _estimate(est: scoring.Estimate | None) -> dict[str, Any] | None:
    if est is None:
        return None
    return {"n": est.n, "mean": est.mean, "low": est.low, "high": est.high}


def group_out(result: scoring.GroupResult) -> dict[str, Any]:
    """A group's figures, or only the suppression flag and note."""
    if result.suppressed:
        return {"respondents": None, "suppressed": True, "note": SUPPRESSED, "trust_index": None, "scales": []}
    scales = [
        {
            "scale": s.scale,
            "label": s.label,
            "estimate": _estimate(s.estimate),
            "percent_favourable": s.favourable,
            "alpha": s.alpha,
        }
        for s in result.scales
    ]
    return {
        "respondents": result.respondents,
        "suppressed": False,
        "note": "",
        "trust_index": _estimate(result.trust),
        "scales": scales,
    }


def _subgroups(results: selectors.WaveResults, row: selectors.SchoolRow, by: str | None) -> list[dict[str, Any]]:
    groups = selectors.school_subgroups(results.items, row, by)
    return [{**group_out(group.result), "group": group.key} for group in groups]


def _compared_out(wave_school: "WaveSchool") -> dict[str, Any] | None:
    compared = selectors.compared_with_previous(selectors.school_history(wave_school), wave_school)
    if compared is None:
        return None
    changes = [
        {
            "measure": change.measure,
            "label": change.label,
            "difference": change.comparison.difference if change.comparison else None,
            "low": change.comparison.low if change.comparison else None,
            "high": change.comparison.high if change.comparison else None,
            "distinguishable": change.comparison.distinguishable if change.comparison else None,
        }
        for change in compared.changes
    ]
    previous = compared.previous.wave
    return {
        "previous_wave": previous.uuid,
        "previous_title": previous.title,
        "suppressed": compared.suppressed,
        "changes": changes,
    }


NOT_YET = "Results appear when the wave closes; until then only how many have responded (see progress)."


def _not_yet(wave: "Wave", wave_schools: "list[WaveSchool]") -> dict[str, Any]:
    nothing: dict[str, Any] = {
        "respondents": None,
        "suppressed": False,
        "note": NOT_YET,
        "trust_index": None,
        "scales": [],
    }
    schools = [
        {
            **nothing,
            "school": ws.school.uuid,
            "school_name": ws.school.name,
            "link": ws.uuid,
            "groups": [],
            "compared_with_previous": None,
        }
        for ws in wave_schools
    ]
    return {"wave": wave.uuid, "schools": schools, "all_schools_shown": nothing}


@router.get("/surveys/waves/{uuid}/results", response={200: WaveResultsOut, **ERROR_RESPONSES})
def wave_results(request: HttpRequest, uuid: UUID, query: Query[ResultsQuery]) -> dict[str, Any]:
    """Each school's results, once the wave has closed (no figure moves while it is open)."""
    wave = access.wave_get_for_user(request.user, uuid)
    if wave.status != WaveStatus.CLOSED:
        return _not_yet(wave, list(access.wave_schools_visible(request.user, wave)))
    wave_schools = list(access.wave_schools_visible(request.user, wave))
    results = selectors.wave_results(wave, wave_schools)
    progress = selectors.wave_progress(wave_schools)
    schools = [
        {
            **group_out(row.result),
            "school": row.wave_school.school.uuid,
            "school_name": row.wave_school.school.name,
            "link": row.wave_school.uuid,
            "groups": _subgroups(results, row, query.by),
            "compared_with_previous": _compared_out(row.wave_school),
            "held_for_review": progress[row.wave_school.pk].ever_held,
            "discarded": progress[row.wave_school.pk].discarded,
        }
        for row in results.rows
    ]
    return {"wave": wave.uuid, "schools": schools, "all_schools_shown": group_out(results.pooled)}


@router.get("/surveys/schools/{uuid}/open-answers", response={200: OpenAnswersOut, **ERROR_RESPONSES})
def open_answers(request: HttpRequest, uuid: UUID) -> dict[str, Any]:
    """One school's answers to the open question, for the wave's managers on the school side (they may
    name people, so not for the police side or evaluators); each reading is audited."""
    wave_school = access.wave_school_get_for_user(request.user, uuid, write=True)
    found = selectors.open_answers(wave_school)
    services.open_answers_read_audit(actor=request.user, wave_school=wave_school, through="the API")
    return {
        "wave": wave_school.wave.uuid,
        "school": wave_school.school.uuid,
        "school_name": wave_school.school.name,
        "suppressed": found.suppressed,
        "note": SUPPRESSED if found.suppressed else "",
        "answers": found.answers,
        "withheld": found.withheld,
    }


# --- the public submission ---------------------------------------------------------------------


def _link(token: str) -> "WaveSchool":
    wave_school = selectors.wave_school_by_token(token)
    if wave_school is None:
        raise Http404
    return wave_school


@router.get("/surveys/links/{token}/form-token", auth=None, response={200: FormTokenOut, **ERROR_RESPONSES})
def form_token(request: HttpRequest, token: str) -> dict[str, Any]:
    """A single-use token for one submission through this school's link (the survey page issues its own)."""
    return {"form_token": form_tokens.form_token_issue(_link(token))}


@router.post("/surveys/responses", auth=None, response={201: ReceivedOut, **ERROR_RESPONSES})
def response_submit(request: HttpRequest, payload: ResponseIn) -> Status:
    """Anyone with a school's link and a form token may answer; no sign-in, no cookie.

    Nothing identifying comes back: not even the response's own key, nor whether it was held for review."""
    wave_school = _link(payload.token)
    seconds = form_tokens.form_token_spend(wave_school, payload.form_token)
    services.survey_response_submit(
        wave_school=wave_school,
        language=payload.language,
        answers=payload.answers,
        code=payload.code,
        today=timezone.localdate(),
        seconds_taken=seconds,
    )
    return Status(201, {"received": True})


# --- while a wave is open: how many have responded, and held bursts ----------------------------


@router.get("/surveys/waves/{uuid}/progress", response={200: list[ProgressOut], **ERROR_RESPONSES})
def wave_progress(request: HttpRequest, uuid: UUID) -> list[dict[str, Any]]:
    """How many have responded at each school: the only figure while a wave is open."""
    wave = access.wave_get_for_user(request.user, uuid)
    wave_schools = list(access.wave_schools_visible(request.user, wave))
    found = selectors.wave_progress(wave_schools)
    return [
        {
            "school": ws.school.uuid,
            "school_name": ws.school.name,
            "responded": found[ws.pk].responded,
            "held_for_review": found[ws.pk].held_for_review,
            "discarded": found[ws.pk].discarded,
        }
        for ws in wave_schools
    ]


def _burst_out(burst: "Burst") -> dict[str, Any]:
    return {
        "uuid": burst.uuid,
        "school": burst.wave_school.school.uuid,
        "school_name": burst.wave_school.school.name,
        "day": burst.day,
        "size": burst.size,
        "decision": burst.decision,
    }


@router.get("/surveys/waves/{uuid}/bursts", response={200: list[BurstOut], **ERROR_RESPONSES})
def burst_list(request: HttpRequest, uuid: UUID) -> list[dict[str, Any]]:
    """Held bursts of the wave, for the district's wave owner (sizes and days, never answers)."""
    wave = access.wave_get_for_user(request.user, uuid)
    access.require_burst_decider(request.user, wave)
    return [_burst_out(burst) for burst in selectors.wave_bursts(wave)]


@router.post("/surveys/bursts/{uuid}/decision", response={200: BurstOut, **ERROR_RESPONSES})
def burst_decide(request: HttpRequest, uuid: UUID, payload: BurstDecisionIn) -> dict[str, Any]:
    burst = access.burst_get_for_user(request.user, uuid)
    return _burst_out(services.burst_decide(actor=request.user, burst=burst, accept=payload.accept))
