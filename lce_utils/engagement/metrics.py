"""The metrics, defined once in DuckDB SQL (checked and transpilable with SQLGlot), run by DuckDB.

Every definition reads the view `visits` (accepted rows: ts, visit_date, visitor_id, event, ticket_type, price,
channel, postcode, age, age_band, gender), and where needed `events` (event, start, art_form, venue,
capacity) and `population` (gender, age_band, population). The same text can run on a bigger engine with
`transpile(name, dialect)`."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from lce_utils.engagement.schema import AGE_BAND_SQL, AGE_BANDS, GENDERS
from lce_utils.privacy import DEFAULT_K, suppress_count, suppress_counts

# name -> SQL. Queries that depend on what the data has come in variants chosen by `definitions()`.
SQL: dict[str, str] = {
    "summary": """
SELECT count(*) AS visits,
       count(DISTINCT visitor_id) AS unique_visitors,
       count(visitor_id) AS visits_with_visitor,
       sum(price) AS revenue_sek,
       min(visit_date) AS period_start,
       max(visit_date) AS period_end,
       count(*) FILTER (WHERE postcode IS NULL) AS visits_without_postcode
FROM visits""",
    "returning": """
SELECT count(*) AS visitors, count(*) FILTER (WHERE dates >= 2) AS returning_visitors
FROM (SELECT visitor_id, count(DISTINCT visit_date) AS dates
      FROM visits WHERE visitor_id IS NOT NULL GROUP BY visitor_id) AS per_visitor""",
    "visits_by_gender": "SELECT gender, count(*) AS visits FROM visits GROUP BY gender",
    "visits_by_age_band": "SELECT age_band, count(*) AS visits FROM visits GROUP BY age_band",
    "visits_by_month": """
SELECT strftime(visit_date, '%Y-%m') AS month, count(*) AS visits FROM visits GROUP BY 1 ORDER BY 1""",
    "visits_by_gender_age": """
SELECT gender, age_band, count(*) AS visits FROM visits GROUP BY gender, age_band ORDER BY gender, age_band""",
    "visitors_by_month": """
WITH first_visit AS (
  SELECT visitor_id, date_trunc('month', min(visit_date)) AS first_month
  FROM visits WHERE visitor_id IS NOT NULL GROUP BY visitor_id
), monthly AS (
  SELECT DISTINCT visitor_id, date_trunc('month', visit_date) AS month
  FROM visits WHERE visitor_id IS NOT NULL
)
SELECT strftime(monthly.month, '%Y-%m') AS month,
       count(*) FILTER (WHERE first_visit.first_month = monthly.month) AS new_visitors,
       count(*) FILTER (WHERE first_visit.first_month < monthly.month) AS returning_visitors
FROM monthly JOIN first_visit ON monthly.visitor_id = first_visit.visitor_id
GROUP BY monthly.month ORDER BY monthly.month""",
    "cohort_retention": """
WITH first_visit AS (
  SELECT visitor_id, min(visit_date) AS first_date FROM visits WHERE visitor_id IS NOT NULL GROUP BY visitor_id
), came_back AS (
  SELECT first_visit.visitor_id, first_visit.first_date,
         bool_or(visits.visit_date > first_visit.first_date
                 AND visits.visit_date <= first_visit.first_date + INTERVAL 12 MONTH) AS returned
  FROM first_visit JOIN visits ON visits.visitor_id = first_visit.visitor_id
  GROUP BY first_visit.visitor_id, first_visit.first_date
), last_day AS (
  SELECT max(visit_date) AS last_date FROM visits
)
SELECT strftime(date_trunc('quarter', first_date), '%Y') || '-Q' || CAST(quarter(first_date) AS VARCHAR) AS cohort,
       count(*) AS new_visitors,
       count(*) FILTER (WHERE returned) AS returned_within_12_months,
       CAST(count(*) FILTER (WHERE returned) AS DOUBLE) / count(*) AS retention_share,
       max(date_trunc('quarter', first_date) + INTERVAL 15 MONTH) <= max(last_day.last_date) + INTERVAL 1 DAY
         AS window_complete
