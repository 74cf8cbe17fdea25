"""Searching the person index: by name (fuzzy and phonetic), alias, PNC ID, phone, vehicle or
postcode, only among the records the user may see.

A record is a case party (`CaseParty` with its `Person`). The search reads the records on
`cases_visible_to(user)` and nothing else; a victim's record is found only by those assigned
to its case (`granted_case_ids`), so a lead never learns, by searching a name, which case a
victim is in. Results are grouped by nominal: records linked into one person come back as one
result ("one person, 3 records in 2 cases"), counting only records in the user's scope.

On PostgreSQL names and aliases match by trigram similarity (pg_trgm, indexed by migration
0009) or by phonetic code, and rank by similarity; elsewhere (SQLite) by phonetic code or
LIKE, with the same result shape. Candidates come from one UNION of index probes (name
indexes, identifier keys, PNC ID) before the scope and the ranking are applied, so the cost
follows the matches, not the size of the index. A page costs a fixed number of queries: the
count (capped), the page of groups, their records, and the audit row.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections, router
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models import Case as CaseWhen
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat, Greatest, Lower

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.linkage import keys
from cases.models import CaseParty, Person, PersonIdentifier
from cases.permissions import (
    granted_case_ids,
    leads_cases,
    led_force_ids,
    searches_people,
    sees_all_cases,
)
from cases.vocabulary import IdentifierKind, PartyRole

PAGE_SIZE = 20
# Beyond this many matching people the count stops ("more than 200"): the pages still go as
# far, and a longer name or an identifier narrows the search.
COUNT_LIMIT = 200
MAX_WORDS = 4
# The most records a name search ranks (the best by name in the user's scope): what bounds
# the cost of a common surname.
NAME_CANDIDATES = 500
QUERY_MAX_LENGTH = 100

ANY = "any"
NAME = "name"
PNC = "pnc"
KINDS = [
    (ANY, "Anything"),
    (NAME, "Name"),
    (IdentifierKind.ALIAS.value, "Alias"),
    (PNC, "PNC ID"),
    (IdentifierKind.PHONE.value, "Phone"),
    (IdentifierKind.VEHICLE.value, "Vehicle"),
    (IdentifierKind.POSTCODE.value, "Postcode"),
]
KIND_LABELS = dict(KINDS)

# How much each kind of match weighs in the ranking: a PNC ID is decisive, a phone or a
# vehicle nearly so, a postcode is shared by a household or a street. A name's weight is its
# similarity (0 to 1) plus a little for each phonetic code in common (at most 1.5).
WEIGHT = {
    PNC: 3.0,
    IdentifierKind.PHONE.value: 2.5,
    IdentifierKind.VEHICLE.value: 2.5,
    IdentifierKind.ALIAS.value: 2.0,
    IdentifierKind.POSTCODE.value: 1.0,
}

_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")
_VEHICLE = re.compile(r"^(?=.*[A-Z])(?=.*\d)[A-Z0-9]{2,8}$")
_LETTERS = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Query:
    """What a search text asks for: the name words and the identifier keys it can be."""

    text: str
    kind: str = ANY
    words: tuple[str, ...] = ()  # folded name words of two letters or more
    codes: tuple[str, ...] = ()  # their phonetic codes
    pnc: str = ""
    identifiers: tuple[tuple[str, str], ...] = ()  # (kind, key) to look up exactly
    alias: str = ""  # the folded text, for a fuzzy alias match

    @property
    def empty(self) -> bool:
        return not (self.words or self.pnc or self.identifiers)

    @property
    def searched(self) -> list[str]:
        """The kinds of match tried, for the page and the audit row (never the text)."""
        tried = [NAME] if self.words else []
        tried += [IdentifierKind.ALIAS.value] if self.alias else []
        tried += [PNC] if self.pnc else []
        tried += [kind for kind, _ in self.identifiers if kind != IdentifierKind.ALIAS.value]
        return tried


def query_parse(text: str, kind: str = ANY) -> Query:
    """Read a search text as a name, an alias, a PNC ID, a phone, a vehicle or a postcode.

    With kind "any", the text is tried as every kind it could be: "07700 900123" as a phone,
    "LS1 1AA" as a postcode, "98/1234X" as a PNC ID, "Mohammed Iqbal" as a name and an alias.
    """
    text = (text or "").strip()[:QUERY_MAX_LENGTH]
    kind = kind if kind in KIND_LABELS else ANY
    found: dict = {"text": text, "kind": kind}
    has_letters = bool(_LETTERS.search(text))
    compact = re.sub(r"[^A-Z0-9]", "", text.upper())
    if kind in (ANY, NAME, IdentifierKind.ALIAS.value) and has_letters:
        words = tuple(dict.fromkeys(w for w in keys.fold(text).split() if len(w) >= 2))
        words = words[:MAX_WORDS]
        if kind in (ANY, NAME) and words:
            found["words"] = words
            found["codes"] = tuple(dict.fromkeys(code for w in words if (code := keys.phonetic(w))))
        if kind in (ANY, IdentifierKind.ALIAS.value) and words:
            found["alias"] = keys.alias_key(text)
    identifiers = []
    if kind in (ANY, PNC):
        found["pnc"] = keys.pnc_key(text)
    if kind in (ANY, IdentifierKind.PHONE.value):
        digits = keys.phone_key(text)
        if 6 <= len(digits) <= 15 and (kind != ANY or not has_letters):
            identifiers.append((IdentifierKind.PHONE.value, digits))
    if kind in (ANY, IdentifierKind.POSTCODE.value) and (
        _POSTCODE.match(compact) or (kind != ANY and len(compact) >= 5)
    ):
        identifiers.append((IdentifierKind.POSTCODE.value, keys.postcode_key(text)))
    if kind in (ANY, IdentifierKind.VEHICLE.value) and (
        _VEHICLE.match(compact) or (kind != ANY and compact)
    ):
        identifiers.append((IdentifierKind.VEHICLE.value, keys.vehicle_key(text)))
    if found.get("alias"):
        identifiers.append((IdentifierKind.ALIAS.value, found["alias"]))
    found["identifiers"] = tuple(identifiers)
    return Query(**found)


# --- SQL pieces ------------------------------------------------------------------------------


class _Similarity(Func):
    """pg_trgm's similarity(a, b): 0 to 1."""

    function = "similarity"
    output_field = FloatField()


