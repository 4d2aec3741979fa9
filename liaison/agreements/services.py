"""Drafting, signing and versioning MOUs; recording evaluations and reviews. Pages, API and
commands all call these."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from liaison.accounts.audit import audit_record
from liaison.accounts.records import record_update, validate_record
from liaison.directory.models import Partnership, School
from liaison.interactions.vocabulary import ActionType, ReasonCategory

from .access import may_sign
from .evaluation import EvaluationResult
from .models import Agreement, AgreementVersion, Evaluation, Review, ReviewComment, Rule, Section, Signatory
from .selectors import version_completeness
from .vocabulary import DEFAULT_LEVELS, Element, EvaluationReason, Finding, HashScheme

NOT_A_DRAFT = "This version has been submitted for signature and cannot be edited; start a new draft."
NOT_SUBMITTED = "Submit the version for signature first."
ALREADY_SIGNED = "This party has already signed."
NOT_YOUR_SIGNATURE = "Only the {party} may sign for this party."
DRAFT_EXISTS = "A draft version already exists; edit it instead."
INVALID_ACTIONS = "Unknown action type(s): {actions}."
SCHOOL_OUTSIDE_DISTRICT = "Every covered school must belong to the agreement's district."
JUSTIFICATION_REQUIRED = "This action is outside the MOU or has no MOU in force: explain why it was needed."
REVIEW_CLOSED = "This review is closed."
FINDING_REQUIRED = "Choose a finding to close the review."
MISSING_NOT_ACKNOWLEDGED = (
    "{count} of the MOU's {total} elements are missing or empty ({labels}). Write them, or confirm that "
    "you submit it without them."
)
EXPIRES_BEFORE_EFFECT = "The version must expire after the day it takes effect."


def _require_draft(version: AgreementVersion, *fields: str) -> None:
    """Refuse to edit a submitted version, naming the fields the edit would have changed."""
    if not version.is_draft:
        raise ValidationError({field: NOT_A_DRAFT for field in fields or ("__all__",)})


def _check_dates(version: AgreementVersion) -> None:
    """The database refuses this too; here the error names the field."""
    if version.expiry_date is not None and version.effective_date and version.expiry_date <= version.effective_date:
        raise ValidationError({"expiry_date": EXPIRES_BEFORE_EFFECT})


def _audit(actor: Any, action: str, obj: Any, summary: str, agreement: Agreement, **extra: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        summary=summary,
        agency_id=agreement.agency_id,
        district_id=agreement.district_id,
        **extra,
    )


# --- creating and drafting ----------------------------------------------------------------------------


def _seed_rules(version: AgreementVersion) -> None:
    """DOMAIN.md's table exactly; conditions (an administrator consulted first, actions ruled out) are
    options the parties add to a rule, and the MOU shows them."""
    Rule.objects.bulk_create(
        Rule(version=version, category=category, level=level) for category, level in DEFAULT_LEVELS.items()
    )


def agreement_create(
    *,
    actor: Any,
    partnership: Partnership,
    title: str,
    effective_date: datetime.date,
    expiry_date: datetime.date | None = None,
) -> Agreement:
    """A new MOU with a first draft: every element as an empty section, the default rules, all the
    district's schools, and the agency head and superintendent as signatories."""
    agreement = Agreement(
        partnership=partnership, agency_id=partnership.agency_id, district_id=partnership.district_id, title=title
    )
    with transaction.atomic():
        validate_record(agreement)
        agreement.save()
        version = _version_create(actor, agreement, 1, effective_date, expiry_date)
        Section.objects.bulk_create(Section(version=version, element=element) for element in Element.values)
        _seed_rules(version)
        version.schools.set(School.objects.filter(district_id=agreement.district_id))
        _audit(actor, "create", agreement, f"Drafted MOU {title}", agreement)
    return agreement


def _version_create(
    actor: Any, agreement: Agreement, number: int, effective: datetime.date, expiry: datetime.date | None
) -> AgreementVersion:
    version = AgreementVersion(
        agreement=agreement,
        agency_id=agreement.agency_id,
        title=agreement.title,
        number=number,
        effective_date=effective,
        expiry_date=expiry,
        review_due_date=_one_year_after(effective),
        created_by=actor,
    )
    _check_dates(version)
    validate_record(version)
    version.save()
    Signatory.objects.bulk_create(Signatory(version=version, party=party) for party in Signatory.Party.values)
    return version


