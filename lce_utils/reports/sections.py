"""The sections of the report templates: each shows its tables and charts, or says which input is missing."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from lce_utils.privacy import DEFAULT_K
from lce_utils.reports import aggregate, data
from lce_utils.reports import display as show
from lce_utils.reports.data import LabRun

MAX_ROWS = 15
# The gender × age tables of the labs are shown whole (2 × 8 and 4 × 9 groups at most).
FULL_LAB_TABLES = {"representation_index": 16, "visits_by_gender_age": 36}
LAB_CAPTIONS = {
    "visitors_by_month": ("Besökare per månad", "Visitors by month"),
    "cohort_retention": ("Återkommande besökare per kohort", "Returning visitors by cohort"),
    "occupancy_by_event": ("Beläggning per evenemang", "Occupancy by event"),
    "occupancy_by_art_form": ("Beläggning per konstform", "Occupancy by art form"),
    "revenue_by_ticket_type": ("Intäkter per biljettyp", "Revenue by ticket type"),
    "revenue_by_channel": ("Intäkter per försäljningskanal", "Revenue by sales channel"),
    "reach_by_area": ("Räckvidd per område", "Reach by area"),
    "representation_index": ("Representationsindex", "Representation index"),
    "visits_by_gender_age": ("Besök per kön och åldersgrupp", "Visits by gender and age band"),
}
MENTORSHIP_CAPTIONS = {
    "participants_by_role": ("Deltagare per roll", "Participants by role"),
    "participants_by_field": ("Deltagare per område", "Participants by field"),
    "matches_by_kind": ("Matchningar per typ", "Matches by kind"),
    "sessions_by_month": ("Mentorsträffar per månad", "Mentoring sessions by month"),
    "feedback_scores": ("Uppföljning: betyg", "Follow-up: scores"),
    "feedback_summary": ("Uppföljning: sammanfattning", "Follow-up: summary"),
    "programme_summary": ("Programmet i siffror", "The programme in figures"),
}


COLUMN_LABELS = {
    "role": "Roll / Role", "field": "Område / Field", "kind": "Typ / Kind", "participants": "Deltagare / Participants",
    "matches": "Matchningar / Matches", "month": "Månad / Month", "sessions": "Träffar / Sessions",
    "score": "Betyg / Score", "responses": "Svar / Responses", "mean_score": "Medelbetyg / Mean score",
    "people": "Personer / People", "applications": "Ansökningar / Applications", "visits": "Besök / Visits",
    "unique_visitors": "Unika besökare / Unique visitors", "visitors": "Besökare / Visitors", "group": "Grupp / Group",
    "event": "Evenemang / Event", "art_form": "Konstform / Art form", "capacity": "Kapacitet / Capacity",
    "tickets": "Biljetter / Tickets", "occupancy": "Beläggning / Occupancy", "events": "Evenemang / Events",
    "ticket_type": "Biljettyp / Ticket type", "revenue_sek": "Intäkter (kr) / Revenue (SEK)",
    "channel": "Kanal / Channel", "area": "Område / Area", "share": "Andel / Share", "cohort": "Kohort / Cohort",
    "index": "Index / Index", "new_visitors": "Nya besökare / New visitors",
    "returning_visitors": "Återkommande / Returning visitors", "returned_within_12_months":
    "Återkom inom 12 mån / Returned within 12 months", "retention_share": "Andel återkomna / Retention share",
    "window_complete": "Hela perioden / Full window", "performances": "Föreställningar / Performances",
    "mean_occupancy": "Medelbeläggning / Mean occupancy", "sold_out_performances": "Utsålda / Sold out",
    "sold_out_share": "Andel utsålda / Sold-out share", "performances_under_half": "Under halvfullt / Under half",
    "start": "Start / Start", "venue": "Scen / Venue", "sold_out": "Utsåld / Sold out",
    "cumulative_share": "Kumulativ andel / Cumulative share", "catchment": "Upptagningsområde / Catchment",
    "gender": "Kön / Gender", "age_band": "Åldersgrupp / Age band", "audience": "Publik / Audience",
    "audience_share": "Andel av publiken / Audience share", "population": "Befolkning / Population",
    "population_share": "Andel av befolkningen / Population share",
    "representation_index": "Representationsindex / Representation index",
    "mean_price_sek": "Medelpris (kr) / Mean price (SEK)", "revenue_share": "Andel av intäkterna / Revenue share",
}


# The labs' keys (engagement_labs/README.md: metrics.json and tables): gender and the unknown age band.
GENDERS = {"woman": ("Kvinnor", "Women"), "man": ("Män", "Men"), "other": ("Annat", "Other"),
           "unknown": ("Okänt", "Unknown")}
AGE_BANDS = {"unknown": ("Okänd ålder", "Unknown age")}


def _value_labels() -> dict[str, dict[str, str]]:
    """Bilingual labels of the labs' gender and age keys and the mentorship's option keys (when installed)."""
    groups: list[tuple[str, dict[str, tuple[str, str]]]] = [("gender", GENDERS), ("age_band", AGE_BANDS)]
    try:
        from lce_utils.mentorship.options import FIELDS, ROLES
    except ImportError:
        pass
    else:
        kinds = {"mentoring": ("Mentorskap", "Mentoring"), "mutual": ("Ömsesidigt", "Mutual")}
        groups += [("role", ROLES), ("field", FIELDS), ("kind", kinds)]
    return {column: {key: f"{sv} / {en}" for key, (sv, en) in options.items()} for column, options in groups}


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its key columns (gender, age band, role, …) in words, Swedish / English."""
    out = frame.copy()
    for column, labels in _value_labels().items():
        if column in out.columns:
            out[column] = out[column].map(lambda v, labels=labels: labels.get(v, v))
    return out