class _Similar(Func):
    """pg_trgm's `a % b`: similar above pg_trgm.similarity_threshold (0.3); GIN-indexed."""

    arg_joiner = " %% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class _WordSimilar(Func):
    """pg_trgm's `word <% text`: the word is like some part of the text (threshold 0.6)."""

    arg_joiner = " <%% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def uses_trigrams(using: str) -> bool:
    """Whether the database ranks by trigram similarity (PostgreSQL), else the fallback."""
    return connections[using].vendor == "postgresql"


def _name_condition(query: Query, *, trigram: bool, prefix: str = "") -> Q:
    """The records whose name matches any word of the query (fuzzy or phonetic)."""
    surname, forenames = F(f"{prefix}surname"), F(f"{prefix}forenames")
    condition = Q(**{f"{prefix}surname_phonetic__in": query.codes}) if query.codes else Q()
    for word in query.words:
        if trigram:
            condition |= Q(_Similar(Lower(surname), Value(word)))
            condition |= Q(_WordSimilar(Value(word), Lower(forenames)))
        else:
            condition |= Q(**{f"{prefix}surname__icontains": word})
            condition |= Q(**{f"{prefix}forenames__icontains": word})
    for code in query.codes:
        condition |= Q(**{f"{prefix}forenames_phonetic": code})
        condition |= Q(**{f"{prefix}forenames_phonetic__startswith": f"{code} "})
    return condition


