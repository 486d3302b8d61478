"""Disclosure control: the one mechanism every published count about people goes through.

Primary suppression hides a count below k. Secondary suppression (protect) then hides further cells until no
hidden or unpublished count can be narrowed down, by the linear relations between the published cells (a total
and its parts, on one page or on linked pages), to an interval narrower than the protection level: the auditor
(lce_utils.privacy_audit) computes those intervals with one LP per cell, and protect stops only when it finds
nothing. The extra cells are chosen in a keyed order that does not depend on their values (LCE_PRIVACY_KEY), so
knowing the rule tells a reader nothing about a hidden value. Every hidden cell is labelled "prickad /
suppressed" on the report site, never "<5": a cell hidden to protect another one is usually larger."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from lce_utils import settings

DEFAULT_K = 5
HIDDEN_LABEL = {"sv": "prickad", "en": "suppressed"}
HIDDEN_TEXT = f"{HIDDEN_LABEL['sv']}/{HIDDEN_LABEL['en']}"  # in text that is in both languages
# (total, parts): the published total equals the sum of its parts.
Relation = tuple[str, Sequence[str]]
_DEFAULT_KEY = "lce-public-order"  # set LCE_PRIVACY_KEY (kept out of git) so that nobody can replay the order


def suppress_count(value: Any, k: int = DEFAULT_K) -> int | None:
    """A count of people as published: None when 0 < value < k (0 is published; it identifies no one).

    A missing value (None, NaN, pd.NA, NaT: already suppressed upstream) stays missing."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    n = int(value)
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return None if 0 < n < k else n


def suppress_counts(counts: Mapping[str, Any], k: int = DEFAULT_K) -> dict[str, int | None]:
    """suppress_count applied to each value of a breakdown."""
    return {key: suppress_count(value, k) for key, value in counts.items()}


def suppress_frame(frame: pd.DataFrame, count_columns: list[str], k: int = DEFAULT_K,
                   dependent_columns: list[str] | None = None) -> pd.DataFrame:
    """A copy of frame where each count below k is missing (<NA>).

    Values derived from a suppressed count (shares, means, scores) are listed in dependent_columns and
    are blanked on the same rows, so that a small group cannot be read back from them."""
    out = frame.copy()
    small = pd.Series(False, index=out.index)
    for column in count_columns:
        counts = pd.to_numeric(out[column], errors="coerce")
        hidden = (counts > 0) & (counts < k)
        small |= hidden
        out[column] = counts.astype("Int64").mask(hidden)
    for column in dependent_columns or []:
        out[column] = out[column].astype("object").mask(small)
    return out


def _missing(value: Any) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and pd.isna(value))


def order_key(cell: str, key: str | None = None) -> str:
    """Where a cell comes in the order complementary cells are taken: a keyed hash of its name, not its value."""
    secret = key if key is not None else settings.PRIVACY_KEY() or _DEFAULT_KEY
    return hashlib.sha256(f"{secret}\0{cell}".encode()).hexdigest()


def protect(values: Mapping[str, Any], relations: Iterable[Relation] = (), published: Iterable[str] | None = None,
            k: int = DEFAULT_K, protection: float | None = None, key: str | None = None) -> dict[str, int | None]:
    """The published value of each cell in `published` (default: every cell of values); None = suppressed.

    values: true counts by cell name (None: already hidden upstream). relations: (total, parts) sums that hold
    between cells, across tables and pages. A cell of values that is not published (a complement nobody shows,
    such as "passed" beside "tried" and "failed") is protected as well. The result passes the auditor:
    every hidden or unpublished cell that could be a small group (1..k-1) has an interval at least
    `protection` (default k) wide, and no hidden cell is exactly determined."""
    from lce_utils.privacy_audit import Screen

    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    relations = [(t, tuple(parts)) for t, parts in relations]
    shown_keys = list(values) if published is None else list(published)
    unknown = [c for c in shown_keys if c not in values]
    if unknown:
        raise ValueError(f"published cells without a value: {', '.join(unknown)}")
    hidden = {c for c in shown_keys if _missing(values[c]) or 0 < int(values[c]) < k}
    totals = {t for t, _ in relations}
    # the auditor's judgement (audit_cells), reached without two LPs per unseen cell after every hidden cell
    screen = Screen({c: None if _missing(v) else int(v) for c, v in values.items()}, relations, k=k,
                    protection=protection)
    while True:
        shown = {c: int(values[c]) for c in shown_keys if c not in hidden}
        finding = screen.first(shown, hidden)
        if finding is None:
            break
        if finding.kind in ("inconsistent", "conflict"):
            raise ValueError(f"the counts contradict their relations: {finding.message}")
        cell = finding.cell
        near = {c for t, parts in relations if cell == t or cell in parts for c in (t, *parts)}
        candidates = [c for c in near if shown.get(c, 0) > 0]
        if not candidates:  # nothing left beside it: widen to every shown cell linked to it
            linked = _component(cell, relations)
            candidates = [c for c in linked if shown.get(c, 0) > 0]
        if not candidates:
            raise ValueError(f"cell {cell!r} cannot be protected: {finding.message}")
        exact = finding.interval is not None and finding.interval[1] - finding.interval[0] < 1e-6
        ordered = sorted(candidates, key=lambda c: order_key(c, key))
        parts = [c for c in ordered if c not in totals]
        # in the keyed order: a part that works, a total that works, else the first part, else the first cell
        choice = next((c for c in parts + [c for c in ordered if c in totals]
                       if _works(screen, shown.keys(), c, cell, exact)), (parts or ordered)[0])
        hidden.add(choice)
    return {c: None if c in hidden else int(values[c]) for c in shown_keys}


