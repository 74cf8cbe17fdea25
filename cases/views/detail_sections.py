"""Sections that issue 13 adds to the case page, one function each (context for its
template under templates/cases/detail/); `detail_sections` merges them for case_context.
Each reads only what its section shows, in a fixed number of queries.
"""

from cases.permissions import CHANGE, TRIAGE, user_can
from cases.services.review_gate import approval_refusal, review_outstanding, reviewed_by
from cases.vocabulary import CaseStatus


def gate_section(user, case) -> dict:
    """What "review complete" still needs, "no failings found", and the four-eyes approval.

    The checklist and who handed the review in come from the page's prefetched lines of
    inquiry, findings and transitions (no query); only a lead looking at a completed review
    costs the two queries that say whether they may approve it.
    """
    under_review = case.status == CaseStatus.UNDER_REVIEW
    complete = case.status == CaseStatus.REVIEW_COMPLETE
    gate = {
        "shown": under_review or complete or bool(case.no_failings_at),
        "under_review": under_review,
        "complete": complete,
        "may_record": under_review and user_can(user, CHANGE, case),
        "outstanding": review_outstanding(case) if under_review else [],
    }
    if complete:
        gate["reviewer"] = reviewed_by(case)
        if user_can(user, TRIAGE, case):
            gate["refusal"] = approval_refusal(case=case, by=user)
            gate["may_approve"] = gate["refusal"] is None
    return {"gate": gate}


def review_record_section(user, case) -> dict:
    """The decision log's newest entries and the timeline's (issue 13): two queries (the
    log, the offence history), the rest from the page's prefetched events, moves and flags."""
    from cases import timeline
    from cases.permissions import may_keep_decision_log

    decisions = list(timeline.decisions_newest(case, timeline.CASE_PAGE_ENTRIES + 1))
    entries, older = timeline.case_page_timeline(case, decisions=decisions)
    return {
        "review_decisions": decisions[:REVIEW_DECISIONS_SHOWN],
        "review_decisions_more": len(decisions) > REVIEW_DECISIONS_SHOWN,
        "review_may_write_decisions": may_keep_decision_log(user, case),
        "review_timeline": entries,
        "review_timeline_older": older,
    }


REVIEW_DECISIONS_SHOWN = 3


SECTIONS = (gate_section, review_record_section)


def detail_sections(user, case) -> dict:
    context = {}
    for section in SECTIONS:
        context.update(section(user, case))
    return context