def _name_score(query: Query, *, trigram: bool, prefix: str = ""):
    """How well the name matches: similarity (or its fallback) plus phonetic agreement."""
    surname, forenames = F(f"{prefix}surname"), F(f"{prefix}forenames")
    phonetic = Value(0.0)
    if query.codes:
        phonetic = CaseWhen(
            When(Q(**{f"{prefix}surname_phonetic__in": query.codes}), then=Value(0.3)),
            default=Value(0.0),
            output_field=FloatField(),
        ) + CaseWhen(
            When(
                Q(**{f"{prefix}forenames_phonetic__in": query.codes})
                | Q(
                    *[
                        Q(**{f"{prefix}forenames_phonetic__startswith": f"{c} "})
                        for c in query.codes
                    ],
                    _connector=Q.OR,
                ),
                then=Value(0.2),
            ),
            default=Value(0.0),
            output_field=FloatField(),
        )
    if trigram:
        full = Lower(Concat(forenames, Value(" "), surname))
        similar = _Similarity(full, Value(" ".join(query.words)))
    else:
        # Without trigrams: an exact surname is worth most, a surname or forename containing
        # a word of the query less.
        similar = Value(0.0)
        for word in query.words:
            similar = Greatest(
                similar,
                CaseWhen(
                    When(Q(**{f"{prefix}surname__iexact": word}), then=Value(0.7)),
                    When(Q(**{f"{prefix}surname__icontains": word}), then=Value(0.5)),
                    When(Q(**{f"{prefix}forenames__icontains": word}), then=Value(0.4)),
                    default=Value(0.0),
                    output_field=FloatField(),
                ),
            )
    return similar + phonetic


def _alias_condition(query: Query, *, trigram: bool) -> Q:
    """Aliases like the text: the same key, or (PostgreSQL) a similar one."""
    condition = Q(key=query.alias)
    if trigram:
        condition |= Q(_Similar(F("key"), Value(query.alias)))
    return Q(kind=IdentifierKind.ALIAS.value) & condition


def _candidate_sql(
    query: Query, *, trigram: bool, using: str, scope: QuerySet[CaseParty]
) -> tuple[str, list]:
    """SQL for the ids of the people that match, one UNION of index probes, with params.

    Names are the only broad match (a common surname may be thousands of records): within
    the user's scope, the NAME_CANDIDATES best by name are kept, so a page never ranks more
    than that many. Identifiers are exact (or an alias's near spelling) and kept whole.
    """
    parts = []
    if query.words:
        named = (
            scope.using(using)
            .filter(_name_condition(query, trigram=trigram, prefix="person__"))
            .annotate(name_score=_name_score(query, trigram=trigram, prefix="person__"))
            .order_by("-name_score", "person_id")
            .values("person_id")[:NAME_CANDIDATES]
        )
        sql, params = named.query.sql_with_params()
        # A LIMIT inside a UNION needs its own SELECT (SQLite allows no parentheses there).
        parts.append((f"SELECT named.person_id FROM ({sql}) named", params))  # noqa: S608
    if query.pnc:
        parts.append(Person.objects.using(using).filter(pnc_id=query.pnc).values("pk").order_by())
    identifiers = PersonIdentifier.objects.using(using)
    for kind, key in query.identifiers:
        if kind == IdentifierKind.ALIAS.value:
            parts.append(
                identifiers.filter(_alias_condition(query, trigram=trigram))
                .values("person_id")
                .order_by()
            )
        elif key:
            parts.append(identifiers.filter(kind=kind, key=key).values("person_id").order_by())
    pieces, params = [], []
    for part in parts:
        sql, part_params = part if isinstance(part, tuple) else part.query.sql_with_params()
        pieces.append(sql)
        params.extend(part_params)
    return " UNION ".join(pieces), params


def _identifier_match(kind: str, key: str, query: Query, *, trigram: bool):
    """Whether the record's person has this identifier (an EXISTS on the key index)."""
    rows = PersonIdentifier.objects.filter(person=OuterRef("person"))
    if kind == IdentifierKind.ALIAS.value:
        return Exists(rows.filter(_alias_condition(query, trigram=trigram)))
    return Exists(rows.filter(kind=kind, key=key))


def _matches(query: Query, *, trigram: bool) -> dict:
    """{kind: boolean expression} for each kind of match the query tries, per record."""
    matches = {}
    if query.words:
        matches[NAME] = _name_condition(query, trigram=trigram, prefix="person__")
    if query.pnc:
        matches[PNC] = Q(person__pnc_id=query.pnc)
    for kind, key in query.identifiers:
        if key:
            matches[kind] = _identifier_match(kind, key, query, trigram=trigram)
    return matches


