"""The closed lists the sign-up offers: roles, fields, languages, availability and Skåne's 33 municipalities."""

from __future__ import annotations

from lce_utils.messages import pair


def _labels(prefix: str, keys: str) -> dict[str, tuple[str, str]]:
    """Each option's (Swedish, English) label, keys in order, from the catalogue's key <prefix>_<option>."""
    return {key: pair(f"{prefix}_{key}") for key in keys.split()}


ROLES = _labels("role", "mentor mentee mutual")
FIELDS = _labels("field", "music visual_arts performing_arts film games design literature cultural_heritage libraries "
                 "other")
# ISO 639-1 codes offered in the form (the store accepts any of these).
LANGUAGES = _labels("lang", "sv en da no fi de fr es ar fa pl bs hr sr so ti tr uk ru se")
AVAILABILITY = _labels("avail", "daytime evenings weekends")
SESSION_FORMATS = _labels("format", "in_person online phone")

# Skåne län: 33 municipalities (kommuner), in alphabetical order by Swedish collation.
MUNICIPALITIES: tuple[str, ...] = (
    "Bjuv", "Bromölla", "Burlöv", "Båstad", "Eslöv", "Helsingborg", "Hässleholm", "Höganäs", "Hörby",
    "Höör", "Klippan", "Kristianstad", "Kävlinge", "Landskrona", "Lomma", "Lund", "Malmö", "Osby",
    "Perstorp", "Simrishamn", "Sjöbo", "Skurup", "Staffanstorp", "Svalöv", "Svedala", "Tomelilla",
    "Trelleborg", "Vellinge", "Ystad", "Åstorp", "Ängelholm", "Örkelljunga", "Östra Göinge",
)

MAX_CAPACITY = 3
MAX_SKILLS = 10
LIMITS = {"name": 120, "email": 254, "organisation": 160, "skill": 60, "goals": 2000, "comment": 2000}


def label(options: dict[str, tuple[str, str]], key: str, lang: str = "sv") -> str:
    """The Swedish or English label of an option key."""
    sv, en = options[key]
    return sv if lang == "sv" else en


def choices(options: dict[str, tuple[str, str]], lang: str = "sv") -> list[tuple[str, str]]:
    """(label, key) pairs for an ipywidgets selection in the given language."""
    return [(label(options, key, lang), key) for key in options]
