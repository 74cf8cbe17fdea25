"""The seed's people: one person record per case party, as referral version 2 describes them.

Most people appear once. Some suspects (and fewer victims) appear again in other cases, as
one real person described by another file: the name spelt differently (a nickname, a typo,
capitals), the date of birth swapped, a year out or missing, and only some of the PNC ID,
phones, postcodes, vehicles and aliases the first file gave, written another way. So the
scale data has links for linkage to find and networks of cases for the pages to show.

Phones, postcodes and vehicles are numbered per real person, never drawn at random, so that
two people share one only when they are the same person: chance collisions among half a
million people would tie every case into one network. Aliases are street names, shared by
unrelated people as they are in life.
"""

import datetime
import functools
import random
from dataclasses import dataclass

from beaconport.scale import seed as plan
from cases.linkage.keys import identifier_key, phonetic
from cases.models import CaseParty, Person, PersonIdentifier
from cases.referrals.generator import ETHNICITIES

SURNAMES = (
    "Ahmed", "Ali", "Anderson", "Akhtar", "Bailey", "Baker", "Begum", "Bell", "Bennett",
    "Brooks", "Brown", "Butt", "Campbell", "Carter", "Chaudhry", "Clarke", "Collins", "Cook",
    "Cooper", "Cox", "Davies", "Dawson", "Dixon", "Edwards", "Ellis", "Evans", "Farooq",
    "Fisher", "Fletcher", "Foster", "Gill", "Graham", "Gray", "Green", "Griffiths", "Hall",
    "Harris", "Hart", "Hughes", "Hussain", "Iqbal", "Jackson", "James", "Javed", "Johnson",
    "Jones", "Kaur", "Kelly", "Khan", "King", "Kowalski", "Lee", "Lewis", "Lloyd", "Mahmood",
    "Malik", "Marshall", "Mason", "Mirza", "Mitchell", "Moore", "Morgan", "Morris", "Murphy",
    "Nawaz", "Nowak", "Okafor", "Owen", "Parker", "Patel", "Phillips", "Price", "Quinn",
    "Qureshi", "Rahman", "Rashid", "Reid", "Roberts", "Robinson", "Rogers", "Saleem", "Shah",
    "Sharif", "Shaw", "Singh", "Smith", "Stewart", "Taylor", "Thomas", "Thompson", "Turner",
    "Uddin", "Vance", "Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wood",
    "Wright", "Yousaf", "Young", "Zaman",
)  # fmt: skip
FORENAMES = (
    "Aisha", "Adam", "Amir", "Amy", "Ben", "Bilal", "Chloe", "Connor", "Daniel", "David",
    "Ella", "Emma", "Farhan", "Faisal", "Grace", "Hannah", "Hassan", "Imran", "Isla", "Jack",
    "James", "Jessica", "Kiran", "Kyle", "Leah", "Liam", "Lucy", "Mark", "Megan", "Michael",
    "Mohammed", "Naveed", "Niamh", "Nathan", "Oliver", "Paul", "Priya", "Rebecca", "Robert",
    "Ryan", "Sajid", "Sarah", "Shabir", "Sophie", "Stephen", "Tariq", "Thomas", "Usman",
    "William", "Yasmin", "Zara", "Zubair",
)  # fmt: skip
# What another file may call the same person.
NICKNAMES = {
    "Mohammed": ("Mo", "Mohammad", "Muhammad"), "Daniel": ("Danny", "Dan"),
    "Michael": ("Mike", "Mick"), "Robert": ("Rob", "Bob"), "William": ("Will", "Billy"),
    "James": ("Jim", "Jamie"), "Thomas": ("Tom", "Tommy"), "Stephen": ("Steve", "Steven"),
    "David": ("Dave",), "Nathan": ("Nate",), "Rebecca": ("Becky",), "Jessica": ("Jess",),
    "Hannah": ("Hanna",), "Sarah": ("Sara",), "Imran": ("Immy",), "Zubair": ("Zubi",),
}  # fmt: skip
ALIASES = (
    "Smudge", "Kaz", "Bigman", "Tiny", "Ginger", "Shorty", "Boss", "Prince", "Sparky",
    "Chalky", "Ace", "Taz", "Slim", "Jonno", "Mack", "Red", "Dizzy", "Rocky", "Bunny", "Nutty",
)  # fmt: skip
AREAS = (
    "LS", "BD", "HD", "WF", "HX", "M", "OL", "BL", "SK", "B", "WV", "DY", "S", "DN", "NG",
    "DE", "LE", "CV", "L", "WA", "PR", "BB", "NE", "SR", "TS", "HU", "YO", "OX", "RG", "LU",
)  # fmt: skip
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # as in an inward code
REPEATED_SUSPECTS = 0.12  # of suspects, the share that are someone already in another case
REPEATED_VICTIMS = 0.03
POOL = 20_000  # people per role who may appear again (bounds the seed's memory)
REUSE = 3  # how many more times one person may appear
PERSON_FIELDS = [
    "id", "surname", "forenames", "date_of_birth", "gender", "ethnicity", "ethnicity_source",
    "pnc_id", "surname_phonetic", "forenames_phonetic", "version",
]  # fmt: skip
PARTY_FIELDS = [
    "id", "case_id", "person_id", "role", "ref", "deceased", "interviewed",
    "age_at_first_offence", "version",
]  # fmt: skip


