"""The review workflow as data: which moves exist, and whose they are.

    referred -> triage -> under_review -> review_complete -> reinvestigation | nfa_upheld
    referred | triage -> ineligible
    reinvestigation | nfa_upheld | ineligible -> closed

Who may make each move follows the roles in the design card. A review lead (or a
superuser) makes every gate decision: triage, accepting a case into review once its scope
is settled, ruling a case ineligible, approving the outcome and closing. An investigator
assigned to the case makes one move: under review -> review complete, handing their
completed review to the lead for approval. Starting the review (triage -> under review) is
the lead's, because it settles that the case is in scope and is the lead's triage call.
"""

from enum import StrEnum

from cases.vocabulary import CaseStatus


class Actor(StrEnum):
    """Who may make a move: a review lead, or an investigator assigned to the case."""

    REVIEW_LEAD = "review_lead"
    ASSIGNED_INVESTIGATOR = "assigned_investigator"


S = CaseStatus

# (from, to) -> who may make the move. Order within a status is the order shown to users.
TRANSITIONS: dict[tuple[CaseStatus, CaseStatus], Actor] = {
    (S.REFERRED, S.TRIAGE): Actor.REVIEW_LEAD,
    (S.REFERRED, S.INELIGIBLE): Actor.REVIEW_LEAD,
    (S.TRIAGE, S.UNDER_REVIEW): Actor.REVIEW_LEAD,
    (S.TRIAGE, S.INELIGIBLE): Actor.REVIEW_LEAD,
    (S.UNDER_REVIEW, S.REVIEW_COMPLETE): Actor.ASSIGNED_INVESTIGATOR,
    (S.REVIEW_COMPLETE, S.REINVESTIGATION): Actor.REVIEW_LEAD,
    (S.REVIEW_COMPLETE, S.NFA_UPHELD): Actor.REVIEW_LEAD,
    (S.REINVESTIGATION, S.CLOSED): Actor.REVIEW_LEAD,
    (S.NFA_UPHELD, S.CLOSED): Actor.REVIEW_LEAD,
    (S.INELIGIBLE, S.CLOSED): Actor.REVIEW_LEAD,
}

del S


def next_statuses(status: str) -> list[CaseStatus]:
    """Every status the workflow allows after the given one, whoever makes the move."""
    return [to for (frm, to) in TRANSITIONS if frm == status]


def actor_for(from_status: str, to_status: str) -> Actor | None:
    """Who may make the move, or None when the workflow has no such move."""
    try:
        return TRANSITIONS[(CaseStatus(from_status), CaseStatus(to_status))]
    except (KeyError, ValueError):
        return None