def _counts_in(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if str(c).lower() in aggregate.PEOPLE_COLUMNS]


def bar_chart(frame: pd.DataFrame, x: str, y: str, x_title: str, y_title: str) -> alt.Chart:
    """A plain bar chart (suppressed values simply have no bar; the table beside it says <k)."""
    order = [str(v) for v in frame[x]]  # every category keeps its place, suppressed ones without a bar
    shown = frame.dropna(subset=[y]).astype({y: "float", x: "str"})
    return alt.Chart(shown).mark_bar(color="#0b5394").encode(
        x=alt.X(f"{x}:N", title=x_title, sort=order, scale=alt.Scale(domain=order)),
        y=alt.Y(f"{y}:Q", title=y_title)).properties(width=420, height=220)


def generic_table(frame: pd.DataFrame, caption: tuple[str, str], k: int = DEFAULT_K, max_rows: int = MAX_ROWS
                  ) -> None:
    """Any (already aggregated) table: people counts suppressed again, at most max_rows rows shown."""
    protected = _labelled(aggregate.protect(frame, k))
    sv, en = caption
    if len(protected) > max_rows:
        sv, en = f"{sv} (de första {max_rows} av {len(protected)})", f"{en} (first {max_rows} of {len(protected)})"
    show.show_table(protected.head(max_rows), sv, en, count_columns=_counts_in(protected), labels=COLUMN_LABELS,
                    k=k)


# -- course results -----------------------------------------------------------------------------------------

def course_overview(grades: pd.DataFrame | None, assignment: str, k: int = DEFAULT_K) -> None:
    """Key figures of one assignment and the report summary."""
    if grades is None:
        show.missing("Betygsexporten", "The grades export", f"courses/exports/{assignment}-grades.csv")
        show.summary(f"Inga resultat för {assignment} ännu.", f"No results for {assignment} yet.")
        return
    s = aggregate.score_summary(grades, k)
    learners = show.fmt(s["learners"], count=True, k=k)
    median = show.fmt(s["median_percent"], suffix=" %")
    show.summary(f"{learners} deltagare har lämnat in {assignment}; medianresultat {median}.",
                 f"{learners} learners submitted {assignment}; median score {median}.")
    show.key_figures([("Deltagare", "Learners", learners), ("Median", "Median", median),
                      ("Medelvärde", "Mean", show.fmt(s["mean_percent"], suffix=" %")),
                      ("Väntar på manuell rättning", "Awaiting manual grading",
                       show.fmt(s["needs_manual_grading"], count=True, k=k))])


def score_distribution(grades: pd.DataFrame | None, k: int = DEFAULT_K) -> None:
    """Learners per score band: a chart and its table."""
    if grades is None:
        show.note("Ingen poängfördelning utan betygsexport.", "No score distribution without a grades export.")
        return
    dist = aggregate.score_distribution(grades, k)
    show.show_chart(bar_chart(dist, "band", "learners", "Resultat / Score", "Deltagare / Learners"),
                    "Antal deltagare per resultatintervall", "Number of learners per score band")
    show.show_table(dist, "Deltagare per resultatintervall", "Learners per score band", count_columns=["learners"],
                    labels={"band": "Resultat / Score", "learners": "Deltagare / Learners"}, k=k)


