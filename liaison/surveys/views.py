"""Surveys pages: waves and their results for staff, and the public survey behind each school's link.

Staff reach waves and schools through `surveys.access`; every change goes through `surveys.services`.
The survey page needs no sign-in (the link's token is the key), works without JavaScript, carries
earlier pages' answers in hidden fields (nothing is kept on the server until the last page), and is
CSRF-protected like every form.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import segno
from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.directory.access import NOT_ALLOWED
from liaison.lib.form_pages import add_service_errors
from liaison.lib.suppression import SUPPRESSED

from . import access, charts, disclosed, exports, form_tokens, forms, scoring, selectors, services
from .vocabulary import ItemKind, Scale, WaveStatus

if TYPE_CHECKING:
    from .models import Instrument, Item, Wave, WaveSchool

WAVE_OPENED = "Opened {title}."
WAVE_CLOSED = "Closed {title}. Nothing more can be added to it."
RESULTS_NOT_YET = "Results appear when the wave closes."
BURST_ACCEPTED = "Accepted {size} held responses: they count when the wave closes."
BURST_DISCARDED = "Discarded {size} held responses."
ALLOWANCE_HELP = "the school's enrollment for student waves, the wave's own figure for family and staff waves"


def _today() -> Any:
    return timezone.localdate()


# --- waves (staff) ---------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    access.require_survey_reader(request.user)
    waves = access.waves_visible_to(request.user).order_by("-opens_on", "title")
    return render(
        request,
        "surveys/home.html",
        {"waves": waves, "may_open": access.may_open_waves(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def wave_create(request: HttpRequest) -> HttpResponse:
    if not access.may_open_waves(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    schools = access.schools_for_new_wave(request.user)
    form = forms.WaveForm(request.POST if request.method == "POST" else None, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["schools"] = list(data["schools"])
        data["notice_method"] = data["notice_method"] or ""
        try:
            wave = services.wave_open(actor=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, WAVE_OPENED.format(title=wave.title))
            return redirect("surveys:wave", uuid=wave.uuid)
    status = 400 if form.errors else 200
    return render(request, "surveys/wave_form.html", {"form": form}, status=status)


def _school_summary(row: selectors.SchoolRow, manageable: bool, progress: selectors.Progress) -> dict[str, Any]:
    return {"row": row, "result": row.result, "manageable": manageable, "progress": progress}


@login_required
@require_GET
def wave_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    wave = access.wave_get_for_user(request.user, uuid)
    wave_schools = list(access.wave_schools_visible(request.user, wave))
    results = selectors.wave_results(wave, wave_schools)
    progress = selectors.wave_progress(wave_schools)
    rows = [
        _school_summary(row, access.wave_school_manageable(request.user, row.wave_school), progress[row.wave_school.pk])
        for row in results.rows
    ]
    decider = access.may_decide_bursts(request.user, wave)
    bursts = selectors.wave_bursts(wave) if decider else []
    context = {
        "bursts": bursts,
        "allowance_help": ALLOWANCE_HELP,
        "held_total": sum(p.ever_held for p in progress.values()),
        "discarded_total": sum(p.discarded for p in progress.values()),
        "wave": wave,
        "results": results,
        "rows": rows,
        "manageable": access.wave_manageable(request.user, wave),
        "SUPPRESSED": SUPPRESSED,
        "trust_help": scoring.TRUST_INDEX_HELP,
        "open": wave.status == WaveStatus.OPEN,
        "any_manageable": any(entry["manageable"] for entry in rows),
        "breakdown": SubgroupForm(auto_id="breakdown_%s"),
    }
    return render(request, "surveys/wave.html", context)


@login_required
@require_POST
def wave_close(request: HttpRequest, uuid: str) -> HttpResponse:
    wave = access.wave_get_for_user(request.user, uuid, write=True)
    try:
        services.wave_close(actor=request.user, wave=wave, today=_today())
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(request, WAVE_CLOSED.format(title=wave.title))
    return redirect("surveys:wave", uuid=wave.uuid)


@login_required
@require_POST
def burst_decide(request: HttpRequest, uuid: str) -> HttpResponse:
    """Accept or discard a held burst, whole; only the district's wave owners."""
    burst = access.burst_get_for_user(request.user, uuid)
    accept = request.POST.get("accept") == "1"
    try:
        services.burst_decide(actor=request.user, burst=burst, accept=accept)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(request, (BURST_ACCEPTED if accept else BURST_DISCARDED).format(size=burst.size))
    return redirect("surveys:wave", uuid=burst.wave_school.wave.uuid)


class SubgroupForm(django_forms.Form):
    by = django_forms.ChoiceField(
        required=False,
        label="Break down by",
        choices=[("", "Everyone"), *selectors.SUBGROUP_ITEMS.items()],
    )