FROM came_back CROSS JOIN last_day
GROUP BY 1 ORDER BY 1""",
    "occupancy_by_event/dated": """
WITH sold AS (
  SELECT event, visit_date, count(*) AS tickets, sum(price) AS revenue_sek FROM visits GROUP BY event, visit_date
)
SELECT events.event, events.start, events.art_form, events.venue, events.capacity,
       coalesce(sold.tickets, 0) AS tickets, sold.revenue_sek,
       CAST(coalesce(sold.tickets, 0) AS DOUBLE) / events.capacity AS occupancy,
       coalesce(sold.tickets, 0) >= events.capacity AS sold_out
FROM events LEFT JOIN sold ON sold.event = events.event AND sold.visit_date = CAST(events.start AS DATE)
WHERE events.start IS NULL OR CAST(events.start AS DATE) BETWEEN (SELECT min(visit_date) FROM visits)
                                                               AND (SELECT max(visit_date) FROM visits)
ORDER BY events.start, events.event""",
    "occupancy_by_event/undated": """
WITH sold AS (SELECT event, count(*) AS tickets, sum(price) AS revenue_sek FROM visits GROUP BY event)
SELECT events.event, events.start, events.art_form, events.venue, events.capacity,
       coalesce(sold.tickets, 0) AS tickets, sold.revenue_sek,
       CAST(coalesce(sold.tickets, 0) AS DOUBLE) / events.capacity AS occupancy,
       coalesce(sold.tickets, 0) >= events.capacity AS sold_out
FROM events LEFT JOIN sold ON sold.event = events.event
ORDER BY events.event""",
    "occupancy_by_event/no_events": """
SELECT event, CAST(NULL AS TIMESTAMP) AS start, CAST(NULL AS VARCHAR) AS art_form, CAST(NULL AS VARCHAR) AS venue,
       CAST(NULL AS INTEGER) AS capacity, count(*) AS tickets, sum(price) AS revenue_sek,
       CAST(NULL AS DOUBLE) AS occupancy, CAST(NULL AS BOOLEAN) AS sold_out
FROM visits GROUP BY event ORDER BY tickets DESC""",
    "occupancy_by_art_form": """
SELECT coalesce(art_form, 'unknown') AS art_form,
       count(*) AS performances,
       sum(capacity) AS capacity,
       sum(tickets) AS tickets,
       CAST(sum(tickets) AS DOUBLE) / sum(capacity) AS occupancy,
       avg(occupancy) AS mean_occupancy,
       count(*) FILTER (WHERE sold_out) AS sold_out_performances,
       avg(CASE WHEN sold_out THEN 1.0 ELSE 0.0 END) AS sold_out_share,
       count(*) FILTER (WHERE occupancy < 0.5) AS performances_under_half
FROM occupancy_by_event WHERE capacity IS NOT NULL
GROUP BY 1 ORDER BY occupancy DESC""",
    "revenue_by_ticket_type": """
SELECT coalesce(ticket_type, 'unknown') AS ticket_type, count(*) AS tickets, sum(price) AS revenue_sek,
       avg(price) AS mean_price_sek, sum(price) / (SELECT sum(price) FROM visits) AS revenue_share
FROM visits GROUP BY 1 ORDER BY revenue_sek DESC NULLS LAST, tickets DESC""",
    "revenue_by_channel": """
SELECT coalesce(channel, 'unknown') AS channel, count(*) AS tickets, sum(price) AS revenue_sek,
       avg(price) AS mean_price_sek, sum(price) / (SELECT sum(price) FROM visits) AS revenue_share
FROM visits GROUP BY 1 ORDER BY revenue_sek DESC NULLS LAST, tickets DESC""",
    "reach_by_area": """
