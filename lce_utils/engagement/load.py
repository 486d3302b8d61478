"""Reading an institution's export once: detect the format, map the columns, validate every row in DuckDB,
pseudonymise visitor_id and write the validated data as Parquet (the cache the four labs share)."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from lce_utils import settings
from lce_utils.engagement import column_types as types
from lce_utils.engagement import identifiers as ids
from lce_utils.engagement import mapping as m
from lce_utils.engagement import tickster
from lce_utils.engagement.combine import Inputs
from lce_utils.engagement.presets import preset_path
from lce_utils.engagement.pseudonymise import key_fingerprint, pseudonym_key
from lce_utils.errors import DataError
from lce_utils.messages import both
from lce_utils.staging import staged_folder

LOADER_VERSION = "3"
DEFAULT_MAX_REJECT_SHARE = 0.05
MAX_PER_ROW = 1_000_000  # tickets or counted visits on one row
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
HEADER_SEARCH_ROWS = 30  # a title block above the header is looked through up to this row
PARQUET_SUFFIXES = (".parquet", ".pq")
JSON_SUFFIXES = (".json",)  # Tickster's CRM purchase log as its API returns it (engagement.tickster)
SUMMARY_WORDS = r"(?i)\b(summa|totalt?|total sum|sum|subtotal|delsumma|antal totalt|grand total)\b"


@dataclass
class Detected:
    """How a file was read: what `lce labs check` shows."""

    kind: str
    encoding: str | None = None
    separator: str | None = None
    decimal: str | None = None
    sheet: str | int | None = None
    timestamp: str | None = None


@dataclass
class Prepared:
    """A validated, pseudonymised copy of an export: <dir>/visits.parquet (+ events.parquet) and meta.json."""

    dir: Path
    meta: dict[str, Any]

    @property
    def visits_path(self) -> Path:
        return self.dir / "visits.parquet"

    @property
    def events_path(self) -> Path | None:
        path = self.dir / "events.parquet"
        return path if path.exists() else None

    @property
    def rejects_path(self) -> Path:
        return self.dir / "rejects.csv"


@dataclass
class LoadedVisits:
    """What load_visits returns: the accepted rows in canonical columns and what was rejected."""

    frame: pd.DataFrame
    rejects: pd.DataFrame
    rows_read: int
    columns: dict[str, str]
    dropped_columns: list[str]
    detected: Detected
    content_hash: str
    prepared: Prepared = field(repr=False)


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes (the content hash that keys the cache and goes into run.json)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in JSON_SUFFIXES:
        return "json"
    raise DataError(f"{path.name}: " + both("labs_err_file_type", suffix=repr(suffix)))


def _load_mapping(path: Path, mapping: Any) -> m.Mapping:
    """The mapping for path: the one given, else Tickster's preset for a purchase log (JSON has one layout), else
    none (headers recognised)."""
    if mapping is None and _kind(path) == "json":
        mapping = preset_path("tickster")
    return m.load_mapping(mapping)


def _not_text(path: Path, head: bytes) -> None:
    """A spreadsheet or other binary file under a text name is an error that says what it is."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        key = "labs_err_spreadsheet_as_text"
    elif b"\x00" in head[:4096] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        key = "labs_err_binary_as_text"
    else:
        return
    raise DataError(f"{path.name}: " + both(key, suffix=path.suffix))


def _header_index(rows: list[list[str]], mapping: m.Mapping) -> int:
    """Where the header is: the mapping's header_row, else the first row naming a timestamp column (a title or a
    GA4 '#' block above it is skipped), else the first row that is not empty or a '#' comment."""
    if mapping.header_row is not None:
        return mapping.header_row - 1
    wanted = {m.normalise_header(n) for n in m.VISIT_SYNONYMS["timestamp"] + m.EVENT_SYNONYMS["start"]}
    if "timestamp" in mapping.columns:
        wanted.add(m.normalise_header(mapping.columns["timestamp"]))
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(m.normalise_header(cell) in wanted for cell in row if cell):
            return i
    for i, row in enumerate(rows):
        cells = [c for c in row if c and c.strip()]
        if cells and not cells[0].lstrip().startswith("#"):
            return i
    return 0


def _header_names(cells: list[Any], merged: bool = False) -> list[str]:
    """Header cells as column names; in a spreadsheet an empty cell right of a named one is taken as part of a
    merged header cell and named after it (`Kund 2`)."""
    names: list[str] = []
    for i, cell in enumerate(cells):
        text = "" if cell is None or (isinstance(cell, float) and pd.isna(cell)) else str(cell).strip()
        if merged and not text and names and not re.fullmatch(r"column\d+", names[-1]):
            base = re.sub(r" \d+$", "", names[-1])
            same = sum(1 for n in names if re.sub(r" \d+$", "", n) == base)
            text = f"{base} {same + 1}"
        names.append(text or f"column{i + 1}")
    return names


def detect_encoding(head: bytes) -> str:
    """utf-8 (with or without BOM), utf-16, or cp1252 (Windows Excel exports), from the file's first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def detect_separator(text: str) -> str:
    """The field separator of a delimited text: ; , tab or |."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        header = lines[0]
        return max(",;\t|", key=header.count)


