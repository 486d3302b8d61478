"""How a text column is read, decided over every distinct value of the whole column: the decimal style of prices
and the timestamp formats (ISO 8601 with offsets, day- or month-first, 12-hour clocks, Swedish and English month
names, date-, month- and year-only values). An ambiguous or mixed column stops with examples of both readings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from lce_utils.errors import DataError
from lce_utils.messages import both

LOCAL_TIMEZONE = "Europe/Stockholm"
DATE_ORDERS = {"day-first": "day-first", "dmy": "day-first", "month-first": "month-first", "mdy": "month-first"}

# ---- prices -----------------------------------------------------------------------------------------------

# Currency marks and the Swedish ",-" / ":-" for whole kronor go before a number is read.
# Spaces include the no-break and narrow no-break spaces that Swedish number formatting (Excel, ICU) writes.
_SPACES = r"\s|\x{00a0}|\x{202f}|\x{2009}"
_PRICE_NOISE = rf"({_SPACES}|kronor|kr\.?|sek|:-|,-|\.-)"
_COMMA_ONLY = (r"[+-]?(\d+|\d{1,3}(\.\d{3})+),(\d{1,2}|\d{4,})", r"[+-]?\d{4,},\d+", r"[+-]?\d{1,3}(\.\d{3})+,\d+",
               r"[+-]?\d{1,3}(\.\d{3}){2,}")
_DOT_ONLY = (r"[+-]?(\d+|\d{1,3}(,\d{3})+)\.(\d{1,2}|\d{4,})", r"[+-]?\d{4,}\.\d+", r"[+-]?\d{1,3}(,\d{3})+\.\d+",
             r"[+-]?\d{1,3}(,\d{3}){2,}")
_AMBIGUOUS = {",": r"[+-]?\d{1,3},\d{3}", ".": r"[+-]?\d{1,3}\.\d{3}"}


def price_clean_sql(expr: str) -> str:
    """The price text without spaces, currency marks or a trailing ',-'."""
    return f"regexp_replace({expr}, '{_PRICE_NOISE}', '', 'gi')"


def price_sql(expr: str, decimal: str) -> str:
    """A price read strictly in one decimal style; anything else is NULL (and the row is rejected)."""
    if decimal == ",":
        fast = f"CASE WHEN NOT contains({expr}, '.') THEN TRY_CAST(replace({expr}, ',', '.') AS DOUBLE) END"
        pattern, number = r"[+-]?(\d+|\d{1,3}(\.\d{3})+)(,\d+)?", "replace(replace({}, '.', ''), ',', '.')"
    else:
        fast = f"CASE WHEN NOT contains({expr}, ',') THEN TRY_CAST({expr} AS DOUBLE) END"
        pattern, number = r"[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?", "replace({}, ',', '')"
    # The cleaned text is written once: written twice (matched, then read), DuckDB computed it as a common
    # subexpression on every row, not only on the few the fast path leaves. regexp_extract gives '' for a value
    # that does not match, which TRY_CAST reads as NULL.
    matched = f"regexp_extract({price_clean_sql(expr)}, '^({pattern})$', 1)"
    strict = f"TRY_CAST({number.format(matched)} AS DOUBLE)"
    return f"COALESCE({fast}, {strict})"  # TRY_CAST reads 'nan' and 'inf': the loader rejects what is not finite


def whole_number_sql(expr: str) -> str:
    """A count as people write it, as DOUBLE ('1 200', '12 040' with a no-break space, '1.200', '3,0', '12 st').

    A separator followed by exactly three digits is a thousands separator here: a count has no fraction."""
    cleaned = f"regexp_replace(regexp_replace({expr}, '{_SPACES}', '', 'g'), '[[:alpha:]åäöÅÄÖ.]+$', '')"
    return (rf"CASE WHEN regexp_full_match({cleaned}, '[+-]?\d{{1,3}}([.,]\d{{3}})+') "
            f"THEN TRY_CAST(regexp_replace({cleaned}, '[.,]', '', 'g') AS DOUBLE) "
            f"ELSE TRY_CAST(replace({cleaned}, ',', '.') AS DOUBLE) END")


def _matches_any(column: str, patterns: tuple[str, ...]) -> str:
    return " OR ".join(f"regexp_full_match({column}, '{p}')" for p in patterns)


def decide_decimal(con: duckdb.DuckDBPyConnection, values_sql: str, where: str) -> str:
    """',' or '.' from every distinct price (values_sql yields v); raises DataError for a mixed or ambiguous column."""
    rows = con.execute(f"""
        WITH v AS (SELECT DISTINCT {price_clean_sql('v')} AS c FROM ({values_sql}) WHERE v IS NOT NULL)
        SELECT list(c ORDER BY c) FILTER (WHERE {_matches_any('c', _COMMA_ONLY)})[:3],
               list(c ORDER BY c) FILTER (WHERE {_matches_any('c', _DOT_ONLY)})[:3],
               list(c ORDER BY c) FILTER (WHERE regexp_full_match(c, '{_AMBIGUOUS[","]}'))[:3],
               list(c ORDER BY c) FILTER (WHERE regexp_full_match(c, '{_AMBIGUOUS["."]}'))[:3]
        FROM v""").fetchall()[0]
    comma, dot, amb_comma, amb_dot = (r or [] for r in rows)
    if comma and dot:
        raise DataError(f"{where}: " + both("labs_err_mixed_decimals", comma=repr(comma[0]),
                                            comma_value=_read(comma[0], ","), dot=repr(dot[0]),
                                            dot_value=_read(dot[0], ".")))
    if comma:
        return ","
    if dot:
        return "."
    if amb_comma and amb_dot:
        raise DataError(f"{where}: " + both("labs_err_mixed_separators", a=repr(amb_comma[0]), b=repr(amb_dot[0]),
                                            as_comma=_read(amb_comma[0], ","), as_dot=_read(amb_comma[0], ".")))
    for sep, examples in ((",", amb_comma), (".", amb_dot)):
        if examples:
            other = "." if sep == "," else ","
            key = "labs_err_ambiguous_comma" if sep == "," else "labs_err_ambiguous_point"
            raise DataError(f"{where}: " + both(key, example=repr(examples[0]), decimal=_read(examples[0], sep),
                                                thousands=_read(examples[0], other), sep=repr(sep)))
    return "."


def _read(text: str, decimal: str) -> str:
    """How text reads in a decimal style, for messages (Python, mirrors price_sql)."""
    digits = text.replace("." if decimal == "," else ",", "")
    value = float(digits.replace(",", ".")) if decimal == "," else float(digits)
    return f"{value:g}" if value != int(value) else f"{int(value)}"


# ---- timestamps -------------------------------------------------------------------------------------------

_SV_MONTHS = (("januari", "january"), ("februari", "february"), ("mars", "march"), ("maj", "may"), ("juni", "june"),
              ("juli", "july"), ("augusti", "august"), ("oktober", "october"), ("okt", "oct"))
_WEEKDAYS = ("måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag|mån|tis|ons|tors|tor|fre|lör|sön|monday|tuesday|"
             "wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun")
_MONTH_NAMES = {m.lower() for m in ("january february march april may june july august september october november "
                                    "december jan feb mar apr jun jul aug sep sept oct nov dec").split()}


def normalise_timestamp_sql(expr: str, words: bool, zulu: bool) -> str:
    """Text as the formats expect it: weekday and 'kl.' removed, Swedish month names in English, Z as +00:00."""
    out = expr
    if words:
        out = f"regexp_replace({out}, '^({_WEEKDAYS})\\.?,?\\s+', '', 'i')"
        out = f"regexp_replace({out}, '\\s+kl\\.?\\s*', ' ', 'i')"
        out = f"regexp_replace({out}, '\\b([ap])\\.m\\.', '\\1m', 'gi')"
        for sv, en in _SV_MONTHS:
            out = f"regexp_replace({out}, '\\b{sv}\\b', '{en}', 'gi')"
        out = f"regexp_replace({out}, '\\b([A-Za-z]{{3,9}})\\.', '\\1', 'g')"
    if zulu:
        out = f"regexp_replace({out}, '[Zz]$', '+00:00')"
    return out


_SEP = r"(?P<s>[-/.])"
# (pattern at the start of a value, format; D and M stand for the day and month, whose order the column decides)
_DATES: tuple[tuple[str, str], ...] = (
    (rf"\d{{4}}{_SEP}\d{{1,2}}(?P=s)\d{{1,2}}", "%Y{s}%m{s}%d"),
    (r"\d{8}(?!\d)", "%Y%m%d"),
    (rf"\d{{1,2}}{_SEP}\d{{1,2}}(?P=s)\d{{4}}", "D{s}M{s}%Y"),
    (rf"\d{{1,2}}{_SEP}\d{{1,2}}(?P=s)\d{{2}}(?!\d)", "D{s}M{s}%y"),
    (r"\d{1,2}(?P<s>\.?\s+)(?P<w>[A-Za-z]+)(?P<t>,?\s+)\d{4}", "%d{s}W{t}%Y"),
    (r"(?P<w>[A-Za-z]+)(?P<s>\s+)\d{1,2}(?P<t>,?\s+)\d{4}", "W{s}%d{t}%Y"),
    (r"(?P<w>[A-Za-z]+)(?P<s>\s+)\d{4}$", "W{s}%Y"),
    (rf"\d{{4}}{_SEP}\d{{1,2}}$", "%Y{s}%m"),
    (rf"\d{{1,2}}{_SEP}\d{{4}}$", "%m{s}%Y"),
    (r"\d{4}$", "%Y"),
)
_TIME = re.compile(r"(?P<sep>T|\s+|,\s*)(?P<h>\d{1,2})(?:(?P<c>[:.])(?P<m>\d{2})(?:(?P=c)(?P<sec>\d{2})"
                   r"(?P<f>\.\d+)?)?)?(?P<ap>\s*[AaPp][Mm])?(?P<tz>\s*[+-]\d{2}(?::?\d{2})?)?$")


def formats_for(example: str, order: str) -> list[str]:
    """The strptime formats that read values shaped like example (normalised), in the column's day/month order."""
    for pattern, template in _DATES:
        match = re.match(pattern, example)
        if not match:
            continue
        parts = match.groupdict()
        fmt = template.format(s=parts.get("s", ""), t=parts.get("t", ""))
        fmt = fmt.replace("D", "%d" if order == "day-first" else "%m", 1).replace(
            "M", "%m" if order == "day-first" else "%d", 1) if "D" in fmt else fmt
        words = [fmt]
        if "W" in fmt:
            if parts["w"].lower() not in _MONTH_NAMES:
                return []
            words = [fmt.replace("W", "%B"), fmt.replace("W", "%b")]
        rest = example[match.end():]
        if not rest:
            return words
        time = _TIME.match(rest)
        if not time or (time["c"] is None and time["ap"] is None):  # an hour alone needs AM/PM
            return []
        t = time.groupdict()
        clock = ("T" if t["sep"] == "T" else t["sep"]) + ("%I" if t["ap"] else "%H")
        if t["c"]:
            clock += f"{t['c']}%M" + (f"{t['c']}%S" if t["sec"] else "") + (".%f" if t["f"] else "")
        if t["ap"]:
            clock += t["ap"][:len(t["ap"]) - 2] + "%p"
        if t["tz"]:
            clock += t["tz"][:len(t["tz"]) - len(t["tz"].lstrip())] + "%z"
        return [w + clock for w in words]
    return []


