"""The closed lists the sign-up offers: roles, fields, languages, availability and Skåne's 33 municipalities."""

from __future__ import annotations

ROLES: dict[str, tuple[str, str]] = {
    "mentor": ("Mentor", "Mentor"),
    "mentee": ("Adept (vill ha en mentor)", "Mentee (looking for a mentor)"),
    "mutual": ("Ömsesidigt mentorskap", "Mutual mentoring"),
}

FIELDS: dict[str, tuple[str, str]] = {
    "music": ("Musik", "Music"),
    "visual_arts": ("Bildkonst", "Visual arts"),
    "performing_arts": ("Scenkonst", "Performing arts"),
    "film": ("Film", "Film"),
    "games": ("Spel", "Games"),
    "design": ("Design", "Design"),
    "literature": ("Litteratur", "Literature"),
    "cultural_heritage": ("Kulturarv", "Cultural heritage"),
    "libraries": ("Bibliotek", "Libraries"),
    "other": ("Annat", "Other"),
}

# ISO 639-1 codes offered in the form (the store accepts any of these).
LANGUAGES: dict[str, tuple[str, str]] = {
    "sv": ("svenska", "Swedish"),
    "en": ("engelska", "English"),
    "da": ("danska", "Danish"),
    "no": ("norska", "Norwegian"),
    "fi": ("finska", "Finnish"),
    "de": ("tyska", "German"),
    "fr": ("franska", "French"),
    "es": ("spanska", "Spanish"),
    "ar": ("arabiska", "Arabic"),
    "fa": ("persiska", "Persian"),
    "pl": ("polska", "Polish"),
    "bs": ("bosniska", "Bosnian"),
    "hr": ("kroatiska", "Croatian"),
    "sr": ("serbiska", "Serbian"),
    "so": ("somaliska", "Somali"),
    "ti": ("tigrinja", "Tigrinya"),
    "tr": ("turkiska", "Turkish"),
    "uk": ("ukrainska", "Ukrainian"),
    "ru": ("ryska", "Russian"),
    "se": ("nordsamiska", "Northern Sami"),
}

AVAILABILITY: dict[str, tuple[str, str]] = {
    "daytime": ("Dagtid", "Daytime"),
    "evenings": ("Kvällar", "Evenings"),
    "weekends": ("Helger", "Weekends"),
}

# Skåne län: 33 municipalities (kommuner), in alphabetical order by Swedish collation.
MUNICIPALITIES: tuple[str, ...] = (
    "Bjuv", "Bromölla", "Burlöv", "Båstad", "Eslöv", "Helsingborg", "Hässleholm", "Höganäs", "Hörby",
    "Höör", "Klippan", "Kristianstad", "Kävlinge", "Landskrona", "Lomma", "Lund", "Malmö", "Osby",
    "Perstorp", "Simrishamn", "Sjöbo", "Skurup", "Staffanstorp", "Svalöv", "Svedala", "Tomelilla",
    "Trelleborg", "Vellinge", "Ystad", "Åstorp", "Ängelholm", "Örkelljunga", "Östra Göinge",
)

SESSION_FORMATS: dict[str, tuple[str, str]] = {
    "in_person": ("På plats", "In person"),
    "online": ("Digitalt", "Online"),
    "phone": ("Telefon", "Phone"),
}

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
