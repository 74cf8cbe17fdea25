"""Normal forms of what files say about a person, so that two files' spellings compare.

Import, linkage, search and networks all compare these keys, never the values as written:
a phone written "07700 900 123" in one file and "+447700900123" in another is one phone.
"""

import re
import unicodedata

import jellyfish

_NOT_LETTERS = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
_NOT_DIGITS = re.compile(r"\D+")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
# A PNC ID: the year (two digits, or four: "2001/..." is "01/..."), a slash, up to seven
# digits, a check letter ("98/1234567X").
_PNC = re.compile(r"^(?:\d{2})?(\d{2})/?0*(\d{1,7})([A-Z])$")


def fold(text: str | None) -> str:
    """Lower case, accents removed, letters and single spaces only ("O'Brien" -> "obrien")."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("'", "").replace("\u2019", "").replace("-", " ")
    return _SPACES.sub(" ", _NOT_LETTERS.sub(" ", text)).strip()


def phonetic(text: str | None) -> str:
    """The phonetic code (Metaphone) of each word, space-separated ("Mohammed" -> "MHMT")."""
    return " ".join(jellyfish.metaphone(word) for word in fold(text).split())[:120]


def name_key(text: str | None) -> str:
    """A name to compare: folded (see `fold`)."""
    return fold(text)


def pnc_key(value: str | None) -> str:
    """A PNC ID in one form, "YY/NC" with the number unpadded; "" if it is not one.

    "2001/0213875K" and "01/213875k" are the same ID, "01/213875K".
    """
    if not value:
        return ""
    match = _PNC.match(value.upper().replace(" ", ""))
    if not match:
        return ""
    year, number, check = match.groups()
    return f"{year}/{int(number)}{check}"


def phone_key(value: str | None) -> str:
    """A UK phone number as national digits ("+44 7700 900123" -> "07700900123")."""
    digits = _NOT_DIGITS.sub("", value or "")
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and len(digits) >= 12:
        digits = "0" + digits[2:]
    return digits


def postcode_key(value: str | None) -> str:
    """A UK postcode upper case with one space before the inward code ("ls11aa" -> "LS1 1AA")."""
    text = _NOT_ALNUM.sub("", (value or "").upper())
    if len(text) < 5:
        return text
    return f"{text[:-3]} {text[-3:]}"


def vehicle_key(value: str | None) -> str:
    """A registration mark upper case without spaces ("ab12 cde" -> "AB12CDE")."""
    return _NOT_ALNUM.sub("", (value or "").upper())


def alias_key(value: str | None) -> str:
    """An alias folded like a name."""
    return fold(value)


KEY_OF_KIND = {
    "alias": alias_key,
    "postcode": postcode_key,
    "phone": phone_key,
    "vehicle": vehicle_key,
}


def identifier_key(kind: str, value: str | None) -> str:
    """The normal form of an identifier of the given kind (`IdentifierKind`)."""
    return KEY_OF_KIND[kind](value)


SURNAME_PHONETIC_LENGTH = 40  # Person.surname_phonetic's column
FORENAMES_PHONETIC_LENGTH = 120  # Person.forenames_phonetic's column


def name_phonetics(surname: str | None, forenames: str | None) -> dict[str, str]:
    """A person's `surname_phonetic` and `forenames_phonetic`, cut to their columns.

    Every writer of a person's names sets both from this, so search and linkage blocks
    never meet a person whose codes are missing or stale.
    """
    return {
        "surname_phonetic": phonetic(surname)[:SURNAME_PHONETIC_LENGTH].rstrip(),
        "forenames_phonetic": phonetic(forenames)[:FORENAMES_PHONETIC_LENGTH].rstrip(),
    }
