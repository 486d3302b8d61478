"""The labs' data contract, written once: the gender keys, the age bands (as names and as SQL), the keys of
metrics.json and the shape of findings.json. Readers (metrics, mapping, story, reports.data) and tests import them
from here; the tables a run writes are named by `lce_utils.engagement.metrics.TABLES`."""

from __future__ import annotations

from lce_utils.messages import pair

GENDERS = ("woman", "man", "other", "unknown")
# Swedish and English names of the gender keys, as the labs write them ("kvinnor / women").
GENDER_NAMES = {gender: pair(f"labs_gender_{gender}") for gender in GENDERS}

# Inclusive age limits of each band; 76 and older is "76+", no age (or a negative one) is "unknown".
AGE_BAND_LIMITS = ((0, 15), (16, 25), (26, 35), (36, 45), (46, 55), (56, 65), (66, 75))
OLDEST_BAND = "76+"
UNKNOWN_BAND = "unknown"
AGE_BANDS = (*(f"{lo}-{hi}" for lo, hi in AGE_BAND_LIMITS), OLDEST_BAND, UNKNOWN_BAND)

METRIC_KEYS = ("rows_read", "rows_rejected", "visits", "unique_visitors", "visits_per_visitor",
               "returning_visitor_share", "revenue_sek", "period_start", "period_end", "visits_by_gender",
               "visits_by_age_band", "visits_by_month")

# The key columns of each published table (read as text: postcode areas, months, cohorts).
TABLE_KEYS = {"visitors_by_month": ["month"], "cohort_retention": ["cohort"], "occupancy_by_event": ["event", "start"],
              "occupancy_by_art_form": ["art_form"], "revenue_by_ticket_type": ["ticket_type"],
              "revenue_by_channel": ["channel"], "reach_by_area": ["area"],
              "representation_index": ["gender", "age_band"], "visits_by_gender_age": ["gender", "age_band"],
              "visitors_by_frequency": ["frequency"], "audience_by_art_form": ["art_form", "age_band"]}

# findings.json, written by every run (engagement.findings): {"format": FINDINGS_FORMAT, "sections": {section:
# [{"key": message key, "params": {...}}]}} with every section of FINDINGS_SECTIONS (one per lab notebook, and
# "summary" for the reports); readers render a finding with engagement.findings.render.
FINDINGS_FILE = "findings.json"
FINDINGS_FORMAT = "lce-lab-findings/1"
FINDINGS_SECTIONS = ("overview", "priority", "programming", "loyalty", "summary")


def age_band_sql(age: str = "age") -> str:
    """A SQL CASE expression giving the age band of the whole-number expression age."""
    whens = " ".join(f"WHEN {age} BETWEEN {lo} AND {hi} THEN '{lo}-{hi}'" for lo, hi in AGE_BAND_LIMITS)
    return f"CASE {whens} WHEN {age} >= {AGE_BAND_LIMITS[-1][1] + 1} THEN '{OLDEST_BAND}' ELSE '{UNKNOWN_BAND}' END"


AGE_BAND_SQL = age_band_sql()
