"""What the four lab notebooks show: charts on published (aggregated, suppressed) tables with a text
alternative, key figures, and suggestions drawn from the data (engagement.findings). Swedish and English for
readers; every text is in lce_utils.messages.labs."""

from __future__ import annotations

import html
from typing import Any

import altair as alt
import pandas as pd
from IPython.display import HTML

from lce_utils.charts import show_chart
from lce_utils.engagement import findings
from lce_utils.engagement.areas import area_label
from lce_utils.engagement.findings import pct as _pct
from lce_utils.engagement.lab import Lab
from lce_utils.engagement.schema import AGE_BANDS, GENDERS
from lce_utils.messages import both
from lce_utils.privacy import HIDDEN_LABEL, format_count

CATCHMENTS = ("core", "primary", "secondary", "outside")
WIDTH = 560


def _catchment(name: str) -> str:
    return both(f"labs_catchment_{name}") if name in CATCHMENTS else name


def _gender(name: str) -> str:
    return both(f"labs_gender_{name}") if name in GENDERS else name


def _p(key: str, **params: Any) -> HTML:
    """A paragraph of one message, Swedish then English."""
    return HTML(f"<p>{html.escape(both(key, **params))}</p>")


def _sek(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):,.0f}\u00a0kr".replace(",", "\u00a0")


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def show_suggestions(items: list[str]) -> HTML:
    """The closing list of suggestions drawn from the data."""
    if not items:
        items = [both("labs_no_gaps")]
    return HTML("<section class=\"lce-suggestions\">" + _list(items) + "</section>")


def key_figures(lab: Lab) -> HTML:
    """The main figures of metrics.json as a small table (counts of people suppressed below k)."""
    m, k = lab.metrics, lab.k
    rows = [
        ("Institution", html.escape(lab.institution)),
        ("Period", f"{m['period_start']} – {m['period_end']}"),
        (both("labs_kf_visits"), format_count(m["visits"], k)),
        (both("labs_kf_unique_visitors"),
         format_count(m["unique_visitors"], k) if m["unique_visitors"] is not None else
         "– (" + html.escape(lab.not_available.get("unique_visitors", both("labs_no_visitor_id_short"))) + ")"),
        (both("labs_kf_visits_per_visitor"),
         "–" if m["visits_per_visitor"] is None else f"{m['visits_per_visitor']:.2f}"),
        (both("labs_kf_returning_share"), _pct(m["returning_visitor_share"])),
        (both("labs_kf_revenue"), _sek(m["revenue_sek"])),
        (both("labs_kf_rows_read"), format_count(m["rows_read"], k)),
        (both("labs_kf_rows_rejected"), f"{m['rows_rejected']} ({both('labs_see_rejects')})"),
    ]
    body = "".join(f"<tr><th scope='row'>{a}</th><td>{b}</td></tr>" for a, b in rows)
    return HTML(f"<table class='lce-key-figures'><caption>{both('r.key_figures')}</caption>{body}</table>")


def _bar(frame: pd.DataFrame, x: str, y: str, title: str, x_title: str, y_title: str, k: int, sort: Any = None,
         color: str | None = None, horizontal: bool = False, offset: bool = False, y_format: str | None = None,
         rule: float | None = None) -> alt.LayerChart | alt.FacetChart:
    """Bars of y by x; a missing y (a suppressed count) is drawn as the text "<k" on the axis, never dropped.

    sort "-y" orders by value, largest first (suppressed last); offset groups the colours side by side;
    rule draws a dashed reference line at that value of y."""
    data = frame[[c for c in dict.fromkeys((x, y, color)) if c]].copy()
    data[x] = data[x].astype(str)
    data[y] = pd.to_numeric(data[y], errors="coerce").astype(float)
    hidden = data[y].isna()
    data["label"] = [HIDDEN_LABEL["sv"] if h else "" for h in hidden]  # (the notebooks say what "prickad" means)
    data[y] = data[y].fillna(0.0)
    if sort == "-y":
        sort = list(dict.fromkeys(data.assign(_h=hidden).sort_values(["_h", y], ascending=[True, False])[x]))
    if color:
        data[color] = data[color].astype(str)
    enc_x = alt.X(f"{x}:N", title=x_title, sort=sort)
    axis = alt.Axis(format=y_format) if y_format else alt.Axis()
    enc_y = alt.Y(f"{y}:Q", title=y_title, axis=axis)
    if horizontal:
        enc_x, enc_y = alt.X(f"{y}:Q", title=y_title, axis=axis), alt.Y(f"{x}:N", title=x_title, sort=sort)
    base = alt.Chart(data).encode(x=enc_x, y=enc_y)
    if offset and color:
        base = base.encode(**({"yOffset": alt.YOffset(f"{color}:N")} if horizontal else
                              {"xOffset": alt.XOffset(f"{color}:N")}))
    bars = base.mark_bar()
    if color:
        bars = bars.encode(color=alt.Color(f"{color}:N", title=None))
    text = base.mark_text(align="left" if horizontal else "center", baseline="middle" if horizontal else "bottom",
                          dx=3 if horizontal else 0, dy=0 if horizontal else -3, fontSize=11).encode(text="label:N")
    layers = [bars, text]
    if rule is not None:
        layers.append(alt.Chart(pd.DataFrame({"ref": [rule]})).mark_rule(strokeDash=[4, 4], color="black").encode(
            **({"x": "ref:Q"} if horizontal else {"y": "ref:Q"})))
    return alt.layer(*layers, title=title, width=WIDTH, height=260)