def _transcode(path: Path, encoding: str, target: Path, universal_newlines: bool = False) -> None:
    with open(path, encoding=encoding, newline=None if universal_newlines else "") as src, \
            open(target, "w", encoding="utf-8", newline="") as dst:
        shutil.copyfileobj(src, dst, 1 << 22)


class _Source:
    """The export as a DuckDB relation named raw_input with every column as text, plus its row numbers."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, mapping: m.Mapping, workdir: Path):
        self.con, self.path, self.mapping = con, path, mapping
        self.detected = Detected(kind=_kind(path))
        if path.stat().st_size == 0:
            raise DataError(f"{path.name}: " + both("labs_err_empty"))
        getattr(self, f"_open_{self.detected.kind}")(workdir)
        self.columns = [row[0] for row in con.execute("DESCRIBE raw_input").fetchall()]
        if not con.execute("SELECT 1 FROM raw_input LIMIT 1").fetchall():
            raise DataError(f"{path.name}: " + both("labs_err_no_rows"))

    def _open_csv(self, workdir: Path) -> None:
        with open(self.path, "rb") as handle:
            head = handle.read(1 << 20)
        _not_text(self.path, head)
        encoding = self.mapping.encoding or detect_encoding(head)
        text = head.decode(encoding if encoding != "utf-8-sig" else "utf-8-sig", errors="replace")
        lines = text.splitlines()
        comments = 0
        while comments < len(lines) and (not lines[comments].strip() or lines[comments].lstrip().startswith("#")):
            comments += 1  # GA4's '#' block and blank lines before the table
        separator = self.mapping.separator or detect_separator("\n".join(lines[comments:]))
        if separator == "\\t":
            separator = "\t"
        rows = list(csv.reader(lines[:HEADER_SEARCH_ROWS + comments], delimiter=separator))
        self.skip = max(comments, _header_index(rows, self.mapping)) if self.mapping.header_row is None \
            else self.mapping.header_row - 1
        self.parallel = True
        self.detected.encoding, self.detected.separator = encoding, separator
        source = self.path
        # DuckDB's skip miscounts when the lines above the header end differently from the table (a '#' block
        # written with LF above CRLF rows) and then reads no rows: such a file is read from a copy with LF only.
        mixed = self.skip > 0 and len({line.endswith(b"\r\n") for line in
                                       head.splitlines(keepends=True)[:self.skip + 2] if line.endswith(b"\n")}) > 1
        if encoding not in ("utf-8", "utf-8-sig") or mixed:
            source = workdir / "input-utf8.csv"
            _transcode(self.path, encoding, source, universal_newlines=mixed)
        self._read_csv(source, separator, workdir, encoding)

    def _read_csv(self, source: Path, separator: str, workdir: Path, encoding: str) -> None:
        self._csv_args = (source, separator, workdir, encoding)
        try:
            # auto_detect=false needs the column list: take it from the header line.
            with open(source, encoding="utf-8-sig", newline="") as handle:
                for _ in range(self.skip):
                    handle.readline()
                header = next(csv.reader([handle.readline()], delimiter=separator), [])
            names = _unique_names(_header_names(header))
            cols = "{" + ", ".join(f"'{_sql_str(n)}': 'VARCHAR'" for n in names) + "}"
            # Rows are numbered as a spreadsheet numbers them (header = row skip + 1). A quoted line break needs
            # the serial reader (set by reopen_serial when DuckDB says so).
            self._reader = (f"read_csv('{_sql_str(str(source))}', delim='{_sql_str(separator)}', header=true, "
                            "all_varchar=true, quote='\"', escape='\"', null_padding=true, auto_detect=false, "
                            f"skip={self.skip}, parallel={str(self.parallel).lower()}, columns={cols})")
            self.con.execute(f"CREATE OR REPLACE VIEW raw_input AS SELECT row_number() OVER () + {self.skip + 1} "
                             f"AS _row, * FROM {self._reader}")
            self.con.execute("SELECT 1 FROM raw_input LIMIT 1").fetchall()
        except duckdb.Error as exc:
            message = str(exc)
            if "quoted new lines" in message and self.parallel:
                self.parallel = False
                return self._read_csv(source, separator, workdir, encoding)
            if "unicode" in message.lower() and encoding in ("utf-8", "utf-8-sig"):
                fixed = workdir / "input-utf8.csv"
                _transcode(self.path, "cp1252", fixed)
                self.detected.encoding = "cp1252"
                return self._read_csv(fixed, separator, workdir, "cp1252")
            raise _read_error(self.path, exc) from exc

    def reopen_serial(self) -> bool:
        """Read the CSV again with DuckDB's serial reader (quoted line breaks); False when that is not the fix."""
        if self.detected.kind != "csv" or not self.parallel:
            return False
        self.parallel = False
        self._read_csv(*self._csv_args)
        return True

    def _open_excel(self, workdir: Path) -> None:
        sheet = self.mapping.sheet if self.mapping.sheet is not None else 0
        try:
            # calamine reads xlsx, xls and ods; every cell as text, the header row found below.
            grid = pd.read_excel(self.path, sheet_name=sheet, dtype=str, engine="calamine", header=None)
        except ValueError as exc:
            raise DataError(f"{self.path.name}: " + both("labs_err_no_sheet", sheet=repr(sheet), detail=exc)) from exc
        except Exception as exc:  # calamine raises its own types for a broken file
            raise DataError(f"{self.path.name}: " + both("labs_err_spreadsheet",
                                                         detail=f"{type(exc).__name__}: {str(exc)[:200]}")) from exc
        cells = grid.where(grid.notna(), None).values.tolist()
        index = _header_index([[c or "" for c in row] for row in cells[:HEADER_SEARCH_ROWS]], self.mapping)
        if index >= len(cells):
            raise DataError(f"{self.path.name}: " + both("labs_err_no_header", row=index + 1))
        frame = grid.iloc[index + 1:].copy()
        frame.columns = _unique_names(_header_names(cells[index], merged=True))
        frame = frame.dropna(how="all")
        frame.insert(0, "_row", (frame.index + 1).astype("int64"))  # grid index 0 is the sheet's row 1
        self.detected.sheet = sheet
        self._frame = frame  # keep a reference: DuckDB scans it lazily
        self.con.register("raw_excel", frame)
        self._select = "SELECT * FROM raw_excel"
        self.con.execute(f"CREATE OR REPLACE VIEW raw_input AS {self._select}")

    def _open_json(self, workdir: Path) -> None:
        """A Tickster purchase log: one row per ticket, numbered as in the CSV its converter writes (header = row
        1), made in memory (the buyers' names and addresses in the JSON are never copied)."""
        rows = tickster.ticket_rows(tickster.read_log(self.path), self.path.name)
        frame = pd.DataFrame(rows, columns=list(tickster.COLUMNS), dtype=str)
        frame.insert(0, "_row", pd.Series(range(2, len(frame) + 2), dtype="int64"))
        self._frame = frame  # keep a reference: DuckDB scans it lazily
        self.con.register("raw_json", frame)
        self._select = "SELECT * FROM raw_json"
        self.con.execute(f"CREATE OR REPLACE VIEW raw_input AS {self._select}")

    def _open_parquet(self, workdir: Path) -> None:
        try:
            names = [r[0] for r in self.con.execute("DESCRIBE SELECT * FROM read_parquet(?)",
                                                    [str(self.path)]).fetchall()]
        except duckdb.Error as exc:
            raise DataError(f"{self.path.name}: cannot be read as Parquet: {str(exc).splitlines()[0]}") from exc
        cast = ", ".join(f'CAST("{_sql_ident(n)}" AS VARCHAR) AS "{_sql_ident(n)}"' for n in names)
        self._select = (f"SELECT file_row_number + 1 AS _row, {cast} "
                        f"FROM read_parquet('{_sql_str(str(self.path))}', file_row_number=true)")
        self.con.execute(f"CREATE OR REPLACE VIEW raw_input AS {self._select}")

    def materialise(self, keep: list[str]) -> None:
        """raw_input with a hash of each whole line (for exact duplicates). A CSV's used columns are copied once
        into a DuckDB table, its rows numbered by the table's rowid (which keeps the file's order): numbering them
        with row_number() over the reader ran every later pass on one thread. Parquet and spreadsheets are
        numbered in parallel already and stay views (a copy cost more than a second scan)."""
        chosen = ", ".join(f'"{_sql_ident(c)}"' for c in dict.fromkeys(keep))
        line = "hash(" + ", ".join(f'"{_sql_ident(c)}"' for c in self.data_columns) + ") AS _line"
        if self.detected.kind == "csv":
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE lce_input AS SELECT {chosen}, {line} FROM {self._reader}")
            self.con.execute(f"CREATE OR REPLACE VIEW raw_input AS SELECT rowid + {self.skip + 2} AS _row, * "
                             "FROM lce_input")  # rowid counts from 0, row_number() from 1
        else:
            self.con.execute(f"CREATE OR REPLACE VIEW raw_input AS SELECT _row, {chosen}, {line} FROM "
                             f"({self._select})")

    def release(self) -> None:
        self.con.execute("DROP VIEW IF EXISTS raw_input")
        self.con.execute("DROP TABLE IF EXISTS lce_input")

    @property
    def data_columns(self) -> list[str]:
        return [c for c in self.columns if c != "_row"]


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name.strip() or f"column{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _sql_str(text: str) -> str:
    return text.replace("'", "''")