def hardest_tests(tests: pd.DataFrame | None, k: int = DEFAULT_K) -> None:
    """The autograded tests most learners failed: a signal for teaching."""
    if tests is None:
        show.note("Ingen testexport finns för uppgiften.", "There is no test export for this assignment.")
        return
    table = aggregate.hardest_tests(tests, k)
    show.show_table(table, "Tester som flest deltagare inte klarade", "Tests most learners failed",
                    count_columns=["learners", "failed"],
                    labels={"notebook": "Notebook", "test": "Test", "learners": "Deltagare / Learners",
                            "failed": "Klarade inte / Failed", "failed_share": "Andel / Share"}, k=k)


# -- engagement findings ------------------------------------------------------------------------------------

def lab_overview(run: LabRun | None, run_dir: str, k: int = DEFAULT_K) -> None:
    """Key figures of a lab run and the report summary."""
    if run is None:
        show.missing("Publiklabbets körning", "The engagement lab run", f"{run_dir}/metrics.json")
        show.summary("Ingen labbkörning ännu.", "No lab run yet.")
        return
    m = run.metrics
    institution = str(run.run.get("institution") or run.folder.name)
    visits = show.fmt(m.get("visits"), count=True, k=k)
    period = f"{m.get('period_start') or '?'} – {m.get('period_end') or '?'}"
    show.summary(f"{institution}: {visits} besök under {period}.", f"{institution}: {visits} visits in {period}.")
    share = m.get("returning_visitor_share")
    show.key_figures([
        ("Institution", "Institution", institution), ("Period", "Period", period),
        ("Besök", "Visits", visits), ("Unika besökare", "Unique visitors",
                                      show.fmt(m.get("unique_visitors"), count=True, k=k)),
        ("Besök per besökare", "Visits per visitor", show.fmt(m.get("visits_per_visitor"))),
        ("Andel återkommande", "Returning share",
         show.fmt(None if share is None else round(100 * float(share), 1), suffix=" %")),
        ("Intäkter (kr)", "Revenue (SEK)", show.fmt(m.get("revenue_sek"))),
        ("Inlästa rader / avvisade", "Rows read / rejected",
         f"{show.fmt(m.get('rows_read'))} / {show.fmt(m.get('rows_rejected'))}")])


def _top(frame: pd.DataFrame | None, value: str) -> tuple[str, float] | None:
    """The first column's label of the row with the largest value (None when the table lacks it)."""
    if frame is None or value not in frame.columns or frame.empty:
        return None
    values = pd.to_numeric(frame[value], errors="coerce")
    if values.notna().sum() == 0:
        return None
    row = values.idxmax()
    return str(frame.loc[row].iloc[0]), float(values[row])


def lab_findings(run: LabRun | None) -> None:
    """A few findings in plain words (Swedish and English), read off the metrics and tables."""
    if run is None:
        return
    found: list[tuple[str, str]] = []
    months = {m: v for m, v in (run.metrics.get("visits_by_month") or {}).items() if v is not None}
    if months:
        month = max(months, key=months.get)
        found.append((f"Flest besök kom i {month} ({show.fmt(months[month])}).",
                      f"The busiest month was {month} ({show.fmt(months[month])} visits)."))
    share = run.metrics.get("returning_visitor_share")
    if share is not None:
        pct = show.fmt(round(100 * float(share), 1), suffix=" %")
        found.append((f"{pct} av besökarna kom tillbaka minst en gång.", f"{pct} of visitors came back at least once."))
    best = _top(run.tables.get("occupancy_by_art_form"), "occupancy")
    if best:
        pct = show.fmt(round(100 * best[1], 1), suffix=" %")
        found.append((f"Högst beläggning hade {best[0]} ({pct}).", f"{best[0]} had the highest occupancy ({pct})."))
    found += _representation_findings(run.tables.get("representation_index"))
    channel = _top(run.tables.get("revenue_by_channel"), "revenue_sek")
    if channel:
        found.append((f"Mest intäkter kom via {channel[0]}.", f"Most revenue came through {channel[0]}."))
    if found:
        show.bullets(found)
    else:
        show.note("Inga iakttagelser: data saknas.", "No findings: data is missing.")


