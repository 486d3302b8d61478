"""No small group can be worked out from a lab's published figures: totals and their parts, tables about the
same people, shares and running shares, per-performance flags. The recovery below is written from the published
outputs alone (not from the labs' own model): it solves, for every hidden count, the smallest and largest value the
published figures allow (linear programming, counts >= 0) and reports those pinned to one value below k."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from scipy.optimize import linprog

from lce_utils.engagement import open_lab, story
from lce_utils.engagement.run import run_labs
from lce_utils.engagement.sample import write_sample
from lce_utils.privacy import suppress_count

K = 5
# 12 visits without a visitor id: 9 men (6 aged 30, 3 aged 40) and 3 women aged 30 - the case.
VISITS = """Datum;Evenemang;Biljettyp;Pris;Kanal;Postnummer;Födelseår;Kön
""" + "2024-01-10 19:00;Hamlet;Ordinarie;200;Webb;21119;1994;Man\n" * 6 + \
    "2024-01-10 19:00;Hamlet;Student;100;Webb;22222;1994;Kvinna\n" * 2 + \
    "2024-02-10 19:00;Carmen;Student;100;Webb;22222;1994;Kvinna\n" + \
    "2024-02-10 19:00;Carmen;Ordinarie;200;Webb;21119;1984;Man\n" + \
    "2024-02-10 19:00;Carmen;Ordinarie;200;Webb;22333;1984;Man\n" * 2
EVENTS = """Evenemang;Start;Konstform;Lokal;Kapacitet
Hamlet;2024-01-10 19:00;Teater;Stora;20
Carmen;2024-02-05 19:00;Opera;Stora;30
Carmen;2024-02-10 19:00;Opera;Lilla;4
"""


@pytest.fixture
def lab(write_export):
    lab = open_lab(*write_export(VISITS, EVENTS), k=K)
    yield lab
    lab.con.close()


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in r) for r in frame[list(columns)].itertuples(index=False)]


# ---- the recovery: every relation a reader can write from the published figures -------------------------------

class Recovery:
    """Unknowns (hidden counts and counts implied by a difference) and linear equations over them."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.equations: list[tuple[dict[str, float], float]] = []
        self.inequalities: list[tuple[dict[str, float], float]] = []  # sum(coef * x) <= bound

    def term(self, name: str, value) -> tuple[str | None, float]:
        """A published figure: its value when shown, else an unknown named name."""
        if value is None or pd.isna(value):
            if name not in self.names:
                self.names.append(name)
            return name, 0.0
        return None, float(value)

    def total(self, total: tuple[str | None, float], parts: list[tuple[str | None, float]],
              implied: str | None = None) -> None:
        """total = sum(parts) (+ an implied count that is never published, when given)."""
        coefs: dict[str, float] = {}
        constant = 0.0
        for sign, (name, value) in [(1, total)] + [(-1, p) for p in parts]:
            if name is None:
                constant -= sign * value
            else:
                coefs[name] = coefs.get(name, 0.0) + sign
        if implied:
            self.names.append(implied)
            coefs[implied] = -1.0
        if coefs:
            self.equations.append((coefs, constant))

    def pinned(self, k: int = K) -> dict[str, float]:
        """Unknowns whose smallest and largest possible values agree and lie between 0 and k (exclusive)."""
        index = {n: i for i, n in enumerate(self.names)}
        if not self.names:
            return {}

        def matrix(rows):
            a = [[0.0] * len(self.names) for _ in rows]
            for r, (coefs, _) in enumerate(rows):
                for name, coef in coefs.items():
                    a[r][index[name]] = coef
            return (a, [b for _, b in rows]) if rows else (None, None)

        a_eq, b_eq = matrix(self.equations)
        a_ub, b_ub = matrix(self.inequalities)
        found = {}
        for name in self.names:
            c = [0.0] * len(self.names)
            ends = []
            for sign in (1, -1):
                c[index[name]] = sign
                result = linprog(c, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
                ends.append(sign * result.fun if result.status == 0 else None)
            low, high = ends
            if low is not None and high is not None and high - low < 0.5 and 0.5 < low < k - 0.5:
                found[name] = round(low)
        return found


def recover(metrics: dict, tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Every small hidden count the published metrics.json and tables give away."""
    r = Recovery()
    visits = r.term("visits", metrics["visits"])
    for key in ("visits_by_gender", "visits_by_age_band", "visits_by_month"):
        r.total(visits, [r.term(f"{key}/{g}", v) for g, v in metrics[key].items()])
    cells = {}
    by_ga = tables["visits_by_gender_age"]
    for row in by_ga.itertuples():
        cells[(row.gender, row.age_band)] = r.term(f"gender_age/{row.gender}/{row.age_band}", row.visits)
    for gender in metrics["visits_by_gender"]:
        r.total(r.term(f"visits_by_gender/{gender}", metrics["visits_by_gender"][gender]),
                [v for (g, _), v in cells.items() if g == gender])
    for band in metrics["visits_by_age_band"]:
        r.total(r.term(f"visits_by_age_band/{band}", metrics["visits_by_age_band"][band]),
                [v for (_, b), v in cells.items() if b == band])
    for name, column in (("revenue_by_ticket_type", "ticket_type"), ("revenue_by_channel", "channel")):
        t = tables[name]
        r.total(visits, [r.term(f"{name}/{v}", n) for v, n in zip(t[column], t["tickets"])])
        r.total(r.term("revenue", metrics["revenue_sek"]), [r.term(f"{name}/{v}/revenue", x)
                                                            for v, x in zip(t[column], t["revenue_sek"])])
        for v, share, n in zip(t[column], t["revenue_share"], t["tickets"]):  # a shown share is a revenue
            if pd.notna(share) and pd.isna(n):
                r.total(r.term(f"{name}/{v}/revenue", None), [(None, float(share) * metrics["revenue_sek"])])
    events = tables["occupancy_by_event"]
    names = [r.term(f"event/{i}", n) for i, n in enumerate(events["tickets"])]
    if metrics["visits"] is not None and len(events):
        r.inequalities.append(({n: 1.0 for n, _ in names if n},
                               metrics["visits"] - sum(v for n, v in names if n is None)))
    for i, row in events.iterrows():  # a sold-out flag or a fill gives tickets against the capacity
        if pd.notna(row["sold_out"]) and pd.isna(row["tickets"]) and pd.notna(row["capacity"]):
            bound = ({names[i][0]: -1.0}, -float(row["capacity"])) if bool(row["sold_out"]) else \
                ({names[i][0]: 1.0}, float(row["capacity"]) - 1)
            r.inequalities.append(bound)
        if pd.notna(row["occupancy"]) and pd.isna(row["tickets"]):
            r.total((names[i][0], 0.0), [(None, round(float(row["occupancy"]) * float(row["capacity"])))])
    for row in tables["occupancy_by_art_form"].itertuples():
        mine = [names[i] for i, a in enumerate(events["art_form"].fillna("unknown")) if a == row.art_form
                and pd.notna(events.at[i, "capacity"])]
        r.total(r.term(f"art_form/{row.art_form}", row.tickets), mine)
        if pd.notna(row.sold_out_performances):  # the count of sold-out performances bounds the hidden ones
            shown = sum(bool(events.at[i, "sold_out"]) for i, a in enumerate(events["art_form"]) if a == row.art_form
                        and pd.notna(events.at[i, "sold_out"]))
            unflagged = [i for i, a in enumerate(events["art_form"]) if a == row.art_form
                         and pd.isna(events.at[i, "sold_out"])]
            if unflagged and len(unflagged) == row.sold_out_performances - shown:  # all of them sold out
                for i in unflagged:
                    r.inequalities.append(({names[i][0]: -1.0}, -float(events.at[i, "capacity"])))
    reach = tables["reach_by_area"]
    shown = reach.dropna(subset=["visits", "share"])
    if len(shown):  # a shown share gives the total
        total = (None, round(float(shown.iloc[0]["visits"]) / float(shown.iloc[0]["share"])))
        r.total(total, [r.term(f"area/{a}", v) for a, v in zip(reach["area"], reach["visits"])])
        previous = (None, 0.0)
        for a, v, cum in zip(reach["area"], reach["visits"], reach["cumulative_share"]):
            here = (None, round(float(cum) * total[1])) if pd.notna(cum) else None
            if here:  # a running share: this row's visits are the difference
                r.total(here, [previous, r.term(f"area/{a}", v)])
            previous = here or previous
    rep = tables["representation_index"]
    audience = [r.term(f"audience/{g}/{b}", n) for g, b, n in zip(rep["gender"], rep["age_band"], rep["audience"])]
    shares = rep.dropna(subset=["audience", "audience_share"])
    shares = shares[shares["audience_share"].astype(float) > 0]
    if len(shares):
        r.total((None, round(float(shares.iloc[0]["audience"]) / float(shares.iloc[0]["audience_share"]))), audience)
    if metrics["unique_visitors"] is None and not len(tables["visitors_by_month"]):  # no visitor id: audience = visits
        for (g, b), term in zip(zip(rep["gender"], rep["age_band"]), audience):
            r.total(term, [cells.get((g, b), (None, 0.0))])
    art = tables["audience_by_art_form"]
    for form, group in art.groupby("art_form"):
        known = group.dropna(subset=["visits", "share"])
        if len(known) and float(known.iloc[0]["share"]) > 0:
            r.total((None, round(float(known.iloc[0]["visits"]) / float(known.iloc[0]["share"]))),
                    [r.term(f"art/{form}/{b}", v) for b, v in zip(group["age_band"], group["visits"])])
    unique = r.term("unique_visitors", metrics["unique_visitors"])
    months = tables["visitors_by_month"]
    new = {m: r.term(f"new/{m}", n) for m, n in zip(months["month"], months["new_visitors"])}
    if len(months):
        r.total(unique, list(new.values()))
        r.total(unique, [r.term(f"frequency/{b}", n) for b, n in zip(tables["visitors_by_frequency"]["frequency"],
                                                                      tables["visitors_by_frequency"]["visitors"])])
        if metrics["returning_visitor_share"] is not None:
            r.total(unique, [(None, round(metrics["returning_visitor_share"] * metrics["unique_visitors"]))],
                    implied="one_time_visitors")
    cohorts = tables["cohort_retention"]
    terms = []
    for row in cohorts.itertuples():
        cohort = r.term(f"cohort/{row.cohort}", row.new_visitors)
        terms.append(cohort)
        year, q = row.cohort.split("-Q")
        r.total(cohort, [v for m, v in new.items() if m[:4] == year and (int(m[5:]) - 1) // 3 + 1 == int(q)])
        returned = r.term(f"cohort/{row.cohort}/returned", row.returned_within_12_months)
        r.total(cohort, [returned], implied=f"cohort/{row.cohort}/did_not_return")
        if pd.notna(row.retention_share) and pd.notna(row.new_visitors):
            r.total(returned, [(None, round(float(row.retention_share) * float(row.new_visitors)))])
    if terms:
        r.total(unique, terms)
    return r.pinned()


def naive(lab) -> tuple[dict, dict[str, pd.DataFrame]]:
    """What the labs published before: each count below k hidden on its own (and its row's shares)."""
    from lce_utils.engagement import metrics as mx
    from lce_utils.privacy import suppress_counts, suppress_frame
    raw = lab.raw
    m = mx.metrics_json(raw, lab.meta["rows_read"], lab.meta["rows_rejected"], lab.has["visitor_id"],
                        lab.has["price"], k=1)
    for key in ("visits_by_gender", "visits_by_age_band", "visits_by_month"):
        m[key] = suppress_counts(m[key], K)
    tables = {}
    for name, (source, counts, dependent) in mx.TABLES.items():
        frame = raw[source].copy()
        floats = frame.select_dtypes("float").columns
        frame[floats] = frame[floats].round(4)
        tables[name] = suppress_frame(frame, counts, K, dependent)
    return m, tables


# ---- the case, published exactly ---------------------------------------------------------------------

def test_the_old_publication_gave_small_groups_away(lab):
    """The recovery finds what the issue reported: women 3 = 12 - 9, age band 36-45, a ticket type, a month."""
    found = recover(*naive(lab))
    assert found["visits_by_gender/woman"] == 3
    assert found["visits_by_age_band/36-45"] == 3
    assert found["visits_by_month/2024-02"] == 4
    assert found["revenue_by_ticket_type/Student"] == 3
    assert found["area/223"] == 2  # from the running share kept on a hidden row


def test_metrics_json_hides_a_total_minus_its_parts(lab):
    """Every shown figure is the count by hand (the file's comment); which cells are hidden beyond those under k
    follows lce_utils.privacy.protect's keyed order (default key), not the values: here it takes the visits too
    (with February's 4 hidden, January's 8 would give it back), and with them rows_read (one row per visit)."""
    m = lab.metrics
    assert (m["rows_read"], m["visits"], m["revenue_sek"], m["unique_visitors"]) == (None, None, 2100.0, None)
    assert m["visits_by_gender"] == {"woman": None, "man": None, "other": 0, "unknown": 0}
    assert m["visits_by_age_band"] == {"0-15": 0, "16-25": 0, "26-35": None, "36-45": None, "46-55": 0, "56-65": 0,
                                       "66-75": 0, "76+": 0, "unknown": 0}
    assert m["visits_by_month"] == {"2024-01": 8, "2024-02": None}


@pytest.mark.slow
def test_published_tables_exactly(lab):
    t = lab.tables
    assert rows(t["visits_by_gender_age"], "gender", "age_band", "visits") == [
        ("man", "26-35", None), ("man", "36-45", None), ("woman", "26-35", None)]
    assert rows(t["revenue_by_ticket_type"], "ticket_type", "tickets", "revenue_sek", "mean_price_sek",
                "revenue_share") == [("Ordinarie", None, None, None, None), ("Student", None, None, None, None)]
    assert rows(t["revenue_by_channel"], "channel", "tickets", "revenue_sek", "revenue_share") == [
        ("Webb", None, None, None)]
    # 211: 7 of 12 visits; the running share stops at the first hidden row (222 and 223 together are 5)
    assert rows(t["reach_by_area"], "area", "visits", "share", "cumulative_share", "catchment") == [
        ("211", 7, 0.5833, 0.5833, "core"), ("222", None, None, None, "core"), ("223", None, None, None, "secondary")]
    assert rows(t["occupancy_by_event"], "event", "capacity", "tickets", "occupancy", "sold_out") == [
        ("Hamlet", 20, 8, 0.4, False), ("Carmen", 30, 0, 0.0, False), ("Carmen", 4, None, None, None)]
    # Opera: 4 tickets; its sold-out count would say the small hall's hidden 4 filled its 4 seats
    assert rows(t["occupancy_by_art_form"], "art_form", "performances", "capacity", "tickets", "occupancy",
                "mean_occupancy", "sold_out_performances", "sold_out_share", "performances_under_half") == [
        ("Teater", 1, 20, 8, 0.4, 0.4, 0, 0.0, 1), ("Opera", 2, 34, None, None, None, None, None, None)]
    assert rows(t["audience_by_art_form"], "art_form", "age_band", "visits", "share") == [
        ("Opera", "26-35", None, None), ("Opera", "36-45", None, None), ("Teater", "26-35", 8, 1.0)]
    rep = t["representation_index"]
    assert not (rep["audience"].notna() & (rep["audience"] > 0)).any()
    assert rows(rep[rep["audience"].isna()], "gender", "age_band", "audience_share", "representation_index") == [
        ("woman", "26-35", None, None), ("man", "26-35", None, None), ("man", "36-45", None, None)]


@pytest.mark.slow
def test_the_labs_hide_what_privacy_protect_hides(lab):
    """One mechanism: the lab's hidden cells are exactly lce_utils.privacy.protect's over the lab's cells and sums
    (named without the run), and another LCE_PRIVACY_KEY may choose other complementary cells."""
    from lce_utils.engagement.published import cell_name, protect_cells
    from lce_utils.privacy import protect
    cells = lab.published.cells
    names = {key: cell_name(key) for key in cells.values}
    shown = protect({names[c]: v for c, v in cells.values.items()},
                    [(names[t], [names[p] for p in parts]) for t, parts in cells.relations()],
                    [names[c] for c in cells.values if c in cells.published], k=K)
    assert {names[c] for c in lab.published.hidden} == {name for name, v in shown.items() if v is None}
    small = {c for c in cells.published if 0 < cells.values[c] < K}
    assert small <= lab.published.hidden
    others = [protect_cells(cells, K, key=key) for key in ("one", "two", "three", "four")]
    assert all(small <= hidden for hidden in others)
    assert len({frozenset(hidden) for hidden in others + [lab.published.hidden]}) > 1


@pytest.mark.slow
def test_nothing_hidden_can_be_recovered_from_the_publication(lab):
    assert recover(lab.metrics, lab.tables) == {}


@pytest.mark.slow
def test_a_run_folder_gives_nothing_away(lab, tmp_path):
    """The same check on the files a run writes (metrics.json and tables/*.csv read back)."""
    out = tmp_path / "out"
    run_labs(tmp_path / "visits.csv", out, events=tmp_path / "events.csv", notebooks=False, k=K)
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    tables = {p.stem: pd.read_csv(p, dtype={"area": str}) for p in (out / "tables").glob("*.csv")}
    assert set(tables) == set(lab.tables)
    assert recover(metrics, tables) == {}
    # disclosure.json: the counts by global name (hidden ones None) and their sums, for a disclosure audit
    document = json.loads((out / "lab.disclosure.json").read_text(encoding="utf-8"))
    assert (document["format"], document["k"], len(document["tables"])) == ("lce-disclosure/1", K, 1)
    record = document["tables"][0]
    cells = record["cells"]
    assert record["id"] == "lab/out" and cells["lab/out/visits"] is None
    assert (cells["lab/out/visits_by_gender/woman"], cells["lab/out/visits_by_gender/man"]) == (None, None)
    assert cells["lab/out/occupancy_by_event/0/tickets"] == 8 and cells["lab/out/reach_by_area/0/visits"] == 7
    assert cells["lab/out/audience_by_art_form/total/Teater"] == 8
    assert {"total": "lab/out/visits", "parts": [f"lab/out/visits_by_gender/{g}" for g in
                                                 ("woman", "man", "other", "unknown")]} in record["relations"]
    r = Recovery()  # the record alone pins no hidden count either (implied counts are in relations only)
    for relation in record["relations"]:
        r.total(r.term(relation["total"], cells.get(relation["total"])),
                [r.term(part, cells.get(part)) for part in relation["parts"]])
    assert r.pinned() == {} and "lab/out/reach_by_area/no_postcode" in r.names
    assert "lab/out/reach_by_area/no_postcode" not in cells
    from lce_utils.privacy_audit import audit_path  # and the project's auditor finds nothing either
    assert audit_path(out).findings == []


@pytest.mark.slow
@pytest.mark.parametrize("rows_, seed", [(400, 2024), (1000, 7)])
def test_samples_with_visitors_give_nothing_away(tmp_path, rows_, seed):
    """Months, quarters' cohorts, returning shares and visit frequencies of a sample with visitor ids."""
    files = write_sample(tmp_path / "s", rows=rows_, seed=seed)
    lab = open_lab(files.visits, files.events, k=K)
    try:
        assert recover(*naive(lab)) != {}  # the sample has small groups the old publication gave away
        assert recover(lab.metrics, lab.tables) == {}
        from lce_utils.privacy_audit import audit_path  # the project's auditor: no exact or narrow hidden count
        record = {"format": "lce-disclosure/1", "k": K, "tables": [lab.published.disclosure_record("sample")]}
        (tmp_path / "lab.disclosure.json").write_text(json.dumps(record), encoding="utf-8")
        assert audit_path(tmp_path).findings == []
        for name, frame in lab.tables.items():  # and no count below k is shown anywhere
            for column in mx_counts(name):
                values = pd.to_numeric(frame[column])
                assert not ((values > 0) & (values < K)).any(), (name, column)
        assert story.dry_run(lab) == []
    finally:
        lab.con.close()


def mx_counts(name: str) -> list[str]:
    from lce_utils.engagement import metrics as mx
    return mx.TABLES[name][1]


def test_suppress_count_is_the_first_rule():
    """Hidden cells start from lce_utils.privacy: 0 is shown, 1..k-1 hidden."""
    assert [suppress_count(n, K) for n in (0, 1, 4, 5)] == [0, None, None, 5]


def _determined(names: list[str], known: set[str], relations: list[tuple[str, list[str]]]) -> set[str]:
    """The unknown names whose value the sums fix given the known ones (rank test, written for this test)."""
    import numpy as np
    unknown = [n for n in names if n not in known]
    a = np.array([[1.0 if n == t else -1.0 if n in parts else 0.0 for n in unknown] for t, parts in relations])
    rank = np.linalg.matrix_rank(a)
    return {n for j, n in enumerate(unknown) if np.linalg.matrix_rank(np.delete(a, j, axis=1)) < rank}


def test_protect_a_table_with_margins_leaves_no_cell_fixed():
    """A 12 x 6 table with row, column and grand totals, random small and large counts: after privacy.protect no
    hidden count is determined by the shown ones (checked by linear algebra), every count below k is hidden, and
    the auditor finds nothing."""
    import numpy as np

    from lce_utils.privacy import protect
    from lce_utils.privacy_audit import audit_cells
    rng = np.random.default_rng(11)
    rows_, columns = range(12), range(6)
    values = {f"x{i}.{j}": int(rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40])) for i in rows_ for j in columns}
    relations = []
    for i in rows_:
        values[f"row{i}"] = sum(values[f"x{i}.{j}"] for j in columns)
        relations.append((f"row{i}", [f"x{i}.{j}" for j in columns]))
    for j in columns:
        values[f"col{j}"] = sum(values[f"x{i}.{j}"] for i in rows_)
        relations.append((f"col{j}", [f"x{i}.{j}" for i in rows_]))
    values["total"] = sum(values[f"row{i}"] for i in rows_)
    relations += [("total", [f"row{i}" for i in rows_]), ("total", [f"col{j}" for j in columns])]
    shown = protect(values, relations, k=K)
    hidden = {c for c, v in shown.items() if v is None}
    small = {c for c, v in values.items() if 0 < v < K}
    assert small <= hidden
    assert not hidden & _determined(list(values), set(values) - hidden, relations)
    for i in rows_:  # no row has exactly one hidden cell (the row total would give it back)
        assert sum(f"x{i}.{j}" in hidden for j in columns) + (f"row{i}" in hidden) != 1
    assert audit_cells({c: v for c, v in shown.items() if v is not None}, hidden, relations, k=K) == []


def test_the_complement_is_chosen_by_key_not_by_value():
    """The old lab rule hid the smallest other count (c then b: 72 - 40 - 0 gave b's size away as the runner-up);
    privacy.protect takes the complement in the keyed order, the same cell whatever the other values are."""
    from lce_utils.privacy import order_key, protect
    relation = [("total", ["a", "b", "c", "d"])]
    chosen = set()
    for a, b in ((40, 30), (30, 40), (6, 90), (90, 6)):
        shown = protect({"a": a, "b": b, "c": 2, "d": 0, "total": a + b + 2}, relation, k=K)
        chosen.add(tuple(sorted(name for name, v in shown.items() if v is None)))
    first = min(("a", "b"), key=order_key)  # d is 0: never a complement (it protects nothing)
    assert chosen == {tuple(sorted(("c", first)))}
