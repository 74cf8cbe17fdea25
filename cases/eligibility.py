"""Which referred cases are in the review's scope, and which come first: pure rules.

Plain data in, plain data out (no ORM), so the same rules serve a referral being imported
and a case whose suspects or offences have just changed. Every criterion of the design card
comes out `pass`, `fail` or `unknown` with a reason a reviewer can act on; `unknown` means
the data is missing: a gap to chase, never a silent pass or fail.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cases.vocabulary import (
    CONTACT_OFFENCES,
    PRIORITY_ONE_OFFENCES,
    Criterion,
    CriterionResult,
    DecisionOutcome,
    Eligibility,
    OffenceType,
    Priority,
)

# The review covers original decisions taken from 1 January 2010 to 31 March 2025 inclusive.
WINDOW_START = datetime.date(2010, 1, 1)
WINDOW_END = datetime.date(2025, 3, 31)

REASON_MAX_LENGTH = 300  # CaseCriterion.reason

PASS, FAIL, UNKNOWN = CriterionResult.PASS, CriterionResult.FAIL, CriterionResult.UNKNOWN


@dataclass(frozen=True)
class CriterionOutcome:
    """One criterion's result for a case and the reason it came out so."""

    criterion: Criterion
    result: CriterionResult
    reason: str


@dataclass(frozen=True)
class Evaluation:
    """All seven criteria for a case (in the design card's order) and the overall result."""

    criteria: tuple[CriterionOutcome, ...]
    eligibility: Eligibility

    def __getitem__(self, criterion: Criterion | str) -> CriterionOutcome:
        for outcome in self.criteria:
            if outcome.criterion == criterion:
                return outcome
        raise KeyError(criterion)

    def as_dict(self) -> dict[str, str]:
        """{criterion name: result}, the shape of the sample file's expectations."""
        return {str(o.criterion): str(o.result) for o in self.criteria}


def evaluate(
    *,
    decision_outcome: str | None,
    decision_on: datetime.date | str | None,
    suspects: Sequence[bool | None] | Mapping[str, bool | None],
    victim_count: int,
    offence_types: Iterable[str],
    independently_reviewed: bool | None,
) -> Evaluation:
    """Evaluate the seven scope criteria of the design card for one case.

    `suspects` holds each suspect's `deceased` value (True, False or None for not
    recorded); pass a mapping {ref: deceased} to have the refs named in the reasons.
    """
    if isinstance(suspects, Mapping):
        named = [(str(ref), deceased) for ref, deceased in suspects.items()]
    else:
        named = [(None, deceased) for deceased in suspects]
    offence_types = list(offence_types)
    outcomes = (
        _decision_window(_as_date(decision_on)),
        _nfa_decision(decision_outcome),
        _count(Criterion.TWO_OR_MORE_SUSPECTS, len(named), "suspect"),
        _count(Criterion.TWO_OR_MORE_VICTIMS, victim_count, "victim"),
        _contact_offence(offence_types),
        _suspect_alive(named),
        _not_independently_reviewed(independently_reviewed),
    )
    return Evaluation(criteria=outcomes, eligibility=overall(o.result for o in outcomes))


def overall(results: Iterable[str]) -> Eligibility:
    """Ineligible if any criterion fails, else unknown if any is unknown, else eligible."""
    results = set(results)
    if FAIL in results:
        return Eligibility.INELIGIBLE
    if UNKNOWN in results:
        return Eligibility.UNKNOWN
    return Eligibility.ELIGIBLE


def priority_for(
    *, offence_types: Iterable[str], has_active_danger_or_flight_flag: bool
) -> Priority:
    """P1 for rape or assault by penetration; P2 for a dangerous or flight-risk suspect; P3."""
    if any(t in PRIORITY_ONE_OFFENCES for t in offence_types):
        return Priority.P1
    if has_active_danger_or_flight_flag:
        return Priority.P2
    return Priority.P3


def _outcome(criterion: Criterion, result: CriterionResult, reason: str) -> CriterionOutcome:
    if len(reason) > REASON_MAX_LENGTH:
        reason = reason[: REASON_MAX_LENGTH - 1] + "…"
    return CriterionOutcome(criterion=criterion, result=result, reason=reason)