def _representation_findings(table: pd.DataFrame | None) -> list[tuple[str, str]]:
    """The least and the most represented gender × age group against Skåne's population (index, 100 = equal)."""
    if table is None or not {"gender", "age_band", "representation_index"} <= set(table.columns):
        return []
    index = pd.to_numeric(table["representation_index"], errors="coerce")
    known = table[index.notna() & (table["age_band"].astype(str) != "unknown")].assign(index=index)
    if len(known) < 2:
        return []
    found = []
    for row, (sv, en) in ((known.loc[known["index"].idxmin()], ("Minst representerade", "least represented")),
                          (known.loc[known["index"].idxmax()], ("Mest representerade", "most represented"))):
        gender_sv, gender_en = GENDERS.get(str(row["gender"]), (str(row["gender"]), str(row["gender"])))
        band, value = str(row["age_band"]), show.fmt(round(float(row["index"])))
        found.append((f"{sv} jämfört med Skånes befolkning: {gender_sv.lower()} {band} år (index {value}; "
                      f"100 = som i befolkningen).",
                      f"The {en} group against Skåne's population: {gender_en.lower()} aged {band} (index {value}; "
                      f"100 = as in the population)."))
    return found


def _breakdown(values: Any, key: str) -> pd.DataFrame:
    items = values.items() if isinstance(values, dict) else []
    return pd.DataFrame({key: [str(a) for a, _ in items],
                         "visits": pd.array([None if b is None else int(b) for _, b in items], dtype="Int64")})


def lab_visits(run: LabRun | None, k: int = DEFAULT_K) -> None:
    """Visits by month (chart and table) and by gender and age band (tables); suppressed counts show <k."""
    if run is None:
        return
    month = aggregate.protect(_breakdown(run.metrics.get("visits_by_month"), "month"), k)
    show.show_chart(bar_chart(month, "month", "visits", "Månad / Month", "Besök / Visits"),
                    "Besök per månad", "Visits by month")
    show.show_table(month, "Besök per månad", "Visits by month", count_columns=["visits"], labels=COLUMN_LABELS,
                    k=k)
    for key, column, sv, en in (("visits_by_gender", "gender", "Besök per kön", "Visits by gender"),
                                ("visits_by_age_band", "age_band", "Besök per åldersgrupp", "Visits by age band")):
        frame = _labelled(aggregate.protect(_breakdown(run.metrics.get(key), column), k))
        show.show_table(frame, sv, en, count_columns=["visits"], labels=COLUMN_LABELS, k=k)


def representation_chart(table: pd.DataFrame, k: int = DEFAULT_K) -> None:
    """The representation index by age band for women and men (100 = as in Skåne's population)."""
    if not {"gender", "age_band", "representation_index"} <= set(table.columns):
        return
    shown = _labelled(aggregate.protect(table, k)).dropna(subset=["representation_index"])
    if shown.empty:
        return
    shown = shown.astype({"representation_index": "float", "age_band": "str", "gender": "str"})
    bars = alt.Chart(shown).mark_bar().encode(
        x=alt.X("age_band:N", title="Åldersgrupp / Age band", sort=None),
        xOffset="gender:N",
        y=alt.Y("representation_index:Q", title="Index (100 = som befolkningen / as the population)"),
        color=alt.Color("gender:N", title="Kön / Gender", scale=alt.Scale(range=["#0b5394", "#b45f06"])))
    rule = alt.Chart(pd.DataFrame({"y": [100]})).mark_rule(color="black", strokeDash=[4, 3]).encode(y="y:Q")
    show.show_chart((bars + rule).properties(width=460, height=240),
                    "Representationsindex per åldersgrupp och kön jämfört med Skånes befolkning; 100 betyder "
                    "samma andel som i befolkningen, under 100 underrepresenterad",
                    "Representation index by age band and gender against Skåne's population; 100 means the same "
                    "share as in the population, under 100 under-represented")


def lab_tables(run: LabRun | None, k: int = DEFAULT_K) -> None:
    """The lab's own tables (already suppressed by the lab; checked again)."""
    if run is None:
        return
    for name, caption in LAB_CAPTIONS.items():
        if name == "representation_index" and name in run.tables:
            representation_chart(run.tables[name], k)
        if name in run.tables:
            generic_table(run.tables[name], caption, k, FULL_LAB_TABLES.get(name, MAX_ROWS))
    for name in sorted(set(run.tables) - set(LAB_CAPTIONS)):
        generic_table(run.tables[name], (name, name), k)


# -- mentorship ---------------------------------------------------------------------------------------------

