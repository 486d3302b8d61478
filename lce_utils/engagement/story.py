"""What the four lab notebooks show: charts on published (aggregated, suppressed) tables with a text
alternative, key figures, and suggestions drawn from the data. Swedish and English for readers."""

from __future__ import annotations

import html
from typing import Any

import altair as alt
import pandas as pd
from IPython.display import HTML

from lce_utils.charts import show_chart
from lce_utils.engagement.areas import area_label
from lce_utils.engagement.lab import Lab
from lce_utils.engagement.schema import AGE_BANDS, GENDER_NAMES
from lce_utils.privacy import HIDDEN_LABEL, format_count

CATCHMENT_SV = {"core": "kärnområde / core", "primary": "primärt / primary", "secondary": "sekundärt / secondary",
                "outside": "utanför / outside"}
GENDER_SV = {gender: f"{sv} / {en}" for gender, (sv, en) in GENDER_NAMES.items()}
WIDTH = 560


def _pct(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else f"{100 * float(value):.0f}\u00a0%"


def _sek(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):,.0f}\u00a0kr".replace(",", "\u00a0")


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def show_suggestions(items: list[str]) -> HTML:
    """The closing list of suggestions drawn from the data."""
    if not items:
        items = ["Inga tydliga avvikelser i dessa data. / No clear gaps in this data."]
    return HTML("<section class=\"lce-suggestions\">" + _list(items) + "</section>")


def key_figures(lab: Lab) -> HTML:
    """The main figures of metrics.json as a small table (counts of people suppressed below k)."""
    m, k = lab.metrics, lab.k
    rows = [
        ("Institution", html.escape(lab.institution)),
        ("Period", f"{m['period_start']} – {m['period_end']}"),
        ("Besök (biljetter) / visits (tickets)", format_count(m["visits"], k)),
        ("Unika besökare / unique visitors",
         format_count(m["unique_visitors"], k) if m["unique_visitors"] is not None else
         "– (" + html.escape(lab.not_available.get("unique_visitors", "inget kundnummer")) + ")"),
        ("Besök per besökare / visits per visitor",
         "–" if m["visits_per_visitor"] is None else f"{m['visits_per_visitor']:.2f}"),
        ("Andel återkommande / returning share", _pct(m["returning_visitor_share"])),
        ("Intäkter / revenue", _sek(m["revenue_sek"])),
        ("Rader lästa / rows read", format_count(m["rows_read"], k)),
        ("Rader avvisade / rows rejected", f"{m['rows_rejected']} (se rejects.csv / see rejects.csv)"),
    ]
    body = "".join(f"<tr><th scope='row'>{a}</th><td>{b}</td></tr>" for a, b in rows)
    return HTML(f"<table class='lce-key-figures'><caption>Nyckeltal / Key figures</caption>{body}</table>")


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
        return HTML("<p>Inga besök i perioden. / No visits in the period.</p>")
    ranked = months.assign(visits=pd.to_numeric(months["visits"]).fillna(0))
    top = ranked.sort_values("visits", ascending=False).iloc[0]
    low = ranked.sort_values("visits").iloc[0]
    alt_text = (f"Stapeldiagram: besök per månad. Flest i {top.month} ({format_count(top.visits, lab.k)}), "
                f"minst i {low.month} ({format_count(low.visits, lab.k)}). / Bar chart of visits per month: most in "
                f"{top.month}, fewest in {low.month}.")
    chart = _bar(months, "month", "visits", "Besök per månad / Visits per month", "Månad / month",
                 "Besök / visits", lab.k)
    return show_chart(chart, alt_text)


def _breakdown(lab: Lab, key: str, labels: dict[str, str] | None, title: str, order: list[str]) -> HTML:
    values = lab.metrics[key]
    frame = pd.DataFrame([{"group": (labels or {}).get(g, g), "visits": v} for g, v in values.items()],
                         columns=["group", "visits"])
    total = sum(v for v in values.values() if v)
    parts = ", ".join(f"{(labels or {}).get(g, g)} {format_count(v, lab.k)} ({_pct(v / total) if v and total else '–'})"
                      for g, v in values.items())
    chart = _bar(frame, "group", "visits", title, "Grupp / group", "Besök / visits", lab.k,
                 sort=[(labels or {}).get(o, o) for o in order])
    return show_chart(chart, f"Stapeldiagram, {title}: {parts}.")


