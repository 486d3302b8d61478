"""Sector benchmark: institutions that choose to share a lab run see where they stand among their peers.

Only a run's published figures are read (metrics.json after small-cell suppression and complementary hiding), and
only ratios are compared, never counts: a ratio whose parts were hidden in the institution's own run is not
computed, so the benchmark cannot reveal what the run hid. A metric is shown only when at least
MIN_INSTITUTIONS institutions have it. The public page names no institution; each institution's own report names it
and nobody else. No sector total is published, so no institution's figures can be recovered by subtraction."""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from lce_utils.engagement.run_folder import read_run
from lce_utils.errors import DataError, UsageError
from lce_utils.messages import both, pair
from lce_utils.paths import VAR
from lce_utils.privacy import DEFAULT_K
from lce_utils.staging import atomic_write_text

MIN_INSTITUTIONS = 3
PAGE = "jamforelse.html"
SCHEMA_VERSION = 1


def shared_dir(var: Path | None = None, demo: bool = False) -> Path:
    """Where shared runs are kept (one JSON file per institution; runtime data, never in git); the demo's
    fictitious institutions (`lce run`) are kept apart from real ones."""
    return (var or VAR) / "knowledge" / ("benchmark-demo" if demo else "benchmark")


def _share_of(counts: dict[str, Any] | None, parts: tuple[str, ...], skip: tuple[str, ...] = ("unknown",)
              ) -> float | None:
    """parts / all known categories, only when every count involved was published."""
    if not counts:
        return None
    known = {k: v for k, v in counts.items() if k not in skip}
    if not known or any(v is None for v in known.values()) or any(p not in known for p in parts):
        return None
    total = sum(float(v) for v in known.values())
    return round(sum(float(known[p]) for p in parts) / total, 4) if total else None


def _scalar(name: str) -> Callable[[dict[str, Any]], float | None]:
    return lambda m: None if m.get(name) is None else round(float(m[name]), 4)


@dataclass(frozen=True)
class Metric:
    """One compared ratio: its key, its names and how it is read from a run's published metrics.json."""

    key: str
    sv: str
    en: str
    read: Callable[[dict[str, Any]], float | None]
    percent: bool


METRICS = (
    Metric("visits_per_visitor", *pair("r.kf_visits_per_visitor"), _scalar("visits_per_visitor"), False),
    Metric("returning_visitor_share", *pair("knowledge_bm_returning_visitor_share"),
           _scalar("returning_visitor_share"), True),
    Metric("young_share", *pair("knowledge_bm_young_share"),
           lambda m: _share_of(m.get("visits_by_age_band"), ("0-15", "16-25")), True),
    Metric("older_share", *pair("knowledge_bm_older_share"),
           lambda m: _share_of(m.get("visits_by_age_band"), ("66-75", "76+")), True),
)


@dataclass(frozen=True)
class Shared:
    """One institution's shared run: its name, period and the compared ratios (None: not computable)."""

    institution: str
    slug: str
    period: tuple[str | None, str | None]
    shared_on: str
    values: dict[str, float | None]


def slug(name: str) -> str:
    """A file-safe id for an institution name ('Teatern i Ystad' -> 'teatern-i-ystad'; accents dropped)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    if not out:
        raise UsageError(both("knowledge_err_no_letters", name=repr(name)))
    return out


def share(run: str | Path, institution: str, *, var: Path | None = None, demo: bool = False,
          today: date | None = None) -> Shared:
    """Share a lab run's published ratios under `institution` (replacing its earlier share); return what was kept."""
    r = read_run(run)
    k = r.info.get("k")
    if not isinstance(k, int) or k < DEFAULT_K:  # a run.json without its threshold says nothing of what it hid
        raise DataError(both("knowledge_err_low_k", run=run, k=k, least=DEFAULT_K))
    entry = Shared(institution=institution.strip(), slug=slug(institution),
                   period=(r.metrics.get("period_start"), r.metrics.get("period_end")),
                   shared_on=(today or date.today()).isoformat(),
                   values={m.key: m.read(r.metrics) for m in METRICS})
    folder = shared_dir(var, demo)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{entry.slug}.json"
    atomic_write_text(path, json.dumps({"schema": SCHEMA_VERSION, "institution": entry.institution,
                                        "period": entry.period, "shared_on": entry.shared_on,
                                        "values": entry.values}, ensure_ascii=False, indent=1))
    return entry


