"""Fixed vocabularies of the cases domain (referral format version 1 and the design card)."""

from django.db import models


class OffenceType(models.TextChoices):
    """Offence types a referral may name; `CONTACT_OFFENCES` says which involve contact."""

    RAPE = "rape", "Rape"
    ASSAULT_BY_PENETRATION = "assault_by_penetration", "Assault by penetration"
    SEXUAL_ASSAULT = "sexual_assault", "Sexual assault"
    SEXUAL_ACTIVITY_WITH_CHILD = "sexual_activity_with_child", "Sexual activity with a child"
    CAUSING_CHILD_SEXUAL_ACTIVITY = (
        "causing_child_sexual_activity",
        "Causing or inciting a child to engage in sexual activity",
    )
    TRAFFICKING_SEXUAL_EXPLOITATION = (
        "trafficking_sexual_exploitation",
        "Trafficking for sexual exploitation",
    )
    CHILD_SEXUAL_EXPLOITATION = "child_sexual_exploitation", "Child sexual exploitation"
    ARRANGING_CHILD_SEX_OFFENCE = (
        "arranging_child_sex_offence",
        "Arranging or facilitating a child sex offence",
    )
    MEETING_CHILD_AFTER_GROOMING = (
        "meeting_child_after_grooming",
        "Meeting a child following sexual grooming",
    )
    SEXUAL_COMMUNICATION_WITH_CHILD = (
        "sexual_communication_with_child",
        "Sexual communication with a child",
    )
    INDECENT_IMAGES = "indecent_images", "Indecent images of children"
    OTHER = "other", "Other"


CONTACT_OFFENCES = frozenset(
    {
        OffenceType.RAPE,
        OffenceType.ASSAULT_BY_PENETRATION,
        OffenceType.SEXUAL_ASSAULT,
        OffenceType.SEXUAL_ACTIVITY_WITH_CHILD,
        OffenceType.CAUSING_CHILD_SEXUAL_ACTIVITY,
        OffenceType.TRAFFICKING_SEXUAL_EXPLOITATION,
        OffenceType.CHILD_SEXUAL_EXPLOITATION,
    }
)

# Offences that make a case priority 1 (design card: rape or assault by penetration).
PRIORITY_ONE_OFFENCES = frozenset({OffenceType.RAPE, OffenceType.ASSAULT_BY_PENETRATION})


class Ethnicity(models.TextChoices):
    """2021 census ethnic groups for England and Wales, plus "not stated" (the person declined).

    A null ethnicity is "not recorded": a gap in the source data, reported as such.
    """

    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian or Asian British: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black, Black British, Caribbean or African: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_OTHER = "black_other", "Black, Black British, Caribbean or African: any other"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed or multiple: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed_white_black_african",
        "Mixed or multiple: White and Black African",
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        "Mixed or multiple: White and Black Caribbean",
    )
    MIXED_OTHER = "mixed_other", "Mixed or multiple: any other"
    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_IRISH_TRAVELLER = "white_gypsy_irish_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other"
    NOT_STATED = "not_stated", "Not stated (declined)"


class EthnicitySource(models.TextChoices):
    """Where a recorded ethnicity came from."""

    SELF = "self", "Self-defined"
    OFFICER = "officer", "Officer-observed"
    FILE = "file", "Original file"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class PartyRole(models.TextChoices):
    SUSPECT = "suspect", "Suspect"
    VICTIM = "victim", "Victim"
    WITNESS = "witness", "Witness"


class DecisionOutcome(models.TextChoices):
    NFA = "nfa", "No further action"
    OTHER = "other", "Other"


class DecisionMaker(models.TextChoices):
    POLICE = "police", "Police"
    CPS = "cps", "Crown Prosecution Service"


class CaseStatus(models.TextChoices):
    """Where a case stands in the review workflow (see `cases.workflow`)."""

    REFERRED = "referred", "Referred"
    TRIAGE = "triage", "Triage"
    UNDER_REVIEW = "under_review", "Under review"
    REVIEW_COMPLETE = "review_complete", "Review complete"
    REINVESTIGATION = "reinvestigation", "Reinvestigation"
    NFA_UPHELD = "nfa_upheld", "NFA upheld"
    INELIGIBLE = "ineligible", "Ineligible"
    CLOSED = "closed", "Closed"


class Priority(models.TextChoices):
    P1 = "P1", "P1: rape or assault by penetration"
    P2 = "P2", "P2: dangerous or flight-risk suspect"
    P3 = "P3", "P3"