def chart_gender(lab: Lab) -> HTML:
    """Visits by gender."""
    return _breakdown(lab, "visits_by_gender", GENDER_SV, "Besök efter kön / Visits by gender",
                      list(GENDER_SV))


def chart_age(lab: Lab) -> HTML:
    """Visits by age band."""
    return _breakdown(lab, "visits_by_age_band", None, "Besök efter ålder / Visits by age band", list(AGE_BANDS))


def chart_revenue(lab: Lab, by: str) -> HTML:
    """Revenue by ticket type or channel."""
    name = f"revenue_by_{by}"
    frame = lab.table(name)
    frame = frame.assign(revenue_sek=pd.to_numeric(frame["revenue_sek"], errors="coerce"))
    label = {"ticket_type": "biljettyp / ticket type", "channel": "kanal / channel"}[by]
    parts = ", ".join(f"{r[by]} {_sek(r.revenue_sek)} ({_pct(r.revenue_share)})" for _, r in frame.iterrows())
    chart = _bar(frame, by, "revenue_sek", f"Intäkter per {label} / Revenue by {by.replace('_', ' ')}",
                 label.capitalize(), "Intäkter (kr) / revenue (SEK)", lab.k, sort="-y", horizontal=True)
    return show_chart(chart, f"Liggande stapeldiagram, intäkter per {label}: {parts}.")


def chart_reach(lab: Lab, top: int = 15) -> HTML:
    """Visits by postcode area (first three digits), coloured by catchment."""
    frame = lab.table("reach_by_area").head(top)
    if frame.empty:
        return HTML("<p>Inga postnummer i data. / No postcodes in the data.</p>")
    counts = lab.table("reach_by_area")["catchment"].value_counts()
    alt_text = (f"Liggande stapeldiagram: besök från de {len(frame)} största postnummerområdena (tre första "
                f"siffrorna), färgade efter upptagningsområde. Kärnområdet (60 % av besöken) är "
                f"{counts.get('core', 0)} områden, primärt (till 80 %) {counts.get('primary', 0)}, sekundärt "
                f"(till 90 %) {counts.get('secondary', 0)}. Störst: {area_label(frame.iloc[0].area)}. / Visits from "
                "the largest postcode areas coloured by catchment (core 60 %, primary 80 %, secondary 90 % of visits).")
    frame = frame.assign(area=frame["area"].map(area_label),
                         catchment=frame["catchment"].map(lambda c: CATCHMENT_SV.get(c, c)))
    chart = _bar(frame, "area", "visits", "Besök per postnummerområde / Visits by postcode area",
                 "Område / area", "Besök / visits", lab.k, sort="-y", color="catchment", horizontal=True)
    return show_chart(chart, alt_text)


def representation(lab: Lab) -> HTML:
    """The representation index (audience vs Skåne's population), or an explicit note that it is left out."""
    table = lab.table("representation_index")
    if not lab.has_population:
        return HTML("<p><strong>Jämförelse med befolkningen saknas / No population comparison.</strong> "
                    "Ingen befolkningstabell från SCB följer med denna installation, så representationsindex "
                    "beräknas inte; diagrammet visar publikens fördelning. / No Statistics Sweden population table "
                    "ships with this installation, so no representation index is computed; the chart shows the "
                    "audience's own distribution.</p>")
    frame = table.assign(representation_index=pd.to_numeric(table["representation_index"], errors="coerce"))
    frame["kön / gender"] = frame["gender"].map(GENDER_SV)
    known = frame.dropna(subset=["representation_index"])
    low = known.sort_values("representation_index").head(3)
    high = known.sort_values("representation_index", ascending=False).head(2)
    alt_text = ("Grupperat stapeldiagram: representationsindex per kön och åldersgrupp, där 100 betyder samma andel "
                "som i Skånes befolkning. Lägst: " + ", ".join(
                    f"{GENDER_SV[r.gender]} {r.age_band} ({r.representation_index:.0f})" for r in low.itertuples())
                + ". Högst: " + ", ".join(f"{GENDER_SV[r.gender]} {r.age_band} ({r.representation_index:.0f})"
                                           for r in high.itertuples())
                + ". / Representation index by gender and age band; 100 = the same share as in Skåne's population.")
    chart = _bar(frame, "age_band", "representation_index", "Representationsindex / Representation index (100 = "
                 "Skåne)", "Åldersgrupp / age band", "Index", lab.k, sort=list(AGE_BANDS), color="kön / gender",
                 offset=True, rule=100)
    return show_chart(chart, alt_text)