@dataclass
class Identity:
    """One real person as the seed knows them, whichever files describe them."""

    number: int
    surname: str
    forename: str
    born: datetime.date
    gender: str
    pnc: str
    phones: tuple[str, ...]
    postcodes: tuple[str, ...]
    vehicles: tuple[str, ...]
    aliases: tuple[str, ...]
    position: int  # the case it was first seen in
    left: int = REUSE


@functools.lru_cache(maxsize=4096)
def _phonetic(text: str) -> str:
    return phonetic(text)


def _spread(number: int, size: int) -> int:
    """A one-to-one shuffle of 0..size-1 (size a power of ten; the factor is coprime to it)."""
    return (number * 7919 + 12_345) % size


def _phone(number: int, rng: random.Random) -> str:
    digits = f"{_spread(number, 10**8):08d}"
    return rng.choice((f"077{digits[:2]} {digits[2:]}", f"+4477{digits}", f"077{digits}"))


def _postcode(number: int) -> str:
    n = _spread(number, 10**6)  # fewer than 30 * 30 * 10 * 20 * 20: one postcode each
    area = AREAS[n % len(AREAS)]
    n //= len(AREAS)
    district, n = n % 30 + 1, n // 30
    digit, n = n % 10, n // 10
    return f"{area}{district} {digit}{LETTERS[n % 20]}{LETTERS[n // 20 % 20]}"


