"""Matching: a score for every allowed pair, then the optimal assignment.

Mentor to mentee is a maximum-weight bipartite assignment (scipy's linear_sum_assignment, each mentor's column
repeated up to their capacity); mutual mentoring is a maximum-weight matching on a general graph (rustworkx's
blossom algorithm, exact and about 40 times faster than networkx's on the near-complete graphs of mutual scores).
A pair is allowed only with a common language and when not excluded; every allowed pair scores at least 1, so
the optimum never prefers leaving an allowed pair out for nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import rustworkx as rx
from scipy import sparse
from scipy.optimize import linear_sum_assignment

from lce_utils.mentorship.options import AVAILABILITY, FIELDS, LANGUAGES, MAX_SKILLS, label
from lce_utils.messages import t

WEIGHTS = {"language": 1.0, "skill": 3.0, "field": 2.0, "goal_word": 1.0, "availability": 0.5,
           "municipality": 0.5}
MAX_GOAL_WORDS = 3
# Every weight is a whole number of halves, so the blossom algorithm (integer weights only) sees exact scores.
SCORE_UNITS = 2
STOPWORDS = frozenset("""
about also and are attben bli blir can could det eller för från have hur inom jag kan med mer min mina mitt
more myself och också över samt ska som the their them then there these this till vill with work would your
arbeta arbete want learn lära mycket need behöver inte utan under where when what which while
""".split())


def norm_skill(text: str) -> str:
    """How skills are compared: case-folded, single spaces."""
    return " ".join(text.casefold().split())


def goal_words(text: str) -> frozenset[str]:
    """The content words of a goals text (4+ letters, no stop words) used to compare goals."""
    return frozenset(w for w in re.findall(r"[^\W\d_]{4,}", text.casefold()) if w not in STOPWORDS)


@dataclass(frozen=True)
class Candidate:
    """What matching needs of one application."""

    id: int
    role: str
    field: str
    skills_offered: frozenset[str]
    skills_wanted: frozenset[str]
    goals: frozenset[str]
    languages: frozenset[str]
    availability: frozenset[str]
    municipality: str = ""
    organisation: str | None = None
    capacity: int = 1

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Candidate:
        """A candidate from an application's plain values (as Application.as_dict gives)."""
        return cls(id=int(d["id"]), role=d["role"], field=d["field"],
                   skills_offered=frozenset(norm_skill(s) for s in d.get("skills_offered", [])),
                   skills_wanted=frozenset(norm_skill(s) for s in d.get("skills_wanted", [])),
                   goals=goal_words(d.get("goals", "")), languages=frozenset(d.get("languages", [])),
                   availability=frozenset(d.get("availability", [])), municipality=d.get("municipality", ""),
                   organisation=(d.get("organisation") or "").strip().casefold() or None,
                   capacity=int(d.get("capacity", 1) or 1) if d["role"] == "mentor" else 1)

    @classmethod
    def from_application(cls, app: Any) -> Candidate:
        """A candidate from a stored Application."""
        return cls.from_dict(app.as_dict())


@dataclass
class Pair:
    """One proposed pair: a mentors b ("mentoring") or a and b mentor each other ("mutual")."""

    a: int
    b: int
    kind: str
    score: float
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def explain(self, lang: str = "sv") -> str:
        """Why this pair scored as it did, in words."""
        return explain(self.reasons, lang)


@dataclass
class MatchResult:
    """The pairs chosen, the candidates left without a pair, and the sum of the pairs' scores."""

    pairs: list[Pair]
    unmatched: list[int]
    total_score: float


def allowed(a: Candidate, b: Candidate, excluded: set[frozenset[int]] | None = None,
            exclude_same_organisation: bool = True) -> bool:
    """Whether a and b may be paired at all: a common language and no exclusion."""
    if a.id == b.id or not (a.languages & b.languages):
        return False
    if excluded and frozenset((a.id, b.id)) in excluded:
        return False
    if exclude_same_organisation and a.organisation and a.organisation == b.organisation:
        return False
    return True