def _index(value: Any) -> str:
    """A representation index as a whole number, or a dash when it is not known."""
    return "–" if pd.isna(value) else f"{float(value):.0f}"


def audience_table(lab: Lab) -> HTML:
    """Audience and population shares by gender and age band, as a readable table."""
    table = lab.table("representation_index")
    rows = []
    for r in table.itertuples():
        rows.append(f"<tr><td>{GENDER_SV.get(r.gender, r.gender)}</td><td>{r.age_band}</td>"
                    f"<td>{format_count(r.audience, lab.k)}</td><td>{_pct(r.audience_share)}</td>"
                    f"<td>{_pct(r.population_share)}</td><td>{_index(r.representation_index)}</td></tr>")
    head = ("<tr><th>Kön / gender</th><th>Ålder / age</th><th>Publik / audience</th><th>Andel / share</th>"
            "<th>Andel i Skåne / share in Skåne</th><th>Index</th></tr>")
    return HTML(f"<table><caption>Publik efter kön och ålder / Audience by gender and age</caption>{head}"
                f"{''.join(rows)}</table>")


def chart_occupancy_by_art_form(lab: Lab) -> HTML:
    """Fill and sold-out share per art form."""
    table = lab.table("occupancy_by_art_form")
    if table.empty:
        return HTML("<p>Ingen evenemangsfil med kapacitet: beläggning kan inte beräknas. / No events file with "
                    "capacities: occupancy cannot be computed.</p>")
    frame = table
    long = pd.concat([
        pd.DataFrame({"art_form": frame.art_form, "measure": "beläggning / fill",
                      "value": pd.to_numeric(frame.occupancy, errors="coerce")}),
        pd.DataFrame({"art_form": frame.art_form, "measure": "slutsålda / sold out",
                      "value": pd.to_numeric(frame.sold_out_share, errors="coerce")}),
    ])
    parts = ", ".join(f"{r.art_form}: {_pct(r.occupancy)} fyllt, {_pct(r.sold_out_share)} slutsålda"
                      for r in frame.itertuples())
    chart = _bar(long, "art_form", "value", "Beläggning och slutsålda föreställningar per konstform / Fill and "
                 "sold-out share", "Konstform / art form", "Andel / share", lab.k, color="measure", offset=True,
                 y_format="%")
    return show_chart(chart, f"Grupperat stapeldiagram, per konstform: {parts}. / Fill and share of sold-out "
                             "performances per art form.")


def chart_occupancy_distribution(lab: Lab) -> HTML:
    """How many performances fall in each band of fill (10 % steps)."""
    table = lab.table("occupancy_by_event").dropna(subset=["occupancy"])
    if table.empty or table["capacity"].isna().all():
        return HTML("<p>Ingen kapacitet per föreställning. / No capacity per performance.</p>")
    occ = table["occupancy"].astype(float).clip(upper=1.0)
    bands = (occ * 10).clip(upper=9.999).astype(int) * 10
    frame = bands.value_counts().sort_index().rename_axis("band").reset_index(name="performances")
    frame["band"] = frame["band"].map(lambda b: f"{b}–{b + 10} %")
    sold_out = int(table["sold_out"].astype(bool).sum())
    chart = _bar(frame, "band", "performances", "Föreställningar efter beläggning / Performances by fill",
                 "Beläggning / fill", "Föreställningar / performances", lab.k, sort=None)
    return show_chart(chart, f"Histogram: antal föreställningar per beläggningsintervall om 10 %. {sold_out} av "
                             f"{len(table)} föreställningar var slutsålda. / Performances by fill band; {sold_out} of "
                             f"{len(table)} sold out.")


