"""MOU and review pages: the list, one MOU with its draft editor and signing, the signed document,
what changed between versions, reviews of flagged actions, and the MOU dashboard.

Every object is reached through `agreements.access` (or `directory.access` for agencies and
districts); every change goes through `agreements.services`.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.accounts.roles import Role
from liaison.accounts.scope import user_scope
from liaison.directory import access as directory_access
from liaison.directory.selectors import agency_today, district_schools, schools_among
from liaison.interactions.access import interactions_visible_to
from liaison.interactions.services import enforcement_read_audit
from liaison.lib.form_pages import done as _done
from liaison.lib.form_pages import form_submit
from liaison.lib.form_pages import posted as _posted
from liaison.lib.paging import BAD_CURSOR, keyset_links, keyset_page
from liaison.lib.replica import reads_from_replica

from . import access, dashboard, documents, forms, selectors, services
from .read_audit import reviews_page_read_audit
from .vocabulary import Outcome, VersionStatus

if TYPE_CHECKING:
    from liaison.directory.models import Partnership

    from .models import Agreement, AgreementVersion, Evaluation, Review

AGREEMENT_CREATED = "Drafted {title}. Write its sections and check its rules, then submit it for signature."
SECTIONS_SAVED = "Saved {count} section{plural}."
RULES_SAVED = "Saved {count} rule{plural}."
TERMS_SAVED = "Saved the dates and the schools covered."
NOTHING_CHANGED = "Nothing changed."
SUBMITTED = "Submitted version {number} for signature. It can no longer be edited."
SIGNED = "Signed version {number} as {party}."
PUBLISHED = "The MOU in force is now shown on the public page."
PUBLISHED_WITH_FIGURES = "The MOU in force and the program's figures are on the public page."
UNPUBLISHED = "The MOU is no longer shown on the public page."
DRAFT_STARTED = "Started draft version {number}, a copy of version {previous}."
COMMENT_ADDED = "Added your comment."
REVIEW_CLOSED = "Closed the review: {finding}."
REVIEWS_PAGE_SIZE = 50


# --- helpers -------------------------------------------------------------------------------------------


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _detail_url(agreement: Agreement, anchor: str = "") -> str:
    url = reverse("agreements:detail", args=[agreement.uuid])
    return f"{url}#{anchor}" if anchor else url


def _save(form: Any, action: Any) -> bool:
    """Call the service on a valid form, in one transaction; its errors go onto the form's fields.
    True when saved."""

    def saved(data: dict[str, Any]) -> bool:
        action(data)
        return True

    return form_submit(form, transaction.atomic(saved)) is True


def _today(agreement: Agreement) -> datetime.date:
    return agency_today(agreement.agency)


# --- the MOU list and a new MOU ---------------------------------------------------------------------------


def _agreement_rows(agreements: QuerySet[Agreement]) -> list[dict[str, Any]]:
    """Each MOU with where it stands today and how complete its latest version is."""
    rows = []
    for agreement in selectors.agreements_with_versions(agreements):
        today = _today(agreement)
        latest = selectors.agreement_latest_version(agreement)
        rows.append(
            {
                "agreement": agreement,
                "status": selectors.agreement_status(agreement, today),
                "latest": latest,
                "latest_status": selectors.version_status(latest, today),
                "in_force": selectors.agreement_current_version(agreement, today),
                "completeness": selectors.version_completeness(latest),
            }
        )
    return rows


def _draftable_partnerships(user: Any) -> QuerySet[Partnership]:
    """Partnerships whose MOU the user may draft (as `access.agreement_writable` decides for an MOU):
    as the agency's admin or the district's admin."""
    scope = user_scope(user)
    partnerships = directory_access.partnerships_visible_to(user).select_related("agency", "district")
    if not scope.platform_admin:
        mine = Q(agency_id__in=scope.agencies(Role.AGENCY_ADMIN)) | Q(district_id__in=scope.district_admin_ids)
        partnerships = partnerships.filter(mine)
    return partnerships.order_by("agency__name", "district__name")


def _dashboard_links(user: Any) -> list[tuple[str, str]]:
    """Links to the dashboards the user may open: their agencies' (as admin or supervisor) and districts'."""
    scope = user_scope(user)
    agencies = directory_access.agencies_visible_to(user).order_by("name")
    districts = directory_access.districts_visible_to(user).order_by("name")
    if not scope.platform_admin:
        agencies = agencies.filter(pk__in=scope.managing_agency_ids)
        districts = districts.filter(pk__in=scope.district_admin_ids)
    links = [(f"Dashboard: {a.name}", reverse("agreements:dashboard", args=["agency", a.uuid])) for a in agencies]
    links += [(f"Dashboard: {d.name}", reverse("agreements:dashboard", args=["district", d.uuid])) for d in districts]
    return links


@login_required
@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    visible = access.agreements_visible_to(request.user)
    filters = forms.AgreementListFilterForm(
        request.GET or None,
        agencies=directory_access.agencies_visible_to(request.user).filter(pk__in=visible.values("agency")),
        districts=directory_access.districts_visible_to(request.user).filter(pk__in=visible.values("district")),
    )
    if filters.is_bound and filters.is_valid():
        for name in ("agency", "district"):
            if filters.cleaned_data[name] is not None:
                visible = visible.filter(**{name: filters.cleaned_data[name]})
    context = {
        "rows": _agreement_rows(visible),
        "filters": filters,
        "new_url": reverse("agreements:create") if access.may_draft_agreements(request.user) else "",
        "dashboards": _dashboard_links(request.user),
        "reminders": selectors.mou_reminders(today=timezone.localdate(), user=request.user),
        "signatures": [s for s in selectors.signatures_awaited(request.user) if s.yours],
        "reviews_url": reverse("agreements:reviews"),
    }
    return render(request, "agreements/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest) -> HttpResponse:
    if not access.may_draft_agreements(request.user):
        raise PermissionDenied(directory_access.NOT_ALLOWED)
    partnerships = _draftable_partnerships(request.user)
    form = forms.AgreementCreateForm(
        _posted(request), partnerships=partnerships, initial={"partnership": request.GET.get("partnership")}
    )
    created: list[Agreement] = []
    if request.method == "POST" and _save(
        form, lambda data: created.append(services.agreement_create(actor=request.user, **data))
    ):
        return _done(request, AGREEMENT_CREATED.format(title=created[0].title), _detail_url(created[0]))
    context = {"form": form, "has_partnerships": partnerships.exists()}
    return render(request, "agreements/create.html", context)


# --- one MOU: versions, the draft editor, signing ---------------------------------------------------------


def _signing_rows(user: Any, version: AgreementVersion) -> list[dict[str, Any]]:
    signatories = documents.signatures_in_order(version)
    return [
        {
            "signatory": signatory,
            "can_sign": not version.is_draft
            and signatory.signed_at is None
            and services.may_sign(user, version, signatory.party),
        }
        for signatory in signatories
    ]


def _editor_forms(version: AgreementVersion, overrides: dict[str, Any]) -> dict[str, Any]:
    texts = {s.element: s.text for s in version.sections.all()}
    schools = district_schools(version.agreement.district_id)
    covered = list(version.schools.all())
    return {
        "sections_form": overrides.get("sections_form") or forms.SectionsForm(texts=texts),
        "rules_formset": overrides.get("rules_formset") or forms.rule_formset(None, list(version.rules.all())),
        "terms_form": overrides.get("terms_form")
        or forms.TermsForm(schools=schools, initial=forms.TermsForm.initial_for(version, covered)),
    }


def _diff_form(versions: list[AgreementVersion]) -> forms.DiffForm | None:
    """Comparing the latest version with the one before it, unless there is only one."""
    if len(versions) < 2:
        return None
    initial = {"base": versions[1].number, "other": versions[0].number}
    return forms.DiffForm(numbers=sorted(v.number for v in versions), initial=initial)


def _detail_context(request: HttpRequest, agreement: Agreement, **overrides: Any) -> dict[str, Any]:
    user = request.user
    today = _today(agreement)
    versions = selectors.agreement_versions_loaded(agreement)
    version = versions[0]
    writable = access.agreement_writable(user, agreement)
    editing = writable and version.is_draft
    context: dict[str, Any] = {
        "agreement": agreement,
        "version": version,
        "status": selectors.version_status(version, today),
        "versions": [(v, selectors.version_status(v, today), selectors.version_last_day(v, today)) for v in versions],
        "in_force": selectors.agreement_current_version(agreement, today),
        "completeness": selectors.version_completeness(version),
        "signing": _signing_rows(user, version),
        "writable": writable,
        "editing": editing,
        "alerts": overrides.pop("alerts", []),
        "diff_form": _diff_form(versions),
        "new_draft_form": overrides.get("new_draft_form") or forms.NewDraftForm(initial={"effective_date": today}),
        "rule_rows": documents.rule_rows(list(version.rules.all())) if not editing else [],
        "section_rows": documents.section_rows(version) if not editing else [],
    }
    if editing:
        context.update(_editor_forms(version, overrides))
    return context


def _detail_page(request: HttpRequest, agreement: Agreement, **overrides: Any) -> HttpResponse:
    return render(request, "agreements/detail.html", _detail_context(request, agreement, **overrides))


def _refused(request: HttpRequest, version: AgreementVersion, name: str, form: Any) -> HttpResponse:
    """A failed edit of a draft: the page again, the errors on the form, the form's own in the alert."""
    alerts = [str(error) for error in form.non_field_errors()]
    return _detail_page(request, version.agreement, alerts=alerts, **{name: form})