def mentorship_overview(tables: dict[str, pd.DataFrame] | None, k: int = DEFAULT_K, summary: bool = True) -> None:
    """Participants by role and field, and (with summary) the report's summary line."""
    if tables is None:
        show.missing("Mentorskapsdatabasen", "The mentorship database", "LCE_MENTORSHIP_DB / var/mentorship-demo.db")
        if summary:
            show.summary("Inga mentorskapsdata ännu.", "No mentorship data yet.")
        return
    roles = tables.get("participants_by_role", pd.DataFrame())
    if summary:
        total = roles["participants"].sum(skipna=True) if "participants" in roles else 0
        matches = tables.get("matches_by_kind", pd.DataFrame())
        n_matches = matches["matches"].sum(skipna=True) if "matches" in matches else 0
        show.summary(f"Minst {show.fmt(int(total), count=True, k=k)} deltagare och "
                     f"{show.fmt(int(n_matches), count=True, k=k)} matchningar (grupper under {k} ej medräknade).",
                     f"At least {show.fmt(int(total), count=True, k=k)} participants and "
                     f"{show.fmt(int(n_matches), count=True, k=k)} matches (groups under {k} not counted).")
    for name in ("participants_by_role", "participants_by_field"):
        if name in tables:
            generic_table(tables[name], MENTORSHIP_CAPTIONS[name], k)


def mentorship_matches(tables: dict[str, pd.DataFrame] | None, k: int = DEFAULT_K) -> None:
    """Matches by kind and mentoring sessions by month (chart and table)."""
    if tables is None:
        return
    if "matches_by_kind" in tables:
        generic_table(tables["matches_by_kind"], MENTORSHIP_CAPTIONS["matches_by_kind"], k)
    sessions = tables.get("sessions_by_month")
    if sessions is not None and {"month", "sessions"} <= set(sessions.columns) and len(sessions):
        show.show_chart(bar_chart(aggregate.protect(sessions, k), "month", "sessions", "Månad / Month",
                                  "Träffar / Sessions"), "Mentorsträffar per månad", "Mentoring sessions by month")
    if sessions is not None:
        generic_table(sessions, MENTORSHIP_CAPTIONS["sessions_by_month"], k)


def mentorship_feedback(tables: dict[str, pd.DataFrame] | None, k: int = DEFAULT_K) -> None:
    """Follow-up scores: their distribution and summary."""
    if tables is None:
        return
    for name in ("feedback_scores", "feedback_summary", "programme_summary"):
        if name in tables:
            generic_table(tables[name], MENTORSHIP_CAPTIONS[name], k)


# -- programme progress -------------------------------------------------------------------------------------

def programme_summary(exports_dir: str, tables: dict[str, pd.DataFrame] | None, k: int = DEFAULT_K) -> None:
    """The programme's summary line: which parts have data."""
    courses = data.assignments(exports_dir)
    sv = [f"{len(courses)} kursuppgifter med resultat"] if courses else ["inga kursresultat ännu"]
    en = [f"{len(courses)} course assignments with results"] if courses else ["no course results yet"]
    if tables is not None and "participants_by_role" in tables:
        total = int(tables["participants_by_role"]["participants"].sum(skipna=True))
        sv.append(f"minst {show.fmt(total, count=True, k=k)} deltagare i mentorskapet")
        en.append(f"at least {show.fmt(total, count=True, k=k)} mentorship participants")
    else:
        sv.append("inga mentorskapsdata ännu")
        en.append("no mentorship data yet")
    show.summary("Programmet: " + ", ".join(sv) + ".", "The programme: " + ", ".join(en) + ".")


def grade_overview(exports_dir: str, k: int = DEFAULT_K) -> None:
    """Learners per score band for every assignment with a grades export."""
    names = data.assignments(exports_dir)
    if not names:
        show.missing("Kursresultaten", "Course results", "courses/exports/*-grades.csv")
        return
    frames = {name: data.course_grades(exports_dir, name) for name in names}
    table = aggregate.grade_overview(frames, k)
    show.show_table(table, "Deltagare per resultatintervall och uppgift", "Learners per score band and assignment",
                    count_columns=names, labels={"band": "Resultat / Score"}, k=k)
    long = table.melt(id_vars="band", var_name="assignment", value_name="learners").dropna()
    if len(long):
        bands = list(table["band"])
        chart = alt.Chart(long.astype({"learners": "float"})).mark_bar().encode(
            x=alt.X("band:N", title="Resultat / Score", sort=bands, scale=alt.Scale(domain=bands)), y=alt.Y("learners:Q", title="Deltagare / Learners"),
            color=alt.Color("assignment:N", title="Uppgift / Assignment"), xOffset="assignment:N").properties(
            width=420, height=220)
        show.show_chart(chart, "Deltagare per resultatintervall och uppgift", "Learners per score band and assignment")
