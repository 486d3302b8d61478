"""The tables a report page publishes about people, protected together and recorded for the auditor.

Every count of people a template shows goes through `publish` (lce_utils.privacy.protect over the cells and their
sums) and is recorded as a display output of type DISCLOSURE_MIME; the build writes those records beside the page
as `<report>.disclosure.json`, which `lce privacy audit` reads. Cell names are global ("course/<assignment>/…",
"mentorship/…", "lab/<run>/…"): the same name on two pages is the same count, so linked pages are audited together."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from IPython.display import display

from lce_utils.privacy import DEFAULT_K, Relation, protect

DISCLOSURE_MIME = "application/vnd.lce.disclosure+json"


def record(table_id: str, title: tuple[str, str], cells: Mapping[str, int | None],
           relations: Iterable[Relation] = ()) -> None:
    """Record one published table (cells as shown, None = suppressed) and the sums it takes part in."""
    data = {"id": table_id, "title": {"sv": title[0], "en": title[1]},
            "cells": {c: None if v is None or pd.isna(v) else int(v) for c, v in cells.items()},
            "relations": [{"total": t, "parts": list(parts)} for t, parts in relations]}
    display({DISCLOSURE_MIME: data}, raw=True)


def publish(table_id: str, title: tuple[str, str], values: Mapping[str, Any], relations: Sequence[Relation] = (),
            published: Sequence[str] | None = None, k: int = DEFAULT_K) -> dict[str, int | None]:
    """Protect values together (privacy.protect), record what is shown, and return it (None = suppressed)."""
    shown = protect(values, relations, published, k)
    record(table_id, title, shown, relations)
    return shown


def row_key(frame: pd.DataFrame, index: int, count_columns: Sequence[str]) -> str:
    """A row's name from its non-count columns (for example 'woman/16-25'), or its position."""
    keys = [str(frame.iloc[index][c]) for c in frame.columns if c not in count_columns
            and not pd.api.types.is_float_dtype(frame[c])]
    return "/".join(keys) if keys else str(index)


def publish_frame(frame: pd.DataFrame, prefix: str, title: tuple[str, str], count_columns: Sequence[str],
                  k: int = DEFAULT_K, total: tuple[str, int | None] | None = None,
                  dependent_columns: Sequence[str] = (), recorded: bool = True) -> pd.DataFrame:
    """A copy of frame as published: its count columns protected and recorded under prefix.

    total (name, value as shown elsewhere) is the count a single count column sums to, for example the visits
    that visits by month add up to; it links this table to the page or report showing that total. A table of
    one row names its cells prefix/column (the programme's "mentorship/applications")."""
    out = frame.copy()
    values: dict[str, Any] = {}
    names: dict[tuple[int, str], str] = {}
    for column in count_columns:
        counts = pd.to_numeric(out[column], errors="coerce")
        for i, value in enumerate(counts):
            if len(out) == 1:
                name = f"{prefix}/{column}"
            else:
                name = f"{prefix}/{row_key(out, i, count_columns)}" + (f"/{column}" if len(count_columns) > 1 else "")
            names[(i, column)] = name
            values[name] = None if pd.isna(value) else int(value)
    relations: list[Relation] = []
    if total is not None and len(count_columns) == 1:
        relations.append((total[0], list(values)))
        values[total[0]] = total[1]  # shown elsewhere (or suppressed there): recorded here too, same value
    shown = protect(values, relations, None, k)
    if recorded:
        record(prefix, title, shown, relations)
    hidden_rows = pd.Series(False, index=out.index)
    for column in count_columns:
        column_values = [shown[names[(i, column)]] for i in range(len(out))]
        hidden = pd.Series([v is None for v in column_values], index=out.index)
        hidden_rows |= hidden
        out[column] = pd.array(column_values, dtype="Int64")
    for column in dependent_columns:
        if column in out.columns:
            out[column] = out[column].astype("object").mask(hidden_rows)
    return out
