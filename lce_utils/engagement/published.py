"""metrics.json and the tables as published: every count about people goes through lce_utils.privacy.protect
across all of them together (primary suppression below k, then complementary cells in the keyed order until the
auditor finds nothing), so that no hidden count can be recovered from a total and its parts, from another table
with the same people, or from a share.

The labs publish counts that add up: visits by gender, by age band and by month each sum to `visits`; the
gender x age table sums to both; new visitors per month sum to each quarter's cohort and to `unique_visitors`; a
share with its count gives its total. `model` writes them down as Cells (published counts, counts only implied,
such as the visitors who did not return, and the sums linking them)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pandas as pd

from lce_utils.engagement import metrics as mx
from lce_utils.engagement.areas import area_names
from lce_utils.engagement.schema import AGE_BANDS
from lce_utils.privacy import DEFAULT_K, protect

Key = Hashable

# What the art-form rows say about their performances one by one; blanked where a performance's tickets are hidden.
PER_PERFORMANCE = ["mean_occupancy", "sold_out_performances", "sold_out_share", "performances_under_half"]


class Publication(NamedTuple):
    """metrics.json and the tables as published, with the cells and sums they were protected over."""

    metrics: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    cells: Cells
    hidden: set

    def disclosure_record(self, run: str) -> dict[str, Any]:
        """Every count about people (None = hidden or never published) and the sums linking them, by global name
        ('lab/<run>/...'), in the form of lce_utils.reports.disclosure records, for a disclosure audit."""
        def name(key: Any) -> str:
            return f"lab/{run}/{cell_name(key)}"
        shown = self.cells.published - self.hidden
        # counts only implied (never published) appear in the relations alone, as the auditor expects
        cells = {name(key): (int(value) if key in shown else None) for key, value in self.cells.values.items()
                 if key in self.cells.published}
        relations = []
        for eq in self.cells.equations:
            total = [key for key, coef in eq.items() if coef > 0]
            parts = [key for key, coef in eq.items() if coef < 0]
            if len(total) == 1 and all(eq[key] == -1 for key in parts):
                relations.append({"total": name(total[0]), "parts": [name(key) for key in parts]})
        return {"id": f"lab/{run}", "title": {"sv": "Publiklabbets tal", "en": "The engagement lab's figures"},
                "cells": cells, "relations": relations}


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


def cell_name(key: Key) -> str:
    """A cell's name for lce_utils.privacy (and, prefixed with lab/<run>/, in the disclosure record)."""
    return "/".join(map(str, key)) if isinstance(key, tuple) else str(key)


def protect_cells(cells: Cells, k: int = DEFAULT_K, key: str | None = None) -> set[Key]:
    """The published keys to hide: lce_utils.privacy.protect over every cell and sum (names without the run's, so
    the same data hides the same cells whatever the output folder is called)."""
    names = {c: cell_name(c) for c in cells.values}
    back = {name: c for c, name in names.items()}
    if len(back) != len(names):
        raise ValueError("two lab cells share a name")
    shown = protect({names[c]: v for c, v in cells.values.items()},
                    [(names[t], [names[p] for p in parts]) for t, parts in cells.relations()],
                    [names[c] for c in cells.values if c in cells.published], k=k, key=key)
    return {back[name] for name, value in shown.items() if value is None}


def publish(raw: dict[str, pd.DataFrame], rows_read: int, rows_rejected: int, has_visitor: bool, has_price: bool,
            has_events: bool, k: int = DEFAULT_K) -> Publication:
    """metrics.json and tables in published form (a Publication: metrics, tables, cells, hidden)."""
    metrics = mx.metrics_json(raw, rows_read, rows_rejected, has_visitor, has_price, k=1)  # k=1: all values
    tables = {name: _rounded(raw[source]) for name, (source, _, _) in mx.TABLES.items()}
    cells = model(metrics, raw, tables, has_visitor, has_events)
    hidden = protect_cells(cells, k)
    published = {name: _table(name, frame, hidden, tables) for name, frame in tables.items()}
    reach = published["reach_by_area"]  # named areas (open data) beside the digits
    reach.insert(1, "area_name", pd.Series([area_names().get(a) for a in reach["area"]], index=reach.index,
                                           dtype=object))
    return Publication(_metrics(metrics, hidden), published, cells, hidden)


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy().reset_index(drop=True)
    for column in out.columns:
        if out[column].dtype == "float64":
            out[column] = out[column].round(4 if "share" in column or "occupancy" in column
                                            or column == "representation_index" else 2)
    return out


