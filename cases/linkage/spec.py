"""What the linkage model compares and which pairs it looks at: Splink 5 settings as data.

Columns are those of `cases.linkage.frame` (one row per person record). Comparisons are
written as SQL levels so that what each level means is readable here and in the saved
model; Splink turns each level into a match weight (log2 of its m/u ratio).

Blocking: Splink scores only the pairs some rule lets through. Every rule holds
"different case" (two records of one file are two people, by the file's own account) and,
for the rules that propose links, "same role"; a narrow extra rule finds a suspect and a
victim who look alike so that a lead sees them, never linked. Every rule joins on an
equality (name codes, dates, identifiers), so the pairs grow with the records that share a
key, not with the square of the records.
"""

import csv
from functools import cache
from pathlib import Path

from cases.linkage import keys

VARIANTS_FILE = Path(__file__).parent / "data" / "forename_variants.csv"

# The PNC ID is decisive (referral format: the same PNC ID is the same person, a different
# one a different person). Its m and u are fixed, not trained: EM on this data drives them
# to extremes (weights of -40 and beyond). log2(m/u): same +12, different -13.
PNC_SAME = {"m_probability": 0.99988, "u_probability": 0.99988 / 2**12}
PNC_DIFFERENT = {"m_probability": 0.00012, "u_probability": 1 - 0.99988 / 2**12}


@cache
def forename_variants() -> dict[str, str]:
    """Each known forename, nickname or spelling -> its group's canonical form."""
    canonical = {}
    with VARIANTS_FILE.open(encoding="utf-8") as handle:
        lines = (line for line in handle if line.strip() and not line.startswith("#"))
        for row in csv.reader(lines):
            names = [keys.fold(name) for name in row if name.strip()]
            for name in names:
                canonical.setdefault(name, names[0])
    return canonical


def canonical_forename(forename: str) -> str:
    """The canonical form of a folded forename ("mo" -> "mohammed"), itself if unknown."""
    return forename_variants().get(forename, forename)


def _level(sql: str, label: str, *, null: bool = False, tf: str | None = None, **fixed) -> dict:
    level = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    if fixed:
        level.update(fixed)
        level["fix_m_probability"] = True
        level["fix_u_probability"] = True
    return level


def _else() -> dict:
    return {"sql_condition": "ELSE", "label_for_charts": "all other"}


SWAPPED_NAMES = "(forename1_l = surname_r AND surname_l = forename1_r)"

SURNAME = {
    "output_column_name": "surname",
    "comparison_description": "Surname: exact, swapped with forename, typo, phonetic",
    "comparison_levels": [
        _level("surname_l IS NULL OR surname_r IS NULL", "missing", null=True),
        _level("surname_l = surname_r", "exact", tf="surname"),
        _level(SWAPPED_NAMES, "swapped with forename"),
        _level("jaro_winkler_similarity(surname_l, surname_r) >= 0.92", "Jaro-Winkler >= 0.92"),
        _level("surname_ph_l = surname_ph_r", "same phonetic code"),
        _level("jaro_winkler_similarity(surname_l, surname_r) >= 0.8", "Jaro-Winkler >= 0.8"),
        _else(),
    ],
}

FORENAME = {
    "output_column_name": "forename",
    "comparison_description": "First forename: exact, nickname or variant, typo, phonetic",
    "comparison_levels": [
        _level("forename1_l IS NULL OR forename1_r IS NULL", "missing", null=True),
        _level("forename1_l = forename1_r", "exact", tf="forename1"),
        _level(SWAPPED_NAMES, "swapped with surname"),
        _level("forename_canon_l = forename_canon_r", "nickname or variant"),
        _level("jaro_winkler_similarity(forename1_l, forename1_r) >= 0.9", "Jaro-Winkler >= 0.9"),
        _level("forename_ph_l = forename_ph_r", "same phonetic code"),
        _level("jaro_winkler_similarity(forename1_l, forename1_r) >= 0.75", "Jaro-Winkler >= 0.75"),
        _else(),
    ],
}