def _csv(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def results_csv(request: HttpRequest, uuid: str) -> HttpResponse:
    """Every school's results and change since its previous wave; `?by=about_grade` (or race, sex)
    adds each school's subgroups."""
    wave = access.wave_get_for_user(request.user, uuid)
    if wave.status != WaveStatus.CLOSED:
        return HttpResponse(RESULTS_NOT_YET, status=409, content_type="text/plain; charset=utf-8")
    filters = SubgroupForm(request.GET)
    if not filters.is_valid():
        problems = "; ".join(f"{field}: {' '.join(map(str, errors))}" for field, errors in filters.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    by = filters.cleaned_data["by"]
    results = selectors.wave_results(wave, list(access.wave_schools_visible(request.user, wave)))
    extras = {
        row.wave_school.pk: exports.SchoolExtras(
            selectors.school_subgroups(results.items, row, by),
            selectors.compared_with_previous(selectors.school_history(row.wave_school), row.wave_school),
        )
        for row in results.rows
    }
    suffix = f"-by-{by.removeprefix('about_')}" if by else ""
    return _csv(exports.results_csv(results, extras), f"survey-results-{wave.uuid}{suffix}.csv")


@login_required
@require_GET
def responses_csv(request: HttpRequest, uuid: str) -> HttpResponse:
    """De-identified raw responses, for the wave's managers only, once the wave has closed."""
    wave = access.wave_get_for_user(request.user, uuid, write=True)
    if wave.status != WaveStatus.CLOSED:
        return HttpResponse(RESULTS_NOT_YET, status=409, content_type="text/plain; charset=utf-8")
    wave_schools = list(access.wave_schools_visible(request.user, wave))
    answers = selectors.answers_by_wave_school([ws.pk for ws in wave_schools])
    by_school = {ws.school.name: answers[ws.pk] for ws in wave_schools}
    return _csv(exports.responses_csv(services.wave_items(wave), by_school), f"survey-responses-{wave.uuid}.csv")


# --- one school's results ---------------------------------------------------------------------------


def _distribution_charts(items: list[Item], result: scoring.GroupResult) -> list[dict[str, Any]]:
    """A bar chart per opinion item; for the demographic items (grade, race, sex) a table whose groups
    of 1 to 9 are suppressed with their complement, as in the breakdown by the same item."""
    by_code = {item.code: item for item in items}
    found: list[dict[str, Any]] = []
    for dist in result.distributions:
        item = by_code[dist.code]
        bars = [(o["label"]["en"], dist.counts.get(str(o["value"]), 0)) for o in item.options]
        if item.scale == Scale.ABOUT:
            shown, answered = disclosed.answer_counts_shown(dict(bars), result.respondents)
            rows = [(label, SUPPRESSED if shown[label] is None else shown[label]) for label, _ in bars]
            found.append({"item": item, "answered": SUPPRESSED if answered is None else answered, "rows": rows})
        else:
            # On the page the chart is a table with a bar in each row: real text at any width, read
            # by a screen reader as a table (the SVG stays for documents that print it).
            total = sum(count for _, count in bars) or 1
            shares = [(label, count, round(100 * count / total)) for label, count in bars]
            found.append({"item": item, "answered": dist.answered, "bars": shares})
    return found


@login_required
@require_GET
def school_results(request: HttpRequest, uuid: str) -> HttpResponse:
    wave_school = access.wave_school_get_for_user(request.user, uuid)
    history = selectors.school_history(wave_school)
    current = next(result for ws, result in history if ws.pk == wave_school.pk)
    before = selectors.previous(history, wave_school)
    compared = selectors.compared_with_previous(history, wave_school)
    comparisons = [(change.label, change.comparison) for change in compared.changes] if compared else []
    points = [charts.TrendPoint(ws.wave.title, result.trust, result.suppressed) for ws, result in history]
    items = services.wave_items(wave_school.wave)
    filters = SubgroupForm(request.GET or None)
    by = filters.cleaned_data["by"] if filters.is_valid() else ""
    row = selectors.SchoolRow(wave_school, current)
    subgroups = [(group.label, group.result) for group in selectors.school_subgroups(items, row, by)]
    context = {
        "wave_school": wave_school,
        "wave": wave_school.wave,
        "result": current,
        "before": before,
        "comparisons": comparisons,
        "trend": charts.trend_chart(points, f"Trust index over waves at {wave_school.school.name}"),
        "history": history,
        "distributions": [] if current.suppressed else _distribution_charts(items, current),
        "filters": filters,
        "subgroups": subgroups,
        "SUPPRESSED": SUPPRESSED,
        "trust_help": scoring.TRUST_INDEX_HELP,
        "manageable": access.wave_school_manageable(request.user, wave_school),
        "open": wave_school.wave.status != WaveStatus.CLOSED,
        "progress": selectors.wave_progress([wave_school])[wave_school.pk],
    }
    return render(request, "surveys/school.html", context)


@login_required
@require_GET
def open_answers(request: HttpRequest, uuid: str) -> HttpResponse:
    """The school's answers to the open question: for the school's and district's side (the wave's
    managers), never the police side, as they may name people; each reading is audited."""
    wave_school = access.wave_school_get_for_user(request.user, uuid, write=True)
    found = selectors.open_answers(wave_school)
    services.open_answers_read_audit(actor=request.user, wave_school=wave_school, through="the open answers page")
    questions = [item.text["en"] for item in services.wave_items(wave_school.wave) if item.kind == ItemKind.OPEN]
    context = {
        "wave_school": wave_school,
        "wave": wave_school.wave,
        "found": found,
        "total": sum(answer.count for answer in found.answers),
        "questions": questions,
        "SUPPRESSED": SUPPRESSED,
    }
    return render(request, "surveys/open_answers.html", context)


# --- links, QR codes, posters and slips --------------------------------------------------------------


def _public_url(request: HttpRequest, wave_school: WaveSchool) -> str:
    return request.build_absolute_uri(reverse("surveys:take", args=[wave_school.token]))


def _short_url(request: HttpRequest, wave_school: WaveSchool) -> str:
    return request.build_absolute_uri(reverse("survey_short_link", args=[wave_school.short]))


def _slip_qr(short_url: str, code: str) -> str:
    """A slip's own QR code: the short link with the code after "#", which browsers never send on."""
    qr = segno.make(f"{short_url}#{code}", error="m")
    return str(qr.svg_inline(scale=3, border=2, title="QR code", svgclass="slip-qr"))


@login_required
@require_GET
def qr_code(request: HttpRequest, uuid: str, kind: str) -> HttpResponse:
    wave_school = access.wave_school_get_for_user(request.user, uuid, write=True)
    qr = segno.make(_public_url(request, wave_school), error="m")
    buffer = io.BytesIO()
    if kind == "svg":
        qr.save(buffer, kind="svg", scale=8, border=2, title=f"Survey link for {wave_school.school.name}")
        return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    qr.save(buffer, kind="png", scale=8, border=2)
    return HttpResponse(buffer.getvalue(), content_type="image/png")


@login_required
@require_GET
def poster(request: HttpRequest, uuid: str) -> HttpResponse:
    wave_school = access.wave_school_get_for_user(request.user, uuid, write=True)
    wave = wave_school.wave
    titles = [wave.instrument.title.get(lang, wave.instrument.title["en"]) for lang in wave.languages]
    context = {
        "wave_school": wave_school,
        "wave": wave,
        "url": _public_url(request, wave_school),
        "short_url": _short_url(request, wave_school),
        "titles": titles,
    }
    return render(request, "surveys/poster.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def slips(request: HttpRequest, uuid: str) -> HttpResponse:
    """Print one-time codes: each POST makes new codes and shows the sheet to print (they are shown once)."""
    wave_school = access.wave_school_get_for_user(request.user, uuid, write=True)
    form = forms.CodesForm(request.POST if request.method == "POST" else None)
    codes: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.slip_codes_issue(
                actor=request.user, wave_school=wave_school, count=form.cleaned_data["count"], today=_today()
            )
        except ValidationError as error:
            add_service_errors(form, error)
    short_url = _short_url(request, wave_school)
    context = {
        "wave_school": wave_school,
        "form": form,
        "slips": [(code, mark_safe(_slip_qr(short_url, code))) for code in codes],
        "short_url": short_url,
    }
    return render(request, "surveys/slips.html", context, status=400 if form.errors else 200)


# --- the public survey ------------------------------------------------------------------------------


@require_GET
def short_link(request: HttpRequest, short: str) -> HttpResponse:
    """The short link printed on slips and posters: on to the school's survey (a code after "#" stays
    in the browser, which carries it over the redirect)."""
    found = selectors.wave_school_token_by_short(short)
    if found is None:
        raise Http404("Not found.")
    return redirect("surveys:take", token=found)


def _wave_school_by_token(token: str) -> WaveSchool:
    found = selectors.wave_school_by_token(token)
    if found is None:
        raise Http404("Not found.")
    return found


def _language(request: HttpRequest, wave: Wave) -> str:
    """The language asked for on the page (the switch, or the one carried), else the browser's first
    language the wave offers (Accept-Language), else the wave's first."""
    asked = request.POST.get("switch") or request.POST.get("lang") or request.GET.get("lang") or ""
    if asked in wave.languages:
        return asked
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")[:255]
    for tag, _quality in parse_accept_lang_header(header):
        base = tag.split("-")[0].lower()
        if base in wave.languages:
            return base
    return str(wave.languages[0])


def _ui(instrument: Instrument, language: str) -> dict[str, Any]:
    return instrument.ui.get(language) or instrument.ui["en"]


@require_http_methods(["GET", "POST"])
def take(request: HttpRequest, token: str) -> HttpResponse:
    wave_school = _wave_school_by_token(token)
    wave = wave_school.wave
    language = _language(request, wave)
    ui = _ui(wave.instrument, language)
    base = {"wave_school": wave_school, "wave": wave, "ui": ui, "LANGUAGE_CODE": language, "language": language}
    base["languages"] = [(code, forms.LANGUAGE_NAMES.get(code, code)) for code in wave.languages]
    base["title"] = wave.instrument.title.get(language, wave.instrument.title["en"])
    base["uses_codes"] = wave.uses_codes
    if request.method == "GET" and request.GET.get("done"):
        return render(request, "surveys/take_done.html", base)
    if not services.wave_accepts(wave, _today()):
        return render(request, "surveys/take_closed.html", base, status=410)
    items = services.wave_items(wave)
    pages = sorted({item.page for item in items})
    form = forms.SurveyForm(
        request.POST if request.method == "POST" else None,
        items=items,
        language=language,
        uses_codes=wave.uses_codes,
        ui=ui,
        school=wave_school.school,
    )
    page = _page_number(request, len(pages))
    status = 200
    form_token = request.POST.get("form_token", "")
    if not form_tokens.form_token_peek(wave_school, form_token):
        form_token = form_tokens.form_token_issue(wave_school)
    if request.method == "POST" and not request.POST.get("switch"):
        page, status, done = _advance(request, form, wave_school, page, len(pages), language, ui)
        if done:
            return redirect(f"{reverse('surveys:take', args=[token])}?done=1&lang={language}")
        if form.needs_new_token:
            form_token = form_tokens.form_token_issue(wave_school)
    context = {**base, **_page_context(form, items, pages, page, ui), "form_token": form_token}
    return render(request, "surveys/take.html", context, status=status)


def _page_number(request: HttpRequest, pages: int) -> int:
    try:
        page = int(request.POST.get("page", 1))
    except ValueError:
        page = 1
    return min(max(page, 1), pages)


def _advance(
    request: HttpRequest,
    form: forms.SurveyForm,
    wave_school: WaveSchool,
    page: int,
    pages: int,
    language: str,
    ui: dict[str, Any],
) -> tuple[int, int, bool]:
    """Move between pages, or send on the last: (page to show, status, sent)."""
    action = request.POST.get("action", "next")
    if not form.is_valid():
        return page, 400, False
    if action == "back":
        return max(1, page - 1), 200, False
    code = form.cleaned_data.get("code", "") or ""
    if page == 1 and wave_school.wave.uses_codes:
        if not code.strip():
            form.add_error("code", ui["code_needed"])
            return page, 400, False
        if not services.slip_code_valid(wave_school, code):
            form.add_error("code", ui["bad_code"])
            return page, 400, False
    if action != "submit" or page < pages:
        return min(pages, page + 1), 200, False
    try:
        seconds = form_tokens.form_token_spend(wave_school, request.POST.get("form_token", ""))
    except ValidationError:
        form.add_error(None, ui["form_expired"])
        form.needs_new_token = True
        return page, 400, False
    try:
        services.survey_response_submit(
            wave_school=wave_school,
            language=language,
            answers=form.answers(),
            code=code,
            today=_today(),
            seconds_taken=seconds,
        )
    except ValidationError as error:
        messages_for = getattr(error, "error_dict", {})
        form.add_error(None, ui["bad_code"] if "code" in messages_for else ui["closed"])
        return (1 if "code" in messages_for else page), 400, False
    return page, 200, True


def _page_context(
    form: forms.SurveyForm, items: list[Item], pages: list[int], page: int, ui: dict[str, Any]
) -> dict[str, Any]:
    number = pages[page - 1]
    shown = {item.code for item in items if item.page == number}
    if page == 1 and "code" in form.fields:
        shown.add("code")
    carried = []
    if form.is_bound:
        for name in form.fields:
            if name not in shown:
                value = form.data.get(name, "")
                if value:
                    carried.append((name, value))
    return {
        "form": form,
        "fields": [form[name] for name in form.fields if name in shown],
        "carried": carried,
        "page": page,
        "pages": len(pages),
        "progress": ui["page"].format(page=page, pages=len(pages)),
        "heading": ui.get("pages", {}).get(str(number), ""),
        "last": page == len(pages),
        "ratings": {item.code for item in items if item.kind == ItemKind.RATING},
    }
