"""The field's vocabularies (DOMAIN.md): contact kinds, triad roles, settings, CRDC and NIBRS codes."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    POSITIVE = "positive", "Informal positive contact"
    INSTRUCTION = "instruction", "Classroom instruction or presentation"
    MENTORING = "mentoring", "Mentoring or counselling conversation"
    FAMILY = "family", "Family contact"
    STAFF = "staff", "Staff consultation"
    SAFETY = "safety", "Safety activity"
    REFERRAL = "referral", "Referral to services"
    ENFORCEMENT = "enforcement", "Enforcement action"


class Role(models.TextChoices):
    """NASRO's triad: every record carries one."""

    EDUCATOR = "educator", "Educator"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    MENTOR = "mentor", "Mentor / informal counselor"


DEFAULT_ROLE: dict[str, str] = {
    Kind.POSITIVE: Role.MENTOR,
    Kind.INSTRUCTION: Role.EDUCATOR,
    Kind.MENTORING: Role.MENTOR,
    Kind.FAMILY: Role.MENTOR,
    Kind.STAFF: Role.LAW_ENFORCEMENT,
    Kind.SAFETY: Role.LAW_ENFORCEMENT,
    Kind.REFERRAL: Role.MENTOR,
    Kind.ENFORCEMENT: Role.LAW_ENFORCEMENT,
}

# The kinds the quick log offers as one-tap buttons (enforcement has its own deliberate form).
QUICK_LOG_KINDS = (Kind.POSITIVE, Kind.INSTRUCTION, Kind.MENTORING, Kind.FAMILY, Kind.STAFF, Kind.SAFETY, Kind.REFERRAL)

# "Positive", wherever a count, ratio or share says it (DOMAIN.md): the one definition every figure
# uses. Staff consultations and safety activities are liaison work, neither positive nor enforcement.
POSITIVE_KINDS = frozenset({Kind.POSITIVE, Kind.INSTRUCTION, Kind.MENTORING, Kind.FAMILY, Kind.REFERRAL})
LIAISON_KINDS = frozenset({Kind.STAFF, Kind.SAFETY})
POSITIVE_MEANS = (
    "Positive contacts are informal positive contacts, classes, mentoring conversations, family contacts and "
    "referrals to services; staff consultations and safety activities are liaison work, counted in all "
    "contacts but neither positive nor enforcement."
)


def is_positive(kind: str) -> bool:
    return kind in POSITIVE_KINDS


class Setting(models.TextChoices):
    """Ed-Fi incident locations, shortened."""

    CLASSROOM = "classroom", "Classroom"
    HALLWAY = "hallway", "Hallway or stairs"
    CAFETERIA = "cafeteria", "Cafeteria"
    GYM = "gym", "Gym or locker room"
    ATHLETIC_FIELD = "athletic_field", "Athletic field or playground"
    AUDITORIUM = "auditorium", "Auditorium"
    LIBRARY = "library", "Library"
    RESTROOM = "restroom", "Restroom"
    OFFICE = "office", "Administrative office"
    PARKING_LOT = "parking_lot", "Parking lot"
    SCHOOL_BUS = "school_bus", "School bus"
    BUS_STOP = "bus_stop", "Bus stop"
    WALKING = "walking", "Walking to or from school"
    OFF_CAMPUS_ACTIVITY = "off_campus_activity", "Off-campus school activity"
    OFF_CAMPUS = "off_campus", "Off campus"
    ONLINE = "online", "Online"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class GradeBand(models.TextChoices):
    PRIMARY = "pk_2", "Pre-K–2"
    INTERMEDIATE = "3_5", "Grades 3–5"
    MIDDLE = "6_8", "Grades 6–8"
    HIGH = "9_12", "Grades 9–12"
    MIXED = "mixed", "Mixed grades"


class Initiator(models.TextChoices):
    OFFICER = "officer", "Officer"
    STUDENT = "student", "Student"
    STAFF = "staff", "School staff"
    PARENT = "parent", "Parent or guardian"
    OTHER = "other", "Other"


