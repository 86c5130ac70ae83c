"""Names for search and for the duplicate check at registration.

People write "Zoë" and "Zoe", "Van der Berg" and "Berg, van der": compare
lower case, without diacritics and without tussenvoegsels.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

# Dutch tussenvoegsels that people sometimes type into the last name.
TUSSENVOEGSELS = frozenset({
    "van", "de", "der", "den", "het", "'t", "t", "te", "ter", "ten", "in", "op", "aan",
    "bij", "la", "le", "du", "des", "da", "di", "del", "dos", "el", "al", "von", "zu", "uit",
})

SIMILARITY = 0.85

# Letters that Unicode does not decompose into a base letter plus an accent.
_PLAIN = str.maketrans({"ı": "i", "İ": "i", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o",
                        "đ": "d", "Đ": "d", "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe"})


def fold(text: str | None) -> str:
    """Lower case, diacritics removed, only letters, digits and single spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = re.sub(r"[^a-z0-9' ]+", " ", plain)
    return " ".join(plain.split())


def core_last_name(last_name: str | None) -> str:
    """The last name without leading tussenvoegsels: "van der Berg" -> "berg"."""
    words = fold(last_name).split()
    while len(words) > 1 and words[0] in TUSSENVOEGSELS:
        words.pop(0)
    return " ".join(words)


def search_name(first_name: str, tussenvoegsel: str | None, last_name: str) -> str:
    """What the list search matches: folded first name, tussenvoegsel and last name."""
    return " ".join(p for p in (fold(first_name), fold(tussenvoegsel), fold(last_name)) if p)


def comparable(first_name: str, last_name: str) -> str:
    return f"{fold(first_name)} {core_last_name(last_name)}".strip()


def similar(first_a: str, last_a: str, first_b: str, last_b: str) -> bool:
    """Same core last name, or full names at least 85% alike (difflib ratio)."""
    if core_last_name(last_a) and core_last_name(last_a) == core_last_name(last_b):
        return True
    ratio = difflib.SequenceMatcher(None, comparable(first_a, last_a),
                                    comparable(first_b, last_b)).ratio()
    return ratio >= SIMILARITY
