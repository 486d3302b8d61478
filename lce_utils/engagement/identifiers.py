"""Direct identifiers, by header and by content: names, e-mail addresses, phone numbers, addresses and Swedish
personal identity or coordination numbers (personnummer/samordningsnummer, checked with their Luhn digit)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from lce_utils.messages import both

# Headers compared after normalising (lower case, letters and digits only).
EXACT_HEADERS = frozenset((
    "namn", "name", "förnamn", "efternamn", "tilltalsnamn", "firstname", "lastname", "fullname", "givenname",
    "familyname", "surname", "middlename", "fname", "lname", "kundnamn", "customername", "epost", "epostadress",
    "email", "emailaddress", "mail", "eaddress", "emailadress", "telefon", "telefonnummer", "tel", "telnr",
    "phone", "phonenumber", "mobil", "mobile", "mobilnummer", "mobilephone", "cellphone", "mobiltelefon",
    "personnummer", "pnr", "personnr", "idno", "idnr", "idnumber", "samordningsnummer", "personalidentitynumber",
    "personalnumber", "ssn", "socialsecuritynumber", "nationalid", "adress", "address", "gatuadress",
    "streetaddress", "postadress", "address1", "address2", "adress1", "adress2",
))
# Parts that make any header an identifier (e.g. "Buyer Email", "Attendee phone", "Kundens personnummer").
HEADER_PARTS = ("email", "epost", "phone", "telefon", "mobilnummer", "personnummer", "personnr", "samordningsnr",
                "samordningsnummer", "surname", "efternamn", "förnamn", "firstname", "lastname", "fullname",
                "streetaddress", "gatuadress", "attendeename", "invoiceaddressname")  # the last two: pretix
# "<person> name": whose name it is makes it an identifier, unlike "event name".
NAME_OWNERS = ("attendee", "buyer", "purchaser", "customer", "kund", "visitor", "besökare", "member", "medlem",
               "contact", "kontakt", "holder", "guest", "gäst", "user", "ticketholder", "first", "last", "given",
               "family", "full", "sur", "middle")

EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[A-Za-z]{2,}")
PNR = re.compile(r"(?P<century>\d{2})?(?P<date>\d{6})(?P<sep>[-+]?)(?P<tail>\d{4})")
SAMPLE_ROWS = 5000
SHARE = 0.5


def normalise_header(header: object) -> str:
    """A header as compared with known names (here and in mapping's synonyms): lower case, only letters and
    digits."""
    return re.sub(r"[^0-9a-zåäöéü]", "", str(header).strip().lower())


def is_identifier_header(header: str) -> bool:
    """True for a header of direct identifiers (name, e-mail, phone, personal identity number, address)."""
    h = normalise_header(header)
    if h in EXACT_HEADERS or any(part in h for part in HEADER_PARTS):
        return True
    for suffix in ("name", "namn"):
        if h.endswith(suffix) and h[: -len(suffix)] in NAME_OWNERS:
            return True
    return False


def luhn_ok(digits: str) -> bool:
    """The Luhn check digit of a ten-digit personnummer (YYMMDDNNNC)."""
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def is_personnummer(value: str) -> bool:
    """A valid Swedish personnummer or samordningsnummer (day + 60), with or without century and separator."""
    match = PNR.fullmatch(value.strip())
    if not match:
        return False
    date = match["date"]
    year, month, day = int(date[:2]), int(date[2:4]), int(date[4:])
    if day > 60:
        day -= 60
    century = int(match["century"]) if match["century"] else 20
    if match["century"] and century not in (18, 19, 20):
        return False
    try:
        dt.date(century * 100 + year if match["century"] else 2000 + year, month, day)
    except ValueError:
        if not (month == 2 and day == 29):  # a leap day in the other century
            return False
    return luhn_ok(date + match["tail"])


def is_phone(value: str) -> bool:
    """A phone number: Swedish national (0 + 8-9 digits) or international (+ or 00, 8-15 digits)."""
    text = value.strip()
    if not re.fullmatch(r"(\+|00)?[\d\s()-]{7,20}", text):
        return False
    digits = re.sub(r"\D", "", text)
    if text.startswith("+") or re.match(r"00[1-9]", text):  # country codes never start with 0 (0000123 is an id)
        return 8 <= len(digits) <= 15
    return text.startswith("0") and text[1:2] not in ("0", "") and 9 <= len(digits) <= 10 and \
        not re.fullmatch(r"\d{1,2}[-/]\d{1,2}[-/]\d{2,4}", text)


def kind_of(value: str) -> str | None:
    """'e-mail', 'personnummer' or 'phone' when a value looks like one, else None."""
    text = value.strip()
    if EMAIL.fullmatch(text):
        return "e-mail"
    if is_personnummer(text):
        return "personnummer"
    if is_phone(text):
        return "phone"
    return None


def content_kind(values: Iterable[str | None]) -> str | None:
    """What a column holds when at least half of its non-empty values look like one kind of identifier."""
    counts: dict[str, int] = {}
    total = 0
    for value in values:
        if value is None or not str(value).strip():
            continue
        total += 1
        kind = kind_of(str(value))
        if kind:
            counts[kind] = counts.get(kind, 0) + 1
    if not total or not counts:
        return None
    kind, n = max(counts.items(), key=lambda item: item[1])
    return kind if n / total >= SHARE else None


# A value that looks like an identifier is never shown in a reject, whatever column it is in (DuckDB regex).
IDENTIFIER_VALUE_SQL = (r"regexp_matches({v}, '@[^@\s]+\.[A-Za-z]{{2,}}') "
                        r"OR regexp_full_match({v}, '(\d{{2}})?\d{{6}}[-+]?\d{{4}}') "
                        r"OR regexp_full_match({v}, '(\+|00|0)[\d\s()-]{{7,20}}')")


def masked_sql(expr: str) -> str:
    """expr, or '(dold / hidden)' when the value looks like an e-mail address, a phone number or a personnummer."""
    return f"CASE WHEN {IDENTIFIER_VALUE_SQL.format(v=expr)} THEN '({both('labs_hidden_value')})' ELSE {expr} END"
