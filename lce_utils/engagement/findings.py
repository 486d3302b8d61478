"""The findings of a lab run in plain words, computed once from its published metrics and tables and written to
findings.json: the lab notebooks (story.suggestions_*) and the reports (reports.sections.lab_findings) both read
them, so a rule (what counts as under-represented, quiet or under-filled) exists in one place.

A finding is {"key": <message key in lce_utils.messages.labs>, "params": {...}}; its text in either language is
render(finding, lang). Params named gender/Gender hold a gender key and are named in the reader's language."""

from __future__ import annotations

from typing import Any

import pandas as pd

from lce_utils.engagement.areas import area_label
from lce_utils.engagement.schema import FINDINGS_FORMAT, FINDINGS_SECTIONS
from lce_utils.messages import t
from lce_utils.privacy import format_count

UNDER_REPRESENTED = 80  # a representation index below this (100 = as in the population) is under-represented
QUIET_MONTH = 0.6  # a month with fewer visits than this share of the average month is quiet
MISSING_SHARE = 0.15  # gender or age missing for more than this share of visits is worth asking about
LOW_FILL, SOLD_OUT_OFTEN = 0.6, 0.3


def pct(value: Any) -> str:
    """A share as a whole percentage ("42 %"), or a dash when it is not known."""
    return "–" if value is None or pd.isna(value) else f"{100 * float(value):.0f}\u00a0%"


def _whole(value: Any) -> str:
    """A count as a whole number, or a dash when it is hidden or not known."""
    return "–" if value is None or pd.isna(value) else f"{int(value)}"


def _f(key: str, **params: Any) -> dict[str, Any]:
    return {"key": key, "params": params}


def render(finding: dict[str, Any], lang: str = "sv") -> str:
    """The finding's text in lang."""
    params = dict(finding["params"])
    for name in ("gender", "Gender"):
        if name in params:
            text = t(f"labs_gender_{params[name]}", lang)
            params[name] = text.capitalize() if name == "Gender" else text
    return t(finding["key"], lang, **params)


def both_languages(finding: dict[str, Any]) -> tuple[str, str]:
    return render(finding, "sv"), render(finding, "en")


def _num(frame: pd.DataFrame | None, *columns: str) -> pd.DataFrame:
    out = pd.DataFrame() if frame is None else frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = pd.to_numeric(out[column], errors="coerce")
    return out


def compute(metrics: dict[str, Any], tables: dict[str, pd.DataFrame], has_population: bool,
            k: int) -> dict[str, list[dict[str, Any]]]:
    """Every section's findings from the published metrics.json and tables of a run."""
    found = (_overview(metrics, tables), _priority(tables, has_population), _programming(tables),
             _loyalty(metrics, tables), _summary(metrics, tables, k))
    return dict(zip(FINDINGS_SECTIONS, found, strict=True))


def document(metrics: dict[str, Any], tables: dict[str, pd.DataFrame], has_population: bool,
             k: int) -> dict[str, Any]:
    """findings.json's content."""
    sections = compute(metrics, tables, has_population, k)
    return {"format": FINDINGS_FORMAT, "sections": sections}


