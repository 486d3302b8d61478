"""The data model's canonical columns, the headers they are recognised by, and mapping files (YAML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lce_utils.engagement.identifiers import is_identifier_header, normalise_header
from lce_utils.engagement.schema import GENDERS
from lce_utils.errors import DataError
from lce_utils.messages import both

VISIT_COLUMNS = ("timestamp", "visitor_id", "event", "ticket_type", "price", "channel", "postcode",
                 "birth_year", "age", "gender", "quantity", "count", "status")
REQUIRED_VISIT_COLUMNS = ("timestamp",)
EVENT_COLUMNS = ("event", "start", "art_form", "venue", "capacity")
REQUIRED_EVENT_COLUMNS = ("event", "capacity")


# Common Swedish and English headers of ticketing and entry-system exports (compared after normalising:
# lower case, anything but letters and digits removed).
VISIT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "timestamp": ("timestamp", "datum", "date", "datetime", "tid", "tidpunkt", "föreställningsdatum",
                  "besöksdatum", "speldatum", "evenemangsdatum", "visitdate", "performancedate",
                  "eventdate", "dateofvisit", "datumochtid", "datumtid"),
    "visitor_id": ("visitorid", "kundnummer", "kundid", "kundnr", "customerid", "customernumber",
                   "customer", "kund", "besökarid", "medlemsnummer", "memberid"),
    "event": ("event", "evenemang", "föreställning", "performance", "show", "produktion", "production",
              "utställning", "exhibition", "titel", "title", "program"),
    "ticket_type": ("tickettype", "biljettyp", "biljettkategori", "priskategori", "pristyp",
                    "ticketcategory", "pricecategory", "ticket"),
    "price": ("price", "pris", "priskr", "prissek", "belopp", "beloppkr", "amount", "amountsek",
              "pricesek", "ticketprice", "biljettpris"),
    "channel": ("channel", "kanal", "försäljningskanal", "saleschannel", "säljkanal"),
    "postcode": ("postcode", "postnummer", "postnr", "postalcode", "zipcode", "zip"),
    "birth_year": ("birthyear", "födelseår", "yearofbirth", "födelsear"),
    "age": ("age", "ålder"),
    "gender": ("gender", "kön", "sex"),
    # What a row means: tickets on the row, or (named in a mapping only) a count of visits in aggregated data.
    "quantity": ("antal", "quantity", "qty", "antalbiljetter", "biljettantal", "numberoftickets", "ticketquantity",
                 "ticketcount"),
    "count": (),
    "status": ("status", "orderstatus", "biljettstatus", "ticketstatus", "attendeestatus", "bokningsstatus",
               "paymentstatus", "betalstatus"),
}
# Status values (lower case) that mean a row is not a visit, unless the mapping lists its own (exclude_status).
EXCLUDED_STATUSES = ("refunded", "cancelled", "canceled", "not attending", "deleted", "void", "voided",
                     "återbetald", "återbetalad", "återköpt", "makulerad", "avbokad", "annullerad", "struken")
EVENT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "event": VISIT_SYNONYMS["event"],
    "start": ("start", "starttid", "starttime", "datum", "date", "föreställningsdatum", "tid", "datetime"),
    "art_form": ("artform", "konstform", "genre", "kategori", "category"),
    "venue": ("venue", "lokal", "scen", "stage", "salong", "plats"),
    "capacity": ("capacity", "kapacitet", "platser", "antalplatser", "seats", "säten"),
}
# Labels normalised to woman/man/other with or without a mapping; anything else (or empty) is unknown.
GENDER_LABELS: dict[str, str] = {
    **{v: "woman" for v in ("woman", "women", "kvinna", "kvinnor", "k", "f", "female", "w", "dam", "flicka",
                            "girl", "kv")},
    **{v: "man" for v in ("man", "men", "män", "m", "male", "herr", "pojke", "boy")},
    **{v: "other" for v in ("other", "annat", "annan", "ickebinär", "icke-binär", "nonbinary", "non-binary",
                            "x", "diverse")},
    **{v: "unknown" for v in ("unknown", "okänt", "okänd", "vill ej uppge", "vill inte uppge",
                              "prefer not to say", "uppgift saknas", "ej angivet", "-")},
}


@dataclass
class Mapping:
    """What a mapping file says: canonical name -> file column, canonical name -> {file value: value}."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    events_columns: dict[str, str] = field(default_factory=dict)
    sheet: str | int | None = None
    separator: str | None = None
    encoding: str | None = None
    decimal: str | None = None
    date_format: str | None = None
    exclude_status: tuple[str, ...] | None = None
    header_row: int | None = None
    source: str = "automatic"

    def fingerprint(self) -> str:
        """A stable text of the mapping (part of the cache key)."""
        return repr((sorted(self.columns.items()), sorted((k, sorted(v.items())) for k, v in self.values.items()),
                     sorted(self.events_columns.items()), self.sheet, self.separator, self.encoding, self.decimal,
                     self.date_format, self.exclude_status, self.header_row))