def _sql_ident(text: str) -> str:
    return text.replace('"', '""')


def _sep_name(sep: str) -> str:
    return {"\t": "tab", ";": "semicolon", ",": "comma", "|": "pipe"}.get(sep, repr(sep))


def _col(name: str | None) -> str:
    return "NULL::VARCHAR" if name is None else f'NULLIF(trim(CAST("{_sql_ident(name)}" AS VARCHAR)), \'\')'


def _value_map(expr: str, pairs: dict[str, str]) -> str:
    if not pairs:
        return expr
    whens = " ".join(f"WHEN '{_sql_str(k.strip())}' THEN '{_sql_str(v)}'" for k, v in pairs.items())
    return f"COALESCE(CASE {expr} {whens} END, {expr})"


def _gender_table(con: duckdb.DuckDBPyConnection, pairs: dict[str, str]) -> None:
    """lce_gender_labels(lce_label, lce_gender): lower-case labels; the mapping file's values win over the built-in
    ones."""
    labels = {**m.GENDER_LABELS, **{k.strip().lower(): v for k, v in pairs.items()}}
    con.execute("CREATE OR REPLACE TEMP TABLE lce_gender_labels (lce_label VARCHAR, lce_gender VARCHAR)")
    con.executemany("INSERT INTO lce_gender_labels VALUES (?, ?)", list(labels.items()))