def _not_a_draft(request: HttpRequest, version: AgreementVersion) -> HttpResponse:
    """A signed (or submitted) version never changes: the page again, saying so (409 Conflict)."""
    response = _detail_page(request, version.agreement, alerts=[services.NOT_A_DRAFT])
    response.status_code = 409
    return response


@login_required
@require_GET
def agreement_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    return _detail_page(request, access.agreement_get_for_user(request.user, uuid))


@login_required
@require_POST
def sections_save(request: HttpRequest, uuid: UUID) -> HttpResponse:
    version = access.version_get_for_user(request.user, uuid, write=True)
    if not version.is_draft:
        return _not_a_draft(request, version)
    texts = {s.element: s.text for s in version.sections.all()}
    form = forms.SectionsForm(request.POST, texts=texts)

    def save(data: dict[str, Any]) -> None:
        for element, text in form.changed_sections():
            services.section_update(actor=request.user, version=version, element=element, text=text)

    if not _save(form, save):
        return _refused(request, version, "sections_form", form)
    count = len(form.changed_sections())
    message = SECTIONS_SAVED.format(count=count, plural=_plural(count)) if count else NOTHING_CHANGED
    return _done(request, message, _detail_url(version.agreement, "sections"))


def _rule_changes(formset: Any) -> list[dict[str, Any]]:
    return [form.cleaned_data for form in formset.forms if form.has_changed()]