def load_mapping(mapping: str | Path | dict | Mapping | None) -> Mapping:
    """Read a mapping (YAML file, dict or Mapping); None means recognise the headers automatically."""
    if mapping is None:
        return Mapping()
    if isinstance(mapping, Mapping):
        return mapping
    source = "inline"
    if isinstance(mapping, (str, Path)):
        path = Path(mapping)
        if not path.is_file():
            raise DataError(f"{path}: " + both("labs_err_no_mapping_file"))
        try:
            mapping = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        except yaml.YAMLError as exc:
            raise DataError(f"{path}: " + both("labs_err_yaml", detail=str(exc).splitlines()[0])) from exc
        source = path.name
    if not isinstance(mapping, dict):
        raise DataError(f"mapping {source}: expected a YAML mapping with 'columns:' and 'values:'")
    unknown = set(mapping) - {"columns", "values", "events", "sheet", "separator", "encoding", "decimal",
                              "date_format", "exclude_status", "header_row"}
    if unknown:
        raise DataError(f"mapping {source}: unknown key(s) {sorted(unknown)}; expected columns, values, "
                        "events, sheet, separator, encoding, decimal, date_format, exclude_status, header_row")
    header_row = mapping.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1):
        raise DataError(f"mapping {source}: header_row must be the row number of the header (1 = the first row), "
                        f"got {header_row!r}")
    exclude = mapping.get("exclude_status")
    if exclude is not None and not isinstance(exclude, list):
        raise DataError(f"mapping {source}: " + both("labs_err_exclude_status"))
    columns = _str_dict(mapping.get("columns") or {}, f"mapping {source}: columns")
    if "count" in columns and "quantity" in columns:
        raise DataError(f"mapping {source}: name either count (aggregated visits per row) or quantity (tickets per "
                        "row), not both")
    for name in columns:
        if name not in VISIT_COLUMNS:
            raise DataError(f"mapping {source}: columns.{name} is not a canonical column; expected one of "
                            f"{', '.join(VISIT_COLUMNS)}")
    values_raw = mapping.get("values") or {}
    if not isinstance(values_raw, dict):
        raise DataError(f"mapping {source}: values must map a column to {{file value: value}}")
    values = {str(col): _str_dict(v or {}, f"mapping {source}: values.{col}") for col, v in values_raw.items()}
    for col, pairs in values.items():
        if col not in VISIT_COLUMNS:
            raise DataError(f"mapping {source}: values.{col} is not a canonical column")
        if col == "gender":
            bad = {v for v in pairs.values() if v not in GENDERS}
            if bad:
                raise DataError(f"mapping {source}: values.gender maps to {sorted(bad)}; expected "
                                f"{', '.join(GENDERS)}")
    events = _str_dict(mapping.get("events") or {}, f"mapping {source}: events")
    for name in events:
        if name not in EVENT_COLUMNS:
            raise DataError(f"mapping {source}: events.{name} is not an events column; expected one of "
                            f"{', '.join(EVENT_COLUMNS)}")
    decimal = mapping.get("decimal")
    if decimal not in (None, ",", "."):
        raise DataError(f"mapping {source}: decimal must be ',' or '.', got {decimal!r}")
    return Mapping(columns=columns, values=values, events_columns=events, sheet=mapping.get("sheet"),
                   separator=mapping.get("separator"), encoding=mapping.get("encoding"), decimal=decimal,
                   date_format=str(mapping["date_format"]) if mapping.get("date_format") else None,
                   exclude_status=tuple(str(v) for v in exclude) if exclude is not None else None,
                   header_row=header_row, source=source)


def _str_dict(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise DataError(f"{where}: expected a mapping of names, got {type(value).__name__}")
    return {str(k): str(v) for k, v in value.items()}


def resolve_columns(found: list[str], explicit: dict[str, str], synonyms: dict[str, tuple[str, ...]],
                    required: tuple[str, ...], where: str) -> dict[str, str]:
    """Canonical name -> file column: the mapping's choices first, then recognised headers.

    Raises DataError naming the missing required column(s) and the columns that were found."""
    resolved: dict[str, str] = {}
    for canonical, column in explicit.items():
        if canonical not in synonyms or column == "":  # "" = the file has no such column: not guessed either
            continue
        if column not in found:
            raise DataError(f"{where}: " + both("labs_err_no_such_column", column=repr(column), canonical=canonical,
                                                found=", ".join(found)))
        resolved[canonical] = column
    taken = set(resolved.values())
    normalised = {normalise_header(c): c for c in found if not is_identifier_header(c)}
    for canonical, names in synonyms.items():
        if canonical in resolved or explicit.get(canonical) == "":
            continue
        for name in names:
            match = normalised.get(normalise_header(name))
            if match is not None and match not in taken:
                resolved[canonical] = match
                taken.add(match)
                break
    missing = [c for c in required if c not in resolved]
    if missing:
        raise DataError(f"{where}: " + both("labs_err_required_columns", missing=", ".join(missing),
                                            found=", ".join(map(str, found)) or "–", first=missing[0]))
    for canonical, column in resolved.items():
        if is_identifier_header(column) and canonical != "visitor_id":
            raise DataError(f"{where}: column {column!r} holds direct identifiers and cannot be used as "
                            f"{canonical}")
    return resolved