def _score(query: Query, *, trigram: bool):
    """The record's rank: the best of its matches' weights."""
    scores = []
    if query.words:
        scores.append(_name_score(query, trigram=trigram, prefix="person__"))
    for kind, condition in _matches(query, trigram=trigram).items():
        if kind == NAME:
            continue
        when = condition if isinstance(condition, Q) else Q(condition)
        scores.append(
            CaseWhen(
                When(when, then=Value(WEIGHT[kind])), default=Value(0.0), output_field=FloatField()
            )
        )
    if len(scores) == 1:
        return scores[0]
    return Greatest(*scores, output_field=FloatField())


# --- the search ------------------------------------------------------------------------------


def records_searchable_by(user) -> QuerySet[CaseParty]:
    """The records the user may find: on cases they see; victims only on cases they are
    assigned to (a victim's name goes to no one else, and neither does where it appears).

    The same scope as `cases_visible_to`, written on the records' own case column (the
    request's grants as one array, a lead's forces), so the planner probes the records of
    those cases by index instead of scanning every record against a list of cases.
    """
    if not searches_people(user):
        return CaseParty.objects.none()
    granted = granted_case_ids(user, "view_case")
    if sees_all_cases(user):
        scope = Q()
    else:
        scope = Q(pk__in=[])
        if leads_cases(user):
            scope |= Q(case__force_id__in=led_force_ids(user))
        if granted:
            scope |= Q(case__pk__any_of=granted)
    victims = Q(case__pk__any_of=granted) if granted else Q(pk__in=[])
    return CaseParty.objects.filter(scope).filter(~Q(role=PartyRole.VICTIM) | victims)


def search_matches(
    user, query: Query, *, using: str | None = None, trigram: bool | None = None
) -> QuerySet[CaseParty]:
    """The records in the user's scope that match, each with `score` and `group` (its
    nominal's id, or minus its own id for a record linked to no one).

    `trigram` False forces the fallback (phonetic code and LIKE) that other databases get;
    its SQL is portable, so the tests run it on PostgreSQL too.
    """
    if query.empty:
        return CaseParty.objects.none()
    using = using or router.db_for_read(CaseParty)
    trigram = uses_trigrams(using) if trigram is None else trigram
    scope = records_searchable_by(user)
    try:
        sql, params = _candidate_sql(query, trigram=trigram, using=using, scope=scope)
    except EmptyResultSet:  # a scope of nothing (no cases, or no search at all)
        return CaseParty.objects.none()
    return (
        scope.using(using)
        # The SQL is Django's own, compiled above; every value in it stays a bound parameter.
        .filter(person_id__in=RawSQL(sql, params))  # noqa: S611
        .annotate(
            score=_score(query, trigram=trigram),
            group=Coalesce(F("resolution__nominal_id"), -F("pk"), output_field=IntegerField()),
        )
    )


@dataclass
class Record:
    """One record shown: where it is, and its name only if the user may see names there."""

    party: CaseParty
    name: str | None
    born: str | None
    matched_on: list[str]


@dataclass
class Result:
    """One person found: a nominal's records in the user's scope, or a single record."""

    nominal_id: int | None
    score: float
    records: list[Record] = field(default_factory=list)

    @property
    def case_count(self) -> int:
        return len({record.party.case_id for record in self.records})

    @property
    def role(self) -> str:
        return self.records[0].party.get_role_display() if self.records else ""


@dataclass
class SearchPage:
    query: Query
    results: list[Result]
    page: object  # django.core.paginator.Page over the groups
    more_than: int | None

    @property
    def record_ids(self) -> list[int]:
        return [record.party.pk for result in self.results for record in result.records]


