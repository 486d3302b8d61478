"""Secondary suppression across linked lab outputs: no hidden count can be worked out from what is published.

The labs publish counts that add up: visits by gender, by age band and by month each sum to `visits`; the
gender x age table sums to both; new visitors per month sum to each quarter's cohort and to `unique_visitors`; a
share with its count gives its total. `lce_utils.privacy.suppress_count` hides each count below k (primary
suppression); `protect` then hides further published counts until no count below k - published or only implied,
such as the visitors who did not return (a cohort minus those who did) - is determined by the published ones
through these sums. Determined means fixed by the linear equations: a hidden cell whose unit vector lies in the
row space of the equation matrix restricted to the unknowns. A fast pass follows sums with one unknown left; a
thorough pass (singular value decomposition) then finds counts fixed only by several sums together."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np

from lce_utils.privacy import DEFAULT_K, suppress_count

Key = Hashable


@dataclass
class Cells:
    """Counts about people (published or only implied) and the sums that link them."""

    values: dict[Key, int] = field(default_factory=dict)
    published: set[Key] = field(default_factory=set)
    equations: list[dict[Key, int]] = field(default_factory=list)

    def add(self, key: Key, value: object, published: bool = True) -> Key:
        """A count; implied ones (published=False) are never shown but may be small and so must stay unknown."""
        self.values[key] = 0 if value is None else int(value)  # type: ignore[call-overload]
        if published:
            self.published.add(key)
        return key

    def total(self, total: Key, parts: Iterable[Key]) -> None:
        """total = sum of parts (parts not added are known zeros and left out)."""
        parts = [p for p in parts if p in self.values and p != total]
        if total in self.values and parts:
            equation = {total: 1}
            for part in parts:
                equation[part] = equation.get(part, 0) - 1
            self.equations.append(equation)

    def relations(self) -> list[tuple[Key, list[Key]]]:
        """The sums as (total, parts), the form lce_utils.privacy and its auditor take."""
        out = []
        for eq in self.equations:
            total = [key for key, coef in eq.items() if coef > 0]
            parts = [key for key, coef in eq.items() if coef < 0]
            if len(total) == 1 and eq[total[0]] == 1 and all(eq[p] == -1 for p in parts):
                out.append((total[0], parts))
        return out

    def same(self, a: Key, b: Key) -> None:
        """Two published counts that are equal by definition (the same people in two tables)."""
        if a in self.values and b in self.values:
            self.equations.append({a: 1, b: -1})


def determined(keys: list[Key], known: set[Key], equations: list[dict[Key, int]]) -> set[Key]:
    """The unknown keys whose value the equations fix given the known ones."""
    unknown = [key for key in keys if key not in known]
    if not unknown or not equations:
        return set()
    column = {key: i for i, key in enumerate(unknown)}
    rows = [eq for eq in equations if any(key in column for key in eq)]
    if not rows:
        return set()
    matrix = np.zeros((len(rows), len(unknown)))
    for r, eq in enumerate(rows):
        for key, coef in eq.items():
            if key in column:
                matrix[r, column[key]] = coef
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > 1e-9 * max(1.0, float(singular.max(initial=0.0)))).sum())
    # x_j is fixed when the unit vector e_j lies in the row space: its projection there keeps length 1
    reach = (vt[:rank] ** 2).sum(axis=0)
    return {key for key in unknown if reach[column[key]] > 1 - 1e-9}


def protect(cells: Cells, k: int = DEFAULT_K) -> set[Key]:
    """The published keys to hide: those below k, and then as few others as it takes that no count below k is
    determined (each step hides the smallest positive published count in a sum that pins one down), and that the
    project's auditor finds no hidden count known exactly or to lie in a range under k narrower than k."""
    keys = list(cells.values)
    small = {key for key in keys if suppress_count(cells.values[key], k) is None}
    hidden = small & cells.published
    _single_sums(cells, small, hidden, k)
    while True:  # what one sum at a time cannot see: a hidden count fixed by several sums together
        known = cells.published - hidden
        fixed = determined(keys, known, cells.equations)
        exposed = [key for key in keys if key in small and key in fixed]
        if not exposed:
            break
        extra = _complement(exposed[0], cells, known)
        if extra is None:  # cannot happen with a consistent model; fail safe rather than publish
            raise RuntimeError(f"no cell to hide that protects {exposed[0]!r}")
        hidden.add(extra)
    _audited(cells, hidden, k)
    return hidden


