"""Engagement labs: institutions analyse their own visitor and ticket data (DuckDB, parameterised notebooks)."""

from lce_utils.engagement.lab import Lab, ensure_sample, open_lab
from lce_utils.engagement.load import LoadedVisits, Prepared, load_visits, prepare

__all__ = ["Lab", "LoadedVisits", "Prepared", "ensure_sample", "load_visits", "open_lab", "prepare"]
