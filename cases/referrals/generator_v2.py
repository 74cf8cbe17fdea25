"""Synthetic referral files in version 2, with the people repeating as they do in real files.

Version 1's referrals (the same mix of eligibility, priority and gaps, see `generator`),
but the suspects and victims are drawn from invented people who come back: a suspect in
several referrals, often of different forces, and some victims too. Each time a person is
written the file says it its own way, as forces do: a surname misspelt or in capitals, a
nickname for a forename (Mo for Mohammed, Danny for Daniel), day and month of birth
swapped, the year one out or the date missing, a PNC ID in one file and not the next,
phones, postcodes and vehicles written differently or left out. Unrelated people share
street names ("Boss"), premises' postcodes and common names (with different dates of
birth), so no one field decides who is who.

What really happened is written beside the file (`links_path`): clusters of
[force, force_reference, person ref] that are the same person; every other pair is two
people. The file is streamed one referral at a time; what is kept in memory is a bounded
pool of people still to come back, and one small tuple per appearance of a returning
person (for the links file). Nothing describes a real person.
"""

import datetime
import itertools
import json
import random
from collections import deque
from pathlib import Path

from cases.referrals.generator import ETHNICITIES, _day, _Referrals, referral_file_write

FORMAT_V2 = "beaconport-referrals/2"
REVIEW_REFERRALS = 1273  # the size of the review's first referral set
LINKS_NOTE = (
    "Which (force, force_reference, person ref) records are the same person; every other "
    "pair is two different people."
)