def _rules_apply(actor: Any, version: AgreementVersion, changes: list[dict[str, Any]]) -> None:
    for data in changes:
        if not data["level"]:
            services.rule_remove(actor=actor, version=version, category=data["category"])
            continue
        services.rule_set(
            actor=actor,
            version=version,
            category=data["category"],
            level=data["level"],
            consultation_required_for=data["consultation_required_for"],
            prohibited_actions=data["prohibited_actions"],
            note=data["note"],
        )


@login_required
@require_POST
def rules_save(request: HttpRequest, uuid: UUID) -> HttpResponse:
    version = access.version_get_for_user(request.user, uuid, write=True)
    if not version.is_draft:
        return _not_a_draft(request, version)
    formset = forms.rule_formset(request.POST, list(version.rules.all()))
    if not formset.is_valid():
        return _refused_rules(request, version, formset, [str(e) for e in formset.non_form_errors()])
    changes = _rule_changes(formset)
    try:
        with transaction.atomic():
            _rules_apply(request.user, version, changes)
    except ValidationError as error:
        return _refused_rules(request, version, formset, error.messages)
    message = RULES_SAVED.format(count=len(changes), plural=_plural(len(changes))) if changes else NOTHING_CHANGED
    return _done(request, message, _detail_url(version.agreement, "rules"))