def chart_visits_by_month(lab: Lab) -> HTML:
    """Visits per month."""
    months = pd.DataFrame([{"month": k, "visits": v} for k, v in lab.metrics["visits_by_month"].items()],
                          columns=["month", "visits"])
    if months.empty:
        return _p("labs_no_visits")
    ranked = months.assign(visits=pd.to_numeric(months["visits"]).fillna(0))
    top = ranked.sort_values("visits", ascending=False).iloc[0]
    low = ranked.sort_values("visits").iloc[0]
    alt_text = both("labs_alt_visits_by_month", top=top.month, top_visits=format_count(top.visits, lab.k),
                    low=low.month, low_visits=format_count(low.visits, lab.k))
    chart = _bar(months, "month", "visits", both("labs_title_visits_by_month"), both("labs_axis_month"),
                 both("labs_axis_visits"), lab.k)
    return show_chart(chart, alt_text)


def _breakdown(lab: Lab, key: str, labels: dict[str, str] | None, title: str, order: list[str]) -> HTML:
    values = lab.metrics[key]
    frame = pd.DataFrame([{"group": (labels or {}).get(g, g), "visits": v} for g, v in values.items()],
                         columns=["group", "visits"])
    total = sum(v for v in values.values() if v)
    parts = ", ".join(f"{(labels or {}).get(g, g)} {format_count(v, lab.k)} ({_pct(v / total) if v and total else '–'})"
                      for g, v in values.items())
    chart = _bar(frame, "group", "visits", title, both("labs_axis_group"), both("labs_axis_visits"), lab.k,
                 sort=[(labels or {}).get(o, o) for o in order])
    return show_chart(chart, both("labs_alt_breakdown", title=title, parts=parts))


def chart_gender(lab: Lab) -> HTML:
    """Visits by gender."""
    return _breakdown(lab, "visits_by_gender", {g: _gender(g) for g in GENDERS}, both("labs_title_by_gender"),
                      list(GENDERS))


def chart_age(lab: Lab) -> HTML:
    """Visits by age band."""
    return _breakdown(lab, "visits_by_age_band", None, both("labs_title_by_age"), list(AGE_BANDS))


def chart_revenue(lab: Lab, by: str) -> HTML:
    """Revenue by ticket type or channel."""
    name = f"revenue_by_{by}"
    frame = lab.table(name)
    frame = frame.assign(revenue_sek=pd.to_numeric(frame["revenue_sek"], errors="coerce"))
    label = both(f"labs_axis_{by}")
    parts = ", ".join(f"{r[by]} {_sek(r.revenue_sek)} ({_pct(r.revenue_share)})" for _, r in frame.iterrows())
    chart = _bar(frame, by, "revenue_sek", both(f"labs_title_revenue_by_{by}"), label, both("labs_axis_revenue"),
                 lab.k, sort="-y", horizontal=True)
    return show_chart(chart, both(f"labs_alt_revenue_by_{by}", parts=parts))