def _one_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def version_new_draft(*, actor: Any, agreement: Agreement, effective_date: datetime.date) -> AgreementVersion:
    """A new draft copying the latest version's sections, rules and schools."""
    latest = agreement.versions.order_by("-number").first()
    assert latest is not None
    if latest.is_draft:
        raise ValidationError({"__all__": DRAFT_EXISTS})
    with transaction.atomic():
        version = _version_create(actor, agreement, latest.number + 1, effective_date, None)
        Section.objects.bulk_create(
            Section(version=version, element=s.element, text=s.text) for s in latest.sections.all()
        )
        Rule.objects.bulk_create(
            Rule(
                version=version,
                category=r.category,
                level=r.level,
                note=r.note,
                consultation_required_for=r.consultation_required_for,
                prohibited_actions=r.prohibited_actions,
            )
            for r in latest.rules.all()
        )
        version.schools.set(latest.schools.all())
        _audit(actor, "create", version, f"Started draft v{version.number} of {agreement}", agreement)
    return version


def version_update(*, actor: Any, version: AgreementVersion, **changes: Any) -> AgreementVersion:
    """Change a draft's dates or covered schools."""
    _require_draft(version, *changes)
    schools = changes.pop("schools", None)
    if schools is not None and any(s.district_id != version.agreement.district_id for s in schools):
        raise ValidationError({"schools": SCHOOL_OUTSIDE_DISTRICT})
    for name, value in changes.items():
        setattr(version, name, value)
    if changes.get("effective_date") and "review_due_date" not in changes:
        version.review_due_date = _one_year_after(version.effective_date)
    with transaction.atomic():
        _check_dates(version)
        validate_record(version)
        version.save()
        if schools is not None:
            version.schools.set(schools)
        _audit(actor, "update", version, f"Changed draft v{version.number}", version.agreement)
    return version


def section_update(*, actor: Any, version: AgreementVersion, element: str, text: str) -> Section:
    _require_draft(version, "text")
    section, _ = Section.objects.get_or_create(version=version, element=element)
    before = section.text
    section.text = text
    with transaction.atomic():
        validate_record(section)
        section.save()
        _audit(
            actor,
            "update",
            version,
            f"Edited section {section.get_element_display()}",
            version.agreement,
            before={"text": before},
            after={"text": text},
        )
    return section


def _check_actions(field: str, actions: list[str]) -> None:
    unknown = sorted(set(actions) - set(ActionType.values))
    if unknown:
        raise ValidationError({field: INVALID_ACTIONS.format(actions=", ".join(unknown))})


def rule_set(
    *,
    actor: Any,
    version: AgreementVersion,
    category: str,
    level: str,
    consultation_required_for: list[str] | None = None,
    prohibited_actions: list[str] | None = None,
    note: str = "",
) -> Rule:
    """Create or change the rule for a behaviour category in a draft."""
    _require_draft(version, "level")
    _check_actions("consultation_required_for", consultation_required_for or [])
    _check_actions("prohibited_actions", prohibited_actions or [])
    rule = Rule.objects.filter(version=version, category=category).first() or Rule(version=version, category=category)
    rule.level = level
    rule.consultation_required_for = sorted(consultation_required_for or [])
    rule.prohibited_actions = sorted(prohibited_actions or [])
    rule.note = note
    with transaction.atomic():
        validate_record(rule)
        rule.save()
        _audit(actor, "update", version, f"Set rule {rule}", version.agreement)
    return rule


def rule_remove(*, actor: Any, version: AgreementVersion, category: str) -> None:
    _require_draft(version, "category")
    with transaction.atomic():
        Rule.objects.filter(version=version, category=category).delete()
        _audit(actor, "update", version, f"Removed the rule for {ReasonCategory(category).label}", version.agreement)


# --- signing ------------------------------------------------------------------------------------------------