def score_pair(a: Candidate, b: Candidate, kind: str = "mentoring") -> tuple[float, list[dict[str, Any]]]:
    """The score of pairing a with b (a mentors b, or mutual) and its reasons; assumes the pair is allowed."""
    reasons: list[dict[str, Any]] = [{"key": "language", "items": sorted(a.languages & b.languages)}]
    score = WEIGHTS["language"]
    directions = [(a, b, "a")] + ([(b, a, "b")] if kind == "mutual" else [])
    for giver, taker, who in directions:
        common = sorted(giver.skills_offered & taker.skills_wanted)
        if common:
            score += WEIGHTS["skill"] * len(common)
            reasons.append({"key": "skills", "who": who, "items": common})
    if a.field == b.field:
        score += WEIGHTS["field"]
        reasons.append({"key": "field", "items": [a.field]})
    words = sorted(a.goals & b.goals)
    if words:
        score += WEIGHTS["goal_word"] * min(len(words), MAX_GOAL_WORDS)
        reasons.append({"key": "goals", "items": words[:MAX_GOAL_WORDS]})
    slots = sorted(a.availability & b.availability, key=list(AVAILABILITY).index)
    if slots:
        score += WEIGHTS["availability"] * len(slots)
        reasons.append({"key": "availability", "items": slots})
    if a.municipality and a.municipality == b.municipality:
        score += WEIGHTS["municipality"]
        reasons.append({"key": "municipality", "items": [a.municipality]})
    return score, reasons


def max_score(kind: str = "mentoring") -> float:
    """The highest score a pair can reach within the form's limits: the scale scores are shown on."""
    skills = WEIGHTS["skill"] * MAX_SKILLS * (2 if kind == "mutual" else 1)
    return (WEIGHTS["language"] + skills + WEIGHTS["field"] + WEIGHTS["goal_word"] * MAX_GOAL_WORDS
            + WEIGHTS["availability"] * len(AVAILABILITY) + WEIGHTS["municipality"])


def explain(reasons: list[dict[str, Any]], lang: str = "sv") -> str:
    """A pair's reasons as one sentence-like line in Swedish or English."""
    parts = []
    for r in reasons:
        items = r.get("items", [])
        if r["key"] == "language":
            shown = ", ".join(label(LANGUAGES, c, lang) if c in LANGUAGES else c for c in items)
            parts.append(t("why_language", lang, items=shown))
        elif r["key"] == "skills":
            who, other = ("A", "B") if r["who"] == "a" else ("B", "A")
            parts.append(t("why_skills", lang, who=who, other=other, items=", ".join(items)))
        elif r["key"] == "field":
            parts.append(t("why_field", lang, items=", ".join(label(FIELDS, f, lang) for f in items)))
        elif r["key"] == "goals":
            parts.append(t("why_goals", lang, items=", ".join(items)))
        elif r["key"] == "availability":
            parts.append(t("why_availability", lang,
                           items=", ".join(label(AVAILABILITY, s, lang).lower() for s in items)))
        elif r["key"] == "municipality":
            parts.append(t("why_municipality", lang, items=", ".join(items)))
    return "; ".join(parts) + "."


# --- vectorised scores (the same definition as score_pair, for thousands of applicants) --------------------------

def _incidence(sets: Sequence[Iterable[str]], vocab: dict[str, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for i, items in enumerate(sets):
        for item in items:
            rows.append(i)
            cols.append(vocab.setdefault(item, len(vocab)))
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(sets), max(len(vocab), 1)))


def _common(left: Sequence[Iterable[str]], right: Sequence[Iterable[str]]) -> np.ndarray:
    """counts[i, j] = |left[i] & right[j]|, via sparse incidence matrices."""
    vocab: dict[str, int] = {}
    for items in list(left) + list(right):
        for item in items:
            vocab.setdefault(item, len(vocab))
    lm, rm = _incidence(left, vocab), _incidence(right, vocab)
    return np.asarray((lm @ rm.T).todense())


def score_matrix(rows: Sequence[Candidate], cols: Sequence[Candidate], kind: str = "mentoring",
                 excluded: set[frozenset[int]] | None = None, exclude_same_organisation: bool = True) -> np.ndarray:
    """scores[i, j] of rows[i] with cols[j] (rows mentor cols, or mutual); 0 where the pair is not allowed."""
    if not rows or not cols:
        return np.zeros((len(rows), len(cols)))
    lang = _common([r.languages for r in rows], [c.languages for c in cols])
    score = WEIGHTS["language"] + WEIGHTS["skill"] * _common([r.skills_offered for r in rows],
                                                             [c.skills_wanted for c in cols])
    if kind == "mutual":
        score += WEIGHTS["skill"] * _common([r.skills_wanted for r in rows], [c.skills_offered for c in cols])
    score += WEIGHTS["field"] * _common([{r.field} for r in rows], [{c.field} for c in cols])
    score += WEIGHTS["goal_word"] * np.minimum(_common([r.goals for r in rows], [c.goals for c in cols]),
                                               MAX_GOAL_WORDS)
    score += WEIGHTS["availability"] * _common([r.availability for r in rows], [c.availability for c in cols])
    score += WEIGHTS["municipality"] * _common([{r.municipality} - {""} for r in rows],
                                               [{c.municipality} - {""} for c in cols])
    ok = lang > 0
    if exclude_same_organisation:
        ok &= _common([{o for o in (r.organisation,) if o is not None} for r in rows],
                      [{o for o in (c.organisation,) if o is not None} for c in cols]) == 0
    ids_r = {r.id: i for i, r in enumerate(rows)}
    ids_c = {c.id: j for j, c in enumerate(cols)}
    for pair in excluded or ():
        x, y = tuple(pair) if len(pair) == 2 else (next(iter(pair)),) * 2
        for p, q in ((x, y), (y, x)):
            if p in ids_r and q in ids_c:
                ok[ids_r[p], ids_c[q]] = False
    for r in rows:  # nobody is paired with themselves
        if r.id in ids_c:
            ok[ids_r[r.id], ids_c[r.id]] = False
    return np.where(ok, score, 0.0)