# (name, weight): a few names are very common, so unrelated people share them.
SURNAMES = (
    ("Khan", 30), ("Ahmed", 24), ("Hussain", 22), ("Ali", 22), ("Smith", 30), ("Jones", 24),
    ("Taylor", 18), ("Brown", 16), ("Williams", 16), ("Wilson", 10), ("Patel", 14),
    ("Shah", 8), ("Iqbal", 8), ("Mahmood", 8), ("Akhtar", 6), ("Bibi", 6), ("Begum", 8),
    ("Rashid", 5), ("Hussein", 4), ("Mirza", 3), ("Qureshi", 3), ("Butt", 4), ("Malik", 6),
    ("Walker", 8), ("Wright", 8), ("Robinson", 7), ("Thompson", 7), ("White", 7),
    ("Hughes", 6), ("Edwards", 6), ("Green", 6), ("Hall", 6), ("Wood", 6), ("Harris", 6),
    ("Lewis", 6), ("Martin", 6), ("Jackson", 6), ("Clarke", 6), ("Clark", 4), ("Turner", 5),
    ("Hill", 5), ("Scott", 5), ("Cooper", 5), ("Morris", 5), ("Ward", 5), ("Moore", 5),
    ("King", 5), ("Watson", 4), ("Baker", 4), ("Harrison", 4), ("Morgan", 4), ("Patterson", 2),
    ("Young", 4), ("Allen", 4), ("Mitchell", 4), ("Kelly", 4), ("Doherty", 2), ("Farrell", 2),
    ("Gallagher", 2), ("Murphy", 4), ("O'Brien", 3), ("Kowalski", 2), ("Nowak", 2),
    ("Okafor", 2), ("Mensah", 2), ("Campbell", 4), ("Stewart", 3), ("Fenwick", 1),
    ("Dale", 1), ("Shaw", 3), ("Costello", 1), ("Gill", 3), ("Singh", 8), ("Kaur", 5),
)  # fmt: skip
MALE = (
    ("Mohammed", 30), ("Muhammad", 8), ("Daniel", 14), ("Christopher", 10), ("Michael", 12),
    ("David", 12), ("James", 12), ("John", 10), ("Paul", 8), ("Mark", 8), ("Andrew", 8),
    ("Robert", 7), ("Anthony", 6), ("Thomas", 8), ("William", 6), ("Joseph", 6),
    ("Matthew", 6), ("Richard", 6), ("Stephen", 6), ("Imran", 8), ("Tariq", 6), ("Adnan", 5),
    ("Shahid", 5), ("Abdul", 6), ("Zahid", 4), ("Amir", 5), ("Faisal", 4), ("Usman", 5),
    ("Kamran", 4), ("Asif", 4), ("Hassan", 5), ("Owen", 3), ("Ryan", 5), ("Liam", 4),
    ("Jack", 4), ("Kieran", 3), ("Sanjay", 2), ("Arjun", 2), ("Emeka", 2), ("Piotr", 2),
)  # fmt: skip
FEMALE = (
    ("Emma", 10), ("Sarah", 10), ("Sara", 4), ("Rebecca", 8), ("Jessica", 8), ("Lauren", 8),
    ("Chloe", 8), ("Amy", 8), ("Megan", 7), ("Hannah", 7), ("Samantha", 6), ("Victoria", 6),
    ("Katherine", 4), ("Elizabeth", 5), ("Jennifer", 5), ("Jodie", 5), ("Leah", 5),
    ("Grace", 5), ("Sophie", 6), ("Charlotte", 6), ("Aisha", 6), ("Zara", 5), ("Priya", 4),
    ("Fatima", 5), ("Ayesha", 4), ("Amina", 3), ("Niamh", 3), ("Kayleigh", 4), ("Stacey", 4),
    ("Danielle", 4), ("Natalie", 4), ("Gemma", 4), ("Shannon", 3), ("Holly", 3),
)  # fmt: skip
NICKNAMES = {
    "Mohammed": ("Mo", "Mohammad", "Muhammad", "Mohamed", "MOHAMMED"),
    "Muhammad": ("Mo", "Mohammed", "Mohammad"),
    "Daniel": ("Danny", "Dan"),
    "Christopher": ("Chris",),
    "Michael": ("Mick", "Mike"),
    "David": ("Dave",),
    "James": ("Jim", "Jamie"),
    "Robert": ("Rob", "Bob"),
    "Anthony": ("Tony",),
    "Thomas": ("Tom",),
    "William": ("Bill", "Will"),
    "Joseph": ("Joe",),
    "Matthew": ("Matt",),
    "Richard": ("Rich", "Dick"),
    "Stephen": ("Steve", "Steven"),
    "Andrew": ("Andy",),
    "Imran": ("Immy",),
    "Shahid": ("Shaz",),
    "Kamran": ("Kam",),
    "Rebecca": ("Becky",),
    "Jessica": ("Jess",),
    "Samantha": ("Sam",),
    "Victoria": ("Vicky", "Tori"),
    "Katherine": ("Kate", "Katie", "Catherine"),
    "Elizabeth": ("Liz", "Beth"),
    "Jennifer": ("Jenny", "Jen"),
    "Danielle": ("Dani",),
    "Sarah": ("Sara",),
}
# Street names: many unrelated people go by the same few.
STREET_NAMES = (
    "Boss", "Moz", "Baz", "Taz", "Smiley", "Bash", "Tiger", "Dee", "Jay", "Shaz", "Kash",
    "Lucky", "Bigman", "Prince", "Uncle", "Chef", "Ghost", "Snowy", "Rocky", "Slim",
)  # fmt: skip
POSTCODE_AREAS = (
    "LS", "BD", "HX", "HD", "WF", "M", "OL", "BL", "S", "DN", "NG", "TF", "L", "NE", "B",
    "BB", "PR", "OX", "RG", "SL", "LU", "ME", "CT", "SA", "CF", "NP", "DE", "LE", "CV", "WS",
)  # fmt: skip
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters a postcode's inward code uses
_PNC_CHECK = "ABCDEFGHJKLMNPQRTUVWXYZ"

# How people come back. A suspect written in a referral is someone already met with
# probability REPEAT; someone new is kept to come back with probability RECUR, for 1 to 5
# more appearances. The two balance, so the pool of people to come back stays small.
REPEAT = {"suspect": 0.22, "victim": 0.05}
RECUR = {"suspect": 0.16, "victim": 0.05}
MORE_APPEARANCES = ((1, 2, 3, 4, 5), (50, 25, 12, 8, 5))
POOL_MAX = 4000  # people waiting to come back, per role: what bounds the memory
TWIN = 0.04  # someone new takes a recent person's name (with another date of birth)
PREMISES = 400  # postcodes of premises that unrelated people frequent