def model(metrics: dict[str, Any], raw: dict[str, pd.DataFrame], tables: dict[str, pd.DataFrame],
          has_visitor: bool, has_events: bool) -> Cells:
    """Every published count about people as a cell, the counts they imply, and the sums that link them."""
    c = Cells()
    visits = c.add("visits", metrics["visits"])
    for key in ("visits_by_gender", "visits_by_age_band", "visits_by_month"):
        c.total(visits, [c.add((key, group), n) for group, n in metrics[key].items()])
    counts = {name: columns for name, (_, columns, _) in mx.TABLES.items()}
    for name, frame in tables.items():
        for column in counts[name]:
            for i, value in frame[column].items():
                if pd.notna(value):
                    c.add((name, i, column), value)
    rows = {name: list(frame.itertuples()) for name, frame in tables.items()}
    by_gender_age = rows["visits_by_gender_age"]
    for gender in metrics["visits_by_gender"]:
        c.total(("visits_by_gender", gender), [("visits_by_gender_age", r.Index, "visits")
                                               for r in by_gender_age if r.gender == gender])
    for band in AGE_BANDS:
        c.total(("visits_by_age_band", band), [("visits_by_gender_age", r.Index, "visits")
                                               for r in by_gender_age if r.age_band == band])
    for name in ("revenue_by_ticket_type", "revenue_by_channel"):
        c.total(visits, [(name, i, "tickets") for i in tables[name].index])
    if not has_events:  # tickets per event are then all the visits
        c.total(visits, [("occupancy_by_event", i, "tickets") for i in tables["occupancy_by_event"].index])
    events = tables["occupancy_by_event"]
    for r in rows["occupancy_by_art_form"]:
        c.total(("occupancy_by_art_form", r.Index, "tickets"),
                [("occupancy_by_event", e.Index, "tickets") for e in rows["occupancy_by_event"]
                 if (e.art_form if pd.notna(e.art_form) else "unknown") == r.art_form and pd.notna(e.capacity)]
                if len(events) else [])
    # a share with any shown count gives its total: the totals count as published
    reach = c.add(("reach_by_area", "total"), tables["reach_by_area"]["visits"].sum())
    c.total(reach, [("reach_by_area", i, "visits") for i in tables["reach_by_area"].index])
    c.total(visits, [reach, c.add(("reach_by_area", "no_postcode"), raw["summary"].iloc[0]["visits_without_postcode"],
                                  published=False)])
    audience = c.add(("representation_index", "total"), tables["representation_index"]["audience"].sum())
    c.total(audience, [("representation_index", i, "audience") for i in tables["representation_index"].index])
    by_art = tables["audience_by_art_form"]
    for art_form, group in by_art.groupby("art_form", sort=False):
        c.total(c.add(("audience_by_art_form", "total", art_form), group["visits"].sum()),
                [("audience_by_art_form", i, "visits") for i in group.index])
    if not has_visitor:  # audience is then visits: the same cells as the gender x age table
        for r in rows["representation_index"]:
            for v in by_gender_age:
                if (v.gender, v.age_band) == (r.gender, r.age_band):
                    c.same(("representation_index", r.Index, "audience"), ("visits_by_gender_age", v.Index, "visits"))
        return c
    unique = c.add("unique_visitors", metrics["unique_visitors"])
    returning = raw["returning"].iloc[0]
    c.total(unique, [c.add("returning_visitors", returning["returning_visitors"]),
                     c.add("one_time_visitors", returning["visitors"] - returning["returning_visitors"],
                           published=False)])
    summary = raw["summary"].iloc[0]
    c.total(visits, [c.add("visits_with_visitor", summary["visits_with_visitor"]),
                     c.add("visits_without_visitor", summary["visits"] - summary["visits_with_visitor"],
                           published=False)])
    c.total(unique, [("visitors_by_month", i, "new_visitors") for i in tables["visitors_by_month"].index])
    c.total(unique, [("visitors_by_frequency", i, "visitors") for i in tables["visitors_by_frequency"].index])
    cohorts = tables["cohort_retention"]
    c.total(unique, [("cohort_retention", i, "new_visitors") for i in cohorts.index])
    months = tables["visitors_by_month"]
    for i, r in cohorts.iterrows():
        new = ("cohort_retention", i, "new_visitors")
        c.total(new, [("cohort_retention", i, "returned_within_12_months"),
                      c.add(("cohort_retention", i, "did_not_return"),
                            r["new_visitors"] - r["returned_within_12_months"], published=False)])
        year, quarter = r["cohort"].split("-Q")
        in_quarter = {f"{year}-{3 * (int(quarter) - 1) + m:02d}" for m in (1, 2, 3)}
        c.total(new, [("visitors_by_month", j, "new_visitors") for j in months.index
                      if months.at[j, "month"] in in_quarter])
    return c


def _metrics(metrics: dict[str, Any], hidden: set) -> dict[str, Any]:
    out = dict(metrics)
    for key in ("visits_by_gender", "visits_by_age_band", "visits_by_month"):
        out[key] = {group: None if (key, group) in hidden else n for group, n in metrics[key].items()}
    if "visits" in hidden:  # with one row per visit, rows read minus rejected would give it back
        out["visits"] = out["rows_read"] = None
    if "unique_visitors" in hidden:
        out["unique_visitors"] = None
    if hidden & {"unique_visitors", "visits_with_visitor"}:
        out["visits_per_visitor"] = None
    if hidden & {"unique_visitors", "returning_visitors"}:
        out["returning_visitor_share"] = None
    return out


def _table(name: str, frame: pd.DataFrame, hidden: set, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    _, counts, dependent = mx.TABLES[name]
    out = frame.copy()
    blank = pd.Series(False, index=out.index)
    for column in counts:
        mask = pd.Series([(name, i, column) in hidden for i in out.index], index=out.index, dtype=bool)
        blank |= mask
        out[column] = pd.to_numeric(out[column]).astype("Int64").mask(mask)
    for column in dependent:
        out[column] = out[column].astype("object").mask(blank)
    if name == "reach_by_area" and blank.any():  # a running share moves by a hidden row's share: blank from there
        out["cumulative_share"] = out["cumulative_share"].astype("object").mask(blank.cummax())
    if name == "occupancy_by_art_form" and len(out):
        events = tables["occupancy_by_event"]
        shown = _table("occupancy_by_event", events, hidden, tables) if len(events) else events
        art = shown["art_form"].fillna("unknown")
        touched = set(art[shown["tickets"].isna() & shown["capacity"].notna()])
        per = out["art_form"].isin(touched)
        for column in PER_PERFORMANCE:
            out[column] = out[column].astype("object").mask(per)
    return out