def _audited(cells: Cells, hidden: set[Key], k: int) -> None:
    """Last, the project's auditor (lce_utils.privacy_audit, one LP per bound) over the same cells and sums: while
    it finds a hidden count exactly known or one that may be under k in a range narrower than k, hide the
    smallest positive published count in a sum with it (hidden grows in place)."""
    from lce_utils.privacy_audit import audit_cells
    names = {key: "/".join(map(str, key)) if isinstance(key, tuple) else str(key) for key in cells.values}
    back = {name: key for key, name in names.items()}
    relations = [(names[t], [names[p] for p in parts]) for t, parts in cells.relations()]
    for _ in range(len(cells.published) + 1):
        known = cells.published - hidden
        findings = [f for f in audit_cells({names[c]: cells.values[c] for c in known}, [names[c] for c in hidden],
                                           relations, k=k) if f.kind in ("exact", "narrow")]
        if not findings:
            return
        extra = _complement(back[findings[0].cell], cells, known, tries=0)
        if extra is None:
            raise RuntimeError(f"no cell to hide that protects {findings[0].cell}")
        hidden.add(extra)


def _narrow(cells: Cells, eq: dict[Key, int], open_: list[Key], small: set[Key], k: int) -> bool:
    """Hidden parts of a shown total that add up to less than k: each is then known to lie in a range under k."""
    if not any(c in small for c in open_) or any(eq[c] > 0 for c in open_):
        return False
    return 0 < sum(cells.values[c] for c in open_) < k


def _single_sums(cells: Cells, small: set[Key], hidden: set[Key], k: int) -> None:
    """The fast first pass (hidden grows in place): follow the sums with one unknown left, which fix it; when the
    fixed count is below k, or a sum's hidden parts add up to less than k (a range under k, as privacy_audit's
    protection level sees it), hide the smallest positive published count of that sum (a part before the total).
    Repeat until none is exposed."""
    order = {c: i for i, c in enumerate(cells.values)}
    while True:
        known = cells.published - hidden
        fixed = set(known)
        exposed: dict[int, dict[Key, int]] = {}
        progress = True
        while progress:
            progress = False
            for i, eq in enumerate(cells.equations):
                open_ = [c for c in eq if c not in fixed]
                if len(open_) == 1:
                    if open_[0] in small:  # protected below; not followed further (its complement changes that)
                        exposed.setdefault(i, eq)
                    else:
                        fixed.add(open_[0])
                        progress = True
                elif open_ and _narrow(cells, eq, open_, small, k):
                    exposed.setdefault(i, eq)
        if not exposed:
            return
        added: set[Key] = set()
        for _, eq in sorted(exposed.items()):
            if added & eq.keys():  # a count of this sum was hidden just now: seen again in the next round
                continue
            candidates = [c for c in eq if c in known and c not in hidden]
            positive = [c for c in candidates if cells.values[c] > 0] or candidates
            if positive:
                added.add(min(positive, key=lambda c: (eq[c] > 0, cells.values[c], order[c])))
                hidden.update(added)
        if not added:  # only counts fixed by other sums are left to hide: the thorough pass finds them
            return


def _complement(key: Key, cells: Cells, known: set[Key], tries: int = 40) -> Key | None:
    """The published count to hide next: the smallest positive one linked to key (through the sums) whose hiding
    leaves key undetermined; failing that, the smallest in the sum with key that has the fewest unknowns."""
    order = {c: i for i, c in enumerate(cells.values)}
    rank: dict[Key, int] = {}  # known cells linked to key, by how many sums away
    seen, frontier, hops = {key}, [key], 0
    nearest: list[Key] = []
    while frontier:
        sums = [eq for eq in cells.equations if any(f in eq for f in frontier)]
        if not nearest:
            for eq in sorted(sums, key=lambda eq: sum(c not in known for c in eq)):
                nearest = [c for c in eq if c in known]
                if nearest:
                    break
        for eq in sums:
            for c in eq:
                if c in known:
                    rank.setdefault(c, hops)
        frontier = [c for eq in sums for c in eq if c not in seen]
        seen.update(frontier)
        hops += 1
    if not rank:
        return None

    def cost(c: Key) -> tuple:
        return (cells.values[c] <= 0, cells.values[c], rank[c], order[c])

    keys = list(cells.values)
    for candidate in sorted(rank, key=cost)[:tries]:
        if key not in determined(keys, known - {candidate}, cells.equations):
            return candidate
    return min(nearest or rank, key=cost)