def unshare(institution: str, *, var: Path | None = None, demo: bool = False) -> bool:
    """Withdraw an institution's share (by name or slug); True when there was one."""
    path = shared_dir(var, demo) / f"{slug(institution)}.json"
    if path.exists():
        path.unlink()
        return True
    return False


def load(var: Path | None = None, demo: bool = False) -> list[Shared]:
    """Every shared run, by institution slug."""
    out = []
    for path in sorted(shared_dir(var, demo).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out.append(Shared(institution=data["institution"], slug=path.stem, period=tuple(data["period"]),
                          shared_on=data["shared_on"],
                          values={m.key: data["values"].get(m.key) for m in METRICS}))
    return out


@dataclass(frozen=True)
class Standing:
    """One metric across the sharing institutions: how many have it, their values sorted (highest first)."""

    metric: Metric
    values: list[float]
    shown: bool

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def position(self, value: float) -> int:
        """1 = highest; institutions with equal values share a position."""
        return 1 + sum(1 for v in self.values if v > value)


def standings(shared: list[Shared], minimum: int = MIN_INSTITUTIONS) -> list[Standing]:
    """Each metric's standing; `shown` only when at least `minimum` institutions have a value for it."""
    out = []
    for m in METRICS:
        values = sorted((float(v) for s in shared if (v := s.values.get(m.key)) is not None), reverse=True)
        out.append(Standing(m, values, len(values) >= minimum))
    return out


def fmt(metric: Metric, value: float) -> str:
    """A ratio as the pages show it, Swedish style (comma decimal, non-breaking space before %)."""
    text = f"{value * 100:.1f}\u00a0%" if metric.percent else f"{value:.2f}"
    return text.replace(".", ",")


def _context(shared: list[Shared], own: Shared | None) -> dict[str, Any]:
    rows = []
    for st in standings(shared):
        row: dict[str, Any] = {"sv": st.metric.sv, "en": st.metric.en, "shown": st.shown, "n": len(st.values)}
        if st.shown:
            row.update(low=fmt(st.metric, st.values[-1]), median=fmt(st.metric, st.median),
                       high=fmt(st.metric, st.values[0]))
            if own is not None:
                value = own.values.get(st.metric.key)
                row["own"] = None if value is None else {"value": fmt(st.metric, value),
                                                         "position": st.position(value)}
                row["peers"] = [fmt(st.metric, v) for v in st.values]
        rows.append(row)
    return {"rows": rows, "institutions": len(shared), "minimum": MIN_INSTITUTIONS,
            "own": None if own is None else own.institution}


def page(shared: list[Shared], *, built_at: str, demo: bool = False, own: Shared | None = None,
         contact: str | None = None, k: int = DEFAULT_K) -> str:
    """The public benchmark page (own=None: no institution named) or one institution's own report."""
    from lce_utils.reports import render

    extra = {"contact": contact} if contact else {"contact": render.DEFAULT_CONTACT}
    return render._env().get_template("benchmark.html.j2").render(
        built_at=built_at, demo=demo, k=k, **extra, **_context(shared, own))


def write_reports(out: Path, *, built_at: str, var: Path | None = None, demo: bool = False) -> list[Path]:
    """Each sharing institution's own report (naming it, peers anonymous) as <out>/<slug>.html, for staff to send."""
    from lce_utils.reports import render

    shared = load(var, demo)
    (out / "assets").mkdir(parents=True, exist_ok=True)
    for asset, name in ((render.CSS, "site.css"), (render.EMBLEM, "eu-emblem.svg")):
        (out / "assets" / name).write_bytes(asset.read_bytes())
    written = []
    for entry in shared:
        path = out / f"{entry.slug}.html"
        path.write_text(page(shared, built_at=built_at, demo=demo, own=entry), encoding="utf-8")
        written.append(path)
    return written


def write_page(site: Path, config: Mapping[str, Any], *, updated: str, contact: str, demo: bool = False,
               var: Path | None = None) -> int:
    """Write the public benchmark page into site from the store the manifest's `benchmark: {store: demo|real}`
    names (real when absent); returns how many institutions share."""
    store = (config.get("benchmark") or {}).get("store", "real")
    if store not in ("demo", "real"):
        raise DataError(f"benchmark.store must be 'demo' or 'real', not {store!r} / benchmark.store ska vara "
                        "'demo' eller 'real'")
    shared = load(var, demo=store == "demo")
    (Path(site) / PAGE).write_text(page(shared, built_at=updated, demo=demo, contact=contact), encoding="utf-8")
    return len(shared)
