"""Names of Swedish postcode areas (the first three digits) from open data shipped with the package (ODbL)."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

DATA_FILE = "postcode_areas_se.csv"


@cache
def area_names() -> dict[str, str]:
    """area (3 digits) -> post town(s), e.g. '222' -> 'Lund'; empty when the table is not shipped."""
    try:
        text = (resources.files("lce_utils.engagement") / "data" / DATA_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return {}
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return {row["area"]: row["name"] for row in csv.DictReader(io.StringIO("\n".join(lines)))}


def area_label(area: object) -> str:
    """How an area reads in the labs: '222 Lund', or the digits alone when the area has no name."""
    name = area_names().get(str(area))
    return f"{area} {name}" if name else str(area)
