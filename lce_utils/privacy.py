"""Small-cell suppression: the one function labs, reports and the mentorship aggregates use.

A count about people below k is not published: it becomes None (null in JSON) and shows as "<k"."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

DEFAULT_K = 5


def suppress_count(value: Any, k: int = DEFAULT_K) -> int | None:
    """A count of people as published: None when 0 < value < k (0 is published; it identifies no one)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
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


def format_count(value: Any, k: int = DEFAULT_K) -> str:
    """How a published count reads in notebooks and reports: '<5' for a suppressed one."""
    shown = suppress_count(value, k) if value is not None else None
    if shown is None:
        return f"<{k}"
    return f"{shown:,}".replace(",", "\u00a0")
