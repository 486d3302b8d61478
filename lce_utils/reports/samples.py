"""Small inputs that follow the other parts' output contracts, for tests and benchmarks (generated, no real people)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd

ASSIGNMENTS = ["adaptive-mindset", "digital-tools-for-artistic-processes", "creative-entrepreneurship"]
XSS = "<img src=x onerror=alert(1)>"


def write_course_exports(root: Path, learners: int = 40, seed: int = 1) -> Path:
    """courses/exports/<assignment>-grades.csv and -tests.csv for the three assignments."""
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
                                  "message": "" if passed else "AssertionError: expected a different value"})
                grades.append({"student": student, "assignment": assignment, "notebook": nb, "score": score,
                               "max_score": 10.0, "needs_manual_grading": rng.random() < 0.15})
        pd.DataFrame(grades).to_csv(folder / f"{assignment}-grades.csv", index=False)
        pd.DataFrame(tests).to_csv(folder / f"{assignment}-tests.csv", index=False)
    return folder


def write_lab_run(root: Path, name: str = "sample", scale: int = 1, seed: int = 2,
                  hostile_text: bool = False) -> Path:
    """var/labs/<name>/ with metrics.json, run.json and tables/*.csv (counts under 5 already null)."""
    rng = random.Random(seed)
    folder = root / "var" / "labs" / name
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    by_month = {m: rng.randint(300, 900) * scale for m in months}
    visits = sum(by_month.values())
    metrics = {"rows_read": visits + 40, "rows_rejected": 40, "visits": visits, "unique_visitors": visits // 3,
               "visits_per_visitor": 3.0, "returning_visitor_share": 0.42, "revenue_sek": 125000.0 * scale,
               "period_start": "2025-01-01", "period_end": "2025-12-31",
               "visits_by_gender": {"kvinna": visits // 2, "man": visits // 2 - 3, "annat": None},
               "visits_by_age_band": {"0-17": visits // 10, "18-34": visits // 3, "35-64": visits // 3,
                                      "65+": visits - visits // 10 - 2 * (visits // 3)},
               "visits_by_month": by_month}
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=1), encoding="utf-8")
    institution = XSS if hostile_text else "Exempelteatern i Ystad"
    (folder / "run.json").write_text(json.dumps({"institution": institution, "period": "2025",
                                                 "input_hash": "0" * 64}), encoding="utf-8")
    art_forms = ["teater", "dans", "musik", "konst", "film"]
    events = [{"event": (XSS if hostile_text and i == 0 else f"Evenemang {i + 1}"), "art_form": art_forms[i % 5],
               "capacity": 200, "tickets": rng.randint(40, 200), "occupancy": round(rng.uniform(0.2, 1.0), 2)}
              for i in range(20 * scale)]
    tables = {
        "visitors_by_month": pd.DataFrame({"month": months, "visits": list(by_month.values()),
                                           "unique_visitors": [v // 3 for v in by_month.values()]}),
        "cohort_retention": pd.DataFrame({"cohort": months[:6], "visitors": [120, 98, 77, 60, None, 33],
                                          "returned_share": [0.5, 0.45, 0.4, 0.38, None, 0.3]}),
        "occupancy_by_event": pd.DataFrame(events),
        "occupancy_by_art_form": pd.DataFrame({"art_form": art_forms, "events": [4 * scale] * 5,
                                               "occupancy": [0.7, 0.55, 0.8, 0.6, 0.5]}),
        "revenue_by_ticket_type": pd.DataFrame({"ticket_type": ["hel", "rabatt", "student"],
                                                "tickets": [900, 400, 200], "revenue_sek": [90000, 28000, 7000]}),
        "revenue_by_channel": pd.DataFrame({"channel": ["webb", "kassa"], "tickets": [1100, 400],
                                            "revenue_sek": [98000, 27000]}),
        "reach_by_area": pd.DataFrame({"area": ["Ystad", "Malmö", "Lund", "Simrishamn"],
                                       "visitors": [800, 300, 120, None], "share": [0.6, 0.25, 0.1, None]}),
        "representation_index": pd.DataFrame({"group": ["18-34", "35-64", "65+"], "visitors": [300, 600, 400],
                                              "index": [0.8, 1.1, 1.3]}),
    }
    for table, frame in tables.items():
        frame.to_csv(folder / "tables" / f"{table}.csv", index=False)
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
    return url


def write_all(root: Path, *, scale: int = 1, hostile_text: bool = False, mentorship: bool = True) -> dict[str, str]:
    """Every input the reports read, under root; returns what was written (mentorship only if the part exists)."""
    written = {"courses": str(write_course_exports(root, learners=40 * scale)),
               "labs": str(write_lab_run(root, scale=scale, hostile_text=hostile_text))}
    if mentorship:
        try:
            import lce_utils.mentorship  # noqa: F401
        except ImportError:
            return written
        (root / "var").mkdir(parents=True, exist_ok=True)
        written["mentorship"] = write_mentorship_db(f"sqlite:///{root / 'var' / 'mentorship-demo.db'}",
                                                    people=30 * scale)
    return written
