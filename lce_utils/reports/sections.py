"""The sections of the report templates: each shows its tables and charts, or says which input is missing."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from lce_utils.engagement import findings
from lce_utils.engagement import schema as labs_schema
from lce_utils.messages import pair, t
from lce_utils.privacy import DEFAULT_K
from lce_utils.reports import aggregate, data
from lce_utils.reports import disclosure as D
from lce_utils.reports import display as show
from lce_utils.reports.data import LabRun

MAX_ROWS = 15
# The gender × age tables of the labs are shown whole (2 × 8 and 4 × 9 groups at most).
FULL_LAB_TABLES = {"representation_index": 16, "visits_by_gender_age": 36}
LAB_CAPTIONS = {name: f"r.cap_{name}" for name in (
    "visitors_by_month", "cohort_retention", "occupancy_by_event", "occupancy_by_art_form", "revenue_by_ticket_type",
    "revenue_by_channel", "reach_by_area", "representation_index", "visits_by_gender_age")}
MENTORSHIP_CAPTIONS = {name: f"r.cap_{name}" for name in (
    "participants_by_role", "participants_by_field", "matches_by_kind", "sessions_by_month", "feedback_scores",
    "feedback_summary", "programme_summary")}


# A participant's role and field are headed by the sign-up's own labels (one text, one key); the rest by r.col_<name>.
SIGNUP_HEADERS = {"role": "role", "field": "field"}
COLUMN_LABELS = {name: " / ".join(pair(SIGNUP_HEADERS.get(name, f"r.col_{name}"))) for name in (
    "role", "field", "kind", "participants", "matches", "month", "sessions", "score", "responses", "mean_score",
    "people", "applications", "visits", "unique_visitors", "visitors", "group", "event", "art_form", "capacity",
    "tickets", "occupancy", "events", "ticket_type", "revenue_sek", "channel", "area", "share", "cohort", "index",
    "new_visitors", "returning_visitors", "returned_within_12_months", "retention_share", "window_complete",
    "performances", "mean_occupancy", "sold_out_performances", "sold_out_share", "performances_under_half", "start",
    "venue", "sold_out", "cumulative_share", "catchment", "gender", "age_band", "audience", "audience_share",
    "population", "population_share", "representation_index", "mean_price_sek", "revenue_share")}


def both_label(text: show.Text, **params: object) -> str:
    """A short text in both languages on one line ('Swedish / English'): column labels, axis titles."""
    return " / ".join(show.texts(text, **params))


def assignment_title(assignment: str) -> tuple[str, str]:
    """An assignment's course name (Swedish, English) from courses/course.yaml; an unknown one keeps its id."""
    from lce_utils.courses.config import assignments
    from lce_utils.errors import DataError

    try:
        names = {item.id: (item.title_sv, item.title_en) for item in assignments()}
    except (DataError, OSError):  # no course folder here (e.g. a reports-only checkout): the id is the name
        names = {}
    return names.get(assignment, (assignment, assignment))


# The labs' keys (engagement_labs/README.md: metrics.json and tables): gender and the unknown age band.
GENDERS = {g: (sv.capitalize(), en.capitalize()) for g, (sv, en) in labs_schema.GENDER_NAMES.items()}
AGE_BANDS = {"unknown": pair("r.age_unknown")}


def _value_labels() -> dict[str, dict[str, str]]:
    """Bilingual labels of the labs' gender and age keys and the mentorship's option keys."""
    from lce_utils.mentorship.options import FIELDS, ROLES

    kinds = {kind: pair(f"r.kind_{kind}") for kind in ("mentoring", "mutual")}
    groups: list[tuple[str, dict[str, tuple[str, str]]]] = [("gender", GENDERS), ("age_band", AGE_BANDS),
                                                            ("role", ROLES), ("field", FIELDS), ("kind", kinds)]
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


SUPPRESSED_MARK = "prickad"  # written where a suppressed value's bar would be: never an empty gap