def _overview(m: dict[str, Any], tables: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    out = []
    months = {k: v for k, v in m["visits_by_month"].items() if v}
    if months:
        mean = sum(months.values()) / len(months)
        quiet = sorted(month for month, v in months.items() if v < QUIET_MONTH * mean)
        if quiet:
            out.append(_f("labs_find_quiet_months", months=", ".join(quiet[:6])))
    visits = max(m["visits"] or 0, 1)
    unknown_g = (m["visits_by_gender"].get("unknown") or 0) / visits
    unknown_a = (m["visits_by_age_band"].get("unknown") or 0) / visits
    if unknown_g > MISSING_SHARE or unknown_a > MISSING_SHARE:
        out.append(_f("labs_find_missing_demographics", gender_share=pct(unknown_g), age_share=pct(unknown_a)))
    channels = _num(tables.get("revenue_by_channel"), "revenue_share")
    channels = channels.dropna(subset=["revenue_share"]) if "revenue_share" in channels else channels.iloc[0:0]
    if len(channels) > 1:
        top = channels.iloc[0]
        out.append(_f("labs_find_top_channel", channel=str(top.channel), share=pct(top.revenue_share)))
    return out


def _represented(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The gender x age groups with a known index (and a known age), lowest index first."""
    table = _num(tables.get("representation_index"), "representation_index")
    if not {"gender", "age_band", "representation_index"} <= set(table.columns):
        return pd.DataFrame(columns=["gender", "age_band", "representation_index"])
    known = table.dropna(subset=["representation_index"])
    return known[known["age_band"].astype(str) != "unknown"].sort_values("representation_index", kind="stable")


def _group(row: Any) -> dict[str, Any]:
    return {"gender": str(row.gender), "band": str(row.age_band), "index": f"{float(row.representation_index):.0f}"}


def _priority(tables: dict[str, pd.DataFrame], has_population: bool) -> list[dict[str, Any]]:
    out = []
    if has_population:
        known = _represented(tables)
        for row in known[known["representation_index"] < UNDER_REPRESENTED].head(4).itertuples():
            group = _group(row)
            out.append(_f("labs_find_under_represented", Gender=group["gender"], band=group["band"],
                          index=group["index"]))
    else:
        out.append(_f("labs_find_no_population"))
    reach = _num(tables.get("reach_by_area"), "share")
    if not reach.empty:
        core = reach[reach.catchment == "core"]
        outside = reach[reach.catchment == "outside"]
        areas = ", ".join(core.area.head(6).map(area_label)) + ("…" if len(core) > 6 else "")
        out.append(_f("labs_find_catchment", core=len(core), areas=areas, outside=len(outside)))
    return out


def _programming(tables: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    art = _num(tables.get("occupancy_by_art_form"), "occupancy", "sold_out_share")
    if art.empty:
        return [_f("labs_find_no_events")]
    out = []
    for r in art.itertuples():
        low, full = r.occupancy < LOW_FILL, r.sold_out_share >= SOLD_OUT_OFTEN
        counts = {"art_form": str(r.art_form), "under_half": _whole(r.performances_under_half),
                  "performances": _whole(r.performances)}
        if low and full:
            out.append(_f("labs_find_sells_out_and_underfills", sold_out=pct(r.sold_out_share), **counts))
        elif low:
            out.append(_f("labs_find_underfills", fill=pct(r.occupancy), **counts))
        elif full:
            out.append(_f("labs_find_sells_out", art_form=str(r.art_form), sold_out=pct(r.sold_out_share)))
    events = _num(tables.get("occupancy_by_event"), "occupancy")
    if "occupancy" in events:
        worst = events.dropna(subset=["occupancy"]).sort_values("occupancy").head(3)
        if len(worst):
            out.append(_f("labs_find_lowest_fill", events="; ".join(
                f"{r.event} {str(r.start)[:10]} ({pct(r.occupancy)})" for r in worst.itertuples())))
    return out


def _loyalty(m: dict[str, Any], tables: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    if m["returning_visitor_share"] is None:
        return [_f("labs_find_no_visitor_id")]
    out = [_f("labs_find_once", share=pct(1 - m["returning_visitor_share"]))]
    cohorts = _num(tables.get("cohort_retention"), "retention_share")
    if "retention_share" in cohorts:
        cohorts = cohorts.dropna(subset=["retention_share"])
        complete = cohorts[cohorts.window_complete.astype(bool)]
        if len(complete) >= 2:
            ordered = complete.sort_values("retention_share")
            worst, best = ordered.iloc[0], ordered.iloc[-1]
            out.append(_f("labs_find_cohorts", best=str(best.cohort), best_share=pct(best.retention_share),
                          worst=str(worst.cohort), worst_share=pct(worst.retention_share)))
    return out


def _top(frame: pd.DataFrame | None, value: str) -> tuple[str, float] | None:
    """The first column's label of the row with the largest value (None when the table lacks it)."""
    if frame is None or value not in frame.columns or frame.empty:
        return None
    values = pd.to_numeric(frame[value], errors="coerce")
    if values.notna().sum() == 0:
        return None
    row = values.idxmax()
    return str(frame.loc[row].iloc[0]), float(values[row])


def _summary(m: dict[str, Any], tables: dict[str, pd.DataFrame], k: int) -> list[dict[str, Any]]:
    """The reports' short list: busiest month, return, best-filled art form, least and most represented group
    against the population, the channel with the most revenue."""
    out = []
    months = {month: v for month, v in m["visits_by_month"].items() if v is not None}
    if months:
        month = max(months, key=lambda x: months[x])
        out.append(_f("labs_find_busiest_month", month=month, visits=format_count(months[month], k)))
    if m.get("returning_visitor_share") is not None:
        out.append(_f("labs_find_returning", share=pct(m["returning_visitor_share"])))
    best = _top(tables.get("occupancy_by_art_form"), "occupancy")
    if best:
        out.append(_f("labs_find_best_fill", art_form=best[0], share=pct(best[1])))
    known = _represented(tables)
    if len(known) >= 2:
        out.append(_f("labs_find_least_represented", **_group(next(known.head(1).itertuples()))))
        out.append(_f("labs_find_most_represented", **_group(next(known.tail(1).itertuples()))))
    channel = _top(tables.get("revenue_by_channel"), "revenue_sek")
    if channel:
        out.append(_f("labs_find_most_revenue", channel=channel[0]))
    return out