DATE_OF_BIRTH = {
    "output_column_name": "date_of_birth",
    "comparison_description": "Date of birth: exact, day and month swapped, a year out",
    "comparison_levels": [
        _level("dob_l IS NULL OR dob_r IS NULL", "missing", null=True),
        _level("dob_l = dob_r", "exact"),
        _level("dob_swapped_l = dob_r", "day and month swapped"),
        _level("dob_md_l = dob_md_r AND abs(dob_year_l - dob_year_r) = 1", "year one out"),
        _level(
            "dob_year_l = dob_year_r AND (dob_md_l[1:2] = dob_md_r[1:2] "
            "OR dob_md_l[4:5] = dob_md_r[4:5])",
            "same year, day or month differs",
        ),
        _else(),
    ],
}

PNC_ID = {
    "output_column_name": "pnc_id",
    "comparison_description": "PNC ID: decisive both ways where both files give one",
    "comparison_levels": [
        _level("pnc_l IS NULL OR pnc_r IS NULL", "missing", null=True),
        _level("pnc_l = pnc_r", "same", **PNC_SAME),
        _level("ELSE", "different", **PNC_DIFFERENT),
    ],
}

ALIASES = {
    "output_column_name": "aliases",
    "comparison_description": "Aliases: shared alias, or one file's alias is the other's name",
    "comparison_levels": [
        _level(
            "(aliases_l IS NULL AND aliases_r IS NULL) OR ((aliases_l IS NULL OR aliases_r IS"
            " NULL) AND NOT (list_contains(coalesce(aliases_l, []), forename1_r)"
            " OR list_contains(coalesce(aliases_r, []), forename1_l)))",
            "missing",
            null=True,
        ),
        _level("len(list_intersect(aliases_l, aliases_r)) >= 1", "shared alias"),
        _level(
            "list_contains(coalesce(aliases_l, []), forename1_r)"
            " OR list_contains(coalesce(aliases_r, []), forename1_l)"
            " OR list_contains(coalesce(aliases_l, []), full_name_r)"
            " OR list_contains(coalesce(aliases_r, []), full_name_l)",
            "alias is the other's name",
        ),
        _else(),
    ],
}


def _identifiers(column: str, what: str) -> dict:
    return {
        "output_column_name": column,
        "comparison_description": f"{what}: any in common",
        "comparison_levels": [
            _level(f"{column}_l IS NULL OR {column}_r IS NULL", "missing", null=True),
            _level(f"len(list_intersect({column}_l, {column}_r)) >= 1", "one or more shared"),
            _else(),
        ],
    }


COMPARISONS = [
    SURNAME,
    FORENAME,
    DATE_OF_BIRTH,
    PNC_ID,
    ALIASES,
    _identifiers("postcodes", "Postcodes"),
    _identifiers("phones", "Phones"),
    _identifiers("vehicles", "Vehicles"),
]

# Every rule: two records of different cases; and, for the rules whose pairs may be
# linked, of one role.
DIFFERENT_CASE = "l.case_id <> r.case_id"
SAME_ROLE = "l.role = r.role"

# (name, condition, arrays to explode). Each is an equi-join on keys a true pair is
# likely to share even where a file misspells the name or the date.
LINKING_RULES = [
    ("pnc", "l.pnc = r.pnc", None),
    ("date of birth", "l.dob = r.dob", None),
    (
        "names and birth year",
        "l.surname_ph = r.surname_ph AND l.forename_canon = r.forename_canon "
        "AND l.dob_year = r.dob_year",
        None,
    ),
    # A missing date on one side each, so the database filters that side before the join.
    (
        "names, left date missing",
        "l.surname_ph = r.surname_ph AND l.forename_ph = r.forename_ph AND l.dob IS NULL",
        None,
    ),
    (
        "names, right date missing",
        "l.surname_ph = r.surname_ph AND l.forename_ph = r.forename_ph AND r.dob IS NULL",
        None,
    ),
    (
        "nickname, left date missing",
        "l.surname_ph = r.surname_ph AND l.forename_canon = r.forename_canon AND l.dob IS NULL",
        None,
    ),
    (
        "nickname, right date missing",
        "l.surname_ph = r.surname_ph AND l.forename_canon = r.forename_canon AND r.dob IS NULL",
        None,
    ),
    ("surname and day-month", "l.surname_ph = r.surname_ph AND l.dob_md = r.dob_md", None),
    ("day and month swapped", "l.dob_swapped = r.dob", None),
    ("forenames and surnames swapped", "l.forename1 = r.surname AND l.surname = r.forename1", None),
    ("phone", "l.phones = r.phones", ["phones"]),
    ("vehicle", "l.vehicles = r.vehicles", ["vehicles"]),
    (
        "postcode and surname code",
        "l.postcodes = r.postcodes AND l.surname_ph = r.surname_ph",
        ["postcodes"],
    ),
]