class _Person:
    """Who someone really is; each referral writes them its own way (`_written`)."""

    __slots__ = (
        "aliases",
        "date_of_birth",
        "ethnicity",
        "forenames",
        "gender",
        "home",
        "id",
        "more",
        "phones",
        "pnc_id",
        "postcodes",
        "role",
        "surname",
        "vehicles",
    )  # fmt: skip

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)


def _weighted(table):
    names, weights = zip(*table, strict=True)
    return names, list(itertools.accumulate(weights))


class ReferralsV2(_Referrals):
    """Draws version 2 referrals one by one; `clusters()` afterwards says who is who."""

    def __init__(self, **options):
        super().__init__(**options)
        rng = self.rng
        self.pool: dict[str, list[_Person]] = {"suspect": [], "victim": []}
        self.recent: dict[str, deque] = {"suspect": deque(maxlen=300), "victim": deque(maxlen=300)}
        self.appearances: dict[int, list[tuple[str, str, str]]] = {}
        self.people = 0
        self.surnames = _weighted(SURNAMES)
        self.forenames = {"male": _weighted(MALE), "female": _weighted(FEMALE)}
        self.premises = [self._postcode() for _ in range(PREMISES)]
        # A PNC ID's number is a bijection of the person's id: unique without remembering.
        self.pnc_offset = rng.randrange(10**7)
        self.force = self.reference = ""
        self.in_referral: set[int] = set()

    # -- the hooks of `_Referrals` ------------------------------------------------------

    def begin_referral(self, force: str, reference: str) -> None:
        self.force, self.reference = force, reference
        self.in_referral = set()

    def people_counts(self) -> tuple[int, int]:
        rng = self.rng
        shape = rng.random()
        n_suspects = 1 if shape < 0.07 else (0 if shape < 0.09 else rng.randint(1, 5))
        n_victims = 1 if rng.random() < 0.1 else rng.randint(2, 4)
        return n_suspects, n_victims

    def suspect(self, ref: str) -> dict:
        rng = self.rng
        person = self._written(self._who("suspect"), ref)
        roll = rng.random()
        person["deceased"] = True if roll < 0.08 else (None if roll < 0.13 else False)
        person["interviewed"] = rng.choice((True, False, None))
        return person

    def victim(self, ref: str) -> dict:
        rng = self.rng
        person = self._written(self._who("victim"), ref)
        person["age_at_first_offence"] = rng.randint(10, 17) if rng.random() > 0.1 else None
        return person

    # -- who is written -----------------------------------------------------------------

    def clusters(self) -> list[list[list[str]]]:
        """The true links: each person written more than once, their records sorted."""
        found = [sorted(map(list, seen)) for seen in self.appearances.values() if len(seen) > 1]
        return sorted(found)

    def _who(self, role: str) -> _Person:
        rng = self.rng
        pool = self.pool[role]
        if pool and rng.random() < REPEAT[role]:
            # Prefer someone of this force (offenders and victims are mostly local), but
            # take anyone: that is how people cross forces.
            tries = [rng.randrange(len(pool)) for _ in range(6)]
            tries.sort(key=lambda i: pool[i].home != self.force)
            for i in tries:
                person = pool[i]
                if person.id in self.in_referral:
                    continue
                person.more -= 1
                if person.more <= 0:
                    pool[i] = pool[-1]
                    pool.pop()
                return self._seen(person)
        person = self._new(role)
        if rng.random() < RECUR[role] and len(pool) < POOL_MAX:
            person.more = rng.choices(*MORE_APPEARANCES)[0]
            pool.append(person)
            self.appearances[person.id] = []
        return self._seen(person)

    def _seen(self, person: _Person) -> _Person:
        self.in_referral.add(person.id)
        return person

    def _new(self, role: str) -> _Person:
        rng = self.rng
        self.people += 1
        suspect = role == "suspect"
        if suspect:
            gender = rng.choices(("male", "female"), (92, 8))[0]
            born = _day(rng, datetime.date(1950, 1, 1), datetime.date(1995, 12, 31))
        else:
            gender = rng.choices(("female", "male"), (85, 15))[0]
            born = _day(rng, datetime.date(1985, 1, 1), datetime.date(2010, 12, 31))
        recent = self.recent[role]
        if recent and rng.random() < TWIN:
            # Same name, someone else: another date of birth, nothing else shared.
            surname, forenames, gender, twin_born = rng.choice(recent)
            while abs(born.year - twin_born.year) < 3:
                year = born.year + 7 if born.year < 1990 else born.year - 7
                # 29 February seven years on is no date: the 28th (other dates unchanged).
                leap_day = (born.month, born.day) == (2, 29)
                born = born.replace(year=year, day=28 if leap_day else born.day)
        else:
            surname = self._draw(self.surnames)
            forenames = self._draw(self.forenames[gender])
            if rng.random() < 0.25:
                forenames += " " + self._draw(self.forenames[gender])
        recent.append((surname, forenames, gender, born))
        ethnicity = rng.choice(ETHNICITIES)
        aliases = []
        if rng.random() < (0.35 if suspect else 0.06):
            aliases = rng.sample(STREET_NAMES, 2 if rng.random() < 0.2 else 1)
        postcodes = [
            rng.choice(self.premises) if rng.random() < 0.25 else self._postcode()
            for _ in range(rng.choices((0, 1, 2, 3), (20, 50, 22, 8))[0])
        ]
        phones = [
            "07" + "".join(rng.choices("0123456789", k=9))
            for _ in range(rng.choices((0, 1, 2), (35, 45, 20) if suspect else (50, 45, 5))[0])
        ]
        vehicles = [self._vehicle() for _ in range(1 if suspect and rng.random() < 0.3 else 0)]
        return _Person(
            id=self.people,
            role=role,
            surname=surname,
            forenames=forenames,
            date_of_birth=born,
            gender=gender,
            ethnicity=ethnicity,
            pnc_id=self._pnc(born) if rng.random() < (0.5 if suspect else 0.08) else None,
            aliases=aliases,
            postcodes=list(dict.fromkeys(postcodes)),
            phones=phones,
            vehicles=vehicles,
            home=self.force,
            more=0,
        )

    def _written(self, person: _Person, ref: str) -> dict:
        """The person as this referral writes them: messy, partial, in its own format."""
        rng = self.rng
        if person.id in self.appearances:
            self.appearances[person.id].append((self.force, self.reference, ref))
        surname = person.surname
        roll = rng.random()
        if roll < 0.07:
            surname = _typo(rng, surname)
        elif roll < 0.13:
            surname = surname.upper()
        forenames = person.forenames
        first, _, rest = forenames.partition(" ")
        roll = rng.random()
        if roll < 0.15 and first in NICKNAMES:
            forenames = " ".join(filter(None, (rng.choice(NICKNAMES[first]), rest)))
        elif roll < 0.2:
            forenames = _typo(rng, forenames)
        elif roll < 0.27 and rest:
            forenames = first  # the middle name left out
        ethnicity = person.ethnicity if rng.random() > 0.3 else None
        identifiers = {
            "aliases": [a for a in person.aliases if rng.random() < 0.7],
            "pnc_id": (
                _pnc_written(rng, person.pnc_id) if person.pnc_id and rng.random() < 0.6 else None
            ),
            "postcodes": [
                _postcode_written(rng, p) for p in person.postcodes if rng.random() < 0.6
            ],
            "phones": [_phone_written(rng, p) for p in person.phones if rng.random() < 0.6],
            "vehicles": [_vehicle_written(rng, v) for v in person.vehicles if rng.random() < 0.6],
        }
        return {
            "ref": ref,
            "surname": surname,
            "forenames": forenames,
            "date_of_birth": _born_written(rng, person.date_of_birth),
            "gender": person.gender if rng.random() > 0.03 else "unknown",
            "ethnicity": ethnicity,
            "ethnicity_source": rng.choice(("self", "officer", "file")) if ethnicity else None,
            **identifiers,
        }

    def _draw(self, table) -> str:
        names, cumulative = table
        return self.rng.choices(names, cum_weights=cumulative)[0]

    def _postcode(self) -> str:
        rng = self.rng
        letters = "".join(rng.choices(_INWARD_LETTERS, k=2))
        return f"{rng.choice(POSTCODE_AREAS)}{rng.randint(1, 20)} {rng.randint(0, 9)}{letters}"

    def _vehicle(self) -> str:
        rng = self.rng
        letters = "ABCDEFGHJKLMNOPRSTUVWXY"
        return (
            "".join(rng.choices(letters, k=2))
            + f"{rng.choice((51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66))}"
            + " "
            + "".join(rng.choices(letters, k=3))
        )

    def _pnc(self, born: datetime.date) -> str:
        # Recorded when first arrested: some years after birth, at the latest 2024.
        year = min(born.year + self.rng.randint(14, 30), 2024) % 100
        number = (self.people * 7_654_321 + self.pnc_offset) % 10**7
        return f"{year:02d}/{number}{_PNC_CHECK[number % len(_PNC_CHECK)]}"


