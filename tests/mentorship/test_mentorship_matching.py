"""Matching: optimal against brute force on small random cases, hard constraints, explanations."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from lce_utils.mentorship.matching import (
    SCORE_UNITS,
    WEIGHTS,
    Candidate,
    allowed,
    assign_mentoring,
    assign_mutual,
    explain,
    match,
    score_matrix,
    score_pair,
)

SKILLS = ["mixing", "grants", "lighting", "illustration", "curation", "coding"]
LANGS = ["sv", "en", "ar"]


def random_candidate(rng: random.Random, i: int, role: str) -> Candidate:
    return Candidate.from_dict({
        "id": i, "role": role, "field": rng.choice(["music", "film", "games"]),
        "skills_offered": rng.sample(SKILLS, rng.randint(0, 3)), "skills_wanted": rng.sample(SKILLS, rng.randint(0, 3)),
        "goals": rng.choice(["network funding audience", "digital archive curation", "funding touring"]),
        "languages": rng.sample(LANGS, rng.randint(1, 2)), "availability": rng.sample(["daytime", "evenings",
                                                                                       "weekends"], rng.randint(1, 2)),
        "municipality": rng.choice(["Lund", "Malmö", "Ystad"]), "organisation": rng.choice([None, "Org A", "Org B"]),
        "capacity": rng.randint(1, 3)})


def brute_mentoring(mentors, mentees, scores) -> float:
    """Best total over every assignment of each mentee to a mentor or to nobody, within capacities."""
    best = 0.0
    options = [[None] + [i for i in range(len(mentors)) if scores[i, j] > 0] for j in range(len(mentees))]
    for choice in itertools.product(*options):
        load = [0] * len(mentors)
        total = 0.0
        for j, i in enumerate(choice):
            if i is not None:
                load[i] += 1
                total += scores[i, j]
        if all(load[i] <= mentors[i].capacity for i in range(len(mentors))):
            best = max(best, total)
    return best


def brute_mutual(n: int, scores) -> float:
    """Best total over every matching of n people (a recursion over who the first free person pairs with)."""
    def best(free: tuple[int, ...]) -> float:
        if len(free) < 2:
            return 0.0
        first, rest = free[0], free[1:]
        value = best(rest)
        for k, other in enumerate(rest):
            if scores[first, other] > 0:
                value = max(value, scores[first, other] + best(rest[:k] + rest[k + 1:]))
        return value
    return best(tuple(range(n)))


@pytest.mark.parametrize("seed", range(25))
def test_mentorship_mentoring_assignment_is_optimal(seed):
    rng = random.Random(seed)
    mentors = [random_candidate(rng, i, "mentor") for i in range(rng.randint(1, 3))]
    mentees = [random_candidate(rng, 10 + j, "mentee") for j in range(rng.randint(1, 5))]
    scores = score_matrix(mentors, mentees)
    chosen = assign_mentoring(mentors, mentees, scores)
    assert sum(s for _, _, s in chosen) == pytest.approx(brute_mentoring(mentors, mentees, scores))
    load = [sum(1 for i, _, _ in chosen if i == k) for k in range(len(mentors))]
    assert all(load[k] <= mentors[k].capacity for k in range(len(mentors)))
    assert len({j for _, j, _ in chosen}) == len(chosen)


@pytest.mark.parametrize("seed", range(40))
def test_mentorship_mutual_matching_is_optimal(seed):
    rng = random.Random(100 + seed)
    people = [random_candidate(rng, i, "mutual") for i in range(rng.randint(2, 11))]
    scores = score_matrix(people, people, "mutual")
    assert np.allclose(scores, scores.T)
    chosen = assign_mutual(people, scores)
    assert sum(s for _, _, s in chosen) == pytest.approx(brute_mutual(len(people), scores))
    used = [i for i, j, _ in chosen] + [j for i, j, _ in chosen]
    assert len(used) == len(set(used))


def test_mentorship_mutual_matching_needs_blossoms_and_half_points():
    """An odd cycle where the greedy choice (the heaviest pair) is wrong, and optima half a point apart."""
    scores = np.zeros((5, 5))
    for i, j, s in [(0, 1, 10.0), (1, 2, 9.5), (2, 0, 9.5), (2, 3, 1.0), (0, 4, 2.0), (3, 4, 0.5)]:
        scores[i, j] = scores[j, i] = s
    chosen = assign_mutual([None] * 5, scores)  # type: ignore[list-item]
    assert sum(s for _, _, s in chosen) == 11.5 == brute_mutual(5, scores)  # greedy 0-1 with 2-3 gives 11
    assert [(i, j) for i, j, _ in chosen] == [(0, 4), (1, 2)]


def test_mentorship_mutual_weights_are_whole_score_units():
    """The blossom algorithm takes integer weights: every weight must be a whole number of 1/SCORE_UNITS."""
    assert all(float(w * SCORE_UNITS).is_integer() for w in WEIGHTS.values())


@pytest.mark.parametrize("seed", range(10))
def test_mentorship_vectorised_scores_equal_the_definition(seed):
    rng = random.Random(200 + seed)
    rows = [random_candidate(rng, i, "mentor") for i in range(6)]
    cols = [random_candidate(rng, 50 + j, "mentee") for j in range(6)]
    for kind in ("mentoring", "mutual"):
        matrix = score_matrix(rows, cols, kind)
        for i, a in enumerate(rows):
            for j, b in enumerate(cols):
                expected = score_pair(a, b, kind)[0] if allowed(a, b) else 0.0
                assert matrix[i, j] == pytest.approx(expected)


def test_mentorship_hard_constraints_and_capacity():
    rng = random.Random(7)
    people = [random_candidate(rng, i, rng.choice(["mentor", "mentee", "mentee", "mutual"])) for i in range(60)]
    by_id = {p.id: p for p in people}
    excluded = {frozenset((p.id, q.id)) for p, q in zip(people[::2], people[1::2])}
    result = match(people, excluded=excluded)
    load: dict[int, int] = {}
    for pair in result.pairs:
        a, b = by_id[pair.a], by_id[pair.b]
        assert a.languages & b.languages, "a common language is required"
        assert frozenset((a.id, b.id)) not in excluded
        assert not (a.organisation and a.organisation == b.organisation)
        if pair.kind == "mentoring":
            assert (a.role, b.role) == ("mentor", "mentee")
            load[a.id] = load.get(a.id, 0) + 1
        else:
            assert a.role == b.role == "mutual"
    assert all(load[m] <= by_id[m].capacity <= 3 for m in load)
    assert result.total_score == pytest.approx(sum(p.score for p in result.pairs))


def test_mentorship_no_common_language_means_no_pair():
    a = Candidate.from_dict({"id": 1, "role": "mentor", "field": "music", "skills_offered": ["mixing"],
                             "languages": ["sv"], "availability": ["evenings"]})
    b = Candidate.from_dict({"id": 2, "role": "mentee", "field": "music", "skills_wanted": ["mixing"],
                             "languages": ["ar"], "availability": ["evenings"]})
    assert match([a, b]).pairs == []


def test_mentorship_locked_pairs_are_kept_out_and_capacity_reduced():
    mentor = Candidate.from_dict({"id": 1, "role": "mentor", "field": "film", "skills_offered": ["grants"],
                                  "languages": ["sv"], "availability": ["daytime"], "capacity": 2})
    mentees = [Candidate.from_dict({"id": 10 + i, "role": "mentee", "field": "film", "skills_wanted": ["grants"],
                                    "languages": ["sv"], "availability": ["daytime"]}) for i in range(3)]
    result = match([mentor, *mentees], locked=[(1, 10)])
    assert [(p.a, p.b) for p in result.pairs] == [(1, 11)] or [(p.a, p.b) for p in result.pairs] == [(1, 12)]
    assert 10 not in result.unmatched


def test_mentorship_explanations_in_both_languages():
    a = Candidate.from_dict({"id": 1, "role": "mutual", "field": "games", "skills_offered": ["Coding"],
                             "skills_wanted": ["illustration"], "goals": "reach new audiences",
                             "languages": ["sv", "en"], "availability": ["evenings"], "municipality": "Lund"})
    b = Candidate.from_dict({"id": 2, "role": "mutual", "field": "games", "skills_offered": ["illustration"],
                             "skills_wanted": ["coding"], "goals": "new audiences abroad",
                             "languages": ["en"], "availability": ["evenings", "weekends"], "municipality": "Lund"})
    score, reasons = score_pair(a, b, "mutual")
    assert score == 1 + 3 + 3 + 2 + 1 + 0.5 + 0.5  # language, skills both ways, field, one goal word, slot, town
    sv, en = explain(reasons, "sv"), explain(reasons, "en")
    assert "gemensamt språk: engelska" in sv and "A erbjuder det B vill lära sig: coding" in sv
    assert "common language: English" in en and "B offers what A wants: illustration" in en
    assert "same field: Games" in en and "evenings" in en and "audiences" in en
