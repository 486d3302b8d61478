"""The disclosure auditor: for every cell a reader cannot see, the interval its published relations allow.

What is audited is explicit: every file named `*.disclosure.json` under the audited folder (the report site
writes one per page, an output folder one for its tables). Each lists tables of counts about people:

    {"format": "lce-disclosure/1", "k": 5,
     "tables": [{"id": "...", "title": {"sv": "...", "en": "..."},
                 "cells": {"<cell>": 12, "<cell>": null},          # null: shown as suppressed
                 "relations": [{"total": "<cell>", "parts": ["<cell>", ...]}],
                 "bounds": {"<cell>": [0, 4]}}]}                    # what the page claims, e.g. "<5"

A cell name is global: the same name on two pages is the same count, which is how linked tables (a total on one
page, its parts on another) are audited together. A cell that only appears in relations is unpublished (a
reader can still derive it). Per unseen cell, two LPs (scipy's HiGHS) give its smallest and largest value
given every published value, every relation, non-negativity and the claimed bounds."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lce_utils.cli import command_group
from lce_utils.errors import LCEError
from lce_utils.privacy import DEFAULT_K

FORMAT = "lce-disclosure/1"
SUFFIX = ".disclosure.json"


@dataclass(frozen=True)
class Finding:
    """One problem: kind is small (a shown count under k), exact, narrow, inconsistent or conflict."""

    kind: str
    cell: str
    interval: tuple[float, float] | None
    message: str


@dataclass
class AuditResult:
    """Every finding and the interval of every unseen cell of the audited folder."""

    files: list[Path]
    intervals: dict[str, tuple[float, float]]
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.findings


def _bound_text(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:g}"


def _system(known: Mapping[str, float], unknown: Sequence[str], relations: Sequence[tuple[str, Sequence[str]]]
            ) -> tuple[list[list[float]], list[float]] | None:
    """The relations as A x = b over the unknown cells (None when a relation with nothing unknown fails)."""
    index = {c: i for i, c in enumerate(unknown)}
    rows, rhs = [], []
    for total, parts in relations:
        row = [0.0] * len(unknown)
        constant = 0.0
        for cell, sign in ((total, 1.0), *((p, -1.0) for p in parts)):
            if cell in index:
                row[index[cell]] += sign
            else:
                constant += sign * float(known.get(cell, 0.0))
        if any(row):
            rows.append(row)
            rhs.append(-constant)
        elif abs(constant) > 1e-9:
            return None  # published values contradict a relation with nothing unknown in it
    return rows, rhs


def _box(unknown: Sequence[str], bounds: Mapping[str, tuple[float, float]] | None) -> list[tuple[float, float | None]]:
    bounds = bounds or {}
    ranges = [(max(0.0, bounds.get(c, (0, math.inf))[0]), bounds.get(c, (0, math.inf))[1]) for c in unknown]
    return [(lo, None if math.isinf(hi) else hi) for lo, hi in ranges]  # linprog: None = no upper bound


def _interval(options: dict[str, Any], size: int, i: int) -> tuple[float, float] | None:
    """Two LPs: the smallest and largest value of unknown i (None: no solution at all)."""
    from scipy.optimize import linprog

    ends = []
    for sign in (1.0, -1.0):
        c = [0.0] * size
        c[i] = sign
        res = linprog(c, **options)
        if res.status == 2:
            return None
        ends.append(math.inf if res.status == 3 else sign * res.fun)
    return round(ends[0], 6), ends[1] if math.isinf(ends[1]) else round(ends[1], 6)


def intervals(known: Mapping[str, float], unknown: Iterable[str], relations: Sequence[tuple[str, Sequence[str]]],
              bounds: Mapping[str, tuple[float, float]] | None = None) -> dict[str, tuple[float, float]] | None:
    """Smallest and largest value of each unknown cell (None when the published values admit no solution)."""
    unknown = sorted(set(unknown))
    system = _system(known, unknown, relations)
    if system is None:
        return None
    if not unknown:
        return {}
    rows, rhs = system
    options = {"A_eq": rows or None, "b_eq": rhs or None, "bounds": _box(unknown, bounds), "method": "highs"}
    out: dict[str, tuple[float, float]] = {}
    for i, cell in enumerate(unknown):
        found = _interval(options, len(unknown), i)
        if found is None:
            return None
        out[cell] = found
    return out


def _groups(cells: Iterable[str], relations: Sequence[tuple[str, Sequence[str]]]) -> list[set[str]]:
    """cells grouped by the relations that join them (union-find; a cell no relation joins is a group alone)."""
    parent = {c: c for c in cells}

    def root(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for total, parts in relations:
        members = [m for m in (total, *parts) if m in parent]
        for m in members[1:]:
            parent[root(m)] = root(members[0])
    groups: dict[str, set[str]] = {}
    for c in parent:
        groups.setdefault(root(c), set()).add(c)
    return list(groups.values())


def _components(cells: Iterable[str], relations: Sequence[tuple[str, Sequence[str]]]
                ) -> list[tuple[set[str], list[tuple[str, Sequence[str]]]]]:
    """Unknown cells grouped by the relations that join them (each group is solved on its own)."""
    cells = set(cells)
    groups = _groups(cells, relations)
    out: list[tuple[set[str], list[tuple[str, Sequence[str]]]]] = []
    for group in groups:
        rels = [r for r in relations if group & {r[0], *r[1]}]
        out.append((group, rels))
    closed = [r for r in relations if not cells & {r[0], *r[1]}]
    if closed:
        out.append((set(), closed))
    return out


def _judge(cell: str, lo: float, hi: float, hidden: bool, k: int, protection: float) -> Finding | None:
    """The finding for an unseen cell whose interval is [lo, hi], or None when it is safe."""
    text = f"{cell}: between {_bound_text(lo)} and {_bound_text(hi)}"
    if hidden and hi - lo < 1e-6:
        return Finding("exact", cell, (lo, hi), f"{text}: a suppressed cell is exactly known")
    if hi - lo < protection - 1e-6 and lo < k and hi >= 1:
        return Finding("narrow", cell, (lo, hi), f"{text}: narrower than {protection:g} and may be a group under {k}")
    return None


def _inconsistent(members: Iterable[str], rels: Sequence[tuple[str, Sequence[str]]], bounded: bool) -> Finding:
    cells = sorted(members) or sorted({m for t, parts in rels for m in (t, *parts)})
    return Finding("inconsistent", cells[0], None,
                   f"no counts fit the published values and relations of {', '.join(cells[:6])}"
                   + (" (a cell labelled under k must be larger)" if bounded else ""))


def audit_cells(shown: Mapping[str, float], hidden: Iterable[str], relations: Sequence[tuple[str, Sequence[str]]],
                *, k: int = DEFAULT_K, protection: float | None = None,
                bounds: Mapping[str, tuple[float, float]] | None = None,
                found: dict[str, tuple[float, float]] | None = None) -> list[Finding]:
    """Findings for one publication: shown counts, suppressed cells and the relations between them.

    A cell no one can see is unsafe when it could be a small group (its interval meets 1..k-1) and the interval
    is narrower than `protection` (default k); a suppressed cell must never be exactly determined."""
    protection = float(k if protection is None else protection)
    hidden = set(hidden)
    findings = [Finding("small", c, (v, v), f"{c}: {v:g} is shown, under {k}") for c, v in sorted(shown.items())
                if 0 < v < k]
    in_relations = {m for t, parts in relations for m in (t, *parts)}
    unseen = (in_relations | hidden) - set(shown)
    for members, rels in _components(unseen, relations):
        result = intervals(shown, members, rels, bounds)
        if result is None:
            findings.append(_inconsistent(members, rels, bool(bounds)))
            continue
        for cell, (lo, hi) in sorted(result.items()):
            if found is not None:
                found[cell] = (lo, hi)
            finding = _judge(cell, lo, hi, cell in hidden, k, protection)
            if finding is not None:
                findings.append(finding)
    return findings


def _moves(a: Any, x: Any) -> tuple[Any, Any]:
    """Per unknown j of A x = b (x the true counts): whether it is determined (its unit vector lies in A's row space)
    and how far it moves while x moves along e_j's projection on A's null space and every count stays >= 0 (a lower
    bound of the width of its LP interval)."""
    import numpy as np

    if len(a):
        _, singular, vt = np.linalg.svd(a, full_matrices=True)
        rank = int((singular > 1e-9 * max(1.0, float(singular.max(initial=0.0)))).sum())
        null = vt[rank:].T
    else:
        null = np.eye(len(x))
    p = null @ null.T  # column j: e_j projected on the null space
    reach = p.diagonal().copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = -x[:, None] / p  # t at which x_i + t p_ij reaches 0
        low = np.where(p > 1e-12, ratio, -np.inf).max(axis=0)
        high = np.where(p < -1e-12, ratio, np.inf).min(axis=0)
        width = np.nan_to_num((high - low) * reach, nan=0.0)  # inf * 0 where the cell is determined
    return reach < 1e-9, width


class Screen:
    """The first finding audit_cells would report (cells in name order), for protect() to call after each cell it
    hides, without two LPs per unseen cell each time.

    Exactly audit_cells' judgement, reached cheaply: only the group of unseen cells linked to the one just hidden
    changes (the others' results are kept); within a group whose true counts are known (protect knows them) linear
    algebra settles most cells first: a cell is exactly determined when its unit vector lies in the row space of the
    relations over the unknowns, and otherwise the true counts moved along its null-space direction stay
    non-negative over a range that is a lower bound of its LP interval's width. Only a cell that this lower bound
    cannot show safe gets its two LPs. A cell safe by width stays safe: hiding more cells only widens intervals
    (so between calls the shown cells may only shrink, as in protect)."""

    def __init__(self, truth: Mapping[str, int | None], relations: Sequence[tuple[str, Sequence[str]]], *,
                 k: int = DEFAULT_K, protection: float | None = None) -> None:
        self.truth = truth
        self.relations = [(t, tuple(parts)) for t, parts in relations]
        self.k = k
        self.protection = float(k if protection is None else protection)
        self.touching: dict[str, list[int]] = {}
        for i, (total, parts) in enumerate(self.relations):
            for cell in {total, *parts}:
                self.touching.setdefault(cell, []).append(i)
        self.safe: set[str] = set()
        self.groups: dict[frozenset[str], _Group] = {}
        self.lps = 0  # LP pairs solved (for the benchmark)
        self._matrix: Any = None  # every relation over every cell, for determined()
        self._column: dict[str, int] = {}

    def first(self, shown: Mapping[str, float], hidden: set[str]) -> Finding | None:
        """audit_cells(shown, hidden, relations)[0] when cells are taken in name order, or None when it finds none."""
        for c, v in sorted(shown.items()):
            if 0 < v < self.k:
                return Finding("small", c, (v, v), f"{c}: {v:g} is shown, under {self.k}")
        unseen = (self.touching.keys() | hidden) - shown.keys()
        group_of = self._group_of(unseen)
        live: dict[frozenset[str], _Group] = {}
        for cell in sorted(unseen):
            if cell in self.safe:
                continue
            members = group_of[cell]
            group = live.get(members) or self.groups.get(members)
            if group is None:
                group = _Group(self, members, shown)
            live[members] = group
            finding = group.judge(cell, cell in hidden)
            if finding is not None:
                self.groups = {**self.groups, **live}
                return finding
        self.groups = live
        return None

    def determined(self, shown: Collection[str], around: Iterable[str] = ()) -> set[str]:
        """The cells the relations fix once the cells in shown are known (a cell's unit vector lies in the row space
        of the relations over the unknown cells): structure only, not values. With around, only the unknown cells
        linked to those (the rest cannot change their answer)."""
        import numpy as np

        if self._matrix is None:
            cells = sorted(self.touching)
            self._column = {c: j for j, c in enumerate(cells)}
            self._matrix = np.zeros((len(self.relations), len(cells)))
            for r, (total, parts) in enumerate(self.relations):
                for member, sign in ((total, 1.0), *((p, -1.0) for p in parts)):
                    self._matrix[r, self._column[member]] += sign
        unknown = [c for c in self._column if c not in shown]
        todo = [c for c in around if c in self._column and c not in shown]
        if todo:
            linked = set(todo)
            while todo:
                for i in self.touching[todo.pop()]:
                    total, parts = self.relations[i]
                    for m in (total, *parts):
                        if m not in linked and m not in shown:
                            linked.add(m)
                            todo.append(m)
            unknown = [c for c in unknown if c in linked]
        a = self._matrix[:, [self._column[c] for c in unknown]]
        a = a[np.abs(a).sum(axis=1) > 0]
        if not len(a):
            return set()
        _, singular, vt = np.linalg.svd(a, full_matrices=False)
        rank = int((singular > 1e-9 * max(1.0, float(singular.max(initial=0.0)))).sum())
        reach = (vt[:rank] ** 2).sum(axis=0)  # length of each unit vector's projection on the row space
        return {c for c, r in zip(unknown, reach) if r > 1 - 1e-9}

    def _group_of(self, unseen: set[str]) -> dict[str, frozenset[str]]:
        out: dict[str, frozenset[str]] = {}
        for group in _groups(unseen, self.relations):
            out.update(dict.fromkeys(group, frozenset(group)))
        return out


class _Group:
    """One group of linked unseen cells: its relations as A x = b, settled by linear algebra where it can be."""

    def __init__(self, screen: Screen, members: frozenset[str], shown: Mapping[str, float]) -> None:
        import numpy as np

        self.screen = screen
        self.cells = sorted(members)
        self.index = {c: i for i, c in enumerate(self.cells)}
        rows = sorted({i for c in self.cells for i in screen.touching.get(c, [])})
        self.rels = [screen.relations[i] for i in rows]
        self.done: dict[str, Finding | None] = {}
        self.options: dict[str, Any] | None = None
        system = _system(shown, self.cells, self.rels)
        self.system = system
        self.certain = None  # (determined, width) per cell when the true counts are known and fit
        if system is None:
            return
        truth = [screen.truth.get(c) for c in self.cells]
        if any(v is None for v in truth):
            return
        x = np.array(truth, dtype=float)
        a = np.array(system[0], dtype=float).reshape(len(system[0]), len(self.cells))
        if len(a) and np.abs(a @ x - np.array(system[1])).max() > 1e-6:
            return  # the counts contradict their relations: the LPs say so
        determined, width = _moves(a, x)
        zero = x < 0.5
        if zero.any() and not zero.all():  # counts at 0 stop a move one way: also move with them held at 0
            held = np.vstack([a.reshape(-1, len(x)), np.eye(len(x))[zero]])
            width = np.maximum(width, _moves(held, x)[1])
        self.certain = (determined, width, x)

    def judge(self, cell: str, hidden: bool) -> Finding | None:
        if cell not in self.done:
            self.done[cell] = self._judge(cell, hidden)
        return self.done[cell]

    def _judge(self, cell: str, hidden: bool) -> Finding | None:
        screen = self.screen
        if self.system is None:
            return _inconsistent(self.cells, self.rels, False)
        i = self.index[cell]
        if self.certain is not None:
            determined, width, x = self.certain
            if determined[i]:
                return _judge(cell, float(x[i]), float(x[i]), hidden, screen.k, screen.protection)
            if width[i] >= max(screen.protection, 1e-6) + 1e-6:
                screen.safe.add(cell)
                return None
        if self.options is None:
            rows, rhs = self.system
            self.options = {"A_eq": rows or None, "b_eq": rhs or None, "bounds": _box(self.cells, None),
                            "method": "highs"}
        screen.lps += 1
        found = _interval(self.options, len(self.cells), i)
        if found is None:
            return _inconsistent(self.cells, self.rels, False)
        lo, hi = found
        if hi - lo >= max(screen.protection, 1e-6) + 1e-6:
            screen.safe.add(cell)
        return _judge(cell, lo, hi, hidden, screen.k, screen.protection)


def disclosure_table(table_id: str, cells: Mapping[str, int | None],
                     relations: Iterable[tuple[str, Sequence[str]]] = (),
                     title: tuple[str, str] | None = None) -> dict[str, Any]:
    """One published table for a disclosure file: its cells as shown (None = suppressed) and the sums they are in."""
    table: dict[str, Any] = {"id": table_id, "cells": {c: None if v is None else int(v) for c, v in cells.items()},
                             "relations": [{"total": t, "parts": list(parts)} for t, parts in relations]}
    if title is not None:
        table["title"] = {"sv": title[0], "en": title[1]}
    return table


def write_disclosure(path: Path, tables: Sequence[dict[str, Any]], k: int = DEFAULT_K) -> Path:
    """Write an output folder's tables as <path> (a name ending in .disclosure.json) for `lce privacy audit`."""
    path = Path(path)
    if not path.name.endswith(SUFFIX):
        raise ValueError(f"{path.name}: a disclosure file's name ends in {SUFFIX}")
    path.write_text(json.dumps({"format": FORMAT, "k": k, "tables": list(tables)}, ensure_ascii=False, indent=1),
                    encoding="utf-8")
    return path


def read_tables(path: Path) -> tuple[list[Path], list[dict[str, Any]]]:
    """Every table of every *.disclosure.json under path (or of path itself, a file)."""
    path = Path(path)
    if not path.exists():
        raise LCEError(f"{path}: no such file or folder / finns inte")
    files = [path] if path.is_file() else sorted(p for p in path.rglob(f"*{SUFFIX}") if p.is_file())
    tables = []
    for file in files:
        try:
            doc = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise LCEError(f"{file}: not readable as JSON ({exc})") from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("tables"), list):
            raise LCEError(f"{file}: expected an object with format {FORMAT!r} and a list 'tables'")
        for number, table in enumerate(doc["tables"], start=1):
            if not isinstance(table, dict) or not isinstance(table.get("cells"), dict):
                raise LCEError(f"{file}: table {number}: expected an object with 'cells'")
            tables.append({**table, "file": file})
    return files, tables


def audit_path(path: Path, *, k: int = DEFAULT_K, protection: float | None = None) -> AuditResult:
    """Audit every published table under path together (same cell name = same count)."""
    files, tables = read_tables(path)
    shown: dict[str, float] = {}
    where: dict[str, str] = {}
    suppressed: set[str] = set()
    relations: list[tuple[str, Sequence[str]]] = []
    bounds: dict[str, tuple[float, float]] = {}
    findings: list[Finding] = []
    for table in tables:
        label = f"{Path(table['file']).name}: {table.get('id', '?')}"
        for cell, value in table["cells"].items():
            if value is None:
                suppressed.add(cell)
                continue
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise LCEError(f"{label}: cell {cell!r}: expected a count or null, got {value!r}")
            if cell in shown and shown[cell] != value:
                findings.append(Finding("conflict", cell, None, f"{cell}: {shown[cell]:g} in {where[cell]} but "
                                                                f"{value:g} in {label}"))
            shown[cell], where[cell] = float(value), label
        for rel in table.get("relations", []):
            relations.append((str(rel["total"]), [str(p) for p in rel["parts"]]))
        for cell, (lo, hi) in (table.get("bounds") or {}).items():
            bounds[cell] = (float(lo), math.inf if hi is None else float(hi))
    suppressed -= set(shown)  # shown on one page: known, whatever another page hides
    found: dict[str, tuple[float, float]] = {}
    findings += audit_cells(shown, suppressed, relations, k=k, protection=protection, bounds=bounds, found=found)
    return AuditResult(files, found, findings)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `lce privacy audit PATH`."""
    sub = command_group(subparsers, "privacy", help="audit published tables for disclosure",
                        description="Disclosure control of published counts about people.",
                        dest="privacy_command", metavar="SUBCOMMAND")
    audit = sub.add_parser("audit", help="check a built site or output folder",
                           description="Reads every *.disclosure.json under PATH, sets up the published tables' "
                           "relations and computes, per hidden cell, the interval it could take (one LP per "
                           "bound). Exit 1 when a shown count is under k or a hidden one is narrowed down.")
    audit.add_argument("path", type=Path, metavar="PATH")
    audit.add_argument("--k", type=int, default=DEFAULT_K, help=f"smallest group shown (default {DEFAULT_K})")
    audit.add_argument("--protection", type=float, default=None,
                       help="smallest safe interval width for a hidden cell (default: k)")
    audit.add_argument("--verbose", action="store_true", help="print every hidden cell's interval")
    audit.set_defaults(func=_audit)


def _audit(args: argparse.Namespace) -> int:
    result = audit_path(args.path, k=args.k, protection=args.protection)
    if not result.files:
        raise LCEError(f"{args.path}: no *{SUFFIX} file: nothing to audit / inget att granska")
    if args.verbose:
        for cell, (lo, hi) in sorted(result.intervals.items()):
            print(f"  {cell}: [{_bound_text(lo)}, {_bound_text(hi)}]")
    for finding in result.findings:
        print(f"{finding.kind}: {finding.message}")
    print(f"{len(result.files)} files, {len(result.intervals)} unseen cells, {len(result.findings)} findings")
    return 0 if result.ok else 1