def _typo(rng: random.Random, text: str) -> str:
    """One slip of the keyboard: two letters swapped, one dropped or one doubled."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 2)
    kind = rng.randrange(3)
    if kind == 0 and text[i] != text[i + 1] and " " not in text[i : i + 2]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 1 and text[i] != " ":
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def _born_written(rng: random.Random, born: datetime.date) -> str | None:
    roll = rng.random()
    if roll < 0.08:
        return None
    if roll < 0.12 and born.day <= 12 and born.day != born.month:
        return datetime.date(born.year, born.day, born.month).isoformat()
    if roll < 0.16:
        year = born.year + rng.choice((-1, 1))
        day = min(born.day, 28) if born.month == 2 else born.day
        return datetime.date(year, born.month, day).isoformat()
    return born.isoformat()


def _pnc_written(rng: random.Random, pnc_id: str) -> str:
    """A PNC ID as written: sometimes with its number padded to seven digits."""
    if rng.random() < 0.2:
        year, rest = pnc_id.split("/")
        return f"{year}/{rest[:-1].zfill(7)}{rest[-1]}"
    return pnc_id


def _phone_written(rng: random.Random, phone: str) -> str:
    roll = rng.random()
    if roll < 0.2:
        return f"{phone[:5]} {phone[5:]}"
    if roll < 0.4:
        return "+44" + phone[1:]
    if roll < 0.45:
        return "+44 " + phone[1:5] + " " + phone[5:]
    return phone


def _postcode_written(rng: random.Random, postcode: str) -> str:
    return postcode.replace(" ", "") if rng.random() < 0.25 else postcode


def _vehicle_written(rng: random.Random, vehicle: str) -> str:
    return vehicle.replace(" ", "") if rng.random() < 0.25 else vehicle


def links_path_for(path: str | Path) -> Path:
    """Where the true links of a generated file are written: `x.json` -> `x.links.json`."""
    path = Path(path)
    if path.suffix == ".json":
        return path.with_suffix(".links.json")
    return path.with_name(path.name + ".links.json")


def referrals_generate_v2(
    *,
    count: int = REVIEW_REFERRALS,
    seed: int,
    forces: int = 23,
    rape: int | None = None,
    reference_prefix: str = "",
) -> ReferralsV2:
    """Version 2 referrals to iterate once; then `.clusters()` gives the true links."""
    if rape is None:
        rape = round(count * 236 / 1273)
    return ReferralsV2(
        count=count, seed=seed, forces=forces, rape=rape, reference_prefix=reference_prefix
    )


def generate_v2(
    path: str | Path,
    *,
    referrals: int = REVIEW_REFERRALS,
    seed: int,
    forces: int = 23,
    rape: int | None = None,
    reference_prefix: str = "",
) -> tuple[Path, Path]:
    """Write a version 2 file and its true links beside it; the same arguments, the same bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    drawn = referrals_generate_v2(
        count=referrals, seed=seed, forces=forces, rape=rape, reference_prefix=reference_prefix
    )
    with path.open("w", encoding="utf-8", newline="\n") as out:
        referral_file_write(out, iter(drawn), format=FORMAT_V2)
    links_path = links_path_for(path)
    with links_path.open("w", encoding="utf-8", newline="\n") as out:
        out.write('{"note": ' + json.dumps(LINKS_NOTE) + ', "clusters": [')
        for i, cluster in enumerate(drawn.clusters()):
            out.write(",\n" if i else "\n")
            out.write(json.dumps(cluster, ensure_ascii=False))
        out.write("\n]}\n")
    return path, links_path