def _refused_rules(request: HttpRequest, version: AgreementVersion, formset: Any, alerts: list[str]) -> HttpResponse:
    alerts = list(dict.fromkeys(alerts)) or [forms.FIX_RULES]
    return _detail_page(request, version.agreement, alerts=alerts, rules_formset=formset)


@login_required
@require_POST
def terms_save(request: HttpRequest, uuid: UUID) -> HttpResponse:
    version = access.version_get_for_user(request.user, uuid, write=True)
    if not version.is_draft:
        return _not_a_draft(request, version)
    schools = district_schools(version.agreement.district_id)
    initial = forms.TermsForm.initial_for(version, list(version.schools.all()))
    form = forms.TermsForm(request.POST, schools=schools, initial=initial)
    if not form.is_valid():
        return _refused(request, version, "terms_form", form)
    changes = form.changes()
    if not changes:
        return _done(request, NOTHING_CHANGED, _detail_url(version.agreement, "terms"))
    if not _save(form, lambda data: services.version_update(actor=request.user, version=version, **changes)):
        return _refused(request, version, "terms_form", form)
    return _done(request, TERMS_SAVED, _detail_url(version.agreement, "terms"))


@login_required
@require_POST
def version_submit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    version = access.version_get_for_user(request.user, uuid, write=True)
    if not version.is_draft:
        return _not_a_draft(request, version)
    try:
        acknowledged = request.POST.get("acknowledge_missing") == "on"
        services.version_submit(actor=request.user, version=version, acknowledge_missing=acknowledged)
    except ValidationError as error:
        return _detail_page(request, version.agreement, alerts=error.messages)
    return _done(request, SUBMITTED.format(number=version.number), _detail_url(version.agreement, "signatures"))