def _visits_select(cols: dict[str, str], mapping: m.Mapping, decimal: str,
                   reading: types.TimestampReading) -> str:
    c = {name: _col(cols.get(name)) for name in m.VISIT_COLUMNS}
    values = mapping.values
    ts = reading.sql(c["timestamp"])
    # A totals line is recognised from columns that say nothing about a person; rejects show only their value.
    plain = "concat_ws(' ', " + ", ".join(c[n] for n in ("timestamp", "event", "ticket_type", "channel")) + ")"
    price = types.price_sql(c["price"], decimal) if "price" in cols else "NULL::DOUBLE"
    # A 60-bit number from a keyed SHA-256: integers keep DISTINCT and joins fast (20-character strings did not).
    raw_id = _value_map(c["visitor_id"], values.get("visitor_id", {}))
    visitor = (f"CAST('0x' || left(sha256(getvariable('lce_pseudonym_key') || {raw_id}), 15) AS BIGINT)"
               if "visitor_id" in cols and "count" not in cols else "NULL::BIGINT")
    birth = f"TRY_CAST(regexp_extract({c['birth_year']}, '^(\\d{{4}})', 1) AS INTEGER)" if "birth_year" in cols \
        else "NULL::INTEGER"
    age_raw = f"TRY_CAST(regexp_extract({c['age']}, '^(\\d{{1,3}})', 1) AS INTEGER)" if "age" in cols \
        else "NULL::INTEGER"
    if "gender" in cols:
        gender, gender_join = "coalesce(lce_gender_labels.lce_gender, 'unknown')", \
            f" LEFT JOIN lce_gender_labels ON lce_gender_labels.lce_label = lower({c['gender']})"
    else:
        gender, gender_join = "'unknown'", ""
    n_name = "count" if "count" in cols else "quantity"
    weighted = n_name in cols
    n_value = types.whole_number_sql(c[n_name])
    n_sql = (f"CASE WHEN {n_value} = floor({n_value}) AND abs({n_value}) <= {MAX_PER_ROW} "
             f"THEN CAST({n_value} AS BIGINT) END")
    excluded = ", ".join(f"'{_sql_str(v.strip().lower())}'" for v in
                         (mapping.exclude_status if mapping.exclude_status is not None else m.EXCLUDED_STATUSES))
    status_sql = (f"CASE WHEN lower({c['status']}) IN ({excluded or 'NULL'}) THEN {c['status']} END"
                  if "status" in cols else "NULL::VARCHAR")
    compact = f"regexp_replace({c['postcode']}, '\\s|\u00a0|\u202f', '', 'g')"
    postcode = (f"CASE WHEN length({compact}) = 5 AND TRY_CAST({compact} AS INTEGER) BETWEEN 10000 AND 99999 "
                f"THEN {compact} END") if "postcode" in cols else "NULL::VARCHAR"
    # A row of n tickets (or n counted visits) becomes n rows, so that every metric counts visits as it is.
    copies = ("\n  unnest(range(CASE WHEN _reject_reason IS NULL AND _excluded IS NULL THEN n ELSE 1 END)) AS _copy,"
              if weighted else "\n  0 AS _copy,")
    return f"""
WITH parsed AS (
  SELECT _row, {c['timestamp']} AS ts_raw, {ts} AS ts, {c['price']} AS price_raw, {price} AS price,
         {visitor} AS visitor_id,
         {_value_map(c['event'], values.get('event', {}))} AS event,
         {_value_map(c['ticket_type'], values.get('ticket_type', {}))} AS ticket_type,
         {_value_map(c['channel'], values.get('channel', {}))} AS channel,
         {postcode} AS postcode, {birth} AS birth_year, {age_raw} AS age_raw,
         {gender} AS gender,
         {c[n_name] if weighted else 'NULL::VARCHAR'} AS n_raw, {n_sql if weighted else '1::BIGINT'} AS n,
         {status_sql} AS status_excluded,
         CASE WHEN {ts} IS NULL THEN {plain} END AS plain
  FROM raw_input{gender_join}
), checked AS (
  SELECT *,
    CASE WHEN ts IS NULL AND regexp_matches(CASE WHEN ts_raw IS NULL THEN plain ELSE ts_raw END, '{SUMMARY_WORDS}')
         THEN 'summary line'
         WHEN ts_raw IS NULL THEN 'timestamp is empty'
         WHEN ts IS NULL THEN 'timestamp is not a valid date'
         WHEN year(ts) NOT BETWEEN 1900 AND 2100 THEN 'timestamp year is out of range'
         WHEN price_raw IS NOT NULL AND (price IS NULL OR NOT isfinite(price)) THEN 'price is not a number'
         WHEN price < 0 THEN 'price is negative'
         WHEN n_raw IS NOT NULL AND n IS NULL THEN '{n_name} is not a whole number'
         WHEN n < 0 THEN '{n_name} is negative'
    END AS _reject_reason
  FROM parsed
), meaning AS (
  SELECT *, CASE WHEN _reject_reason IS NOT NULL THEN NULL
                 WHEN status_excluded IS NOT NULL THEN 'status ' || status_excluded
                 WHEN n = 0 THEN '{n_name} 0' END AS _excluded
  FROM checked
)
SELECT _row, ts,
  visitor_id, event, ticket_type, price, channel, postcode,
  CAST(CASE WHEN birth_year BETWEEN 1880 AND year(ts) THEN year(ts) - birth_year
            WHEN birth_year IS NULL AND age_raw BETWEEN 0 AND 120 THEN age_raw END AS INTEGER) AS age,
  gender,
  _reject_reason, _excluded,{copies}
  CASE WHEN _reject_reason = 'summary line' OR _reject_reason LIKE 'timestamp%' THEN 'timestamp'
       WHEN _reject_reason LIKE 'price%' THEN 'price'
       WHEN _reject_reason LIKE '{n_name}%' THEN '{n_name}' END AS _reject_column,
  CASE WHEN _reject_reason = 'summary line' OR _reject_reason LIKE 'timestamp%'
         THEN {ids.masked_sql("left(ts_raw, 80)")}
       WHEN _reject_reason LIKE 'price%' THEN {ids.masked_sql("left(price_raw, 80)")}
       WHEN _reject_reason LIKE '{n_name}%' THEN {ids.masked_sql("left(n_raw, 80)")} END AS _reject_value
FROM meaning
"""


