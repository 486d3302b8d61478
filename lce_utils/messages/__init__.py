"""The one bilingual message catalogue: every text a learner, form user, report reader or CLI user sees, by key,
in Swedish (the default) and English.

Each part keeps its texts in its own table here (messages/<part>.py, a dict key -> (sv, en)); they are merged into
one TEXT at import, and a key defined in two tables is refused. Code never writes Swedish text inline: it asks for
a key with t() (one language, for surfaces where the user chose one), both() (one line, Swedish then English: CLI
errors and logs) or pair() (the two separately, e.g. for HTML that marks the English part lang="en").
tests/test_messages.py checks that every key has both languages with the same {placeholders}, and that every key
the code asks for exists."""

from __future__ import annotations

import string
from types import ModuleType

from lce_utils.messages import common, courses, feedback, knowledge, labs, mentorship, programme, reports

LANGS = ("sv", "en")

TABLES: tuple[ModuleType, ...] = (mentorship, common, feedback, programme, labs, courses, reports, knowledge)


def _merge(tables: tuple[ModuleType, ...]) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for table in tables:
        for key, texts in table.TEXT.items():
            if key in merged:
                raise ValueError(f"message key {key!r} is defined twice (second time in {table.__name__})")
            merged[key] = texts
    return merged


TEXT: dict[str, tuple[str, str]] = _merge(TABLES)


def t(key: str, lang: str = "sv", **params: object) -> str:
    """The text for key in lang ('sv' or 'en'; anything else is Swedish), with {params} filled in."""
    sv, en = TEXT[key]
    text = en if lang == "en" else sv
    return text.format(**params) if params else text


def tn(key: str, n: int, lang: str = "sv", **params: object) -> str:
    """The text for a count n: key + "_one" when n is 1 (Swedish and English agree on that), else key."""
    return t(f"{key}_one" if n == 1 and f"{key}_one" in TEXT else key, lang, n=n, **params)


def pair(key: str, **params: object) -> tuple[str, str]:
    """The Swedish and the English text for key, filled in."""
    return t(key, "sv", **params), t(key, "en", **params)


def both(key: str, **params: object) -> str:
    """Swedish and English on one line ('svenska / English'): errors and messages outside a chosen language."""
    sv, en = pair(key, **params)
    return f"{sv} / {en}"


def number(value: float, lang: str = "sv") -> str:
    """A number as the language writes it: 7,5 in Swedish, 7.5 in English (no trailing zeros)."""
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "sv" else text


def placeholders(text: str) -> set[str]:
    """The {names} a text fills in."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
