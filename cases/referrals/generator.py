"""Synthetic referral files: deterministic (a fixed seed gives identical bytes), any size.

Every person is invented from a short list of common names; nothing describes a real
person. The mix is meant to exercise every rule: some referrals fall outside the decision
window, have one suspect or one victim, all suspects dead, an earlier independent review or
no contact offence (ineligible); some have gaps (life status, review history, decision date
or offences not recorded: unknown); the rest are in scope. Exactly `rape` referrals allege
rape, and only those allege rape or assault by penetration, so they are the P1 cases.
The file is written one referral at a time, so fifty thousand referrals cost no more memory
than one.
"""

import datetime
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from cases.referrals.validate import FORMAT, file_schema

FORCES = tuple(file_schema()["properties"]["referrals"]["items"]["properties"]["force"]["enum"])

SURNAMES = (
    "Ahmed", "Baker", "Clarke", "Davies", "Evans", "Fisher", "Green", "Hughes", "Iqbal",
    "Jones", "Khan", "Lewis", "Mahmood", "Nowak", "Okafor", "Patel", "Quinn", "Roberts",
    "Singh", "Taylor", "Uddin", "Vance", "Walker", "Young",
)  # fmt: skip
FORENAMES = (
    "Aisha", "Ben", "Chloe", "Daniel", "Emma", "Farhan", "Grace", "Hassan", "Isla", "Jack",
    "Kiran", "Leah", "Mohammed", "Niamh", "Oliver", "Priya", "Ryan", "Sophie", "Tariq",
    "Usman", "Zara",
)  # fmt: skip
ETHNICITIES = tuple(
    e
    for e in file_schema()["properties"]["referrals"]["items"]["properties"]["victims"]["items"][
        "properties"
    ]["ethnicity"]["enum"]
    if e is not None
)
CONTACT = (
    "sexual_assault",
    "sexual_activity_with_child",
    "causing_child_sexual_activity",
    "trafficking_sexual_exploitation",
    "child_sexual_exploitation",
)
NON_CONTACT = (
    "arranging_child_sex_offence",
    "meeting_child_after_grooming",
    "sexual_communication_with_child",
    "indecent_images",
    "other",
)
SUMMARY = "Synthetic referral generated for testing and demonstration; no real person is described."
RATIONALE = (
    "Evidential difficulties recorded at the time.",
    "Victim did not support a prosecution at the time.",
    "Insufficient evidence to provide a realistic prospect of conviction.",
    "Suspects not identified to the required standard.",
)
WINDOW_START = datetime.date(2010, 1, 1)
WINDOW_END = datetime.date(2025, 3, 31)


def force_prefix(slug: str) -> str:
    """A short upper-case prefix for a force's references, e.g. `west-yorkshire` -> WYO."""
    parts = slug.split("-")
    if len(parts) == 1:
        return slug[:3].upper()
    return (parts[0][0] + parts[-1][:2]).upper()


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


