"""What an MOU contains (DOMAIN.md, "The MOU"): its elements, involvement levels and default rules."""

from __future__ import annotations

from django.db import models

from liaison.interactions.vocabulary import ReasonCategory


class Element(models.TextChoices):
    """The elements an MOU should contain (SECURe, NASRO, Massachusetts, Washington, Illinois, COPS)."""

    PURPOSE = "purpose", "Purpose and goals"
    ROLES = "roles", "Roles, responsibilities and chain of command"
    NO_DISCIPLINE = "no_discipline", "Officer does not take part in school discipline"
    CRIME_VS_DISCIPLINE = (
        "crime_vs_discipline",
        "Separating suspected crime from school discipline; when staff call the officer",
    )
    SELECTION = "selection", "Officer selection criteria"
    TRAINING = "training", "Training requirements"
    INFORMATION_SHARING = "information_sharing", "Information sharing and student privacy (FERPA)"
    DATA_REPORTING = "data_reporting", "Data collection and reporting"
    COMPLAINTS = "complaints", "Complaint process for families"
    PROCEDURES = "procedures", "Use of force, arrest, citation, court referral, searches, questioning, notification"
    EMERGENCIES = "emergencies", "Crisis and emergency coordination"
    FUNDING = "funding", "Funding"
    EVALUATION = "evaluation", "Evaluation of officer and program"
    REVIEW = "review", "Term, renewal and review with parents, students and community"
    PUBLICATION = "publication", "How the MOU is shared with staff and the public"


class Level(models.TextChoices):
    SCHOOL_ONLY = "school_only", "School only"
    ASSIST_ON_REQUEST = "assist_on_request", "Assist on request"
    OFFICER_MAY_ACT = "officer_may_act", "Officer may act"
    OFFICER_MUST_ACT = "officer_must_act", "Officer must act"


LEVEL_MEANING = {
    Level.SCHOOL_ONLY: "Administrators handle it; the officer takes no enforcement action.",
    Level.ASSIST_ON_REQUEST: (
        "The officer may help keep people safe at an administrator's request, without enforcement."
    ),
    Level.OFFICER_MAY_ACT: "A law-enforcement matter; the officer may take enforcement action.",
    Level.OFFICER_MUST_ACT: "An imminent threat to life or safety.",
}


class Outcome(models.TextChoices):
    WITHIN = "within", "Within MOU"
    OUTSIDE = "outside", "Outside MOU"
    NO_MOU = "no_mou", "No MOU in force"


class EvaluationReason(models.TextChoices):
    """Why an evaluation was made. Signing an MOU is never a reason: judgments once made are kept."""

    RECORDED = "recorded", "Recorded"
    IMPORTED = "imported", "Imported"
    AMENDED = "amended", "Amended"


class HashScheme(models.IntegerChoices):
    """What a version's content hash covers (`services.version_content`)."""

    RULES_AND_TEXT = 1, "Dates, schools, sections and rules"
    WITH_TITLE = 2, "Title, dates, schools, sections and rules"


class Finding(models.TextChoices):
    JUSTIFIED_EMERGENCY = "justified_emergency", "Justified emergency"
    POLICY_VIOLATION = "policy_violation", "Policy violation"
    DATA_ERROR = "data_error", "Data error"
    MOU_GAP = "mou_gap", "MOU gap"


DEFAULT_LEVELS: dict[str, str] = {
    **dict.fromkeys(
        [
            ReasonCategory.TARDINESS, ReasonCategory.TRUANCY, ReasonCategory.DRESS_CODE, ReasonCategory.DEVICE_USE,
            ReasonCategory.PROFANITY, ReasonCategory.DISRESPECT, ReasonCategory.CLASSROOM_DISRUPTION,
            ReasonCategory.NONVIOLENT_DISRUPTION, ReasonCategory.ACADEMIC_DISHONESTY, ReasonCategory.TOBACCO_VAPING,
            ReasonCategory.MINOR_PROPERTY_DAMAGE, ReasonCategory.VERBAL_CONFLICT,
        ],
        Level.SCHOOL_ONLY,
    ),
    **dict.fromkeys(
        [ReasonCategory.FIGHT_NO_INJURY, ReasonCategory.STUDENT_IN_CRISIS, ReasonCategory.STUDENT_TRESPASS],
        Level.ASSIST_ON_REQUEST,
    ),
    **dict.fromkeys(
        [
            ReasonCategory.ASSAULT_WITH_INJURY, ReasonCategory.DRUG_DISTRIBUTION, ReasonCategory.SIGNIFICANT_THEFT,
            ReasonCategory.SEXUAL_OFFENSE, ReasonCategory.THREAT_OF_VIOLENCE, ReasonCategory.SIGNIFICANT_VANDALISM,
            ReasonCategory.ADULT_OFFENSE,
        ],
        Level.OFFICER_MAY_ACT,
    ),
    **dict.fromkeys(
        [ReasonCategory.WEAPON, ReasonCategory.ACTIVE_VIOLENCE, ReasonCategory.IMMINENT_THREAT],
        Level.OFFICER_MUST_ACT,
    ),
}  # fmt: skip


class VersionStatus(models.TextChoices):
    """Where a version stands on a given day (see `selectors.version_status`)."""

    DRAFT = "draft", "Draft"
    AWAITING_SIGNATURES = "awaiting_signatures", "Awaiting signatures"
    SIGNED = "signed", "Signed, not yet in effect"
    IN_FORCE = "in_force", "In force"
    SUPERSEDED = "superseded", "Superseded"
    EXPIRED = "expired", "Expired"


class ElementState(models.TextChoices):
    """How a version covers one element of an MOU (the completeness check)."""

    PRESENT = "present", "Present"
    EMPTY = "empty", "Empty"
    MISSING = "missing", "Missing"


class ReminderKind(models.TextChoices):
    REVIEW_DUE = "review_due", "Review due"
    EXPIRING = "expiring", "Expiring"
    NO_MOU = "no_mou", "No MOU in force"


# Reminders look this many days ahead.
REMINDER_WINDOW_DAYS = 60