def assign_mentoring(mentors: Sequence[Candidate], mentees: Sequence[Candidate], scores: np.ndarray,
                     capacities: Sequence[int] | None = None) -> list[tuple[int, int, float]]:
    """Maximum-weight assignment of mentees to mentors within capacities: (mentor index, mentee index, score)."""
    caps = [max(0, int(c)) for c in (capacities if capacities is not None else [m.capacity for m in mentors])]
    columns = [i for i, cap in enumerate(caps) for _ in range(cap)]
    if not columns or not len(mentees):
        return []
    weights = scores[columns, :].T  # mentees x mentor slots
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return [(columns[c], r, float(weights[r, c])) for r, c in zip(rows, cols) if weights[r, c] > 0]


def assign_mutual(people: Sequence[Candidate], scores: np.ndarray) -> list[tuple[int, int, float]]:
    """Maximum-weight matching among mutual mentoring applicants: (index, index, score)."""
    upper = np.triu(scores, k=1)
    rows, cols = np.nonzero(upper > 0)
    if not len(rows):
        return []
    units = np.rint(upper[rows, cols] * SCORE_UNITS).astype(np.int64)
    graph = rx.PyGraph(multigraph=False)
    graph.add_nodes_from(range(len(people)))
    graph.add_edges_from(list(zip(rows.tolist(), cols.tolist(), units.tolist())))
    matched = rx.max_weight_matching(graph, max_cardinality=False, weight_fn=int)
    return sorted((min(i, j), max(i, j), float(scores[min(i, j), max(i, j)])) for i, j in matched)


def match(candidates: Sequence[Candidate], locked: Iterable[tuple[int, int]] = (),
          excluded: set[frozenset[int]] | None = None, exclude_same_organisation: bool = True) -> MatchResult:
    """The optimal pairs for candidates, keeping locked pairs (a, b ids) out of the pool and honouring exclusions."""
    by_id = {c.id: c for c in candidates}
    used_capacity: dict[int, int] = {}
    taken: set[int] = set()
    for a, b in locked:
        if by_id.get(a) is not None and by_id[a].role == "mentor":
            used_capacity[a] = used_capacity.get(a, 0) + 1
            taken.add(b)
        else:
            taken.update((a, b))
    mentors = [c for c in candidates if c.role == "mentor"]
    mentors = [m for m in mentors if m.capacity - used_capacity.get(m.id, 0) > 0 and m.id not in taken]
    mentees = [c for c in candidates if c.role == "mentee" and c.id not in taken]
    mutual = [c for c in candidates if c.role == "mutual" and c.id not in taken]
    pairs: list[Pair] = []
    scores = score_matrix(mentors, mentees, "mentoring", excluded, exclude_same_organisation)
    caps = [min(m.capacity, 3) - used_capacity.get(m.id, 0) for m in mentors]
    for i, j, _ in assign_mentoring(mentors, mentees, scores, caps):
        score, reasons = score_pair(mentors[i], mentees[j], "mentoring")
        pairs.append(Pair(mentors[i].id, mentees[j].id, "mentoring", score, reasons))
    mscores = score_matrix(mutual, mutual, "mutual", excluded, exclude_same_organisation)
    for i, j, _ in assign_mutual(mutual, mscores):
        score, reasons = score_pair(mutual[i], mutual[j], "mutual")
        pairs.append(Pair(mutual[i].id, mutual[j].id, "mutual", score, reasons))
    paired = {p.a for p in pairs} | {p.b for p in pairs}
    unmatched = sorted(c.id for c in mentees + mutual if c.id not in paired)
    unmatched += sorted(m.id for m in mentors if m.id not in paired and m.id not in used_capacity)
    return MatchResult(pairs, unmatched, float(sum(p.score for p in pairs)))