class _Referrals:
    """Draws referrals one by one from a seeded random source."""

    def __init__(self, *, count, seed, forces, rape, reference_prefix=""):
        if not 1 <= forces <= len(FORCES):
            raise ValueError(f"forces must be between 1 and {len(FORCES)}")
        if not 0 <= rape <= count:
            raise ValueError("rape must be between 0 and count")
        self.count = count
        self.rng = random.Random(seed)
        self.forces = sorted(self.rng.sample(FORCES, forces))
        self.rape = set(self.rng.sample(range(count), rape))
        self.reference_prefix = reference_prefix

    def __iter__(self) -> Iterator[dict]:
        for index in range(self.count):
            yield self.referral(index)

    def person(self, ref: str, born: tuple[int, int]) -> dict:
        rng = self.rng
        ethnicity = rng.choice(ETHNICITIES) if rng.random() > 0.15 else None
        return {
            "ref": ref,
            "surname": rng.choice(SURNAMES),
            "forenames": rng.choice(FORENAMES),
            "date_of_birth": (
                _day(rng, datetime.date(born[0], 1, 1), datetime.date(born[1], 12, 31)).isoformat()
                if rng.random() > 0.1
                else None
            ),
            "gender": rng.choices(("female", "male", "other", "unknown"), (45, 45, 2, 8))[0],
            "ethnicity": ethnicity,
            "ethnicity_source": rng.choice(("self", "officer", "file")) if ethnicity else None,
        }

    def begin_referral(self, force: str, reference: str) -> None:
        """A hook for subclasses: the referral about to be drawn is this force's reference."""

    def people_counts(self) -> tuple[int, int]:
        """How many suspects and victims the next referral names."""
        rng = self.rng
        shape = rng.random()
        n_suspects = 1 if shape < 0.07 else (0 if shape < 0.09 else rng.randint(2, 6))
        n_victims = 1 if rng.random() < 0.1 else rng.randint(2, 5)
        return n_suspects, n_victims

    def suspect(self, ref: str) -> dict:
        rng = self.rng
        person = self.person(ref, (1950, 1995))
        roll = rng.random()
        person["deceased"] = True if roll < 0.08 else (None if roll < 0.13 else False)
        person["interviewed"] = rng.choice((True, False, None))
        return person

    def victim(self, ref: str) -> dict:
        rng = self.rng
        person = self.person(ref, (1985, 2010))
        person["gender"] = rng.choices(("female", "male", "unknown"), (85, 12, 3))[0]
        person["age_at_first_offence"] = rng.randint(10, 17) if rng.random() > 0.1 else None
        return person

    def referral(self, index: int) -> dict:
        rng = self.rng
        force = self.forces[index] if index < len(self.forces) else rng.choice(self.forces)
        decided_on = self._decision_date()
        year = (decided_on or datetime.date(2015, 1, 1)).year
        reference = f"{self.reference_prefix}{force_prefix(force)}/{index + 1:05d}/{year % 100:02d}"

        self.begin_referral(force, reference)
        n_suspects, n_victims = self.people_counts()
        suspects = [self.suspect(f"S{s + 1}") for s in range(n_suspects)]
        if suspects and rng.random() < 0.03:  # every suspect now dead
            for person in suspects:
                person["deceased"] = True
        victims = [self.victim(f"V{v + 1}") for v in range(n_victims)]

        offences = self._offences(index, suspects, victims)
        start = _day(rng, datetime.date(2000, 1, 1), datetime.date(2023, 12, 31))
        # Offending that has happened: it ends by the close of the decision window at the
        # latest, so no synthetic date lies in the future (the same draws as before).
        end = min(start + datetime.timedelta(days=rng.randint(0, 1500)), WINDOW_END)
        reviewed_roll = rng.random()
        return {
            "force": force,
            "force_reference": reference,
            "received_on": _day(
                rng, datetime.date(2025, 4, 1), datetime.date(2025, 12, 31)
            ).isoformat(),
            "summary": SUMMARY,
            "offence_period": {
                "start": start.isoformat() if rng.random() > 0.05 else None,
                "end": end.isoformat() if rng.random() > 0.1 else None,
            },
            "offences": offences,
            "original_decision": {
                "outcome": "nfa" if rng.random() > 0.04 else "other",
                "decided_on": decided_on.isoformat() if decided_on else None,
                "decided_by": rng.choices(("police", "cps"), (80, 20))[0],
                "outcome_code": rng.choice(("14", "15", "16", None)),
                "rationale": rng.choice(RATIONALE),
            },
            "independently_reviewed": (
                True if reviewed_roll < 0.06 else (None if reviewed_roll < 0.12 else False)
            ),
            "suspects": suspects,
            "victims": victims,
        }

    def _decision_date(self) -> datetime.date | None:
        roll = self.rng.random()
        if roll < 0.04:
            return None
        if roll < 0.10:
            return _day(self.rng, datetime.date(2003, 1, 1), datetime.date(2009, 12, 31))
        if roll < 0.13:
            return _day(self.rng, datetime.date(2025, 4, 1), datetime.date(2025, 9, 30))
        return _day(self.rng, WINDOW_START, WINDOW_END)

    def _offences(self, index: int, suspects: list, victims: list) -> list[dict]:
        rng = self.rng
        if index in self.rape:
            types = ["rape"]
            if rng.random() < 0.3:
                types.append("assault_by_penetration")
            types += rng.sample(CONTACT, rng.randint(0, 2))
        else:
            roll = rng.random()
            if roll < 0.03:
                return []
            pool = NON_CONTACT if roll < 0.10 else CONTACT + NON_CONTACT
            types = rng.sample(pool, rng.randint(1, 3))
        offences = []
        for offence_type in types:
            victim_refs = rng.sample([v["ref"] for v in victims], rng.randint(1, len(victims)))
            suspect_refs = (
                rng.sample([s["ref"] for s in suspects], rng.randint(1, len(suspects)))
                if suspects
                else []
            )
            offences.append(
                {"type": offence_type, "victim_refs": victim_refs, "suspect_refs": suspect_refs}
            )
        return offences


def referrals_generate(
    *, count: int, seed: int, forces: int = 23, rape: int | None = None, reference_prefix=""
) -> Iterator[dict]:
    """The synthetic referrals, one at a time (`rape` defaults to about 18.5% of them)."""
    if rape is None:
        rape = round(count * 236 / 1273)
    return iter(
        _Referrals(
            count=count, seed=seed, forces=forces, rape=rape, reference_prefix=reference_prefix
        )
    )


def referral_file_write(out: TextIO, referrals: Iterator[dict], *, format: str = FORMAT) -> int:
    """Write a referral file, one referral per line, streaming; returns how many."""
    out.write('{"format": ' + json.dumps(format) + ', "referrals": [')
    count = 0
    for referral in referrals:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(referral, ensure_ascii=False))
        count += 1
    out.write("\n]}\n")
    return count


def referral_file_generate(
    path: str | Path,
    *,
    count: int,
    seed: int,
    forces: int = 23,
    rape: int | None = None,
    reference_prefix: str = "",
) -> int:
    """Write a synthetic referral file to `path`; the same arguments give the same bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    referrals = referrals_generate(
        count=count, seed=seed, forces=forces, rape=rape, reference_prefix=reference_prefix
    )
    with path.open("w", encoding="utf-8", newline="\n") as out:
        return referral_file_write(out, referrals)