def _as_date(value: datetime.date | str | None) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _decision_window(decided_on: datetime.date | None) -> CriterionOutcome:
    criterion = Criterion.DECISION_WINDOW
    if decided_on is None:
        return _outcome(criterion, UNKNOWN, "Decision date not recorded: a data gap to chase")
    if decided_on < WINDOW_START:
        return _outcome(
            criterion, FAIL, f"Decision dated {decided_on} is before {_long_date(WINDOW_START)}"
        )
    if decided_on > WINDOW_END:
        return _outcome(
            criterion, FAIL, f"Decision dated {decided_on} is after {_long_date(WINDOW_END)}"
        )
    return _outcome(
        criterion,
        PASS,
        f"Decision dated {decided_on} is within "
        f"{_long_date(WINDOW_START)} to {_long_date(WINDOW_END)}",
    )


def _nfa_decision(outcome: str | None) -> CriterionOutcome:
    criterion = Criterion.NFA_DECISION
    if not outcome:
        return _outcome(criterion, UNKNOWN, "Original decision not recorded: a data gap to chase")
    if outcome == DecisionOutcome.NFA:
        return _outcome(criterion, PASS, "Original decision was no further action")
    return _outcome(
        criterion, FAIL, f"Original decision was not no further action (outcome: {outcome})"
    )


def _count(criterion: Criterion, count: int, noun: str) -> CriterionOutcome:
    if count >= 2:
        return _outcome(criterion, PASS, f"{count} {noun}s recorded")
    if count == 1:
        return _outcome(criterion, FAIL, f"Only one {noun} recorded")
    return _outcome(criterion, FAIL, f"No {noun}s recorded")


def _label(offence_type: str) -> str:
    try:
        return OffenceType(offence_type).label.lower()
    except ValueError:
        return offence_type


def _contact_offence(offence_types: list[str]) -> CriterionOutcome:
    criterion = Criterion.CONTACT_OFFENCE
    if not offence_types:
        return _outcome(criterion, UNKNOWN, "No offences recorded: a data gap to chase")
    distinct = list(dict.fromkeys(offence_types))
    contact = [t for t in distinct if t in CONTACT_OFFENCES]
    if contact:
        labels = ", ".join(_label(t) for t in contact)
        return _outcome(criterion, PASS, f"Contact offence recorded: {labels}")
    labels = ", ".join(_label(t) for t in distinct)
    return _outcome(criterion, FAIL, f"No contact offence among those recorded: {labels}")


def _refs(named: list[tuple[str | None, bool | None]], deceased: bool | None) -> str:
    refs = [ref for ref, value in named if value is deceased and ref is not None]
    count = sum(1 for _, value in named if value is deceased)
    if refs and len(refs) == count:
        return ", ".join(refs)
    return f"{count} suspect{'s' if count != 1 else ''}"


def _suspect_alive(named: list[tuple[str | None, bool | None]]) -> CriterionOutcome:
    criterion = Criterion.SUSPECT_ALIVE
    if not named:
        return _outcome(criterion, FAIL, "No suspects recorded")
    alive = [ref for ref, deceased in named if deceased is False]
    if alive:
        return _outcome(criterion, PASS, f"Known to be alive: {_refs(named, False)}")
    if any(deceased is None for _, deceased in named):
        return _outcome(
            criterion,
            UNKNOWN,
            f"Suspect life status not recorded for {_refs(named, None)}: a data gap to chase",
        )
    return _outcome(criterion, FAIL, "All suspects are recorded as deceased")


def _not_independently_reviewed(reviewed: bool | None) -> CriterionOutcome:
    criterion = Criterion.NOT_INDEPENDENTLY_REVIEWED
    if reviewed is None:
        return _outcome(
            criterion,
            UNKNOWN,
            "Whether the case was already reviewed independently is not recorded: "
            "a data gap to chase",
        )
    if reviewed:
        return _outcome(criterion, FAIL, "Already reviewed independently")
    return _outcome(criterion, PASS, "Not previously reviewed independently")
