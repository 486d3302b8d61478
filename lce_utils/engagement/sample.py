"""A seeded, fictitious institution's ticket export (in Skåne) at any size (vectorised numpy, written with pyarrow).

The sample looks like a real Swedish export: Swedish headers, semicolons, a decimal comma, gender labels
such as Kvinna/Man/Annat/Vill ej uppge, postcodes written both as 21119 and 211 19, gaps, and (with
messy=True) a few unreadable rows and a totals line at the end, so that rejects.csv has something to show."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from lce_utils.engagement.schema import AGE_BAND_LIMITS
from lce_utils.staging import staged_folder

INSTITUTION = "Kulturhuset Öresund (fiktivt / fictitious)"
PERIOD = ("2023-01-01", "2024-12-31")

# Venues: name, capacity.
VENUES = [("Stora scenen", 780), ("Lilla scenen", 220), ("Konsertsalen", 1150), ("Studion", 90)]
# Art form: productions, venues it plays in, start hour, mean fill, spread of fill, base price (SEK).
ART_FORMS = {
    "Teater": (["Hamlet", "Fröken Julie", "Ronja Rövardotter", "Vildanden", "Trettondagsafton"], [0, 1], 19, 0.72, 6,
               320),
    "Konsert": (["Vårkonsert", "Beethoven 9", "Jazz i Öresund", "Filmmusik", "Nyårskonsert"], [2], 19, 0.66, 5, 280),
    "Dans": (["Svansjön", "Urban Moves", "Bolero"], [0, 3], 19, 0.55, 4, 260),
    "Opera": (["Carmen", "Tosca", "Trollflöjten"], [0], 18, 0.81, 8, 450),
    "Familj": (["Pippi på scen", "Mamma Mu", "Alfons Åberg"], [1, 3], 14, 0.62, 4, 150),
}
BANDS = [*AGE_BAND_LIMITS, (76, 95)]  # the labs' bands; the oldest drawn up to 95
# Audience mixes that differ by art form: a weight per age band (above) and for women vs men.
AGE_PREFERENCE = {
    "Teater": [0.3, 0.8, 0.9, 1.0, 1.3, 1.5, 1.6, 1.0],
    "Konsert": [0.2, 0.5, 0.7, 0.9, 1.4, 1.9, 2.1, 1.4],
    "Dans": [0.4, 1.9, 1.6, 1.1, 1.0, 0.9, 0.7, 0.4],
    "Opera": [0.1, 0.3, 0.5, 0.7, 1.1, 2.0, 2.6, 1.8],
    "Familj": [4.0, 0.3, 1.6, 2.2, 0.6, 0.4, 0.5, 0.2],
}
WOMAN_PREFERENCE = {"Teater": 1.6, "Konsert": 1.1, "Dans": 2.2, "Opera": 1.4, "Familj": 1.3}
# Where visitors live: Skåne postcode prefixes (and a few from elsewhere) with weights.
POSTCODE_AREAS = {
    "211": 9, "212": 7, "213": 6, "214": 7, "215": 5, "216": 6, "217": 6, "218": 2, "222": 6, "224": 4,
    "226": 4, "227": 3, "232": 3, "233": 2, "234": 3, "235": 3, "231": 2, "241": 1.5, "244": 2, "245": 2,
    "252": 3, "254": 2, "256": 1.5, "261": 1.5, "262": 1, "263": 0.8, "271": 1, "272": 0.5, "274": 0.6,
    "275": 0.5, "243": 0.7, "281": 0.7, "291": 1, "264": 0.4, "268": 0.5, "267": 0.4, "111": 0.6,
    "411": 0.4,
}
GENDER_LABELS = np.array(["Kvinna", "Man", "Annat", "Vill ej uppge", ""])
CHANNELS = np.array(["Webb", "Kassa", "Telefon", "Återförsäljare"])
TICKET_TYPES = np.array(["Ordinarie", "Student", "Pensionär", "Barn", "Rabatt", "Fribiljett"])
PRICE_FACTOR = np.array([1.0, 0.6, 0.8, 0.4, 0.85, 0.0])


@dataclass
class SampleFiles:
    """Where a generated sample was written."""

    visits: Path
    events: Path
    rows: int
    performances: int


def _performances(rng: np.random.Generator, rows: int) -> dict[str, np.ndarray]:
    names, forms, venues, starts, capacities, fills = [], [], [], [], [], []
    mean_capacity = np.mean([c for _, c in VENUES])
    count = max(24, int(np.ceil(rows / (mean_capacity * 0.68))))
    start_day = np.datetime64(PERIOD[0])
    days = (np.datetime64(PERIOD[1]) - start_day).astype(int) + 1
    form_names = list(ART_FORMS)
    form_idx = rng.choice(len(form_names), size=count, p=[0.34, 0.26, 0.12, 0.1, 0.18])
    # Seasons: most performances in spring (Jan-May) and autumn (Sep-Dec), few in summer.
    day = rng.integers(0, days, size=count * 3)
    month = (start_day + day.astype("timedelta64[D]")).astype("datetime64[M]").astype(int) % 12 + 1
    keep = rng.random(day.size) < np.where(np.isin(month, [6, 7, 8]), 0.15, 1.0)
    day = np.sort(day[keep][:count]) if keep.sum() >= count else np.sort(day[:count])
    for i in range(count):
        form = form_names[form_idx[i]]
        productions, venue_choices, hour, mean_fill, spread, _ = ART_FORMS[form]
        venue = venue_choices[rng.integers(len(venue_choices))]
        names.append(productions[(i // 7 + rng.integers(2)) % len(productions)])
        forms.append(form)
        venues.append(VENUES[venue][0])
        capacities.append(VENUES[venue][1])
        starts.append(start_day + np.timedelta64(int(day[i]), "D") + np.timedelta64(hour, "h"))
        fills.append(rng.beta(mean_fill * spread, (1 - mean_fill) * spread))
    return {"event": np.array(names), "art_form": np.array(forms), "venue": np.array(venues),
            "start": np.array(starts, dtype="datetime64[m]"), "capacity": np.array(capacities),
            "fill": np.array(fills)}


def _allocate(rng: np.random.Generator, demand: np.ndarray, capacity: np.ndarray, rows: int) -> np.ndarray:
    """Tickets per performance: proportional to demand, never above capacity, summing to rows.

    Water-filling: find the scale at which min(capacity, scale * demand) sums to rows, then hand the few
    left-over tickets to random performances that still have seats."""
    if rows > capacity.sum():
        raise ValueError(f"not enough seats for {rows} tickets")
    lo, hi = 0.0, float((capacity / np.maximum(demand, 1e-12)).max()) + 1.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if np.minimum(capacity, np.floor(mid * demand)).sum() > rows:
            hi = mid
        else:
            lo = mid
    tickets = np.minimum(capacity, np.floor(lo * demand)).astype(np.int64)
    while (missing := rows - int(tickets.sum())) > 0:
        room = np.flatnonzero(tickets < capacity)
        pick = rng.choice(room, size=min(missing, room.size), replace=False)
        tickets[pick] += 1
    return tickets


def generate(rows: int, seed: int = 2024) -> tuple[pa.Table, pa.Table]:
    """The visits (one row per ticket) and the events (one row per performance), as Arrow tables."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    rng = np.random.default_rng(seed)
    perf = _performances(rng, rows)
    demand = perf["capacity"] * perf["fill"] ** 3
    tickets = _allocate(rng, demand, perf["capacity"], rows)
    perf_of_ticket = np.repeat(np.arange(tickets.size), tickets)
    rng.shuffle(perf_of_ticket)
    # Visitors: a pool with ages, genders and homes; some come often.
    n_visitors = max(50, int(rows / 2.3))
    band = rng.choice(len(BANDS), size=n_visitors, p=[0.1, 0.12, 0.13, 0.13, 0.14, 0.15, 0.14, 0.09])
    lo = np.array([b[0] for b in BANDS])[band]
    hi = np.array([b[1] for b in BANDS])[band]
    age_2024 = rng.integers(lo, hi + 1)
    birth_year = 2024 - age_2024
    woman = rng.random(n_visitors) < 0.56
    other = rng.random(n_visitors) < 0.015
    gender_code = np.where(other, 2, np.where(woman, 0, 1))
    gender_code = np.where(rng.random(n_visitors) < 0.06, 3, gender_code)
    gender_code = np.where(rng.random(n_visitors) < 0.08, 4, gender_code)
    areas = np.array(list(POSTCODE_AREAS))
    area_w = np.array(list(POSTCODE_AREAS.values()), dtype=float)
    area = areas[rng.choice(areas.size, size=n_visitors, p=area_w / area_w.sum())]
    activity = rng.pareto(1.6, size=n_visitors) + 1.0
    visitor_of_ticket = np.empty(rows, dtype=np.int64)
    form_of_ticket = perf["art_form"][perf_of_ticket]
    for form in ART_FORMS:
        idx = np.flatnonzero(form_of_ticket == form)
        if idx.size == 0:
            continue
        w = activity * np.array(AGE_PREFERENCE[form])[band] * np.where(woman, WOMAN_PREFERENCE[form], 1.0)
        visitor_of_ticket[idx] = rng.choice(n_visitors, size=idx.size, p=w / w.sum())
    vis_band = band[visitor_of_ticket]
    # Ticket types follow age; prices follow art form and ticket type.
    u = rng.random(rows)
    ticket = np.where(vis_band == 0, 3,
             np.where((vis_band == 1) & (u < 0.6), 1,
             np.where((vis_band >= 6) & (u < 0.65), 2,
             np.where(u > 0.96, 5, np.where(u > 0.86, 4, 0)))))
    base = np.array([ART_FORMS[f][5] for f in ART_FORMS])
    form_index = {f: i for i, f in enumerate(ART_FORMS)}
    perf_form_idx = np.array([form_index[f] for f in perf["art_form"]])
    price = np.round(base[perf_form_idx[perf_of_ticket]] * PRICE_FACTOR[ticket] / 5) * 5
    channel = np.where(vis_band >= 6, rng.choice(4, size=rows, p=[0.35, 0.4, 0.2, 0.05]),
                       rng.choice(4, size=rows, p=[0.7, 0.17, 0.03, 0.1]))
    # Export gaps: not every ticket is tied to a customer, a birth year or a postcode.
    anonymous = rng.random(rows) < 0.07
    customer = np.where(anonymous, -1, 100000 + visitor_of_ticket)
    pc_last = np.char.zfill(rng.integers(0, 100, size=n_visitors).astype(str), 2)
    spaced = rng.random(n_visitors) < 0.3
    postcode_text = np.char.add(np.char.add(area, np.where(spaced, " ", "")), pc_last)
    no_postcode = (rng.random(rows) < 0.06) | anonymous
    birth = birth_year[visitor_of_ticket]
    birth_missing = (rng.random(rows) < 0.12) | anonymous
    gender_of_ticket = np.where(anonymous, 4, gender_code[visitor_of_ticket])
    starts = pc.strftime(pa.array(perf["start"].astype("datetime64[s]")), format="%Y-%m-%d %H:%M")
    # String columns are built by index (Arrow's take), not per row in Python: 10M rows take seconds.
    visits = pa.table({
        "Datum": starts.take(pa.array(perf_of_ticket)),
        "Kundnummer": pa.array(customer, mask=customer < 0),
        "Evenemang": pa.array(perf["event"]).take(pa.array(perf_of_ticket)),
        "Biljettyp": pa.array(TICKET_TYPES).take(pa.array(ticket)),
        "Pris (kr)": pa.array(price),
        "Kanal": pa.array(CHANNELS).take(pa.array(channel)),
        "Postnummer": pa.array(np.append(postcode_text, "")).take(
            pa.array(np.where(no_postcode, n_visitors, visitor_of_ticket))),
        "Födelseår": pa.array(birth, mask=birth_missing),
        "Kön": pa.array(GENDER_LABELS).take(pa.array(gender_of_ticket)),
    })
    events = pa.table({
        "Evenemang": pa.array(perf["event"]),
        "Start": starts,
        "Konstform": pa.array(perf["art_form"]),
        "Lokal": pa.array(perf["venue"]),
        "Kapacitet": pa.array(perf["capacity"]),
    })
    return visits, events