WITH areas AS (
  SELECT left(postcode, 3) AS area, count(*) AS visits, count(DISTINCT visitor_id) AS unique_visitors
  FROM visits WHERE postcode IS NOT NULL GROUP BY 1
), ranked AS (
  SELECT *, CAST(visits AS DOUBLE) / sum(visits) OVER () AS share,
         CAST(sum(visits) OVER (ORDER BY visits DESC, area ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS DOUBLE)
           / sum(visits) OVER () AS cumulative_share
  FROM areas
)
SELECT area, visits, unique_visitors, share, cumulative_share,
       CASE WHEN cumulative_share - share < 0.6 THEN 'core'
            WHEN cumulative_share - share < 0.8 THEN 'primary'
            WHEN cumulative_share - share < 0.9 THEN 'secondary'
            ELSE 'outside' END AS catchment
FROM ranked ORDER BY visits DESC, area""",
    "audience_by_gender_age/people": """
SELECT gender, age_band, count(*) AS audience FROM (
  SELECT visitor_id, arg_min(gender, ts) AS gender, arg_min(age_band, ts) AS age_band
  FROM visits WHERE visitor_id IS NOT NULL GROUP BY visitor_id) AS people
WHERE gender IN ('woman', 'man') AND age_band <> 'unknown'
GROUP BY gender, age_band""",
    "audience_by_gender_age/visits": """
SELECT gender, age_band, count(*) AS audience FROM visits
WHERE gender IN ('woman', 'man') AND age_band <> 'unknown'
GROUP BY gender, age_band""",
    "visitors_by_frequency": """
SELECT CASE WHEN n = 1 THEN '1' WHEN n = 2 THEN '2' WHEN n <= 5 THEN '3-5' ELSE '6+' END AS frequency,
       count(*) AS visitors
FROM (SELECT visitor_id, count(*) AS n FROM visits WHERE visitor_id IS NOT NULL GROUP BY visitor_id) AS per_visitor
GROUP BY 1 ORDER BY 1""",
    "audience_by_art_form": """
SELECT coalesce(e.art_form, 'unknown') AS art_form, v.age_band, count(*) AS visits,
       CAST(count(*) AS DOUBLE) / sum(count(*)) OVER (PARTITION BY coalesce(e.art_form, 'unknown')) AS share
FROM visits v JOIN (SELECT DISTINCT event, art_form FROM events) e ON e.event = v.event
WHERE v.age_band <> 'unknown' GROUP BY 1, 2 ORDER BY 1, 2""",
    "representation_index": """
WITH audience AS (SELECT * FROM audience_by_gender_age),
cells AS (
  SELECT population.gender, population.age_band, coalesce(audience.audience, 0) AS audience, population.population
  FROM population LEFT JOIN audience
    ON audience.gender = population.gender AND audience.age_band = population.age_band
)
SELECT gender, age_band, audience,
       CAST(audience AS DOUBLE) / sum(audience) OVER () AS audience_share,
       population,
       CAST(population AS DOUBLE) / sum(population) OVER () AS population_share,
       100.0 * (CAST(audience AS DOUBLE) / sum(audience) OVER ())
             / (CAST(population AS DOUBLE) / sum(population) OVER ()) AS representation_index
FROM cells ORDER BY gender DESC, age_band""",
}

# Published tables: file name -> (definition, count columns about people, columns derived from them).
TABLES: dict[str, tuple[str, list[str], list[str]]] = {
    "visitors_by_month": ("visitors_by_month", ["new_visitors", "returning_visitors"], []),
    "cohort_retention": ("cohort_retention", ["new_visitors", "returned_within_12_months"], ["retention_share"]),
    "occupancy_by_event": ("occupancy_by_event", ["tickets"], ["occupancy", "revenue_sek", "sold_out"]),
    "occupancy_by_art_form": ("occupancy_by_art_form", ["tickets"], ["occupancy", "mean_occupancy"]),
    "revenue_by_ticket_type": ("revenue_by_ticket_type", ["tickets"], ["revenue_sek", "mean_price_sek",
                                                                        "revenue_share"]),
    "revenue_by_channel": ("revenue_by_channel", ["tickets"], ["revenue_sek", "mean_price_sek", "revenue_share"]),
    "reach_by_area": ("reach_by_area", ["visits", "unique_visitors"], ["share"]),
    "representation_index": ("representation_index", ["audience"], ["audience_share", "representation_index"]),
    "visits_by_gender_age": ("visits_by_gender_age", ["visits"], []),
    "visitors_by_frequency": ("visitors_by_frequency", ["visitors"], []),
    "audience_by_art_form": ("audience_by_art_form", ["visits"], ["share"]),
}


def definitions(has_visitor: bool, has_events: bool, events_dated: bool) -> dict[str, str]:
    """The definitions that apply to this data (variants chosen by what columns exist)."""
    chosen = {name: sql for name, sql in SQL.items() if "/" not in name}
    if not has_events:
        chosen["occupancy_by_event"] = SQL["occupancy_by_event/no_events"]
    else:
        chosen["occupancy_by_event"] = SQL["occupancy_by_event/dated" if events_dated else
                                           "occupancy_by_event/undated"]
    chosen["audience_by_gender_age"] = SQL["audience_by_gender_age/people" if has_visitor else
                                           "audience_by_gender_age/visits"]
    return chosen


def transpile(name: str, dialect: str) -> str:
    """A definition in another SQL dialect (e.g. 'spark', 'postgres', 'bigquery') via SQLGlot."""
    import sqlglot  # imported here: it takes longer to import than a small lab takes to run
    return sqlglot.transpile(SQL[name], read="duckdb", write=dialect)[0]


def check_definitions() -> list[str]:
    """Parse every definition with SQLGlot (DuckDB dialect); returns the names checked, raises on an error."""
    import sqlglot
    for sql in SQL.values():
        sqlglot.parse_one(sql, read="duckdb")
    return list(SQL)


def create_views(con: duckdb.DuckDBPyConnection, visits_parquet: str, events_parquet: str | None,
                 period_start: str | None = None, period_end: str | None = None,
                 population: pd.DataFrame | None = None, materialize: bool = False) -> None:
    """Define visits (accepted rows in the period), events and population on a DuckDB connection.

    materialize loads the visits into a DuckDB table once (many queries follow) instead of a view."""
    where = ["_reject_reason IS NULL", "_excluded IS NULL"]
    if period_start:
        where.append(f"ts >= DATE '{_iso(period_start)}'")
    if period_end:
        where.append(f"ts < DATE '{_iso(period_end)}' + INTERVAL 1 DAY")
    path = str(visits_parquet).replace("'", "''")
    kind = "TABLE" if materialize else "VIEW"
    con.execute(f"""CREATE OR REPLACE {kind} visits AS
        SELECT ts, CAST(ts AS DATE) AS visit_date, visitor_id, event, ticket_type, price, channel, postcode, age,
               {AGE_BAND_SQL} AS age_band, gender
        FROM read_parquet('{path}') WHERE {' AND '.join(where)}""")
    if events_parquet:
        epath = str(events_parquet).replace("'", "''")
        con.execute(f"CREATE OR REPLACE VIEW events AS SELECT * FROM read_parquet('{epath}')")
    if population is not None:
        con.register("population_frame", population[["gender", "age_band", "population"]])
        con.execute("CREATE OR REPLACE VIEW population AS SELECT * FROM population_frame")


def _iso(value: Any) -> str:
    import datetime as dt
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError as exc:
        from lce_utils.errors import ParameterError
        from lce_utils.messages import both
        raise ParameterError(both("labs_err_period", value=repr(value))) from exc


def compute_raw(con: duckdb.DuckDBPyConnection, has_visitor: bool, has_events: bool, events_dated: bool,
                has_population: bool) -> dict[str, pd.DataFrame]:
    """Every definition's result as a pandas frame, before suppression (views created by create_views)."""
    defs = definitions(has_visitor, has_events, events_dated)
    out: dict[str, pd.DataFrame] = {}
    for name in ("summary", "returning", "visits_by_gender", "visits_by_age_band", "visits_by_month",
                 "visits_by_gender_age", "visitors_by_month", "cohort_retention", "revenue_by_ticket_type",
                 "revenue_by_channel", "reach_by_area", "visitors_by_frequency"):
        out[name] = con.execute(defs[name]).df()
    out["audience_by_art_form"] = con.execute(defs["audience_by_art_form"]).df() if has_events else \
        pd.DataFrame({"art_form": pd.Series(dtype=object), "age_band": pd.Series(dtype=object),
                      "visits": pd.Series(dtype="int64"), "share": pd.Series(dtype="float64")})
    con.execute(f"CREATE OR REPLACE TEMP VIEW occupancy_by_event AS {defs['occupancy_by_event']}")
    out["occupancy_by_event"] = con.execute("SELECT * FROM occupancy_by_event").df()
    out["occupancy_by_art_form"] = con.execute(defs["occupancy_by_art_form"]).df() if has_events else \
        pd.DataFrame(columns=["art_form", "performances", "capacity", "tickets", "occupancy", "mean_occupancy",
                              "sold_out_performances", "sold_out_share", "performances_under_half"])
    con.execute(f"CREATE OR REPLACE TEMP VIEW audience_by_gender_age AS {defs['audience_by_gender_age']}")
    if has_population:
        out["representation_index"] = con.execute(defs["representation_index"]).df()
    else:
        frame = con.execute("SELECT gender, age_band, audience FROM audience_by_gender_age "
                            "ORDER BY gender DESC, age_band").df()
        frame["audience_share"] = frame["audience"] / frame["audience"].sum() if len(frame) else []
        for column in ("population", "population_share", "representation_index"):
            frame[column] = pd.NA
        out["representation_index"] = frame
    return out


def metrics_json(raw: dict[str, pd.DataFrame], rows_read: int, rows_rejected: int, has_visitor: bool,
                 has_price: bool, k: int = DEFAULT_K) -> dict[str, Any]:
    """metrics.json: exactly the agreed keys; counts about people in a breakdown below k are null."""
    summary = raw["summary"].iloc[0]
    returning = raw["returning"].iloc[0]
    unique = int(summary["unique_visitors"]) if has_visitor else None
    by_gender = dict.fromkeys(GENDERS, 0)
    by_gender.update({r.gender: int(r.visits) for r in raw["visits_by_gender"].itertuples()})
    by_band = dict.fromkeys(AGE_BANDS, 0)
    by_band.update({r.age_band: int(r.visits) for r in raw["visits_by_age_band"].itertuples()})
    by_month = {r.month: int(r.visits) for r in raw["visits_by_month"].itertuples()}
    visits = int(summary["visits"])
    return {
        "rows_read": int(rows_read),
        "rows_rejected": int(rows_rejected),
        "visits": visits,
        "unique_visitors": unique,
        "visits_per_visitor": (round(float(summary["visits_with_visitor"]) / unique, 4)
                               if unique else None),
        "returning_visitor_share": (round(float(returning["returning_visitors"]) / float(returning["visitors"]), 4)
                                    if has_visitor and returning["visitors"] else None),
        "revenue_sek": (round(float(summary["revenue_sek"]), 2)
                        if has_price and pd.notna(summary["revenue_sek"]) else None),
        "period_start": str(summary["period_start"])[:10] if pd.notna(summary["period_start"]) else None,
        "period_end": str(summary["period_end"])[:10] if pd.notna(summary["period_end"]) else None,
        "visits_by_gender": suppress_counts(by_gender, k),
        "visits_by_age_band": suppress_counts(by_band, k),
        "visits_by_month": suppress_counts(by_month, k),
    }


__all__ = ["SQL", "TABLES", "check_definitions", "compute_raw", "create_views", "definitions", "metrics_json",
           "suppress_count", "transpile"]