def _works(screen: Any, shown: Collection[str], candidate: str, cell: str, exact: bool) -> bool:
    """Hiding candidate neither leaves it fixed by the sums (which would only move the problem) nor, when cell is
    exactly known, leaves cell fixed: decided by which cells are shown, never by their values."""
    fixed = screen.determined(set(shown) - {candidate}, around=(candidate, cell))
    return candidate not in fixed and not (exact and cell in fixed)


def _component(cell: str, relations: Sequence[Relation]) -> set[str]:
    """Every cell linked to cell through a chain of relations."""
    seen, todo = {cell}, [cell]
    while todo:
        current = todo.pop()
        for t, parts in relations:
            members = (t, *parts)
            if current in members:
                for m in members:
                    if m not in seen:
                        seen.add(m)
                        todo.append(m)
    return seen


def suppress_with_complement(data: pd.DataFrame | Mapping[str, Any], count_column: str | None = None,
                             k: int = DEFAULT_K, dependent_columns: list[str] | None = None
                             ) -> pd.DataFrame | dict[str, int | None]:
    """A breakdown whose total (the sum, when it is k or more) is published too, protected with protect().

    Counts below k are hidden, then further cells (in the keyed order, never a zero) until no hidden cell can be
    narrowed below the protection level from the total. Missing values count as already hidden; the total is
    then unknown to a reader. A mapping gives a dict (None = hidden); a frame gives a copy whose count_column is
    Int64 with <NA>, blanking dependent_columns on every hidden row."""
    if isinstance(data, pd.DataFrame):
        if count_column is None:
            raise ValueError("count_column is required for a DataFrame")
        frame, column = data, count_column
    else:
        frame, column = pd.DataFrame({"value": pd.Series(list(data.values()), dtype="object")}), "value"
    counts = pd.to_numeric(frame[column], errors="coerce")
    names = [f"row{i}" if isinstance(data, pd.DataFrame) else str(name)
             for i, name in enumerate(frame.index if isinstance(data, pd.DataFrame) else data.keys())]
    values = {name: None if pd.isna(v) else int(v) for name, v in zip(names, counts)}
    relations: list[Relation] = []
    published = list(names)
    known = [v for v in values.values() if v is not None]
    if len(known) == len(values) and sum(known) >= k:
        values["\0total"] = sum(known)
        relations.append(("\0total", names))
        published.append("\0total")
    shown = protect(values, relations, published, k)
    hide = pd.Series([shown[name] is None for name in names], index=frame.index)
    out = frame.copy()
    out[column] = counts.astype("Int64").mask(hide)
    for dependent in dependent_columns or []:
        out[dependent] = out[dependent].astype("object").mask(hide)
    if isinstance(data, pd.DataFrame):
        return out
    return {key: None if pd.isna(value) else int(value) for key, value in zip(data.keys(), out[column])}


def format_count(value: Any, k: int = DEFAULT_K) -> str:
    """How a single count reads in notebooks: digits, or "prickad/suppressed" when it is hidden (below k, or hidden
    upstream to protect another cell, which may be large: never "<k")."""
    shown = suppress_count(value, k)
    if shown is None:
        return HIDDEN_TEXT
    return f"{shown:,}".replace(",", "\u00a0")