def _cache_root() -> Path:
    return settings.LABS_CACHE()


def prepare(data: Inputs, events: str | Path | None = None, mapping: Any = None, *,
            cache_dir: str | Path | None = None, max_reject_share: float = DEFAULT_MAX_REJECT_SHARE) -> Prepared:
    """Parse and validate an export once; later calls with the same content reuse the cached Parquet.

    data may be several files or a glob pattern: one export in several files (engagement.combine)."""
    from lce_utils.engagement.combine import expand_inputs, prepare_many
    files = expand_inputs(data)
    if len(files) > 1:
        return prepare_many(files, events, mapping, cache_dir=cache_dir, max_reject_share=max_reject_share)
    path = files[0]
    if not path.is_file():
        raise DataError(f"{path}: " + both("labs_err_no_data_file"))
    events_path = Path(events) if events is not None else None
    if events_path is not None and not events_path.is_file():
        raise DataError(f"{events_path}: " + both("labs_err_no_events_file"))
    mp = _load_mapping(path, mapping)
    content_hash = file_hash(path)
    events_hash = file_hash(events_path) if events_path else None
    key = hashlib.sha256("|".join([LOADER_VERSION, content_hash, events_hash or "", mp.fingerprint(),
                                   key_fingerprint()]).encode()).hexdigest()[:24]
    root = Path(cache_dir) if cache_dir is not None else _cache_root()

    def build(work: Path) -> None:
        meta = _prepare_into(path, events_path, mp, work)
        meta.update(content_hash=content_hash, events_hash=events_hash, mapping=mp.source, cache_key=key)
        (work / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
        for leftover in work.glob("input-utf8.*"):  # copies of the whole input, dropped columns included
            leftover.unlink()
        shutil.rmtree(work / "duckdb-tmp", ignore_errors=True)

    prepared = cached(root / key, build)
    _check_reject_share(prepared, path.name, max_reject_share)
    return prepared


def cached(target: Path, build: Callable[[Path], None]) -> Prepared:
    """The cache entry at target; when missing, build(work) fills a staged folder that becomes target when
    complete (prepared concurrently by another process: theirs is kept and used)."""
    if not (target / "meta.json").exists():
        with staged_folder(target, replace=False) as work:
            build(work)
    return Prepared(target, json.loads((target / "meta.json").read_text(encoding="utf-8")))


def _connect(workdir: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"temp_directory": str(workdir / "duckdb-tmp")})
    con.execute("SET enable_progress_bar = false")
    con.execute("SET VARIABLE lce_pseudonym_key = ?", [pseudonym_key()])
    return con


def _prepare_into(path: Path, events_path: Path | None, mp: m.Mapping, work: Path) -> dict[str, Any]:
    con = _connect(work)
    try:
        source = _Source(con, path, mp, work)
        for attempt in range(2):
            try:
                meta = _prepare_visits(con, source, path, mp, work)
                break
            except duckdb.Error as exc:
                # DuckDB meets a quoted line break only where it is: read again with the serial reader.
                if attempt == 0 and "quoted new lines" in str(exc) and source.reopen_serial():
                    continue
                raise _read_error(path, exc) from exc
        if events_path is not None:
            meta["events"] = _prepare_events(con, events_path, mp, work)
        return meta
    finally:
        con.close()


