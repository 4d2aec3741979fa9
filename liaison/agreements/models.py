"""MOUs as data: agreements, versions, sections, rules, signatures, evaluations and reviews."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from liaison.interactions.vocabulary import ReasonCategory

from .vocabulary import Element, EvaluationReason, Finding, HashScheme, Level, Outcome


class Agreement(models.Model):
    """The MOU between one agency and one district (a partnership); its text and rules live in versions."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey("directory.Partnership", on_delete=models.PROTECT, related_name="agreements")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("directory.District", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    published = models.BooleanField(default=False, help_text="Show the version in force on the public page.")
    figures_published = models.BooleanField(
        default=False,
        help_text="Show the program's figures this school year on the public page (small counts suppressed).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency__name", "district__name", "title"]

    def __str__(self) -> str:
        return self.title


class AgreementVersion(models.Model):
    """One version of an MOU. Editable while a draft; frozen once submitted for signature."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField()
    # The title as this version shows and signs it; the agreement's own title only names it in lists.
    title = models.CharField(max_length=200)
    effective_date = models.DateField()
    expiry_date = models.DateField(null=True, blank=True)
    review_due_date = models.DateField(null=True, blank=True)
    schools = models.ManyToManyField("directory.School", related_name="+", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    fully_signed_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, default="")
    # What the hash covers: versions keep the scheme they were signed under, so they stay verifiable.
    hash_scheme = models.PositiveSmallIntegerField(choices=HashScheme.choices, default=HashScheme.WITH_TITLE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_number_unique"),
            models.CheckConstraint(
                condition=Q(expiry_date__isnull=True) | Q(expiry_date__gt=F("effective_date")),
                name="agreement_version_expires_after_effect",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None


class Section(models.Model):
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="sections")
    element = models.CharField(max_length=32, choices=Element.choices)
    text = models.TextField(blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "element"], name="section_once_per_element")]

    def __str__(self) -> str:
        return self.get_element_display()


class Rule(models.Model):
    """A behaviour category and how far the officer may be involved in it."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="rules")
    category = models.CharField(max_length=32, choices=ReasonCategory.choices)
    level = models.CharField(max_length=20, choices=Level.choices)
    # Conditions: actions that need an administrator consulted first, and actions never within the MOU
    # for this category whatever the level.
    consultation_required_for = models.JSONField(default=list, blank=True)
    prohibited_actions = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "category"], name="rule_once_per_category")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.get_level_display()}"


class Signatory(models.Model):
    class Party(models.TextChoices):
        AGENCY_HEAD = "agency_head", "Agency head (chief or sheriff)"
        SUPERINTENDENT = "superintendent", "Superintendent"

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="signatories")
    party = models.CharField(max_length=20, choices=Party.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "party"], name="signatory_once_per_party")]

    def __str__(self) -> str:
        return f"{self.get_party_display()} of {self.version}"


class EvaluationQuerySet(models.QuerySet["Evaluation"]):
    def kept(self) -> EvaluationQuerySet:
        """The judgment each action stands under: its latest evaluation (a later one is made only when
        the action itself is amended, never because an MOU changed)."""
        later = Evaluation.objects.filter(interaction_id=OuterRef("interaction_id"), pk__gt=OuterRef("pk"))
        return self.filter(~Exists(later))

    def kept_one(self) -> Evaluation | None:
        """The kept judgment among these (an action's evaluations): the latest."""
        return self.order_by("-pk").first()


class Evaluation(models.Model):
    """One judgment of an enforcement action against the MOU in force: append-only. The first is made
    when the action is recorded; an amendment of the action adds another with its reason."""

    interaction = models.ForeignKey(
        "interactions.Interaction", on_delete=models.PROTECT, related_name="mou_evaluations"
    )
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(AgreementVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    category = models.CharField(max_length=32, blank=True, default="")
    level = models.CharField(max_length=20, blank=True, default="")
    explanation = models.CharField(max_length=500)
    reason = models.CharField(max_length=10, choices=EvaluationReason.choices, default=EvaluationReason.RECORDED)
    note = models.CharField(max_length=500, blank=True, default="")
    evaluated_at = models.DateTimeField(auto_now_add=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["interaction", "id"]
        indexes = [models.Index(fields=["agency", "outcome"])]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.interaction_id})"


class Review(models.Model):
    """Opened for every action outside the MOU or with no MOU in force; closed by the supervisor."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    interaction = models.OneToOneField("interactions.Interaction", on_delete=models.PROTECT, related_name="review")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("directory.District", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("directory.School", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    justification = models.TextField()
    opened_at = models.DateTimeField(auto_now_add=True)
    finding = models.CharField(max_length=24, choices=Finding.choices, blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(closed_at__isnull=True) & Q(finding="")) | (Q(closed_at__isnull=False) & ~Q(finding="")),
                name="review_closed_with_a_finding",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.interaction_id} ({'closed' if self.closed_at else 'open'})"


class ReviewComment(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.review_id} by {self.author_id}"
