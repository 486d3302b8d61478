"""Inputs for tests and benchmarks in the other parts' real formats (generated, no real people).

The lab run is a real one: the engagement labs' own sample generator and lab run (without notebooks) write it.
The course exports are generated, with the exact columns and value types of lce_utils.courses.export."""

from __future__ import annotations

import csv
import os
import random
from contextlib import AbstractContextManager
from pathlib import Path
from unittest.mock import patch

from lce_utils.courses.schema import GRADE_COLUMNS, TEST_COLUMNS

ASSIGNMENTS = ["adaptive-mindset", "digital-tools-for-artistic-processes", "creative-entrepreneurship"]
XSS = "<img src=x onerror=alert(1)>"
LAB_ROWS = 3000  # visits of the sample lab run at scale 1


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def write_course_exports(root: Path, learners: int = 40, seed: int = 1) -> Path:
    """courses/exports/<assignment>-grades.csv and -tests.csv as lce_utils.courses.export writes them."""
    rng = random.Random(seed)
    folder = root / "courses" / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    for assignment in ASSIGNMENTS:
        grades, tests = [], []
        notebooks = [f"{assignment}-part{i}" for i in (1, 2)]
        difficulty = {(nb, f"test_{t}"): rng.uniform(0.05, 0.6) for nb in notebooks for t in range(1, 5)}
        for n in range(learners):
            student = f"learner{n:04d}"
            skill = rng.uniform(0.3, 1.0)
            for nb in notebooks:
                score = 0.0
                for (book, test), hard in difficulty.items():
                    if book != nb:
                        continue
                    passed = rng.random() < skill * (1 - hard) + 0.1
                    score += 2.0 if passed else 0.0
                    tests.append({"student": student, "assignment": assignment, "notebook": nb, "test": test,
                                  "points": 2.0 if passed else 0.0, "max_points": 2.0, "passed": passed,
                                  "message": "" if passed else "AssertionError: expected a different value",
                                  "sandboxed": True})
                grades.append({"student": student, "assignment": assignment, "notebook": nb,
                               "score": round(score, 4), "max_score": 10.0,
                               "needs_manual_grading": rng.random() < 0.15, "sandboxed": True})
        _write_csv(folder / f"{assignment}-grades.csv", GRADE_COLUMNS, grades)
        _write_csv(folder / f"{assignment}-tests.csv", TEST_COLUMNS, tests)
    return folder


def _labs_state_in(var: Path) -> AbstractContextManager[object]:
    """Keep the labs' cache of prepared data and their pseudonym key under var/, not in the repository's var/."""
    return patch.dict(os.environ, {"LCE_LABS_CACHE": str(var / "labs" / "cache"),
                                   "LCE_LABS_KEY_FILE": str(var / "labs" / "pseudonym.key")})


def rename_event(folder: Path, old: str, new: str) -> None:
    """Rename an event in a generated sample's visits.csv and events.csv (the labs' Swedish export format)."""
    for name in ("visits.csv", "events.csv"):
        path = folder / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(f'"{old}"', f'"{new}"'), encoding="utf-8")


def write_lab_run(root: Path, name: str = "sample", scale: int = 1, seed: int = 2,
                  hostile_text: bool = False, institution: str | None = None,
                  period_start: str | None = None) -> Path:
    """var/labs/<name>/ written by a real lab run (no notebooks) over the labs' own generated sample.

    With hostile_text the institution name and the first performance's event are an HTML injection attempt,
    given to the labs as their inputs (the institution parameter, the event name in the visits export)."""
    from lce_utils.engagement.run import run_labs
    from lce_utils.engagement.sample import write_sample

    var = root / "var"
    data = var / "labs" / f"{name}-data"
    folder = var / "labs" / name
    with _labs_state_in(var):
        files = write_sample(data, rows=LAB_ROWS * scale, seed=seed)
        if hostile_text:
            first = files.events.read_text(encoding="utf-8").splitlines()[1].split(";")[0].strip('"')
            rename_event(data, first, XSS)
        run_labs(files.visits, folder, events=files.events, notebooks=False, period_start=period_start,
                 institution=institution or (XSS if hostile_text else "Exempelteatern i Ystad (fiktiv / fictitious)"))
    return folder


def write_mentorship_db(url: str, people: int = 30, seed: int = 3) -> str:
    """A mentorship database with applications, matches, sessions and feedback, through the part's public API."""
    import datetime as dt

    import lce_utils.mentorship as mentorship
    from lce_utils.mentorship.options import FIELDS, MUNICIPALITIES

    rng = random.Random(seed)
    fields = list(FIELDS)
    emails = {}
    for n in range(people):
        role = ("mentor", "mentee", "mutual")[n % 3]
        email = f"person{n}" + "@" + "example.org"
        skills = rng.sample(["ljud", "ljus", "bidrag", "marknadsföring", "scenografi", "foto", "spel"], 3)
        mentorship.submit_application({
            "name": f"Person {n}", "email": email, "organisation": f"Org {n % 7}", "role": role,
            "field": fields[n % 4], "skills_offered": skills if role != "mentee" else [],
            "skills_wanted": skills[::-1] if role != "mentor" else [], "goals": "Lära mig mer om publik.",
            "languages": ["sv"], "availability": ["evenings"], "municipality": MUNICIPALITIES[n % 33],
            "consent_purpose": True, "capacity": 1}, url=url)
        emails[n] = email
    mentorship.run_matching(url=url)
    for match in mentorship.current_matches(url=url):
        email = match.a.person.email
        for month in range(1, 4):
            mentorship.log_session(email, match.code, dt.date(2025, month, 10), 60, "online", url=url)
        mentorship.give_feedback(email, match.code, rng.randint(3, 5), url=url)
    from lce_utils.knowledge.feedback import demo_answers  # the lesson feedback report's anonymous answers

    demo_answers(url, seed)
    return url


def write_all(root: Path, *, scale: int = 1, hostile_text: bool = False, mentorship: bool = True) -> dict[str, str]:
    """Every input the reports read, under root; returns what was written (the mentorship database if asked)."""
    written = {"courses": str(write_course_exports(root, learners=40 * scale)),
               "labs": str(write_lab_run(root, scale=scale, hostile_text=hostile_text))}
    (root / "var").mkdir(parents=True, exist_ok=True)
    if mentorship:
        written["mentorship"] = write_mentorship_db(f"sqlite:///{root / 'var' / 'mentorship-demo.db'}",
                                                    people=30 * scale)
    written["programme"] = write_programme_db(root / "var")
    return written


def write_programme_db(var: Path, people: int = 230, seed: int = 4) -> str:
    """The demo programme register (lce programme demo's fictitious participants) as var/programme-demo.db, its
    key in var/programme.key (the reports need no key to read it; writing encrypts the personnummer)."""
    from lce_utils.programme.demo import seed_demo

    url = f"sqlite:///{var / 'programme-demo.db'}"
    with patch.dict(os.environ, {"LCE_PROGRAMME_KEY_FILE": str(var / "programme.key"), "LCE_PROGRAMME_KEY": ""}):
        seed_demo(url, n=people, seed=seed)
    return url