def _read_error(path: Path, exc: Exception) -> DataError:
    """A reader error from DuckDB as a one-line error naming the file and, where known, the line."""
    message = str(exc)
    line = re.search(r"[Ll]ine:? ?(\d+)", message)
    detail = next((t.strip() for t in message.splitlines()[1:] if t.strip()), message.splitlines()[0])[:200]
    text = both("labs_err_unreadable_near", line=line.group(1), detail=detail) if line else \
        both("labs_err_unreadable", detail=detail)
    return DataError(f"{path.name}: {text}")


def _prepare_visits(con: duckdb.DuckDBPyConnection, source: _Source, path: Path, mp: m.Mapping,
                    work: Path) -> dict[str, Any]:
    """Validate, pseudonymise and write visits.parquet and rejects.csv; the visits part of meta.json."""
    cols = m.resolve_columns(source.data_columns, mp.columns, m.VISIT_SYNONYMS, m.REQUIRED_VISIT_COLUMNS,
                             path.name)
    dropped = _identifier_columns(con, source, cols, mp, path.name)
    source.materialise(list(cols.values()))
    decimal, reading, duplicates = _decide_types(con, source, cols, mp, path.name)
    source.detected.decimal, source.detected.timestamp = decimal, reading.describe()
    _gender_table(con, mp.values.get("gender", {}))
    con.execute(f"COPY ({_visits_select(cols, mp, decimal, reading)}) TO '{_sql_str(str(work / 'visits.parquet'))}' "
                "(FORMAT parquet, COMPRESSION zstd)")
    source.release()
    stats = con.execute(
        "SELECT count(*) FILTER (WHERE _copy = 0), count(_reject_reason), "
        "min(ts) FILTER (WHERE _reject_reason IS NULL AND _excluded IS NULL), "
        "max(ts) FILTER (WHERE _reject_reason IS NULL AND _excluded IS NULL) FROM read_parquet(?)",
        [str(work / "visits.parquet")]).fetchall()[0]
    excluded = dict(con.execute(
        "SELECT _excluded, count(*) FROM read_parquet(?) WHERE _excluded IS NOT NULL AND _copy = 0 "
        "GROUP BY 1 ORDER BY 2 DESC, 1", [str(work / "visits.parquet")]).fetchall())
    con.execute(f"COPY (SELECT _row AS row, _reject_column AS column, _reject_reason AS reason, "
                f"_reject_value AS value FROM read_parquet('{_sql_str(str(work / 'visits.parquet'))}') "
                f"WHERE _reject_reason IS NOT NULL ORDER BY _row) TO '{_sql_str(str(work / 'rejects.csv'))}' "
                "(HEADER, DELIMITER ',')")
    meta: dict[str, Any] = {
        "rows_read": int(stats[0]), "rows_rejected": int(stats[1]),
        "period_start": stats[2].date().isoformat() if stats[2] else None,
        "period_end": stats[3].date().isoformat() if stats[3] else None,
        "columns": cols, "dropped_columns": list(dropped), "dropped_reasons": dropped,
        "ignored_columns": [c for c in source.data_columns if c not in cols.values() and c not in dropped],
        "detected": source.detected.__dict__,
        "has": {name: name in cols for name in m.VISIT_COLUMNS},
        "row_meaning": "count" if "count" in cols else "quantity" if "quantity" in cols else "visit",
        "rows_excluded": excluded,
        "duplicate_rows": duplicates,
    }
    meta["has"]["age"] = "age" in cols or "birth_year" in cols
    if "count" in cols:  # aggregated counts: no individual visitors, whatever else the file has
        meta["has"]["visitor_id"] = False
    return meta


def _identifier_columns(con: duckdb.DuckDBPyConnection, source: _Source, cols: dict[str, str], mp: m.Mapping,
                        name: str) -> dict[str, str]:
    """Columns of direct identifiers, by header or by content (column -> why); never read into the data.

    The visitor_id column may hold identifiers: it is pseudonymised. Any other mapped column may not."""
    found = {c: "header" for c in source.data_columns if m.is_identifier_header(c) and c != cols.get("visitor_id")}
    names = source.data_columns
    quoted = ", ".join(_col(c) for c in names)
    sample = con.execute(f"SELECT {quoted} FROM raw_input LIMIT {ids.SAMPLE_ROWS}").fetchall()
    for i, column in enumerate(names):
        if column in found or column == cols.get("visitor_id"):
            continue
        kind = ids.content_kind(row[i] for row in sample)
        if kind is None:
            continue
        used = [canonical for canonical, c in cols.items() if c == column]
        if used:
            raise DataError(f"{name}: " + both("labs_err_identifier_column", column=repr(column), kind=kind,
                                               used=used[0]))
        found[column] = kind
    return found