def audience_by_art_form(lab: Lab) -> HTML:
    """The share of each age band in each art form's audience (visits), with small counts suppressed."""
    if not lab.has_events:
        return HTML("<p>Konstform kräver en evenemangsfil. / Art form needs an events file.</p>")
    # shares of each art form's visits with a known age; hidden groups (and their shares) are left out
    published = lab.table("audience_by_art_form").dropna(subset=["share"])
    if published.empty:
        return HTML("<p>För få besök med känd ålder. / Too few visits with a known age.</p>")
    published = published.assign(share=published["share"].astype(float))
    young = published[published.age_band.isin(["16-25", "26-35"])].groupby("art_form")["share"].sum()
    parts = ", ".join(f"{a}: {_pct(s)} i åldern 16–35" for a, s in young.sort_values().items())
    chart = alt.Chart(published, title="Åldersmix per konstform / Age mix by art form", width=WIDTH,
                      height=240).mark_bar().encode(
        y=alt.Y("art_form:N", title="Konstform / art form"),
        x=alt.X("share:Q", stack=True, title="Andel av besöken / share of visits", axis=alt.Axis(format="%")),
        color=alt.Color("age_band:N", sort=list(AGE_BANDS), title="Ålder / age"),
        order=alt.Order("age_band:N"))
    return show_chart(chart, f"Staplade andelar av besöken per åldersgrupp för varje konstform. {parts}. / Age mix "
                             "of each art form's visits.")


def chart_new_returning(lab: Lab) -> HTML:
    """New and returning visitors per month."""
    table = lab.table("visitors_by_month")
    if table.empty:
        return HTML("<p>Inget kundnummer i data: nya och återkommande besökare kan inte skiljas åt. / No visitor "
                    "id: new and returning visitors cannot be told apart.</p>")
    long = table.melt("month", ["new_visitors", "returning_visitors"], var_name="kind", value_name="visitors")
    long["kind"] = long["kind"].map({"new_visitors": "nya / new", "returning_visitors": "återkommande / returning"})
    last = table.iloc[-1]
    chart = _bar(long, "month", "visitors", "Nya och återkommande besökare per månad / New and returning visitors",
                 "Månad / month", "Besökare / visitors", lab.k, color="kind", offset=True)
    return show_chart(chart, f"Grupperade staplar per månad: nya besökare (första besöket i data) och återkommande. "
                             f"Sista månaden {last.month}: {format_count(last.new_visitors, lab.k)} nya, "
                             f"{format_count(last.returning_visitors, lab.k)} återkommande. / New and returning "
                             "visitors per month.")


def chart_cohorts(lab: Lab) -> HTML:
    """The share of each quarter's first-time visitors who came back within 12 months."""
    table = lab.table("cohort_retention")
    if table.empty:
        return HTML("<p>Inga kohorter att visa. / No cohorts to show.</p>")
    frame = table.assign(retention_share=pd.to_numeric(table["retention_share"], errors="coerce"),
                         window=table["window_complete"].map({True: "hela 12 mån / full 12 months",
                                                              False: "ofullständig / incomplete"}))
    parts = ", ".join(f"{r.cohort} {_pct(r.retention_share)}" + ("" if r.window_complete else " (ofullst.)")
                      for r in frame.itertuples())
    chart = _bar(frame, "cohort", "retention_share", "Återkomst inom 12 månader per kvartal / 12-month return by "
                 "quarter", "Första besök / first visit", "Andel som kom tillbaka / share who returned", lab.k,
                 color="window")
    return show_chart(chart, f"Stapeldiagram: andel av varje kvartals nya besökare som kom tillbaka inom 12 "
                             f"månader: {parts}. / Share of each quarter's first-time visitors who returned.")


def frequency(lab: Lab) -> HTML:
    """How many visitors came once, twice, 3-5 and 6+ times (suppressed)."""
    if not lab.has["visitor_id"]:
        return HTML("<p>Inget kundnummer i data. / No visitor id in the data.</p>")
    published = lab.table("visitors_by_frequency")
    parts = ", ".join(f"{r.frequency} besök: {format_count(r.visitors, lab.k)}" for r in published.itertuples())
    chart = _bar(published, "frequency", "visitors", "Besökare efter antal besök / Visitors by number of visits",
                 "Antal besök / visits", "Besökare / visitors", lab.k, sort=["1", "2", "3-5", "6+"])
    return show_chart(chart, f"Stapeldiagram, besökare efter antal besök: {parts}. / Visitors by number of visits.")


