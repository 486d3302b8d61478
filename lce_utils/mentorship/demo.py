"""A fictitious demo programme (names and e-mails generated at run time) for `lce run` and the reports."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from typing import Any

from sqlalchemy import func, select

from lce_utils.mentorship import options as opt
from lce_utils.mentorship.models import Application, Feedback, Match, MentoringSession
from lce_utils.mentorship.store import (
    current_matches,
    give_feedback,
    log_session,
    reading,
    run_matching,
    submit_application,
)
from lce_utils.paths import VAR

FIRST = ["Alva", "Elias", "Maja", "Omar", "Saga", "Leo", "Nora", "Hugo", "Ebba", "Amir", "Tove", "Noah", "Lina",
         "Karim", "Freja", "Vera", "Milo", "Sara", "Ali", "Ines", "Otto", "Nadia", "Jonas", "Ella"]
LAST = ["Lindqvist", "Haddad", "Persson", "Nilsson", "Berg", "Kovač", "Sandberg", "Rahimi", "Holm", "Ek",
        "Strand", "Öberg", "Nyström", "Jovanović", "Lund", "Åkesson"]
ORGS = ["Teater Syd (fiktiv)", "Ljudverkstan (fiktiv)", "Bildhuset (fiktivt)", "Spelstudion Öresund (fiktiv)",
        "Biblioteksnätet (fiktivt)", None, None, None]
SKILLS = ["grant writing", "audience development", "sound design", "mixing", "stage lighting", "game design",
          "illustration", "exhibition design", "digital archiving", "social media", "budgeting", "storytelling",
          "copyright", "touring", "curation", "community work", "photography", "podcasting"]
GOALS = ["reach new audiences and build a sustainable practice", "learn funding and grant writing",
         "grow an international network and touring", "develop digital skills for archiving and curation",
         "share leadership experience with younger practitioners", "combine artistic work with business skills"]
# fictitious free-text answers for the anonymous feedback form's demo (lce_utils.knowledge.feedback.demo_answers)
FEEDBACK_HARD = ["Att förstå felmeddelandena", "Momsreglerna", "Att läsa in en CSV-fil", "The last exercise",
                 "Formatting dates", "Att tänka i steg"]
FEEDBACK_USEFUL = ["Exemplen från Malmö", "Budgetmallen", "Working with real ticket data", "Övningen om prissättning",
                   "The worked examples", "Att se koden köras"]
DOMAIN = "example" + ".org"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def demo_url() -> str:
    """The demo database (never the real LCE_MENTORSHIP_DB)."""
    return f"sqlite:///{VAR / 'mentorship-demo.db'}"


def demo_applications(n: int = 90, seed: int = 2026) -> list[dict[str, Any]]:
    """n fictitious applications, the same for the same seed."""
    rng = random.Random(seed)
    apps = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        role = rng.choices(["mentor", "mentee", "mutual"], weights=[3, 4, 3])[0]
        langs = ["sv"] + rng.sample(["en", "ar", "de", "da", "fa", "pl"], rng.randint(0, 2))
        apps.append({
            "name": f"{first} {last}", "email": f"{_ascii(first)}.{_ascii(last)}.{i}@{DOMAIN}",
            "organisation": rng.choice(ORGS), "role": role, "field": rng.choice(list(opt.FIELDS)),
            "skills_offered": rng.sample(SKILLS, 3) if role != "mentee" else [],
            "skills_wanted": rng.sample(SKILLS, 3) if role != "mentor" else [],
            "goals": rng.choice(GOALS), "languages": langs,
            "availability": rng.sample(list(opt.AVAILABILITY), rng.randint(1, 3)),
            "municipality": rng.choice(opt.MUNICIPALITIES), "consent_purpose": True,
            "consent_contact": rng.random() < 0.6, "capacity": rng.randint(1, 3) if role == "mentor" else 1,
        })
    return apps


def seed_demo(url: str | None = None, n: int = 90, seed: int = 2026) -> dict[str, int]:
    """Fill the demo store with applications, one matching run, sessions and feedback; safe to run again."""
    url = url or demo_url()
    for data in demo_applications(n, seed):
        submit_application(data, url)
    with reading(url) as s:
        has_matches = (s.scalar(select(func.count(Match.id))) or 0) > 0
    if not has_matches:
        run_matching(url)
    with reading(url) as s:
        has_sessions = (s.scalar(select(func.count(MentoringSession.id))) or 0) > 0
    if not has_sessions:
        rng = random.Random(seed + 1)
        today = dt.date.today()
        for m in current_matches(url):
            for _ in range(rng.randint(1, 4)):
                held = today - dt.timedelta(days=rng.randint(0, 150))
                log_session(m.a.person.email, m.code, held, rng.choice([45, 60, 90]),
                            rng.choice(list(opt.SESSION_FORMATS)), url=url)
            for person in (m.a.person, m.b.person):
                if rng.random() < 0.8:
                    give_feedback(person.email, m.code, rng.choices([2, 3, 4, 5], weights=[1, 3, 6, 5])[0],
                                  None, url=url)
    with reading(url) as s:
        return {"applications": s.scalar(select(func.count(Application.id))) or 0,
                "matches": s.scalar(select(func.count(Match.id))) or 0,
                "sessions": s.scalar(select(func.count(MentoringSession.id))) or 0,
                "feedback": s.scalar(select(func.count(Feedback.id))) or 0}