def _decide_types(con: duckdb.DuckDBPyConnection, source: _Source, cols: dict[str, str], mp: m.Mapping,
                  name: str) -> tuple[str, types.TimestampReading, dict[str, Any]]:
    """Decimal style and timestamp formats from every distinct value of the two columns, and exact duplicate
    lines (count and a few row numbers, nothing of their content), in two passes over the file."""
    price = _col(cols.get("price"))
    # Two queries: with the lines as a third grouping set the one query cost more CPU than these two together.
    con.execute(f"""CREATE OR REPLACE TEMP TABLE lce_distinct AS
        SELECT ts_v, price_v, grouping(ts_v) + 2 * grouping(price_v) AS g
        FROM (SELECT {_col(cols['timestamp'])} AS ts_v, {price} AS price_v FROM raw_input)
        GROUP BY GROUPING SETS ((ts_v), (price_v))""")
    dup = con.execute("""SELECT coalesce(sum(n - 1), 0), list([first_row, last_row] ORDER BY first_row)[:5]
        FROM (SELECT count(*) AS n, min(_row) AS first_row, max(_row) AS last_row FROM raw_input
              GROUP BY _line HAVING count(*) > 1)""").fetchall()[0]
    duplicates = {"rows": int(dup[0]), "examples": [list(map(int, pair)) for pair in (dup[1] or [])]}
    decimal = mp.decimal or "."
    if "price" in cols and not mp.decimal:
        decimal = types.decide_decimal(con, "SELECT price_v AS v FROM lce_distinct WHERE g = 1",
                                       f"{name}, column {cols['price']!r}")
    reading = types.decide_timestamps(con, "SELECT ts_v AS v FROM lce_distinct WHERE g = 2",
                                      f"{name}, column {cols['timestamp']!r}", mp.date_format)
    con.execute("DROP TABLE lce_distinct")
    return decimal, reading, duplicates