def rejects_note(lab: Lab) -> HTML:
    """What was rejected and why (counts by reason; the rows themselves are in rejects.csv)."""
    rejects = pd.read_csv(lab.prepared.rejects_path, dtype=str, keep_default_na=False)
    notes = []
    excluded = lab.meta.get("rows_excluded") or {}
    if excluded:
        notes.append("<p>Rader som inte är besök (räknas inte) / Rows that are not visits (not counted):</p>"
                     + _list([f"{reason}: {n}" for reason, n in excluded.items()]))
    duplicates = (lab.meta.get("duplicate_rows") or {}).get("rows", 0)
    if duplicates:
        notes.append(f"<p>{duplicates} rader är exakta dubbletter av en tidigare rad (räknas som besök; kontrollera "
                     f"exporten). / {duplicates} rows repeat an earlier row exactly (counted as visits; check the "
                     "export).</p>")
    if rejects.empty:
        return HTML("<p>Alla rader kunde läsas. / Every row could be read.</p>" + "".join(notes))
    counts = rejects["reason"].value_counts()
    items = [f"{reason}: {n}" for reason, n in counts.items()]
    return HTML("<p>Rader som inte kunde läsas (se rejects.csv) / Rows that could not be read:</p>" + _list(items)
                + "".join(notes))


# ---- suggestions -------------------------------------------------------------------------------------------

def suggestions_overview(lab: Lab) -> list[str]:
    """Concrete suggestions from the overview: quiet months, data gaps, channels."""
    out: list[str] = []
    months = {k: v for k, v in lab.metrics["visits_by_month"].items() if v}
    if months:
        mean = sum(months.values()) / len(months)
        quiet = sorted((m for m, v in months.items() if v < 0.6 * mean))
        if quiet:
            out.append(f"Månader med under 60 % av genomsnittet ({', '.join(quiet[:6])}) kan få riktade erbjudanden "
                       f"eller program för nya grupper. / Months below 60 % of the average ({', '.join(quiet[:6])}) "
                       "are room for targeted offers or programmes for new groups.")
    unknown_g = (lab.metrics["visits_by_gender"].get("unknown") or 0) / max(lab.metrics["visits"] or 0, 1)
    unknown_a = (lab.metrics["visits_by_age_band"].get("unknown") or 0) / max(lab.metrics["visits"] or 0, 1)
    if unknown_g > 0.15 or unknown_a > 0.15:
        out.append(f"Kön saknas för {_pct(unknown_g)} och ålder för {_pct(unknown_a)} av besöken: fråga frivilligt "
                   "om födelseår och kön vid köp för att kunna följa upp prioriterade grupper. / Gender is missing "
                   f"for {_pct(unknown_g)} and age for {_pct(unknown_a)} of visits: ask (voluntarily) at purchase.")
    channels = _num(lab.table("revenue_by_channel"), "revenue_share").dropna(subset=["revenue_share"])
    if len(channels) > 1:
        top = channels.iloc[0]
        out.append(f"{top.channel} står för {_pct(top.revenue_share)} av intäkterna; testa om mindre kanaler når "
                   f"andra grupper innan de läggs ned. / {top.channel} brings {_pct(top.revenue_share)} of revenue; "
                   "check whether smaller channels reach other groups before dropping them.")
    return out