@login_required
@require_POST
def version_sign(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Each party signs for itself; `services.version_sign` refuses (403) anyone else."""
    version = access.version_get_for_user(request.user, uuid)
    form = forms.SignForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, version.agreement, alerts=[forms.CHOOSE_PARTY])
    try:
        signatory = services.version_sign(actor=request.user, version=version, party=form.cleaned_data["party"])
    except ValidationError as error:
        return _detail_page(request, version.agreement, alerts=error.messages)
    message = SIGNED.format(number=version.number, party=signatory.get_party_display())
    return _done(request, message, _detail_url(version.agreement, "signatures"))


@login_required
@require_POST
def draft_create(request: HttpRequest, uuid: UUID) -> HttpResponse:
    agreement = access.agreement_get_for_user(request.user, uuid, write=True)
    form = forms.NewDraftForm(request.POST)
    created: list[AgreementVersion] = []
    if not _save(
        form,
        lambda data: created.append(services.version_new_draft(actor=request.user, agreement=agreement, **data)),
    ):
        alerts = [str(error) for error in form.non_field_errors()]
        return _detail_page(request, agreement, alerts=alerts, new_draft_form=form)
    message = DRAFT_STARTED.format(number=created[0].number, previous=created[0].number - 1)
    return _done(request, message, _detail_url(agreement, "editor"))


@login_required
@require_POST
def agreement_publish(request: HttpRequest, uuid: UUID) -> HttpResponse:
    agreement = access.agreement_get_for_user(request.user, uuid, write=True)
    form = forms.PublishForm(request.POST)
    published = form.is_valid() and form.cleaned_data["published"]
    figures = form.is_valid() and form.cleaned_data["figures"]
    services.agreement_publish(actor=request.user, agreement=agreement, published=published, figures=figures)
    message = (PUBLISHED_WITH_FIGURES if figures else PUBLISHED) if published else UNPUBLISHED
    return _done(request, message, _detail_url(agreement, "publication"))


@login_required
@require_GET
def version_changes(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """What changed between two versions of one MOU, sections and rules."""
    agreement = access.agreement_get_for_user(request.user, uuid)
    versions = {v.number: v for v in agreement.versions.prefetch_related("sections", "rules")}
    form = forms.DiffForm(request.GET or None, numbers=sorted(versions))
    diff = None
    if form.is_bound and form.is_valid():
        diff = selectors.version_diff(versions[form.cleaned_data["base"]], versions[form.cleaned_data["other"]])
    context = {"agreement": agreement, "form": form, "diff": diff, "rows": _diff_rules(diff) if diff else []}
    return render(request, "agreements/changes.html", context)


def _diff_rules(diff: selectors.VersionDiff) -> list[dict[str, Any]]:
    """Rule changes with their before and after shown as the document shows rules."""
    return [
        {
            "label": change.label,
            "change": change.change,
            "before": documents.rule_row(change.before) if change.before else None,
            "after": documents.rule_row(change.after) if change.after else None,
        }
        for change in diff.rules
    ]


# --- the document ---------------------------------------------------------------------------------------


@login_required
@require_GET
def document(request: HttpRequest, uuid: UUID) -> HttpResponse:
    version = access.version_get_for_user(request.user, uuid)
    return render(request, "agreements/document.html", documents.document_context(version))


@login_required
@require_GET
def document_pdf(request: HttpRequest, uuid: UUID) -> HttpResponse:
    version = access.version_get_for_user(request.user, uuid)
    response = HttpResponse(documents.document_pdf(version), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.document_filename(version)}"'
    return response


# --- reviews ---------------------------------------------------------------------------------------------

REVIEW_FIELDS = (
    "uuid", "opened_at", "closed_at", "finding", "outcome", "school__uuid", "school__name",
    "interaction__uuid", "interaction__occurred_on", "interaction__enforcement__action_type",
    "interaction__enforcement__reason_category",
)  # fmt: skip


REVIEW_ORDER = ("review_closed", "opened_at", "id")


def _reviews_in_order(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """Open first, oldest first (REVIEW_ORDER): the reviews that have waited longest lead."""
    is_closed = Case(When(closed_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return reviews.annotate(review_closed=is_closed).order_by(*REVIEW_ORDER)


def _review_rows(reviews: Any, now: datetime.datetime) -> list[dict[str, Any]]:
    return [{"review": r, "age": selectors.review_age_days(r, now=now)} for r in reviews]


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    visible = access.reviews_visible_to(request.user)
    schools = schools_among(visible.values("school"))
    filters = forms.ReviewFilterForm(request.GET or None, schools=schools)
    reviews = visible.select_related("school", "interaction__enforcement").only(*REVIEW_FIELDS)
    if filters.is_bound and filters.is_valid():
        status, school = filters.cleaned_data["status"], filters.cleaned_data["school"]
        reviews = reviews.filter(closed_at__isnull=status == "open") if status else reviews
        reviews = reviews.filter(school=school) if school else reviews
    cursor = request.GET.get("cursor", "")
    try:
        page = keyset_page(_reviews_in_order(reviews), ordering=REVIEW_ORDER, cursor=cursor, size=REVIEWS_PAGE_SIZE)
    except ValueError:
        return HttpResponseBadRequest(BAD_CURSOR)
    shown = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    reviews_page_read_audit(
        user=request.user, reviews=page.items, filters=shown, door="the reviews page", cursor=cursor
    )
    context = {
        "filters": filters,
        "page": page,
        "rows": _review_rows(page.items, timezone.now()),
        **keyset_links(request, page),
    }
    return render(request, "agreements/reviews.html", context)


def _evaluation_rule(review: Review) -> tuple[Evaluation | None, Any]:
    evaluation, rule = selectors.review_evaluation_rule(review)
    return evaluation, documents.rule_row(rule) if rule else None


def _review_context(request: HttpRequest, review: Review, **overrides: Any) -> dict[str, Any]:
    evaluation, rule = _evaluation_rule(review)
    is_open = review.closed_at is None
    closable = is_open and access.review_closable(request.user, review)
    return {
        "review": review,
        "facts": selectors.review_action_facts(review),
        "evaluation": evaluation,
        "rule": rule,
        "age": selectors.review_age_days(review),
        "record_visible": interactions_visible_to(request.user).filter(pk=review.interaction_id).exists(),
        "comments": review.comments.select_related("author"),
        "comment_form": overrides.get("comment_form") or (forms.ReviewCommentForm() if is_open else None),
        "close_form": overrides.get("close_form") or (forms.ReviewCloseForm() if closable else None),
        "closed_by": review.closed_by,
    }


def _review_url(review: Review, anchor: str = "") -> str:
    url = reverse("agreements:review_detail", args=[review.uuid])
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_GET
def review_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    review = access.review_get_for_user(request.user, uuid)
    context = _review_context(request, review)
    enforcement_read_audit(actor=request.user, interactions=[context["facts"].interaction], through="the review page")
    return render(request, "agreements/review_detail.html", context)


@login_required
@require_POST
def review_comment(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Everyone who may see a review may comment on it: supervisors, administrators and the officer."""
    review = access.review_get_for_user(request.user, uuid)
    form = forms.ReviewCommentForm(request.POST)
    if not _save(form, lambda data: services.review_comment(actor=request.user, review=review, text=data["text"])):
        context = _review_context(request, review, comment_form=form)
        return render(request, "agreements/review_detail.html", context)
    return _done(request, COMMENT_ADDED, _review_url(review, "comments"))


@login_required
@require_POST
def review_close(request: HttpRequest, uuid: UUID) -> HttpResponse:
    review = access.review_get_for_user(request.user, uuid, close=True)
    form = forms.ReviewCloseForm(request.POST)
    if not _save(form, lambda data: services.review_close(actor=request.user, review=review, **data)):
        context = _review_context(request, review, close_form=form)
        return render(request, "agreements/review_detail.html", context)
    return _done(request, REVIEW_CLOSED.format(finding=review.get_finding_display()), _review_url(review))


# --- the MOU dashboard -------------------------------------------------------------------------------------


def _dashboard_period(request: HttpRequest, today: datetime.date) -> tuple[forms.DashboardPeriodForm, dashboard.Period]:
    """The period from ?start=&end= (default: the last twelve months), and the form showing it."""
    period = dashboard.default_period(today)
    form = forms.DashboardPeriodForm(request.GET or None)
    if not form.is_bound:
        return forms.DashboardPeriodForm(initial={"start": period.start, "end": period.end}), period
    if not form.is_valid():
        return form, period
    start, end = form.cleaned_data["start"] or period.start, form.cleaned_data["end"] or period.end
    return forms.DashboardPeriodForm(initial={"start": start, "end": end}), dashboard.Period(start=start, end=end)


@login_required
@require_GET
@reads_from_replica
def mou_dashboard(request: HttpRequest, owner: str, uuid: UUID) -> HttpResponse:
    found = access.dashboard_owner_get_for_user(request.user, owner, uuid)
    today = dashboard.owner_today(found)
    period_form, period = _dashboard_period(request, today)
    figures = dashboard.dashboard_figures(scope=dashboard.Scope.of(found), period=period, now=timezone.now())
    context = {
        "reminders": selectors.owner_reminders(user=request.user, owner=found, today=today),
        "owner": found,
        "owner_kind": owner,
        "rows": _agreement_rows(selectors.agreements_of(owner, found)),
        "period_form": period_form,
        "period": period,
        "outcomes": Outcome.choices,
        "by_school": figures.by_school,
        "open_reviews": figures.open_reviews,
        "categories": figures.categories,
        "arrests": figures.arrests,
        "reviews_url": reverse("agreements:reviews") + "?status=open",
        "in_force": VersionStatus.IN_FORCE,
    }
    return render(request, "agreements/dashboard.html", context)