def bar_chart(frame: pd.DataFrame, x: str, y: str, x_title: str, y_title: str) -> alt.Chart:
    """A bar chart in which a suppressed value is written as "prickad" at its place, not left as an empty gap."""
    order = [str(v) for v in frame[x]]  # every category keeps its place
    scale = alt.Scale(domain=order)
    shown = frame.dropna(subset=[y]).astype({y: "float", x: "str"})
    hidden = pd.DataFrame({x: [str(v) for v in frame.loc[frame[y].isna(), x]], "mark": SUPPRESSED_MARK})
    bars = alt.Chart(shown).mark_bar(color="#0b5394").encode(
        x=alt.X(f"{x}:N", title=x_title, sort=order, scale=scale, axis=alt.Axis(labelLimit=0)),
        y=alt.Y(f"{y}:Q", title=y_title))
    marks = alt.Chart(hidden).mark_text(angle=270, align="left", baseline="middle", dx=4, color="#444444",
                                        fontStyle="italic").encode(
        x=alt.X(f"{x}:N", sort=order, scale=scale), y=alt.datum(0), text="mark:N")
    return (bars + marks).properties(width=420, height=220)


def grouped_bar_chart(long: pd.DataFrame, x: str, y: str, group: str, order: list[str], x_title: str,
                      y_title: str, group_title: str) -> alt.Chart:
    """Bars per x, one per group, with a full (untruncated) legend; suppressed values written as "prickad"."""
    scale = alt.Scale(domain=order)
    shown = long.dropna(subset=[y]).astype({y: "float"})
    hidden = long[long[y].isna()].assign(mark=SUPPRESSED_MARK)
    color = alt.Color(f"{group}:N", title=group_title, legend=alt.Legend(labelLimit=0, orient="bottom", columns=1),
                      scale=alt.Scale(range=["#0b5394", "#b45f06", "#38761d", "#741b47"]))
    bars = alt.Chart(shown).mark_bar().encode(x=alt.X(f"{x}:N", title=x_title, sort=order, scale=scale),
                                              y=alt.Y(f"{y}:Q", title=y_title), color=color, xOffset=f"{group}:N")
    marks = alt.Chart(hidden).mark_text(angle=270, align="left", baseline="middle", dx=4, fontSize=9,
                                        color="#444444").encode(
        x=alt.X(f"{x}:N", sort=order, scale=scale), xOffset=f"{group}:N", y=alt.datum(0), text="mark:N")
    return (bars + marks).properties(width=460, height=240)


def generic_table(frame: pd.DataFrame, caption: show.Text, k: int = DEFAULT_K, max_rows: int = MAX_ROWS,
                  cells: str | None = None, total: tuple[str, int | None] | None = None) -> None:
    """Any (already aggregated) table: people counts protected (and recorded under cells), at most max_rows rows.

    total names the published count the table's one count column sums to (a linked total)."""
    rows = len(frame)
    if total is not None:  # a table that adds up to a published total is shown whole
        max_rows = max(max_rows, rows)
    if cells is None:
        protected = aggregate.protect(frame, k)
    else:  # only the rows shown are published (all of them when they add up to a published total)
        protected = D.publish_frame(frame.head(max_rows) if total is None else frame, cells, show.texts(caption),
                                    _counts_in(frame), k, total=total,
                                    dependent_columns=sorted(aggregate.DERIVED_COLUMNS))
    protected = _labelled(_as_percent(protected))
    if rows > max_rows:
        caption = show.around("r.first_rows", caption, shown=max_rows, rows=rows)
    labels = {c: _percent_label(label) if c in PERCENT_COLUMNS else label for c, label in COLUMN_LABELS.items()}
    show.show_table(protected.head(max_rows), caption, count_columns=_counts_in(protected), labels=labels, k=k)


# Shares the labs write as fractions (0.0 to 1.0), shown as percentages like every other share on the site.
PERCENT_COLUMNS = {"share", "audience_share", "population_share", "retention_share", "occupancy", "mean_occupancy",
                   "cumulative_share", "revenue_share", "sold_out_share", "failed_share"}