@dataclass
class TimestampReading:
    """How a timestamp column is read: formats without and with a UTC offset, and the normalising it needs."""

    formats: list[str] = field(default_factory=list)
    offset_formats: list[str] = field(default_factory=list)
    words: bool = False
    zulu: bool = False
    order: str | None = None

    def sql(self, expr: str) -> str:
        """The timestamp (local Swedish time for values with an offset) or NULL."""
        text = normalise_timestamp_sql(expr, self.words, self.zulu)
        parts = []
        if self.offset_formats:
            parts.append(f"timezone('{LOCAL_TIMEZONE}', try_strptime({text}, {self.offset_formats!r}))")
        if self.formats:
            parts.append(f"try_strptime({text}, {self.formats!r})")
        if not parts:
            return "NULL::TIMESTAMP"
        return parts[0] if len(parts) == 1 else f"COALESCE({', '.join(parts)})"

    def describe(self) -> str:
        """For `lce labs check` and run.json."""
        shown = self.formats + self.offset_formats
        return ", ".join(shown) + (f" ({self.order})" if self.order else "")


_DM = r"^(\d{1,2})[-/.](\d{1,2})[-/.]\d{2,4}"


def decide_timestamps(con: duckdb.DuckDBPyConnection, values_sql: str, where: str,
                      date_format: str | None = None) -> TimestampReading:
    """The formats for every distinct value of a column (values_sql yields v); day/month order over the column.

    date_format from the mapping: day-first, month-first, or one strptime format used as it is."""
    if date_format and "%" in date_format:
        offset = "%z" in date_format
        return TimestampReading(formats=[] if offset else [date_format], offset_formats=[date_format] if offset else [],
                                zulu=offset)
    words, zulu = con.execute(f"""SELECT coalesce(bool_or(regexp_matches(v, '[A-Za-zåäöÅÄÖ]{{2,}}')), false),
                                         coalesce(bool_or(regexp_matches(v, '\\d[Zz]$')), false)
                                  FROM (SELECT DISTINCT v FROM ({values_sql}) WHERE v IS NOT NULL)""").fetchall()[0]
    norm = normalise_timestamp_sql("v", words, zulu)
    shapes = con.execute(f"""
        WITH d AS (SELECT DISTINCT {norm} AS v FROM ({values_sql}) WHERE v IS NOT NULL)
        SELECT regexp_replace(regexp_replace(v, '[0-9]', '9', 'g'), '[A-Za-zåäöÅÄÖéü]+', 'a', 'g') AS shape,
               min(v), count(*),
               max(TRY_CAST(regexp_extract(v, '{_DM}', 1) AS INTEGER)),
               max(TRY_CAST(regexp_extract(v, '{_DM}', 2) AS INTEGER)),
               arg_max(v, TRY_CAST(regexp_extract(v, '{_DM}', 1) AS INTEGER)),
               arg_max(v, TRY_CAST(regexp_extract(v, '{_DM}', 2) AS INTEGER))
        FROM d GROUP BY 1 ORDER BY 3 DESC LIMIT 200""").fetchall()
    order = DATE_ORDERS.get((date_format or "").strip().lower())
    if date_format and order is None:
        raise DataError(f"{where}: " + both("labs_err_date_format", date_format=repr(date_format)))
    numeric = [s for s in shapes if s[3] is not None and formats_for(s[1], "day-first")
               and formats_for(s[1], "day-first")[0].startswith("%d")]
    if numeric and order is None:
        first, second = max(s[3] for s in numeric), max(s[4] for s in numeric)
        day_example = next(s[5] for s in numeric if s[3] == first)
        month_example = next(s[6] for s in numeric if s[4] == second)
        if first > 12 and second > 12:
            raise DataError(f"{where}: " + both("labs_err_mixed_date_orders", day=repr(day_example),
                                                month=repr(month_example)))
        if first > 12:
            order = "day-first"
        elif second > 12:
            order = "month-first"
        elif all(s[0][2] == "." for s in numeric):
            order = "day-first"  # dotted dates are European, day first
        else:
            a, b = re.match(_DM, day_example).groups()  # type: ignore[union-attr]
            raise DataError(f"{where}: " + both("labs_err_ambiguous_dates", example=repr(day_example), a=int(a),
                                                b=int(b)))
    reading = TimestampReading(words=bool(words), zulu=bool(zulu), order=order if numeric else None)
    for shape in shapes:
        for fmt in formats_for(shape[1], order or "day-first"):
            target = reading.offset_formats if fmt.endswith("%z") else reading.formats
            if fmt not in target:
                target.append(fmt)
    return reading