def _vehicle(number: int) -> str:
    n = _spread(number, 10**6)  # fewer than 20**5: one mark each
    mark = "".join(LETTERS[(n // 20**i) % 20] for i in range(5))
    return f"{mark[:2]}{(n % 70) + 10:02d} {mark[2:]}"


def _identity(number: int, role: str, position: int, rng: random.Random) -> Identity:
    suspect = role == "suspect"
    born = 1950 if suspect else 1985
    return Identity(
        number=number,
        surname=rng.choice(SURNAMES),
        forename=rng.choice(FORENAMES),
        born=datetime.date(born, 1, 1) + datetime.timedelta(days=rng.randint(0, 9000)),
        gender=rng.choices(("female", "male", "unknown"), (85, 12, 3))[0]
        if not suspect
        else rng.choices(("female", "male", "other", "unknown"), (10, 80, 2, 8))[0],
        pnc=f"{rng.randint(80, 99)}/{number}{LETTERS[number % 20]}"
        if rng.random() < (0.35 if suspect else 0.05)
        else "",
        phones=tuple(_phone(number * 2 + i, rng) for i in range(rng.choice((0, 0, 1, 1, 2)))),
        postcodes=(_postcode(number),) if rng.random() < 0.5 else (),
        vehicles=(_vehicle(number),) if suspect and rng.random() < 0.2 else (),
        aliases=(rng.choice(ALIASES),) if suspect and rng.random() < 0.15 else (),
        position=position,
    )


def _typo(name: str, rng: random.Random) -> str:
    if len(name) < 4:
        return name
    i = rng.randint(1, len(name) - 2)
    if rng.random() < 0.5:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + name[i + 1 :]


def _described(who: Identity, again: bool, rng: random.Random):
    """How one file writes the person: exactly on first sight, with a file's noise after."""
    surname, forename, born = who.surname, who.forename, who.born
    phones, postcodes, vehicles, aliases, pnc = (
        who.phones, who.postcodes, who.vehicles, who.aliases, who.pnc,
    )  # fmt: skip
    if again:
        roll = rng.random()
        if roll < 0.2 and forename in NICKNAMES:
            forename = rng.choice(NICKNAMES[forename])
        elif roll < 0.32:
            forename = _typo(forename, rng)
        elif roll < 0.42:
            surname = _typo(surname, rng)
        if rng.random() < 0.1:
            surname = surname.upper()
        roll = rng.random()
        if roll < 0.06 and born.day <= 12:
            born = born.replace(month=born.day, day=born.month)
        elif roll < 0.12:
            born = born.replace(year=born.year + rng.choice((-1, 1)), day=min(born.day, 28))
        elif roll < 0.22:
            born = None
        keep = 0.6
        phones = tuple(
            _phone(who.number * 2 + i, rng) for i in range(len(phones)) if rng.random() < keep
        )
        postcodes = tuple(p.replace(" ", "").lower() for p in postcodes if rng.random() < keep)
        vehicles = tuple(v for v in vehicles if rng.random() < keep)
        aliases = tuple(a for a in aliases if rng.random() < keep)
        pnc = pnc if rng.random() < 0.7 else ""
    elif rng.random() < 0.08:
        born = None
    return (
        surname,
        forename,
        born,
        pnc,
        (
            [("phone", p) for p in phones]
            + [("postcode", p) for p in postcodes]
            + [("vehicle", v) for v in vehicles]
            + [("alias", a) for a in aliases]
        ),
    )


def write(seeding: plan.Seeding) -> None:
    """People, their identifiers and their parties: victims (V1, V2...) then suspects (S1...)
    of each case, one person record per party."""
    writer = seeding.writer
    first_party = writer.next_id(CaseParty)
    first_person = writer.next_id(Person)
    first_identifier = writer.next_id(PersonIdentifier)
    total = sum(seeding.case_victims) + sum(seeding.case_suspects)
    party_id = first_party
    for position, n_victims in enumerate(seeding.case_victims):
        seeding.case_first_party.append(party_id)
        for _ in range(n_victims):
            seeding.victims.append((party_id, position))
            party_id += 1
        party_id += seeding.case_suspects[position]
    offset = first_person - first_party

    def shape():
        """(party id, case position, role, ref) for every party in order."""
        for position, party in enumerate(seeding.case_first_party):
            for v in range(seeding.case_victims[position]):
                yield party + v, position, "victim", f"V{v + 1}"
            party += seeding.case_victims[position]
            for s in range(seeding.case_suspects[position]):
                yield party + s, position, "suspect", f"S{s + 1}"

    def records():
        """(person row, [(kind, value)]) per party; the same every time it is called, so the
        people and their identifiers are written in two passes without holding either."""
        rng = random.Random(f"{seeding.seed}:people")
        pools: dict[str, list[Identity]] = {"victim": [], "suspect": []}
        numbers = 0
        for party, position, role, _ in shape():
            pool = pools[role]
            share = REPEATED_SUSPECTS if role == "suspect" else REPEATED_VICTIMS
            who = None
            if pool and rng.random() < share:
                who = pool[rng.randrange(len(pool))]
                if who.position == position:
                    who = None
            if who is None:
                numbers += 1
                who = _identity(numbers, role, position, rng)
                again = False
                if len(pool) < POOL:
                    pool.append(who)
                else:
                    pool[rng.randrange(POOL)] = who
            else:
                again = True
                who.left -= 1
                if not who.left:
                    pool.remove(who)
            surname, forename, born, pnc, identifiers = _described(who, again, rng)
            ethnicity = rng.choice(ETHNICITIES) if rng.random() > 0.15 else None
            person = (
                party + offset,
                surname,
                forename,
                born,
                who.gender,
                ethnicity,
                rng.choice(("self", "officer", "file")) if ethnicity else None,
                pnc,
                _phonetic(surname)[:40],
                _phonetic(forename),
                1,
            )
            yield person, identifiers

    writer.write(
        Person,
        PERSON_FIELDS,
        (person for person, _ in records()),
        total=total,
        label="people",
    )

    def identifiers():
        pk = first_identifier
        for person, given in records():
            seen = set()
            for kind, value in given:
                key = identifier_key(kind, value)
                if key and (kind, key) not in seen:
                    seen.add((kind, key))
                    yield pk, person[0], kind, value, key
                    pk += 1

    writer.write(
        PersonIdentifier,
        ["id", "person_id", "kind", "value", "key"],
        identifiers(),
        label="person identifiers",
    )
    rng = random.Random(f"{seeding.seed}:parties")

    def deceased(position: int):
        """Dead or not, drawn; but all dead where the case fails "a suspect alive", and not
        known where that criterion is what leaves the case's eligibility unknown."""
        drawn = rng.random() < 0.08
        if seeding.case_odd_criterion[position] != "suspect_alive":
            return drawn
        return {"ineligible": True, "unknown": None}.get(seeding.case_eligibility[position], drawn)

    def parties():
        for party, position, role, ref in shape():
            suspect = role == "suspect"
            yield (
                party,
                seeding.case_ids[position],
                party + offset,
                role,
                ref,
                deceased(position) if suspect else None,
                rng.choice((True, False, None)) if suspect else None,
                None if suspect or rng.random() < 0.1 else rng.randint(10, 17),
                1,
            )

    writer.write(CaseParty, PARTY_FIELDS, parties(), total=total, label="parties")