def _prepare_events(con: duckdb.DuckDBPyConnection, path: Path, mp: m.Mapping, work: Path) -> dict[str, Any]:
    """Events are small and must be right: any unreadable row is an error that names it."""
    events_mapping = m.Mapping(sheet=None, separator=None, encoding=None)
    source = _Source(con, path, events_mapping, work)
    cols = m.resolve_columns(source.data_columns, mp.events_columns, m.EVENT_SYNONYMS, m.REQUIRED_EVENT_COLUMNS,
                             path.name)
    c = {name: _col(cols.get(name)) for name in m.EVENT_COLUMNS}
    start = "NULL::TIMESTAMP"
    if "start" in cols:
        start = types.decide_timestamps(con, f"SELECT {c['start']} AS v FROM raw_input",
                                        f"{path.name}, column {cols['start']!r}", mp.date_format).sql(c["start"])
    capacity = f"TRY_CAST({types.whole_number_sql(c['capacity'])} AS INTEGER)"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE events_checked AS
        SELECT _row, {c['event']} AS event, {start} AS start, {c['start']} AS start_raw,
               {c['art_form']} AS art_form, {c['venue']} AS venue, {capacity} AS capacity,
               {c['capacity']} AS capacity_raw FROM raw_input""")
    bad = con.execute("""SELECT _row, CASE WHEN event IS NULL THEN 'event is empty'
                                         WHEN start_raw IS NOT NULL AND start IS NULL
                                              THEN 'start is not a valid date: ' || start_raw
                                         WHEN capacity IS NULL OR capacity <= 0
                                              THEN 'capacity is not a positive whole number: '
                                                   || coalesce(capacity_raw, '(empty)')
                                    END AS reason
                         FROM events_checked WHERE reason IS NOT NULL ORDER BY _row LIMIT 5""").fetchall()
    if bad:
        shown = "; ".join(f"row {r} {reason}" for r, reason in bad)
        raise DataError(f"{path.name}: " + both("labs_err_event_rows", rows=shown))
    con.execute(f"COPY (SELECT event, start, art_form, venue, capacity FROM events_checked ORDER BY _row) "
                f"TO '{_sql_str(str(work / 'events.parquet'))}' (FORMAT parquet)")
    count = con.execute("SELECT count(*) FROM events_checked").fetchall()[0][0]
    return {"rows": int(count), "columns": cols, "detected": source.detected.__dict__}


def _check_reject_share(prepared: Prepared, name: str, max_share: float) -> None:
    meta = prepared.meta
    rows, rejected = meta["rows_read"], meta["rows_rejected"]
    if rows and rejected / rows > max_share:
        rejects = pd.read_csv(prepared.rejects_path, dtype=str, keep_default_na=False)
        column = rejects["column"].value_counts().index[0]
        col_name = meta["columns"].get(column, "(whole row)") if column != "*" else "(whole row)"
        examples = rejects[rejects["column"] == column].head(3)
        shown = "; ".join(f"row {r.row}: {r.reason} ({r.value!r})" for r in examples.itertuples())
        raise DataError(f"{name}: " + both("labs_err_too_many_rejects", rejected=rejected, rows=rows,
                                           share=f"{rejected / rows:.0%}", allowed=f"{max_share:.0%}", column=column,
                                           file_column=repr(col_name), examples=shown))


def load_visits(path: str | Path, mapping: Any = None, *, events: str | Path | None = None,
                max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
                cache_dir: str | Path | None = None) -> LoadedVisits:
    """Read a CSV/TSV/TXT, .xlsx or Parquet export of visits or tickets into the canonical columns.

    Rows that cannot be read are rejected (see .rejects); visitor_id is pseudonymised; direct identifiers
    are dropped. Raises DataError for a missing required column, an empty file or too many rejects."""
    prepared = prepare(path, events, mapping, cache_dir=cache_dir, max_reject_share=max_reject_share)
    con = duckdb.connect()
    try:
        frame = con.execute("SELECT * EXCLUDE (_row, _reject_reason, _reject_column, _reject_value, _excluded, _copy) "
                            "FROM read_parquet(?) WHERE _reject_reason IS NULL AND _excluded IS NULL ORDER BY _row",
                            [str(prepared.visits_path)]).df()
    finally:
        con.close()
    rejects = pd.read_csv(prepared.rejects_path, dtype={"row": "int64", "column": str, "reason": str,
                                                        "value": str}, keep_default_na=False)
    meta = prepared.meta
    detected = Detected(**meta["detected"])
    return LoadedVisits(frame=frame, rejects=rejects, rows_read=meta["rows_read"], columns=meta["columns"],
                        dropped_columns=meta["dropped_columns"], detected=detected,
                        content_hash=meta["content_hash"], prepared=prepared)


def preview(path: str | Path, mapping: Any = None, rows: int = 5) -> str:
    """Text for `lce labs check`: how the file is read, the column mapping and a few accepted rows."""
    loaded = load_visits(path, mapping, max_reject_share=1.0)
    meta = loaded.prepared.meta
    out = io.StringIO()
    d = loaded.detected
    out.write(f"{both('labs_pv_file')}: {Path(path).name} ({d.kind}"
              + (f", encoding {d.encoding}, separator {_sep_name(d.separator or ',')}" if d.kind == "csv" else "")
              + (f", sheet {d.sheet}" if d.kind == "excel" else "") + f", decimal '{d.decimal}')\n")
    out.write(f"{both('labs_pv_timestamps')}: {d.timestamp}\n")
    out.write(f"{both('labs_pv_columns')}:\n")
    missing = f"({both('labs_pv_not_in_file')})"
    for canonical in m.VISIT_COLUMNS:
        out.write(f"  {canonical:<12} <- {meta['columns'].get(canonical, missing)}\n")
    if loaded.dropped_columns:
        reasons = meta.get("dropped_reasons", {})
        why = {c: both("labs_pv_by_name") if reasons.get(c, "header") == "header" else f"{reasons[c]} values"
               for c in loaded.dropped_columns}
        shown = ", ".join(f"{c} ({why[c]})" for c in loaded.dropped_columns)
        out.write(f"{both('labs_pv_dropped')}: {shown}\n")
    if meta["ignored_columns"]:
        out.write(f"{both('labs_pv_ignored')}: {', '.join(meta['ignored_columns'])}\n")
    share = meta["rows_rejected"] / meta["rows_read"] if meta["rows_read"] else 0
    out.write(f"{both('labs_pv_rows')}: {meta['rows_read']} read, {meta['rows_rejected']} rejected ({share:.1%}), "
              f"period {meta['period_start']} – {meta['period_end']}\n")
    if meta.get("row_meaning", "visit") != "visit":
        meaning = meta["row_meaning"]
        out.write(f"{both('labs_pv_each_row')}: {meaning} (column {meta['columns'][meaning]!r})\n")
    for reason, n in (meta.get("rows_excluded") or {}).items():
        out.write(f"{both('labs_pv_excluded')}: {reason}: {n} rows\n")
    duplicates = meta.get("duplicate_rows") or {}
    if duplicates.get("rows"):
        pairs = ", ".join(f"row {b} = row {a}" for a, b in duplicates["examples"])
        out.write(f"{both('labs_pv_duplicates')}: {duplicates['rows']} ({pairs}); counted as visits\n")
    if len(loaded.rejects):
        out.write(f"{both('labs_pv_first_rejected')}:\n")
        for r in loaded.rejects.head(rows).itertuples():
            out.write(f"  row {r.row}: {r.reason} ({r.value!r})\n")
    out.write(f"{both('labs_pv_first_accepted')}:\n")
    out.write(loaded.frame.head(rows).to_string(index=False) + "\n")
    return out.getvalue()


def read_headers(path: str | Path, mapping: Any = None) -> list[str]:
    """The column names of an export as the loader finds them (title or GA4 '#' block skipped), without
    validating any row: what `lce labs check` compares with the presets."""
    path = Path(path)
    work = Path(tempfile.mkdtemp(prefix=".lce-headers-"))
    con = _connect(work)
    try:
        return _Source(con, path, _load_mapping(path, mapping), work).data_columns
    finally:
        con.close()
        shutil.rmtree(work, ignore_errors=True)