def _as_percent(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in PERCENT_COLUMNS & set(out.columns):
        values = pd.to_numeric(out[column], errors="coerce")
        out[column] = [None if pd.isna(v) else round(100 * float(v), 1) for v in values]
    return out


def _percent_label(label: str) -> str:
    """'Andel / Share' reads 'Andel (%) / Share (%)'."""
    return " / ".join(f"{part} (%)" for part in label.split(" / "))


# -- course results -----------------------------------------------------------------------------------------

def course(grades: pd.DataFrame | None, tests: pd.DataFrame | None, assignment: str, k: int = DEFAULT_K
           ) -> aggregate.CoursePublication | None:
    """The assignment's protected figures (course_publication), shared by the sections of its page."""
    return None if grades is None else aggregate.course_publication(grades, tests, assignment, k)


def course_overview(pub: aggregate.CoursePublication | None, title: tuple[str, str], k: int = DEFAULT_K) -> None:
    """Key figures of one assignment and the report summary (title: the assignment's name, sv and en)."""
    if pub is None:
        show.missing("r.grades_export", "")
        show.summary(show.around("r.no_results_for", title))
        return
    learners = show.fmt(pub.shown[pub.cell("learners")], count=True, k=k)
    median = show.fmt(pub.median, suffix=" %")
    show.summary(show.around("r.course_summary", title, learners=learners, median=median))
    show.key_figures([("r.col_learners", learners), ("r.kf_median", median),
                      ("r.kf_mean", show.fmt(pub.mean, suffix=" %")),
                      ("r.col_manual", show.fmt(pub.shown[pub.cell("manual")], count=True, k=k))])
    D.record(pub.cell("key-figures"), pair("r.key_figures"),
             {pub.cell(c): pub.shown[pub.cell(c)] for c in ("learners", "manual")}, pub.relations[:1])


def grading_notice(grades: pd.DataFrame | None) -> bool:
    """Say so when some of these grades were made without the grading sandbox (`lce courses grade --no-sandbox`):
    learners' code then ran with the course in reach, so the grades are less trustworthy. Returns whether it did."""
    if grades is None or "sandboxed" not in grades or not (grades["sandboxed"] == False).any():  # noqa: E712
        return False
    show.note("r.not_sandboxed")
    return True


def score_distribution(pub: aggregate.CoursePublication | None, k: int = DEFAULT_K) -> None:
    """Learners per score band: a chart and its table."""
    if pub is None:
        show.note("r.no_distribution")
        return
    dist = pub.bands()
    D.record(pub.cell("score-bands"), pair("r.cap_score_bands"),
             {pub.cell(f"band/{b}"): v for b, v in zip(dist["band"], dist["learners"].astype(object))},
             pub.band_relation())
    show.show_chart(bar_chart(dist, "band", "learners", both_label("r.col_score_band"), both_label("r.col_learners")),
                    "r.alt_score_bands")
    show.show_table(dist, "r.cap_score_bands", count_columns=["learners"],
                    labels={"band": both_label("r.col_score_band"), "learners": both_label("r.col_learners")}, k=k)


def hardest_tests(pub: aggregate.CoursePublication | None, k: int = DEFAULT_K) -> None:
    """The autograded tests most learners failed: a signal for teaching."""
    if pub is None or not len(pub.tests):
        show.note("r.no_test_export")
        return
    table = pub.tests
    cells = {}
    for row in table.itertuples():
        name = pub.cell(f"test/{row.notebook}/{row.test}")
        cells[f"{name}/tried"], cells[f"{name}/failed"] = pub.shown[f"{name}/tried"], pub.shown[f"{name}/failed"]
    D.record(pub.cell("hardest-tests"), pair("r.cap_hardest_tests_recorded"), cells,
             [r for r in pub.relations if r[0] in cells])
    shown = table.assign(notebook=table["notebook"].map(_part_name), test=table["test"].map(_test_name),
                         failed_share=[None if pd.isna(v) else round(100 * float(v)) for v in table["failed_share"]])
    show.show_table(shown, "r.cap_hardest_tests", count_columns=["learners", "failed"],
                    labels={"notebook": both_label("r.col_part"), "test": "Test",
                            "learners": both_label("r.col_learners"), "failed": both_label("r.col_failed"),
                            "failed_share": both_label("r.col_failed_share")}, k=k)


def lesson_names(exports_dir: str, assignment: str) -> dict[str, tuple[int | None, str]]:
    """notebook -> (lesson number, 'Lektion N: titel / Lesson N: title') from the source notebooks' metadata
    (courses/source/<assignment>/, beside exports/); {} where there are none (a reports-only checkout)."""
    import json
    from pathlib import Path

    folder = Path(exports_dir).parent / "source" / assignment
    names: dict[str, tuple[int | None, str]] = {}
    for path in sorted(folder.glob("*.ipynb")) if folder.is_dir() else []:
        try:
            meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("lce", {})
            number, title = int(meta["lesson"]), meta["title"]
            names[path.stem] = (number, both_label(show.around("r.lesson_name", (title["sv"], title["en"]),
                                                          number=number)))
        except (ValueError, KeyError, TypeError, AttributeError):  # no lesson metadata: the name in words
            names[path.stem] = (None, _part_name(path.stem))
    return names


def lesson_results(pub: aggregate.CoursePublication | None, exports_dir: str, k: int = DEFAULT_K) -> None:
    """Per lesson: learners who handed it in, their median score and how many wait for manual grading. A lesson a
    learner has not handed in is not counted (not as 0, not as failed)."""
    if pub is None or not len(pub.lessons):
        show.note("r.no_lessons")
        return
    names = lesson_names(exports_dir, pub.assignment)
    order = {nb: (names.get(nb, (None, ""))[0] or 10**6, nb) for nb in pub.lessons["notebook"]}
    table = pub.lessons.sort_values("notebook", key=lambda s: s.map(order)).reset_index(drop=True)
    cells = {}
    for nb in table["notebook"]:
        for part in ("learners", "manual"):
            cells[pub.cell(f"lesson/{nb}/{part}")] = pub.shown[pub.cell(f"lesson/{nb}/{part}")]
    D.record(pub.cell("lessons"), pair("r.cap_lessons"), cells,
             [r for r in pub.relations if r[0] in cells or any(c in cells for c in r[1])])
    shown = table.assign(notebook=table["notebook"].map(lambda nb: names.get(nb, (None, _part_name(nb)))[1]))
    show.show_table(shown[["notebook", "learners", "median_percent", "manual"]], "r.cap_lessons",
                    count_columns=["learners", "manual"],
                    labels={"notebook": both_label("r.col_lesson"), "learners": both_label("r.col_handed_in"),
                            "median_percent": both_label("r.col_median_percent"),
                            "manual": both_label("r.col_manual")}, k=k)


def _part_name(notebook: str) -> str:
    """A notebook of an assignment as readers know it: 'Del 2 / Part 2', or its name in words (no file name)."""
    import re
    found = re.search(r"part[-_ ]?(\d+)$", str(notebook))
    if found:
        return both_label("r.part", n=found.group(1))
    return re.sub(r"[-_]+", " ", str(notebook)).strip().capitalize()


def _test_name(test: str) -> str:
    """An autograded test's id in words: 'test_3' reads 'Test 3'."""
    return str(test).replace("test_", "Test ").replace("_", " ")


# -- engagement findings ------------------------------------------------------------------------------------

def lab_overview(run: LabRun | None, run_dir: str, k: int = DEFAULT_K) -> None:
    """Key figures of a lab run and the report summary."""
    if run is None:
        show.missing("r.lab_run", f"{run_dir}/metrics.json")
        show.summary("r.no_lab_run")
        return
    m = run.metrics
    institution = str(run.info.get("institution") or run.folder.name)
    visits = show.fmt(m.get("visits"), count=True, k=k)
    period = f"{m.get('period_start') or '?'} – {m.get('period_end') or '?'}"
    show.summary("r.lab_summary", institution=institution, visits=visits, period=period)
    share = m.get("returning_visitor_share")
    show.key_figures([
        ("r.kf_institution", institution), ("r.kf_period", period), ("r.col_visits", visits),
        ("r.col_unique_visitors", show.fmt(m.get("unique_visitors"), count=True, k=k)),
        ("r.kf_visits_per_visitor", show.fmt(m.get("visits_per_visitor"))),
        ("r.kf_returning_share", show.fmt(None if share is None else round(100 * float(share), 1), suffix=" %")),
        ("r.col_revenue_sek", show.fmt(m.get("revenue_sek")))])
    # rows read and rejected are for the lab's user (rejects.csv), not for readers: not published
    D.record(f"lab/{run.folder.name}/key-figures", pair("r.key_figures"),
             {f"lab/{run.folder.name}/visits": m.get("visits"),
              f"lab/{run.folder.name}/unique_visitors": m.get("unique_visitors")})


def lab_findings(run: LabRun | None, k: int = DEFAULT_K) -> None:
    """The run's findings in plain words (Swedish and English), as the labs computed them (findings.json)."""
    if run is None:
        return
    found = [findings.both_languages(finding) for finding in run.findings.get("summary", [])]
    if found:
        show.bullets(found)
    else:
        show.note("r.find_none")


def _breakdown(values: Any, key: str) -> pd.DataFrame:
    items = values.items() if isinstance(values, dict) else []
    return pd.DataFrame({key: [str(a) for a, _ in items],
                         "visits": pd.array([None if b is None else int(b) for _, b in items], dtype="Int64")})


def lab_breakdown(run: LabRun, key: str, column: str, k: int = DEFAULT_K, recorded: bool = True,
                  title: tuple[str, str] = ("", "")) -> pd.DataFrame:
    """A breakdown of metrics.json that sums to the run's visits, protected with that total (linked)."""
    name = f"lab/{run.folder.name}"
    return D.publish_frame(_breakdown(run.metrics.get(key), column), f"{name}/{key}", title, ["visits"], k,
                           total=(f"{name}/visits", run.metrics.get("visits")), recorded=recorded)


def lab_visits(run: LabRun | None, k: int = DEFAULT_K) -> None:
    """Visits by month (chart and table) and by gender and age band (tables); suppressed counts are marked."""
    if run is None:
        return
    month = lab_breakdown(run, "visits_by_month", "month", k, title=pair("r.cap_visits_by_month"))
    show.show_chart(bar_chart(month, "month", "visits", COLUMN_LABELS["month"], COLUMN_LABELS["visits"]),
                    "r.cap_visits_by_month")
    show.show_table(month, "r.cap_visits_by_month", count_columns=["visits"], labels=COLUMN_LABELS, k=k)
    for key, column in (("visits_by_gender", "gender"), ("visits_by_age_band", "age_band")):
        frame = _labelled(lab_breakdown(run, key, column, k, title=pair(f"r.cap_{key}")))
        show.show_table(frame, f"r.cap_{key}", count_columns=["visits"], labels=COLUMN_LABELS, k=k)


def representation_chart(table: pd.DataFrame, k: int = DEFAULT_K) -> None:
    """The representation index by age band for women and men (100 = as in the region's population)."""
    if not {"gender", "age_band", "representation_index"} <= set(table.columns):
        return
    shown = _labelled(aggregate.protect(table, k)).dropna(subset=["representation_index"])
    if shown.empty:
        return
    shown = shown.astype({"representation_index": "float", "age_band": "str", "gender": "str"})
    bars = alt.Chart(shown).mark_bar().encode(
        x=alt.X("age_band:N", title=COLUMN_LABELS["age_band"], sort=None),
        xOffset="gender:N",
        y=alt.Y("representation_index:Q", title=f"Index (100 = {both_label('r.as_population')})"),
        color=alt.Color("gender:N", title=COLUMN_LABELS["gender"], scale=alt.Scale(range=["#0b5394", "#b45f06"])))
    rule = alt.Chart(pd.DataFrame({"y": [100]})).mark_rule(color="black", strokeDash=[4, 3]).encode(y="y:Q")
    show.show_chart((bars + rule).properties(width=460, height=240), "r.alt_representation")


def lab_tables(run: LabRun | None, k: int = DEFAULT_K) -> None:
    """The lab's own tables (already suppressed by the lab; checked again)."""
    if run is None:
        return
    for name, caption in LAB_CAPTIONS.items():
        if name == "representation_index" and name in run.tables:
            representation_chart(run.tables[name], k)
        if name in run.tables:
            generic_table(run.tables[name], caption, k, FULL_LAB_TABLES.get(name, MAX_ROWS),
                          cells=f"lab/{run.folder.name}/{name}")
    for name in sorted(set(run.tables) - set(LAB_CAPTIONS)):
        generic_table(run.tables[name], (name, name), k, cells=f"lab/{run.folder.name}/{name}")


# -- mentorship ---------------------------------------------------------------------------------------------

def mentorship_overview(tables: dict[str, pd.DataFrame] | None, k: int = DEFAULT_K, summary: bool = True) -> None:
    """Participants by role and field, and (with summary) the report's summary line."""
    if tables is None:
        show.missing("r.mentorship_db", "LCE_MENTORSHIP_DB / var/mentorship.db")
        if summary:
            show.summary("r.no_mentorship")
        return
    roles = tables.get("participants_by_role", pd.DataFrame())
    if summary:
        total = roles["participants"].sum(skipna=True) if "participants" in roles else 0
        matches = tables.get("matches_by_kind", pd.DataFrame())
        n_matches = matches["matches"].sum(skipna=True) if "matches" in matches else 0
        show.summary("r.mentorship_summary", participants=show.fmt(int(total), count=True, k=k),
                     matches=show.fmt(int(n_matches), count=True, k=k), k=k)
    for name in ("participants_by_role", "participants_by_field"):
        if name in tables:
            mentorship_table(tables, name, k)


def mentorship_matches(tables: dict[str, pd.DataFrame] | None, k: int = DEFAULT_K) -> None:
    """Matches by kind and mentoring sessions by month (chart and table)."""
    if tables is None:
        return
    if "matches_by_kind" in tables:
        mentorship_table(tables, "matches_by_kind", k)
    sessions = tables.get("sessions_by_month")
    if sessions is not None and {"month", "sessions"} <= set(sessions.columns) and len(sessions):
        shown = D.publish_frame(sessions, "mentorship/sessions_by_month", pair("r.cap_sessions_by_month"),
                                ["sessions"], k, recorded=False)
        show.show_chart(bar_chart(shown, "month", "sessions", COLUMN_LABELS["month"], COLUMN_LABELS["sessions"]),
                        "r.cap_sessions_by_month")
    if sessions is not None:
        mentorship_table(tables, "sessions_by_month", k)


def mentorship_feedback(tables: dict[str, pd.DataFrame] | None, k: int = DEFAULT_K) -> None:
    """Follow-up scores: their distribution and summary."""
    if tables is None:
        return
    for name in ("feedback_scores", "feedback_summary", "programme_summary"):
        if name in tables:
            mentorship_table(tables, name, k)


# The mentorship's tables that add up to a count another table publishes (the linked total).
MENTORSHIP_TOTALS = {"participants_by_role": ("programme_summary", "applications"),
                     "feedback_scores": ("feedback_summary", "responses")}


def mentorship_table(tables: dict[str, pd.DataFrame], name: str, k: int = DEFAULT_K) -> None:
    """One outcome table, protected and recorded as mentorship/…; linked to its total where it has one."""
    total = None
    if name in MENTORSHIP_TOTALS and MENTORSHIP_TOTALS[name][0] in tables:
        source, column = MENTORSHIP_TOTALS[name]
        value = tables[source][column].iloc[0] if len(tables[source]) else None
        total = (f"mentorship/{column}", None if value is None or pd.isna(value) else int(value))
    one_row = name in ("feedback_summary", "programme_summary")
    generic_table(tables[name], MENTORSHIP_CAPTIONS[name], k, cells="mentorship" if one_row else f"mentorship/{name}",
                  total=total)


# -- programme progress -------------------------------------------------------------------------------------

def programme_summary(exports_dir: str, tables: dict[str, pd.DataFrame] | None, k: int = DEFAULT_K,
                      register: Any = None) -> None:
    """The programme's summary line: the register's participants against the target, and which parts have data."""
    courses = data.assignments(exports_dir)
    parts = []
    if register is not None:
        parts.append(pair("r.prog_register", shown=show.fmt(register.participants, count=True, k=k),
                          target=show.fmt(register.target)))
    parts.append(pair("r.prog_courses", n=len(courses)) if courses else pair("r.prog_no_courses"))
    if tables is not None and "participants_by_role" in tables:
        total = int(tables["participants_by_role"]["participants"].sum(skipna=True))
        parts.append(pair("r.prog_mentorship", n=show.fmt(total, count=True, k=k)))
    else:
        parts.append(pair("r.prog_no_mentorship"))
    show.summary(tuple(t("r.prog_summary", lang, parts=", ".join(p[n] for p in parts))  # type: ignore[arg-type]
                       for n, lang in enumerate(("sv", "en"))))


def grade_overview(exports_dir: str, k: int = DEFAULT_K) -> None:
    """Learners per score band for every assignment with a grades export."""
    names = data.assignments(exports_dir)
    if not names:
        show.missing("r.course_results", "courses/exports/*-grades.csv")
        return
    table = pd.DataFrame({"band": [label for _, _, label in aggregate.SCORE_BANDS]})
    labels = {"band": both_label("r.col_score_band")}
    for name in names:  # the same protection as the assignment's own page: the same cells suppressed
        pub = aggregate.course_publication(data.course_grades(exports_dir, name),
                                           data.course_tests(exports_dir, name), name, k)
        bands = pub.bands()
        D.record(pub.cell("score-bands"), pair("r.cap_score_bands"),
                 {pub.cell(f"band/{b}"): v for b, v in zip(bands["band"], bands["learners"].astype(object))},
                 pub.band_relation())
        table[name] = bands["learners"]
        labels[name] = " / ".join(dict.fromkeys(assignment_title(name)))
    show.show_table(table, "r.cap_score_bands_by_assignment", count_columns=names, labels=labels, k=k)
    long = table.melt(id_vars="band", var_name="assignment", value_name="learners")
    long["assignment"] = long["assignment"].map(lambda a: assignment_title(a)[0])
    bands = list(table["band"])
    chart = grouped_bar_chart(long, "band", "learners", "assignment", bands, both_label("r.col_score_band"),
                              both_label("r.col_learners"), both_label("fb_assignment"))
    show.show_chart(chart, "r.cap_score_bands_by_assignment")


PROGRAMME_COLUMNS = {name: both_label(key) for name, key in (
    ("gender", "r.col_gender"), ("age_band", "r.pcol_age_band"), ("labour_status", "r.pcol_labour_status"),
    ("education", "r.pcol_education"), ("status", "r.pcol_status"), ("result", "fb_result"))}


def programme_register(register: Any, k: int = DEFAULT_K) -> None:
    """The register's participants (lce_utils.programme.published, protected together): key figures against the
    target, a chart and a table per breakdown, completion and results; each table recorded for the auditor."""
    if register is None:
        show.note("r.prog_no_register")
        return
    from lce_utils.programme.published import LABELS

    share = None if register.participants is None else 100 * register.participants / register.target
    show.key_figures([
        ("r.kf_register", show.fmt(register.participants, count=True, k=k)),
        ("r.kf_target", show.fmt(register.target)),
        ("r.kf_target_share", show.fmt(share, suffix=" %")),
        ("pub_status_left", show.fmt(register.left, count=True, k=k)),
    ])
    for table in register.tables:
        D.record(f"programme/{table.id}", table.title, table.cells, table.relations)
        if table.id == "progress":
            continue  # the key figures above
        words = [" / ".join(dict.fromkeys(LABELS[table.key][v])) for v in table.frame[table.key]]
        frame = table.frame.assign(**{table.key: words})
        sv, en = table.title
        column = PROGRAMME_COLUMNS[table.key]
        show.show_chart(bar_chart(frame, table.key, "participants", column, COLUMN_LABELS["participants"]),
                        table.title)
        show.show_table(frame, table.title, count_columns=["participants"],
                        labels={table.key: column, "participants": COLUMN_LABELS["participants"]}, k=k)
    show.note("r.prog_counting")
