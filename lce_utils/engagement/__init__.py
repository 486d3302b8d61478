"""Engagement labs: institutions analyse their own visitor and ticket data (DuckDB, parameterised notebooks).

The public names are imported lazily, so that `lce --help` (which imports this package's cli) stays fast."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "load_visits": "lce_utils.engagement.load", "prepare": "lce_utils.engagement.load",
    "LoadedVisits": "lce_utils.engagement.load", "Prepared": "lce_utils.engagement.load",
    "Lab": "lce_utils.engagement.lab", "open_lab": "lce_utils.engagement.lab",
    "ensure_sample": "lce_utils.engagement.lab", "story": "lce_utils.engagement.story",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'lce_utils.engagement' has no attribute {name!r}")
    module = import_module(_EXPORTS[name])
    return module if name == "story" else getattr(module, name)