def _swedish_csv(table: pa.Table, path: Path, decimal_columns: tuple[str, ...] = ()) -> None:
    columns = {}
    for name in table.column_names:
        col = table[name]
        if name in decimal_columns:
            col = pc.replace_substring(pc.utf8_rpad(pc.cast(col, pa.string()), 0), ".", ",")
            col = pc.if_else(pc.match_substring(col, ","), col, pc.binary_join_element_wise(col, ",00", ""))
        columns[name] = col
    out = pa.table(columns)
    with open(path, "wb") as handle:
        pacsv.write_csv(out, handle, pacsv.WriteOptions(delimiter=";", quoting_style="needed"))


def write_sample(out: str | Path, rows: int = 20000, seed: int = 2024, messy: bool = True,
                 fmt: str = "csv") -> SampleFiles:
    """Write visits.<csv|parquet> and events.csv into out (atomically: a staged folder takes out's place)."""
    out = Path(out)
    visits, events = generate(rows, seed)
    with staged_folder(out) as work:
        if fmt == "parquet":
            pq.write_table(visits, work / "visits.parquet")
            visits_name = "visits.parquet"
        elif fmt == "csv":
            _swedish_csv(visits, work / "visits.csv", decimal_columns=("Pris (kr)",))
            if messy:
                with open(work / "visits.csv", "a", encoding="utf-8") as handle:
                    handle.write("2024-02-30 19:00;100001;Hamlet;Ordinarie;320,00;Webb;21119;1970;Kvinna\n")
                    handle.write("2024-03-02 19:00;100002;Hamlet;Ordinarie;gratis?;Kassa;;;\n")
                    handle.write("Summa;;;;;;;;\n")
            visits_name = "visits.csv"
        else:
            raise ValueError(f"unknown format {fmt!r}; expected csv or parquet")
        _swedish_csv(events, work / "events.csv")
    return SampleFiles(visits=out / visits_name, events=out / "events.csv", rows=visits.num_rows,
                       performances=events.num_rows)