def chart_reach(lab: Lab, top: int = 15) -> HTML:
    """Visits by postcode area (first three digits), coloured by catchment."""
    frame = lab.table("reach_by_area").head(top)
    if frame.empty:
        return _p("labs_no_postcodes")
    counts = lab.table("reach_by_area")["catchment"].value_counts()
    alt_text = both("labs_alt_reach", areas=len(frame), core=counts.get("core", 0), primary=counts.get("primary", 0),
                    secondary=counts.get("secondary", 0), largest=area_label(frame.iloc[0].area))
    frame = frame.assign(area=frame["area"].map(area_label), catchment=frame["catchment"].map(_catchment))
    chart = _bar(frame, "area", "visits", both("labs_title_reach"), both("labs_axis_area"),
                 both("labs_axis_visits"), lab.k, sort="-y", color="catchment", horizontal=True)
    return show_chart(chart, alt_text)


def representation(lab: Lab) -> HTML:
    """The representation index (audience against the county's population), or an explicit note that it is left out."""
    table = lab.table("representation_index")
    if not lab.has_population:
        heading, text = both("labs_no_population_heading"), both("labs_no_population_text")
        return HTML(f"<p><strong>{html.escape(heading)}.</strong> {html.escape(text)}</p>")
    legend = both("labs_axis_gender")
    frame = table.assign(representation_index=pd.to_numeric(table["representation_index"], errors="coerce"))
    frame[legend] = frame["gender"].map(_gender)
    known = frame.dropna(subset=["representation_index"])
    low = known.sort_values("representation_index").head(3)
    high = known.sort_values("representation_index", ascending=False).head(2)
    alt_text = both("labs_alt_representation",
                    low=", ".join(f"{_gender(r.gender)} {r.age_band} ({r.representation_index:.0f})"
                                  for r in low.itertuples()),
                    high=", ".join(f"{_gender(r.gender)} {r.age_band} ({r.representation_index:.0f})"
                                   for r in high.itertuples()))
    chart = _bar(frame, "age_band", "representation_index", both("labs_title_representation"),
                 both("labs_axis_age_band"), "Index", lab.k, sort=list(AGE_BANDS), color=legend, offset=True,
                 rule=100)
    return show_chart(chart, alt_text)


def _index(value: Any) -> str:
    """A representation index as a whole number, or a dash when it is not known."""
    return "–" if pd.isna(value) else f"{float(value):.0f}"


def audience_table(lab: Lab) -> HTML:
    """Audience and population shares by gender and age band, as a readable table."""
    table = lab.table("representation_index")
    rows = []
    for r in table.itertuples():
        rows.append(f"<tr><td>{_gender(r.gender)}</td><td>{r.age_band}</td>"
                    f"<td>{format_count(r.audience, lab.k)}</td><td>{_pct(r.audience_share)}</td>"
                    f"<td>{_pct(r.population_share)}</td><td>{_index(r.representation_index)}</td></tr>")
    head = "<tr>" + "".join(f"<th>{both(f'labs_col_{c}')}</th>" for c in
                            ("gender", "age", "audience", "share", "population_share")) + "<th>Index</th></tr>"
    return HTML(f"<table><caption>{both('labs_caption_audience')}</caption>{head}{''.join(rows)}</table>")


def chart_occupancy_by_art_form(lab: Lab) -> HTML:
    """Fill and sold-out share per art form."""
    table = lab.table("occupancy_by_art_form")
    if table.empty:
        return _p("labs_no_capacity")
    frame = table
    long = pd.concat([
        pd.DataFrame({"art_form": frame.art_form, "measure": both("labs_measure_fill"),
                      "value": pd.to_numeric(frame.occupancy, errors="coerce")}),
        pd.DataFrame({"art_form": frame.art_form, "measure": both("labs_measure_sold_out"),
                      "value": pd.to_numeric(frame.sold_out_share, errors="coerce")}),
    ])
    parts = ", ".join(f"{r.art_form}: {_pct(r.occupancy)} / {_pct(r.sold_out_share)}" for r in frame.itertuples())
    chart = _bar(long, "art_form", "value", both("labs_title_occupancy_by_art_form"), both("labs_axis_art_form"),
                 both("labs_col_share"), lab.k, color="measure", offset=True, y_format="%")
    return show_chart(chart, both("labs_alt_occupancy_by_art_form", parts=parts))