# A suspect and a victim (or witness) who look alike: found so that a lead sees them, scored,
# never linked. Narrow on purpose: same date of birth and a surname that sounds the same, or
# one PNC ID.
CROSS_ROLE_RULES = [
    ("cross-role look-alike", "l.dob = r.dob AND l.surname_ph = r.surname_ph", None),
    ("cross-role PNC", "l.pnc = r.pnc", None),
]

# Expectation maximisation runs once per rule; each rule's own columns are not estimated in
# its session, so between them every comparison's m values are.
TRAINING_RULES = [
    "l.dob = r.dob",
    "l.surname_ph = r.surname_ph AND l.forename_canon = r.forename_canon",
    "l.dob_year = r.dob_year AND l.forename_canon = r.forename_canon AND l.dob_md = r.dob_md",
]

# To estimate the prior (the chance two records are one person): near-certain matches,
# and how many of all true pairs they are thought to find.
DETERMINISTIC_RULES = [
    "l.pnc = r.pnc",
    "l.surname = r.surname AND l.forename1 = r.forename1 AND l.dob = r.dob",
]
DETERMINISTIC_RECALL = 0.7


def _rule(condition: str, arrays: list[str] | None, *, same_role: bool, new: str | None = None):
    parts = [condition, DIFFERENT_CASE, SAME_ROLE if same_role else "l.role <> r.role"]
    if new:
        parts.append(new)
    rule = {"blocking_rule": " AND ".join(f"({p})" for p in parts), "sql_dialect": "duckdb"}
    if arrays:
        rule["arrays_to_explode"] = arrays
    return rule


# In an incremental run each rule is written twice, with the new record on the left and then
# on the right, so that the database keeps only the new records on one side of each join
# (a filter on one side is pushed below the join; "l.is_new OR r.is_new" is not).
NEW_SIDES = ("l.is_new", "r.is_new AND NOT l.is_new")


def blocking_rules(*, incremental: bool) -> list[dict]:
    """The rules that choose the pairs to score: linking rules, then cross-role rules."""
    rules = [(c, a, True) for _, c, a in LINKING_RULES]
    rules += [(c, a, False) for _, c, a in CROSS_ROLE_RULES]
    if not incremental:
        return [_rule(c, a, same_role=same) for c, a, same in rules]
    return [_rule(c, a, same_role=same, new=new) for c, a, same in rules for new in NEW_SIDES]


def pnc_blocking_rules(*, incremental: bool) -> list[dict]:
    """The rules that pair records holding one PNC ID (same role, and suspect/victim): the
    pairs `link_people` keeps whatever the rest of the comparison says, since one PNC ID is
    one person (`cases.linkage.engine.pnc_pairs_score`)."""
    pnc = [(c, a, True) for name, c, a in LINKING_RULES if name == "pnc"]
    pnc += [(c, a, False) for name, c, a in CROSS_ROLE_RULES if name == "cross-role PNC"]
    if not incremental:
        return [_rule(c, a, same_role=same) for c, a, same in pnc]
    return [_rule(c, a, same_role=same, new=new) for c, a, same in pnc for new in NEW_SIDES]


def training_rule(condition: str) -> str:
    """A training rule: like a linking rule, within one role and across cases."""
    return f"({condition}) AND ({DIFFERENT_CASE}) AND ({SAME_ROLE})"


def settings(*, incremental: bool = False) -> dict:
    """The Splink settings of a new, untrained model."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-4,
        "blocking_rules_to_generate_predictions": blocking_rules(incremental=incremental),
        "comparisons": COMPARISONS,
        # The compared values stay inside Splink's database; they give each pair's levels.
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": ["role", "case_id"],
        "em_convergence": 0.001,
        "max_iterations": 25,
    }