class Eligibility(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    INELIGIBLE = "ineligible", "Ineligible"
    UNKNOWN = "unknown", "Unknown"


class CriterionResult(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    UNKNOWN = "unknown", "Unknown"


class Criterion(models.TextChoices):
    """The seven scope criteria of the design card, in the order they are shown."""

    DECISION_WINDOW = "decision_window", "Decision between 1 Jan 2010 and 31 Mar 2025"
    NFA_DECISION = "nfa_decision", "Original decision was no further action"
    TWO_OR_MORE_SUSPECTS = "two_or_more_suspects", "Two or more suspects"
    TWO_OR_MORE_VICTIMS = "two_or_more_victims", "More than one victim"
    CONTACT_OFFENCE = "contact_offence", "At least one contact offence"
    SUSPECT_ALIVE = "suspect_alive", "At least one suspect alive"
    NOT_INDEPENDENTLY_REVIEWED = "not_independently_reviewed", "Not already independently reviewed"


class EventType(models.TextChoices):
    """Investigative events on a case that the victim has a right to hear about."""

    ARREST = "arrest", "Suspect arrested"
    INTERVIEW_UNDER_CAUTION = "interview_under_caution", "Suspect interviewed under caution"
    CHARGE = "charge", "Suspect charged"
    RELEASED_WITHOUT_CHARGE = "released_without_charge", "Suspect released without charge"
    BAIL_OR_RUI = "bail_or_rui", "Suspect bailed or released under investigation"
    DECISION_NOT_TO_INVESTIGATE = "decision_not_to_investigate", "Decision not to investigate"


class InquiryOrigin(models.TextChoices):
    ORIGINAL = "original", "Identified in the original investigation"
    REVIEW = "review", "Found by the review"


class InquiryStatus(models.TextChoices):
    OPEN = "open", "Open"
    ALLOCATED = "allocated", "Allocated"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    NOT_PURSUED = "not_pursued", "Not pursued"


# A line of inquiry still to be worked (listed, counted as open, reminded); the others are
# done: completed or not pursued.
OPEN_INQUIRY = (InquiryStatus.OPEN, InquiryStatus.ALLOCATED, InquiryStatus.IN_PROGRESS)


class FindingCategory(models.TextChoices):
    LINE_NOT_FOLLOWED = "line_not_followed", "Line of inquiry not followed"
    VICTIM_ACCOUNT = "victim_account", "Victim account not taken to best practice"
    SUSPECT_NOT_PURSUED = "suspect_not_pursued", "Suspect not pursued or interviewed"
    EVIDENCE_NOT_SECURED = "evidence_not_secured", "Evidence not secured"
    SAFEGUARDING_MISSED = "safeguarding_missed", "Safeguarding missed"
    NOT_FLAGGED = "not_flagged", "Not flagged as exploitation"
    RATIONALE_INADEQUATE = "rationale_inadequate", "Decision rationale inadequate"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class FlagKind(models.TextChoices):
    DANGEROUS = "dangerous", "Dangerous"
    FLIGHT_RISK = "flight_risk", "At risk of leaving the UK"


class Basis(models.TextChoices):
    """Data Protection Act 2018 s38: facts are kept apart from assessments."""

    FACT = "fact", "Fact"
    ASSESSMENT = "assessment", "Assessment"


class IdentifierKind(models.TextChoices):
    """What a referral (version 2) may give beside a person's name, to link records by."""

    ALIAS = "alias", "Alias"
    POSTCODE = "postcode", "Postcode"
    PHONE = "phone", "Phone"
    VEHICLE = "vehicle", "Vehicle"


class LinkStatus(models.TextChoices):
    """Where a pair of person records stands: scored by the model, then decided by a lead."""

    # Above the high threshold: linked automatically (in clusters) until a lead decides.
    PROPOSED = "proposed", "Linked automatically"
    # In the uncertain band: waits in a review lead's queue, not linked until confirmed.
    REVIEW = "review", "Waiting for a lead"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


# Links that join records into one nominal (a cluster): what the system links.
LINKED_STATUSES = (LinkStatus.PROPOSED, LinkStatus.CONFIRMED)
# Links a lead has decided: a later run never changes or re-proposes them.
DECIDED_STATUSES = (LinkStatus.CONFIRMED, LinkStatus.REJECTED)


class AccessRequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class DocumentKind(models.TextChoices):
    """What a piece of case-file material is (issue 12)."""

    STATEMENT = "statement", "Statement"
    ABE_TRANSCRIPT = "abe_transcript", "ABE interview transcript"
    CPS_ADVICE = "cps_advice", "CPS advice"
    DECISION_LOG = "decision_log", "Decision log"
    OTHER = "other", "Other"


class ExtractionStatus(models.TextChoices):
    """Where reading a document's text stands. A failure is kept and shown, never dropped."""

    PENDING = "pending", "Waiting to be read"
    DONE = "done", "Text read"
    FAILED = "failed", "Text could not be read"
    NONE = "none", "No text to read"  # an image: kept and viewable, not searchable


class BatchStatus(models.TextChoices):
    """Where an uploaded referral file stands, from upload to import."""

    QUEUED = "queued", "Waiting"
    CHECKING = "checking", "Checking"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"
    REFUSED = "refused", "Refused: problems found"
    FAILED = "failed", "Failed"


BATCH_FINISHED = (BatchStatus.IMPORTED, BatchStatus.REFUSED, BatchStatus.FAILED)


class BatchChannel(models.TextChoices):
    """How a referral file reached the review."""

    BROWSER = "browser", "Uploaded in the browser"
    API = "api", "Sent through the API"
    COMMAND = "command", "Imported on the command line"