def chart_occupancy_distribution(lab: Lab) -> HTML:
    """How many performances fall in each band of fill (10 % steps)."""
    table = lab.table("occupancy_by_event").dropna(subset=["occupancy"])
    if table.empty or table["capacity"].isna().all():
        return _p("labs_no_capacity_per_performance")
    occ = table["occupancy"].astype(float).clip(upper=1.0)
    bands = (occ * 10).clip(upper=9.999).astype(int) * 10
    frame = bands.value_counts().sort_index().rename_axis("band").reset_index(name="performances")
    frame["band"] = frame["band"].map(lambda b: f"{b}–{b + 10} %")
    sold_out = int(table["sold_out"].astype(bool).sum())
    chart = _bar(frame, "band", "performances", both("labs_title_occupancy_distribution"), both("labs_axis_fill"),
                 both("labs_axis_performances"), lab.k, sort=None)
    return show_chart(chart, both("labs_alt_occupancy_distribution", sold_out=sold_out, performances=len(table)))


def audience_by_art_form(lab: Lab) -> HTML:
    """The share of each age band in each art form's audience (visits), with small counts suppressed."""
    if not lab.has_events:
        return _p("labs_art_form_needs_events")
    # shares of each art form's visits with a known age; hidden groups (and their shares) are left out
    published = lab.table("audience_by_art_form").dropna(subset=["share"])
    if published.empty:
        return _p("labs_too_few_ages")
    published = published.assign(share=published["share"].astype(float))
    young = published[published.age_band.isin(["16-25", "26-35"])].groupby("art_form")["share"].sum()
    parts = ", ".join(f"{a}: {_pct(s)}" for a, s in young.sort_values().items())
    chart = alt.Chart(published, title=both("labs_title_age_mix"), width=WIDTH,
                      height=240).mark_bar().encode(
        y=alt.Y("art_form:N", title=both("labs_axis_art_form")),
        x=alt.X("share:Q", stack=True, title=both("labs_axis_share_of_visits"), axis=alt.Axis(format="%")),
        color=alt.Color("age_band:N", sort=list(AGE_BANDS), title=both("labs_col_age")),
        order=alt.Order("age_band:N"))
    return show_chart(chart, both("labs_alt_age_mix", parts=parts))


def chart_new_returning(lab: Lab) -> HTML:
    """New and returning visitors per month."""
    table = lab.table("visitors_by_month")
    if table.empty:
        return _p("labs_no_visitor_id_new_returning")
    long = table.melt("month", ["new_visitors", "returning_visitors"], var_name="kind", value_name="visitors")
    long["kind"] = long["kind"].map({"new_visitors": both("labs_kind_new"),
                                     "returning_visitors": both("labs_kind_returning")})
    last = table.iloc[-1]
    chart = _bar(long, "month", "visitors", both("labs_title_new_returning"), both("labs_axis_month"),
                 both("labs_axis_visitors"), lab.k, color="kind", offset=True)
    return show_chart(chart, both("labs_alt_new_returning", month=last.month,
                                  new=format_count(last.new_visitors, lab.k),
                                  returning=format_count(last.returning_visitors, lab.k)))


def chart_cohorts(lab: Lab) -> HTML:
    """The share of each quarter's first-time visitors who came back within 12 months."""
    table = lab.table("cohort_retention")
    if table.empty:
        return _p("labs_no_cohorts")
    frame = table.assign(retention_share=pd.to_numeric(table["retention_share"], errors="coerce"),
                         window=table["window_complete"].map({True: both("labs_window_full"),
                                                              False: both("labs_window_incomplete")}))
    parts = ", ".join(f"{r.cohort} {_pct(r.retention_share)}" + ("" if r.window_complete else " (*)")
                      for r in frame.itertuples())
    chart = _bar(frame, "cohort", "retention_share", both("labs_title_cohorts"), both("labs_axis_first_visit"),
                 both("labs_axis_returned_share"), lab.k, color="window")
    return show_chart(chart, both("labs_alt_cohorts", parts=parts))