def version_content(version: AgreementVersion) -> dict[str, Any]:
    """Everything a signature covers, in a canonical form, under the version's hash scheme: from
    scheme 2 on, all that is displayed as the agreement (the title too)."""
    content: dict[str, Any] = {
        "agreement": str(version.agreement.uuid),
        "number": version.number,
        "effective_date": version.effective_date.isoformat(),
        "expiry_date": version.expiry_date.isoformat() if version.expiry_date else None,
        "schools": sorted(str(u) for u in version.schools.values_list("uuid", flat=True)),
        "sections": {s.element: s.text for s in version.sections.order_by("element")},
        "rules": {
            r.category: [r.level, r.consultation_required_for, r.prohibited_actions, r.note]
            for r in version.rules.order_by("category")
        },
    }
    if version.hash_scheme >= HashScheme.WITH_TITLE:
        content["title"] = version.title
    return content


def version_hash(version: AgreementVersion) -> str:
    canonical = json.dumps(version_content(version), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def version_hash_verified(version: AgreementVersion) -> bool:
    """Whether the version's content still hashes to what was submitted and signed."""
    return bool(version.content_hash) and version_hash(version) == version.content_hash


def version_submit(*, actor: Any, version: AgreementVersion, acknowledge_missing: bool = False) -> AgreementVersion:
    """Freeze a draft and ask for signatures.

    A draft missing any element (no section, or an empty one) is submitted only when the submitter
    acknowledges the gaps (`acknowledge_missing`); the audit entry names them and the acknowledgement.
    """
    _require_draft(version)
    completeness = version_completeness(version)
    gaps = completeness.gaps
    if gaps and not acknowledge_missing:
        labels = ", ".join(str(check.label) for check in gaps)
        message = MISSING_NOT_ACKNOWLEDGED.format(count=len(gaps), total=completeness.total, labels=labels)
        raise ValidationError({"acknowledge_missing": message})
    with transaction.atomic():
        version.hash_scheme = HashScheme.WITH_TITLE
        version.content_hash = version_hash(version)
        version.submitted_at = timezone.now()
        version.save(update_fields=["hash_scheme", "content_hash", "submitted_at"])
        summary = f"Submitted v{version.number} for signature"
        after: dict[str, Any] = {"submitted_at": version.submitted_at.isoformat()}
        if gaps:
            summary += f", acknowledging {len(gaps)} missing or empty elements"
            after |= {"missing_elements": [check.element for check in gaps], "acknowledged_missing": True}
        _audit(actor, "update", version, summary, version.agreement, after=after)
    return version


def version_sign(*, actor: Any, version: AgreementVersion, party: str) -> Signatory:
    """Sign for one party. When every party has signed the version is fully signed: it judges the
    actions recorded from then on (on days it covers); actions recorded before keep their judgment."""
    if version.is_draft:
        raise ValidationError({"__all__": NOT_SUBMITTED})
    signatory = version.signatories.get(party=party)
    if signatory.signed_at is not None:
        raise ValidationError({"party": ALREADY_SIGNED})
    if not may_sign(actor, version, party):
        raise PermissionDenied(NOT_YOUR_SIGNATURE.format(party=signatory.get_party_display()))
    with transaction.atomic():
        signatory.signed_by, signatory.signed_at, signatory.signed_hash = actor, timezone.now(), version.content_hash
        signatory.save()
        _audit(
            actor, "update", version, f"Signed v{version.number} as {signatory.get_party_display()}", version.agreement
        )
        if not version.signatories.filter(signed_at__isnull=True).exists():
            version.fully_signed_at = timezone.now()
            version.save(update_fields=["fully_signed_at"])
    return signatory


FIGURES_NEED_MOU = "Publish the MOU too: the figures are shown on its public page."


def agreement_update(*, actor: Any, agreement: Agreement, **changes: Any) -> Agreement:
    """Change an MOU's title or whether it (and its figures) are published; audited with the difference."""
    published = changes.get("published", agreement.published)
    if changes.get("figures_published") and not published:
        raise ValidationError({"figures_published": FIGURES_NEED_MOU})
    if not published:
        changes["figures_published"] = False
    with transaction.atomic():
        updated = record_update(
            agreement, actor=actor, changes=changes, agency_id=agreement.agency_id, district_id=agreement.district_id
        )
        if "title" in changes:
            # A signed or submitted version keeps the title it was signed with; a draft takes the new one.
            agreement.versions.filter(submitted_at__isnull=True).update(title=agreement.title)
    return updated


def agreement_publish(*, actor: Any, agreement: Agreement, published: bool, figures: bool | None = None) -> Agreement:
    """Show or stop showing the MOU in force on the public page; `figures` does the same for the
    program's figures (only with the MOU: unpublishing the MOU takes the figures down too)."""
    agreement.published = published
    if figures is not None:
        agreement.figures_published = figures
    if not published:
        agreement.figures_published = False
    summary = ("Published" if published else "Unpublished") + (
        " with the program's figures" if agreement.figures_published else ""
    )
    with transaction.atomic():
        agreement.save(update_fields=["published", "figures_published"])
        _audit(actor, "update", agreement, summary, agreement)
    return agreement


# --- evaluations and reviews ------------------------------------------------------------------------------------


def evaluation_new(
    *, interaction: Any, result: EvaluationResult, reason: str = EvaluationReason.RECORDED, note: str = ""
) -> Evaluation:
    """The (unsaved) evaluation of an enforcement action."""
    return Evaluation(
        interaction=interaction,
        agency_id=interaction.agency_id,
        version_id=result.mou.version_id if result.mou else None,
        outcome=result.outcome,
        category=result.rule.category if result.rule else "",
        level=result.rule.level if result.rule else "",
        explanation=result.explanation,
        reason=reason,
        note=note[:500],
    )


def evaluation_add(
    *, interaction: Any, result: EvaluationResult, reason: str = EvaluationReason.RECORDED, note: str = ""
) -> Evaluation:
    """Keep a judgment of an enforcement action. Evaluations are only ever added: the latest one is
    the judgment the action stands under, the earlier ones its history."""
    evaluation = evaluation_new(interaction=interaction, result=result, reason=reason, note=note)
    evaluation.save()
    return evaluation


def review_new(*, interaction: Any, outcome: str, justification: str) -> Review:
    """The one maker of reviews (unsaved): `review_open` saves one with its audit entry, an import
    saves many with one audit entry for the batch."""
    return Review(
        interaction=interaction,
        agency_id=interaction.agency_id,
        district_id=interaction.district_id,
        school_id=interaction.school_id,
        outcome=outcome,
        justification=justification,
    )


def review_open(*, actor: Any, interaction: Any, result: EvaluationResult, justification: str) -> Review:
    if not justification.strip():
        raise ValidationError({"justification": JUSTIFICATION_REQUIRED})
    review = review_new(interaction=interaction, outcome=result.outcome, justification=justification.strip())
    review.save()
    audit_record(
        actor=actor,
        action="create",
        obj=review,
        summary=f"Opened a review: {result.explanation}",
        agency_id=interaction.agency_id,
        district_id=interaction.district_id,
    )
    return review


def review_comment(*, actor: Any, review: Review, text: str) -> ReviewComment:
    if review.closed_at is not None:
        raise ValidationError({"__all__": REVIEW_CLOSED})
    comment = ReviewComment(review=review, author=actor, text=text.strip())
    with transaction.atomic():
        validate_record(comment)
        comment.save()
        audit_record(
            actor=actor,
            action="update",
            obj=review,
            summary="Commented on a review",
            after={"comment": comment.text},
            agency_id=review.agency_id,
            district_id=review.district_id,
        )
    return comment


def review_close(*, actor: Any, review: Review, finding: str, comment: str = "") -> Review:
    if review.closed_at is not None:
        raise ValidationError({"__all__": REVIEW_CLOSED})
    if finding not in Finding.values:
        raise ValidationError({"finding": FINDING_REQUIRED})
    with transaction.atomic():
        if comment.strip():
            review_comment(actor=actor, review=review, text=comment)
        review.finding, review.closed_at, review.closed_by = finding, timezone.now(), actor
        review.save(update_fields=["finding", "closed_at", "closed_by"])
        audit_record(
            actor=actor,
            action="update",
            obj=review,
            summary=f"Closed a review: {Finding(finding).label}",
            agency_id=review.agency_id,
            district_id=review.district_id,
        )
    return review