def person_search(user, query: Query, *, page: int | str = 1, exclude_case=None) -> SearchPage:
    """A page of people matching the query in the user's scope, best first, grouped by nominal.

    Two queries whatever the index holds (after the request's scope, read once): the page of
    groups with the number of people found (`_page_of_groups`), and the records of those
    groups in scope (with their cases and forces); the caller logs what was shown
    (`search_shown`).
    """
    using = router.db_for_read(CaseParty)
    trigram = uses_trigrams(using)
    matches = search_matches(user, query, using=using)
    if exclude_case is not None:
        matches = matches.exclude(case=exclude_case)
    groups = matches.values("group").annotate(best=Max("score")).order_by("-best", "group")
    current, count = _page_of_groups(groups, page, empty=query.empty)
    rows = list(current.object_list)
    best = {row["group"]: row["best"] for row in rows}
    nominal_ids = [g for g in best if g > 0]
    single_ids = [-g for g in best if g < 0]
    records = []
    if rows:
        members = records_searchable_by(user).filter(
            Q(resolution__nominal_id__in=nominal_ids) | Q(pk__in=single_ids)
        )
        if exclude_case is not None:
            members = members.exclude(case=exclude_case)
        flags = {
            f"on_{kind}": (
                CaseWhen(
                    When(c, then=Value(True)), default=Value(False), output_field=BooleanField()
                )
                if isinstance(c, Q)
                else c
            )
            for kind, c in _matches(query, trigram=trigram).items()
        }
        records = list(
            members.select_related("person", "case__force")
            .annotate(
                group=Coalesce(F("resolution__nominal_id"), -F("pk"), output_field=IntegerField()),
                **flags,
            )
            .order_by("case_id", "ref")
        )
    named = granted_case_ids(user, "view_case") if user.is_authenticated else frozenset()
    results = {g: Result(nominal_id=g if g > 0 else None, score=s) for g, s in best.items()}
    for party in records:
        shows_name = party.case_id in named
        results[party.group].records.append(
            Record(
                party=party,
                name=party.person.full_name if shows_name else None,
                born=(
                    party.person.date_of_birth.isoformat()
                    if shows_name and party.person.date_of_birth
                    else None
                ),
                matched_on=[
                    KIND_LABELS[kind]
                    for kind in (NAME, *WEIGHT)
                    if getattr(party, f"on_{kind}", False)
                ],
            )
        )
    return SearchPage(
        query=query,
        results=[results[row["group"]] for row in rows if results[row["group"]].records],
        page=current,
        more_than=COUNT_LIMIT if count > COUNT_LIMIT else None,
    )


def _page_of_groups(groups: QuerySet, page, *, empty: bool) -> tuple[Page, int]:
    """The page of groups asked for and how many groups there are, in one query.

    Each row carries the number of groups (`COUNT(*) OVER ()`), so the candidates (a common
    name's ranking is most of a search's cost) are found once, not again for a count. The
    groups are few (at most NAME_CANDIDATES by name, plus exact identifiers), so counting
    them all costs nothing more. Only a page past the end (a stale or altered form) costs a
    count and the last page: what `Paginator.get_page` answers.
    """
    paginator = Paginator(groups, PAGE_SIZE)
    if empty:
        paginator.count = 0
        return Page([], 1, paginator), 0
    try:
        number = int(page)
    except (TypeError, ValueError):
        number = 1
    last = -(-COUNT_LIMIT // PAGE_SIZE)
    if 1 <= number <= last:
        counted = groups.annotate(found=Window(Count("*")))
        start = (number - 1) * PAGE_SIZE
        rows = list(counted[start : start + PAGE_SIZE])
        if rows or number == 1:
            count = rows[0]["found"] if rows else 0
            paginator.count = min(count, COUNT_LIMIT)
            return Page(rows, number, paginator), count
    count = groups.order_by()[: COUNT_LIMIT + 1].count()
    paginator.count = min(count, COUNT_LIMIT)
    current = paginator.get_page(number)
    return Page(list(current.object_list), current.number, paginator), count


def query_digest(query: Query) -> str:
    """A keyed digest of what was searched: an auditor who is told a name can check whether
    it was searched (with the key, held by the system), but cannot read it from the log."""
    message = f"{query.kind}:{keys.fold(query.text)}:{query.text.upper()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def search_shown(user, result: SearchPage, *, case=None) -> None:
    """Log the search as a read: one consult row naming every record shown.

    The search text is never logged: it is a name, a phone or a victim's alias, which the
    audit library keeps out of the log everywhere else. The row says which kinds of match
    were tried and carries a keyed digest of the text.
    """
    tried = ", ".join(KIND_LABELS[kind] for kind in result.query.searched) or "nothing"
    audit_record(
        operation=Operation.CONSULT,
        ids=result.record_ids,
        object_type="cases.caseparty",
        actor=user,
        case=case,
        purpose=f"person search by {tried.lower()} (query digest {query_digest(result.query)})",
    )