def _num(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = pd.to_numeric(out[column], errors="coerce")
    return out


def suggestions_priority(lab: Lab) -> list[str]:
    """Under-represented groups against Skåne's population, and areas outside the core catchment."""
    out: list[str] = []
    if lab.has_population:
        table = _num(lab.table("representation_index"), "representation_index").dropna(subset=["representation_index"])
        low = table[table["representation_index"] < 80].sort_values("representation_index")
        for r in low.head(4).itertuples():
            sv, en = GENDER_SV[r.gender].split(" / ")
            out.append(f"{sv.capitalize()} {r.age_band} år är underrepresenterade "
                       f"(index {r.representation_index:.0f}): "
                       f"pröva program, priser eller samarbeten riktade till dem. / {en.capitalize()} aged "
                       f"{r.age_band} are under-represented (index {r.representation_index:.0f}): try programmes, "
                       "prices or partnerships aimed at them.")
    else:
        out.append("Lägg till SCB:s befolkningstabell för Skåne för att kunna jämföra publiken med befolkningen. / "
                   "Add Statistics Sweden's population table to compare the audience with the population.")
    reach = _num(lab.table("reach_by_area"), "share")
    if not reach.empty:
        core = reach[reach.catchment == "core"]
        outside = reach[reach.catchment == "outside"]
        out.append(f"Kärnområdet (60 % av besöken) är {len(core)} postnummerområden "
                   f"({', '.join(core.area.head(6).map(area_label))}"
                   f"{'…' if len(core) > 6 else ''}); de {len(outside)} områdena utanför upptagningsområdena är mål "
                   f"för uppsökande verksamhet. / The core catchment is {len(core)} postcode areas; the {len(outside)} "
                   "areas outside the catchments are targets for outreach.")
    return out


def suggestions_programming(lab: Lab) -> list[str]:
    """Under-filling and selling-out art forms and performances."""
    art = _num(lab.table("occupancy_by_art_form"), "occupancy", "sold_out_share")
    if art.empty:
        return ["Lägg till en evenemangsfil med kapacitet för att se beläggning. / Add an events file with "
                "capacities to see occupancy."]
    out: list[str] = []
    for r in art.itertuples():
        low, full = r.occupancy < 0.6, r.sold_out_share >= 0.3
        if low and full:
            out.append(f"{r.art_form}: både slutsålt ({_pct(r.sold_out_share)} av föreställningarna) och "
                       f"{r.performances_under_half} av {r.performances} under halvfullt – flytta föreställningar "
                       f"från svaga till starka produktioner och datum. / {r.art_form} both sells out and under-fills: "
                       "move performances from weak to strong productions and dates.")
        elif low:
            out.append(f"{r.art_form} fyller bara {_pct(r.occupancy)} av platserna ({r.performances_under_half} av "
                       f"{r.performances} under halvfullt): färre föreställningar, mindre scen eller riktad "
                       f"marknadsföring. / {r.art_form} fills {_pct(r.occupancy)} of seats: fewer performances, a "
                       "smaller stage or targeted marketing.")
        elif full:
            out.append(f"{r.art_form} säljer slut {_pct(r.sold_out_share)} av gångerna: lägg till föreställningar "
                       f"eller en större scen. / {r.art_form} sells out {_pct(r.sold_out_share)} of the time: add "
                       "performances or a larger stage.")
    events = _num(lab.table("occupancy_by_event"), "occupancy").dropna(subset=["occupancy"])
    worst = events.sort_values("occupancy").head(3)
    if len(worst):
        out.append("Lägst beläggning / lowest fill: " + "; ".join(
            f"{r.event} {str(r.start)[:10]} ({_pct(r.occupancy)})" for r in worst.itertuples()))
    return out


def suggestions_loyalty(lab: Lab) -> list[str]:
    """Return rates, the weakest cohorts and the one-time visitors."""
    m = lab.metrics
    if m["returning_visitor_share"] is None:
        return ["Utan kundnummer kan återkomst inte mätas: be om medlems- eller kundnummer vid köp. / Without a "
                "visitor id return cannot be measured: ask for a member or customer number at purchase."]
    once = 1 - m["returning_visitor_share"]
    out = [f"{_pct(once)} av besökarna kom bara ett datum: ett tack med ett erbjudande inom en månad efter första "
           f"besöket kan öka återkomsten. / {_pct(once)} of visitors came on one date only: follow up first visits "
           "within a month."]
    cohorts = _num(lab.table("cohort_retention"), "retention_share").dropna(subset=["retention_share"])
    complete = cohorts[cohorts.window_complete.astype(bool)]
    if len(complete) >= 2:
        ordered = complete.sort_values("retention_share")
        worst, best = ordered.iloc[0], ordered.iloc[-1]
        out.append(f"Bäst återkomst hade nya besökare från {best.cohort} ({_pct(best.retention_share)}), sämst "
                   f"{worst.cohort} ({_pct(worst.retention_share)}): jämför vad som spelades de kvartalen. / Best "
                   f"12-month return: {best.cohort}; worst: {worst.cohort}; compare what was on.")
    return out


def population_note(lab: Lab) -> HTML:
    """Where the population figures come from (or that there are none)."""
    from lce_utils.engagement import population as pop
    if not lab.has_population:
        return HTML("<p>Ingen befolkningstabell följer med: jämförelsen med befolkningen utelämnas. / No population "
                    "table ships: the comparison with the population is left out.</p>")
    return HTML(f"<p><small>Befolkning / population: {html.escape(pop.reference() or '')}. Åldern i publiken är "
                "ålder vid besöket; befolkningen avser 31 december 2019. / Audience age is age at the "
                "visit.</small></p>")


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