def frequency(lab: Lab) -> HTML:
    """How many visitors came once, twice, 3-5 and 6+ times (suppressed)."""
    if not lab.has["visitor_id"]:
        return _p("labs_no_visitor_id")
    published = lab.table("visitors_by_frequency")
    parts = ", ".join(f"{r.frequency}: {format_count(r.visitors, lab.k)}" for r in published.itertuples())
    chart = _bar(published, "frequency", "visitors", both("labs_title_frequency"), both("labs_axis_number_of_visits"),
                 both("labs_axis_visitors"), lab.k, sort=["1", "2", "3-5", "6+"])
    return show_chart(chart, both("labs_alt_frequency", parts=parts))


def rejects_note(lab: Lab) -> HTML:
    """What was rejected and why (counts by reason; the rows themselves are in rejects.csv)."""
    rejects = pd.read_csv(lab.prepared.rejects_path, dtype=str, keep_default_na=False)
    notes = []
    excluded = lab.meta.get("rows_excluded") or {}
    if excluded:
        notes.append(f"<p>{both('labs_rows_not_visits')}:</p>"
                     + _list([f"{reason}: {n}" for reason, n in excluded.items()]))
    duplicates = (lab.meta.get("duplicate_rows") or {}).get("rows", 0)
    if duplicates:
        notes.append(_p("labs_duplicate_rows", n=duplicates).data)
    if rejects.empty:
        return HTML(_p("labs_every_row_read").data + "".join(notes))
    counts = rejects["reason"].value_counts()
    items = [f"{reason}: {n}" for reason, n in counts.items()]
    return HTML(f"<p>{both('labs_rows_rejected')}:</p>" + _list(items) + "".join(notes))


# ---- suggestions (computed once in engagement.findings, also written to the run's findings.json) -----------

def _section(lab: Lab, section: str) -> list[str]:
    found = findings.compute(lab.metrics, lab.tables, lab.has_population, lab.k)[section]
    return [" / ".join(findings.both_languages(f)) for f in found]


def suggestions_overview(lab: Lab) -> list[str]:
    """Concrete suggestions from the overview: quiet months, data gaps, channels."""
    return _section(lab, "overview")


def suggestions_priority(lab: Lab) -> list[str]:
    """Under-represented groups against the county's population, and areas outside the core catchment."""
    return _section(lab, "priority")


def suggestions_programming(lab: Lab) -> list[str]:
    """Under-filling and selling-out art forms and performances."""
    return _section(lab, "programming")


def suggestions_loyalty(lab: Lab) -> list[str]:
    """Return rates, the weakest cohorts and the one-time visitors."""
    return _section(lab, "loyalty")


def population_note(lab: Lab) -> HTML:
    """Where the population figures come from (or that there are none)."""
    from lce_utils.engagement import population as pop
    if not lab.has_population:
        return _p("labs_no_population_note")
    return HTML(f"<p><small>{html.escape(both('labs_population_source', reference=pop.reference() or ''))}"
                "</small></p>")


# ---- what each lab notebook shows (the notebooks call these in this order; `lce labs check` renders them all) --

LAB_SECTIONS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "01-audience-overview": (("key_figures", ()), ("chart_visits_by_month", ()), ("chart_gender", ()),
                             ("chart_age", ()), ("chart_revenue", ("ticket_type",)), ("chart_revenue", ("channel",)),
                             ("chart_reach", ()), ("rejects_note", ()), ("suggestions_overview", ())),
    "02-priority-groups": (("key_figures", ()), ("population_note", ()), ("representation", ()),
                           ("audience_table", ()), ("chart_reach", ()), ("suggestions_priority", ())),
    "03-programming-and-occupancy": (("key_figures", ()), ("chart_occupancy_by_art_form", ()),
                                     ("chart_occupancy_distribution", ()), ("audience_by_art_form", ()),
                                     ("suggestions_programming", ())),
    "04-loyalty-and-retention": (("key_figures", ()), ("chart_new_returning", ()), ("chart_cohorts", ()),
                                 ("frequency", ()), ("suggestions_loyalty", ())),
}


def dry_run(lab: Lab) -> list[str]:
    """Render every section of the four labs without a kernel; one line per section that would fail."""
    problems = []
    for notebook, sections in LAB_SECTIONS.items():
        for name, args in sections:
            try:
                globals()[name](lab, *args)
            except Exception as exc:  # report every failure, not only the first
                problems.append(f"lab {notebook}, {name}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
                                if str(exc) else f"lab {notebook}, {name}: {type(exc).__name__}")
    return problems
