"""Built-in mapping files for the exports of real systems (`--preset NAME`), and which one a file's headers fit."""

from __future__ import annotations

from pathlib import Path

import yaml

from lce_utils.engagement.mapping import normalise_header
from lce_utils.errors import DataError
from lce_utils.messages import both

PRESETS_DIR = Path(__file__).with_name("presets")
# Systems asked for whose export layout no public documentation or publicly shown export could confirm: a preset
# built on guessed names would silently map the wrong columns, so these say why and point to a mapping file.
# None at present. Tessitura (tessitura.yaml) and Tickster (tickster.yaml) have no documented file export: their
# presets read their APIs' documented records flattened to CSV (Tessitura's TicketHistory as the published tq
# client writes it; Tickster's CRM purchase log as lce_utils.engagement.tickster writes it), and say so.
UNVERIFIED: dict[str, str] = {}
SUGGEST_MIN_SHARE = 0.6  # share of a preset's columns that must be in the file for `labs check` to suggest it


def preset_names() -> list[str]:
    """The names accepted by --preset: the built-in files and the systems known to be unverified."""
    return sorted({p.stem for p in PRESETS_DIR.glob("*.yaml")} | set(UNVERIFIED))


def preset_path(name: str) -> Path:
    """The mapping file of a preset; DataError for an unknown or unverified system."""
    path = PRESETS_DIR / f"{name}.yaml"
    if path.is_file():
        return path
    if name in UNVERIFIED:
        raise DataError(f"preset {name}: " + both("labs_err_preset_unverified", reason=UNVERIFIED[name]))
    raise DataError(f"preset {name!r}: " + both("labs_err_preset_unknown", names=", ".join(preset_names())))


def preset_columns(name: str) -> list[str]:
    """The file columns a preset names (what its export must have)."""
    mapping = yaml.safe_load(preset_path(name).read_text(encoding="utf-8")) or {}
    return [str(c) for c in (mapping.get("columns") or {}).values() if c]  # "" marks a column the file lacks


def suggest_preset(headers: list[str]) -> tuple[str, int, int] | None:
    """The preset whose columns the headers fit best (name, columns found, columns named), or None when none fits
    (fewer than SUGGEST_MIN_SHARE of any preset's columns, or fewer than two)."""
    found = {normalise_header(h) for h in headers}
    best: tuple[float, int, str, int] | None = None
    for name in preset_names():
        if name in UNVERIFIED:
            continue
        wanted = [normalise_header(c) for c in preset_columns(name)]
        hits = sum(1 for c in wanted if c in found)
        share = hits / len(wanted) if wanted else 0.0
        if hits >= 2 and share >= SUGGEST_MIN_SHARE and (best is None or (share, hits) > best[:2]):
            best = (share, hits, name, len(wanted))
    return (best[2], best[1], best[3]) if best else None
