"""Aggregated outcome tables for the knowledge reports: counts about people under k are suppressed.

Each breakdown also gets secondary suppression (lce_utils.privacy.suppress_with_complement): its categories
sum to a published total (applications, feedback responses) or can be summed by a reader, so a single hidden
group would otherwise be recovered by subtraction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Row, func, select

from lce_utils.mentorship.models import Application, Feedback, Match, MentoringSession, Person
from lce_utils.mentorship.options import FIELDS, ROLES
from lce_utils.mentorship.store import reading
from lce_utils.privacy import DEFAULT_K, suppress_count, suppress_with_complement


def _counts(rows: Iterable[Row[Any, int]], keys: list[object], key: str, value: str) -> pd.DataFrame:
    found = dict(rows)
    return pd.DataFrame({key: keys, value: [int(found.get(k, 0)) for k in keys]})


def outcome_tables(url: str | None = None, k: int = DEFAULT_K) -> dict[str, pd.DataFrame]:
    """Tables about the programme with every count of people under k suppressed; no names, e-mails or free text."""
    with reading(url) as session:
        # participants: distinct people per role / field (a person with two applications counts once per group)
        # pending applications (same e-mail, another name) are not part of the programme until accepted
        active = Application.status == "active"
        by_role = session.execute(select(Application.role, func.count(func.distinct(Application.person_id)))
                                  .where(active).group_by(Application.role)).all()
        by_field = session.execute(select(Application.field, func.count(func.distinct(Application.person_id)))
                                   .where(active).group_by(Application.field)).all()
        by_kind = session.execute(select(Match.kind, func.count(Match.id)).group_by(Match.kind)).all()
        session_rows = session.execute(select(MentoringSession.held_on)).scalars().all()
        scores = session.execute(select(Feedback.score, func.count(Feedback.id)).group_by(Feedback.score)).all()
        n_feedback = session.scalar(select(func.count(Feedback.id))) or 0
        mean = session.scalar(select(func.avg(Feedback.score)))
        n_people = session.scalar(select(func.count(Person.id))) or 0

    tables: dict[str, pd.DataFrame] = {}
    tables["participants_by_role"] = suppress_with_complement(
        _counts(by_role, list(ROLES), "role", "participants"), "participants", k)
    tables["participants_by_field"] = suppress_with_complement(
        _counts(by_field, list(FIELDS), "field", "participants"), "participants", k)
    # A match is a pair of people: a kind with fewer than k matches is a small group too.
    tables["matches_by_kind"] = suppress_with_complement(
        _counts(by_kind, ["mentoring", "mutual"], "kind", "matches"), "matches", k)
    months = pd.Series([d.strftime("%Y-%m") for d in session_rows], dtype="object")
    month_counts = months.value_counts().sort_index() if len(months) else pd.Series(dtype="int64")
    tables["sessions_by_month"] = suppress_with_complement(
        pd.DataFrame({"month": list(month_counts.index), "sessions": [int(v) for v in month_counts.values]}),
        "sessions", k)
    tables["feedback_scores"] = suppress_with_complement(
        _counts(scores, [1, 2, 3, 4, 5], "score", "responses"), "responses", k)
    shown = suppress_count(n_feedback, k)
    tables["feedback_summary"] = pd.DataFrame({
        "responses": pd.array([shown], dtype="Int64"),
        "mean_score": pd.array([round(float(mean), 2) if shown and mean is not None else None], dtype="Float64"),
    })
    tables["programme_summary"] = pd.DataFrame({
        "people": pd.array([suppress_count(n_people, k)], dtype="Int64"),
        "applications": pd.array([suppress_count(sum(n for _, n in by_role), k)], dtype="Int64"),
    })
    return tables