class StaffRole(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    TEACHER = "teacher", "Teacher"
    COUNSELOR = "counselor", "Counselor"
    OTHER = "other", "Other staff"


class Service(models.TextChoices):
    COUNSELLING = "counselling", "School counselling"
    MENTAL_HEALTH = "mental_health", "Mental-health services"
    SOCIAL_SERVICES = "social_services", "Social services"
    DIVERSION = "diversion", "Diversion program"
    SUBSTANCE_USE = "substance_use", "Substance-use services"
    FAMILY_SUPPORT = "family_support", "Family support"
    OTHER = "other", "Other"


class ActionType(models.TextChoices):
    """Enforcement actions, aligned with CRDC and Utah's reporting codes."""

    WARNING = "warning", "Warning"
    SEARCH = "search", "Search"
    NONCRIMINAL_CITATION = "noncriminal_citation", "Non-criminal citation"
    CRIMINAL_CITATION = "criminal_citation", "Criminal citation, ticket or summons"
    REFERRAL_TO_LAW_ENFORCEMENT = "referral_to_law_enforcement", "Referral to law enforcement"
    COURT_REFERRAL = "court_referral", "Court referral"
    ARREST = "arrest", "School-related arrest"
    USE_OF_FORCE = "use_of_force", "Use of force"
    PHYSICAL_RESTRAINT = "physical_restraint", "Physical restraint"


# CRDC: citations, tickets, court referrals and arrests all count as referrals to law enforcement.
REFERRAL_ACTIONS = frozenset(
    {
        ActionType.NONCRIMINAL_CITATION,
        ActionType.CRIMINAL_CITATION,
        ActionType.REFERRAL_TO_LAW_ENFORCEMENT,
        ActionType.COURT_REFERRAL,
        ActionType.ARREST,
    }
)


class ReasonCategory(models.TextChoices):
    """Default MOU behaviour categories (DOMAIN.md); an MOU assigns each an involvement level."""

    TARDINESS = "tardiness", "Tardiness"
    TRUANCY = "truancy", "Truancy"
    DRESS_CODE = "dress_code", "Dress code"
    DEVICE_USE = "device_use", "Phone or device use"
    PROFANITY = "profanity", "Profanity"
    DISRESPECT = "disrespect", "Disrespect or insubordination"
    CLASSROOM_DISRUPTION = "classroom_disruption", "Classroom disruption"
    NONVIOLENT_DISRUPTION = "nonviolent_disruption", "Non-violent disruptive behaviour"
    ACADEMIC_DISHONESTY = "academic_dishonesty", "Academic dishonesty"
    TOBACCO_VAPING = "tobacco_vaping", "Tobacco or vaping"
    MINOR_PROPERTY_DAMAGE = "minor_property_damage", "Minor property damage"
    VERBAL_CONFLICT = "verbal_conflict", "Verbal conflict"
    FIGHT_NO_INJURY = "fight_no_injury", "Physical fight without serious injury"
    STUDENT_IN_CRISIS = "student_in_crisis", "Student in crisis (no crime)"
    STUDENT_TRESPASS = "student_trespass", "Trespass by a student"
    ASSAULT_WITH_INJURY = "assault_with_injury", "Assault with injury"
    DRUG_DISTRIBUTION = "drug_distribution", "Drug distribution"
    SIGNIFICANT_THEFT = "significant_theft", "Theft of significant value"
    SEXUAL_OFFENSE = "sexual_offense", "Sexual offense"
    THREAT_OF_VIOLENCE = "threat_of_violence", "Threat of serious violence"
    SIGNIFICANT_VANDALISM = "significant_vandalism", "Vandalism of significant value"
    ADULT_OFFENSE = "adult_offense", "Offense by an adult on campus"
    WEAPON = "weapon", "Weapon (firearm or deadly weapon)"
    ACTIVE_VIOLENCE = "active_violence", "Active violence"
    IMMINENT_THREAT = "imminent_threat", "Imminent threat to life"


class NibrsOffense(models.TextChoices):
    """NIBRS offense codes most relevant in schools."""

    AGGRAVATED_ASSAULT = "13A", "13A Aggravated assault"
    SIMPLE_ASSAULT = "13B", "13B Simple assault"
    INTIMIDATION = "13C", "13C Intimidation"
    POCKET_PICKING = "23A", "23A Pocket-picking"
    PURSE_SNATCHING = "23B", "23B Purse-snatching"
    SHOPLIFTING = "23C", "23C Shoplifting"
    THEFT_FROM_BUILDING = "23D", "23D Theft from building"
    THEFT_FROM_COIN_MACHINE = "23E", "23E Theft from coin-operated machine"
    THEFT_FROM_VEHICLE = "23F", "23F Theft from motor vehicle"
    THEFT_OF_VEHICLE_PARTS = "23G", "23G Theft of motor vehicle parts"
    OTHER_LARCENY = "23H", "23H All other larceny"
    VANDALISM = "290", "290 Destruction, damage or vandalism of property"
    DRUG_NARCOTIC = "35A", "35A Drug/narcotic violations"
    DRUG_EQUIPMENT = "35B", "35B Drug equipment violations"
    WEAPON_LAW = "520", "520 Weapon law violations"
    RAPE = "11A", "11A Rape"
    SODOMY = "11B", "11B Sodomy"
    SEXUAL_ASSAULT_OBJECT = "11C", "11C Sexual assault with an object"
    FONDLING = "11D", "11D Fondling"
    ROBBERY = "120", "120 Robbery"
    ARSON = "200", "200 Arson"
    BURGLARY = "220", "220 Burglary/breaking and entering"
    DISORDERLY_CONDUCT = "90C", "90C Disorderly conduct"
    LIQUOR_LAW = "90G", "90G Liquor law violations"
    TRESPASS = "90J", "90J Trespass of real property"
    ALL_OTHER = "90Z", "90Z All other offenses"


class RequestedBy(models.TextChoices):
    ADMINISTRATOR = "administrator", "School administrator"
    TEACHER = "teacher", "Teacher"
    OTHER_STAFF = "other_staff", "Other staff"
    SELF_INITIATED = "self", "Self-initiated"
    DISPATCH = "dispatch", "Dispatch / 911"
    PARENT = "parent", "Parent or guardian"
    STUDENT = "student", "Student"


class RaceEthnicity(models.TextChoices):
    """CRDC race/ethnicity categories, plus unknown (counted as unknown)."""

    HISPANIC_LATINO = "hispanic_latino", "Hispanic or Latino"
    AMERICAN_INDIAN_ALASKA_NATIVE = "american_indian_alaska_native", "American Indian or Alaska Native"
    ASIAN = "asian", "Asian"
    NATIVE_HAWAIIAN_PACIFIC_ISLANDER = "native_hawaiian_pacific_islander", "Native Hawaiian or Other Pacific Islander"
    BLACK = "black", "Black or African American"
    WHITE = "white", "White"
    TWO_OR_MORE = "two_or_more_races", "Two or more races"
    UNKNOWN = "unknown", "Unknown"


class Sex(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    NONBINARY = "nonbinary", "Nonbinary"
    UNKNOWN = "unknown", "Unknown"


class Disability(models.TextChoices):
    IDEA = "idea", "IDEA"
    SECTION_504_ONLY = "504_only", "Section 504 only"
    NONE = "none", "None"
    UNKNOWN = "unknown", "Unknown"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Unknown"


class DemographicsSource(models.TextChoices):
    """California's stop-data practice: keep perception apart from the school's record."""

    PERCEIVED = "perceived", "Officer's perception"
    SCHOOL_RECORD = "school_record", "School record"


class StudentGrade(models.TextChoices):
    PK = "PK", "Pre-K"
    KG = "KG", "K"
    G01 = "01", "1"
    G02 = "02", "2"
    G03 = "03", "3"
    G04 = "04", "4"
    G05 = "05", "5"
    G06 = "06", "6"
    G07 = "07", "7"
    G08 = "08", "8"
    G09 = "09", "9"
    G10 = "10", "10"
    G11 = "11", "11"
    G12 = "12", "12"
    UNKNOWN = "unknown", "Unknown"
