"""Personal data stays out of everything the labs write: rejects, the cache and `lce labs check` show a rejected
row's number, column, reason and (for a column that is not personal) its value; identifier columns are found by
name and by content (e-mail, phone, personnummer/samordningsnummer with a valid Luhn digit) and dropped."""

from __future__ import annotations

import pandas as pd
import pytest

from lce_utils.cli import main
from lce_utils.engagement import load_visits
from lce_utils.engagement.identifiers import content_kind, is_identifier_header, is_personnummer, luhn_ok
from lce_utils.errors import DataError

# Test numbers are written in parts, so that no committed file holds a personnummer-like string (test_hygiene).
# Valid by hand: 811218 9876 -> Luhn sum 7+1+2+2+2+8+9+8+5+6 = 50; 701063 2391 (samordningsnummer, day 63 = 3rd)
# -> 5+0+2+0+3+3+4+3+9+1 = 30; 121212 1212 -> 20. 811218 9875 has a wrong check digit.
PNR = "811218" + "-9876"
SAMORDNING = "19" + "701063" + "2391"
TOLVAN = "19" + "121212" + "-1212"
MOBILE = "070" + "1234567"
NAME, MAIL, PHONE, CUSTOMER = "Agneta Fältskog", "agneta" + "@" + "example.org", "070-123 45 67", "KUND-77123"


def test_personnummer_checksum_and_dates():
    assert luhn_ok("811218" + "9876") and luhn_ok("701063" + "2391") and luhn_ok("121212" + "1212")
    assert not luhn_ok("811218" + "9875")
    for valid in (PNR, "811218" + "9876", "19" + "811218" + "9876", "19" + PNR, SAMORDNING, "701063" + "-2391",
                  TOLVAN):
        assert is_personnummer(valid), valid
    for invalid in ("811218" + "-9875", "811318" + "-9876", "1234567890", "2024-03-01", "12345"):
        assert not is_personnummer(invalid), invalid


def test_identifier_headers():
    for header in ("Surname", "Mobile Phone", "IdNo", "eaddress", "fname", "lname", "Buyer Email", "Attendee name",
                   "Kundens personnummer", "E-post", "Namn", "Telefon"):
        assert is_identifier_header(header), header
    for header in ("Event name", "Evenemang", "Postnummer", "Kanal", "Biljettyp", "Kundnummer", "Datum"):
        assert not is_identifier_header(header), header


def test_column_content_kinds():
    assert content_kind([MAIL, "bo" + "@" + "example.se", ""]) == "e-mail"
    assert content_kind([PNR, SAMORDNING, TOLVAN, None]) == "personnummer"
    assert content_kind([PHONE, "+46 40 12 34 56", "0046" + "70" + "1234567"]) == "phone"
    # Customer numbers, dates, prices and postcodes are not identifiers.
    assert content_kind(["1234567890", "1000000001", "2000000002"]) is None
    assert content_kind(["0000012345", "0000012346", "0000099999"]) is None  # zero-padded ids, not 00 + country
    assert content_kind(["01-03-2024", "2024-03-01 19:00", "211 19", "320,00"]) is None


HEADER = ["Datum", "Kundnummer", "Namn", "E-post", "Telefon", "Personnummer", "Evenemang", "Pris"]


def export(path, rows):
    pd.DataFrame(rows, columns=HEADER).to_csv(path, sep=";", index=False)
    return path


@pytest.mark.slow
def test_rejected_rows_carry_no_personal_data(tmp_path, capsys):
    rows = [[f"2024-03-0{d} 19:00", f"K{d}", f"Person {d}", f"p{d}" + "@" + "example.org", f"070-000 00 0{d}",
             TOLVAN, "Hamlet", "200"] for d in range(1, 10)]
    rows.append(["2024-13-45 19:00", CUSTOMER, NAME, MAIL, PHONE, PNR, "Sum 41 – Live", "350"])   # row 11
    rows.append(["Summa", CUSTOMER, NAME, MAIL, PHONE, PNR, "", "2150"])                         # row 12
    rows.append(["", CUSTOMER, NAME, MAIL, PHONE, PNR, "Totalt", "2150"])                        # row 13
    rows.append(["2024-03-09 19:00", CUSTOMER, NAME, MAIL, PHONE, PNR, "Hamlet", "gratis"])     # row 14
    path = export(tmp_path / "export.csv", rows)
    loaded = load_visits(path, max_reject_share=1.0)
    assert loaded.rejects.to_dict("records") == [
        {"row": 11, "column": "timestamp", "reason": "timestamp is not a valid date", "value": "2024-13-45 19:00"},
        {"row": 12, "column": "timestamp", "reason": "summary line", "value": "Summa"},
        {"row": 13, "column": "timestamp", "reason": "summary line", "value": ""},
        {"row": 14, "column": "price", "reason": "price is not a number", "value": "gratis"},
    ]
    assert loaded.dropped_columns == ["Namn", "E-post", "Telefon", "Personnummer"]
    secrets = [CUSTOMER, NAME, MAIL, PHONE, PNR, "Person 1", "p1" + "@" + "example.org", TOLVAN]
    # Every byte of the cache: Parquet, rejects.csv, meta.json and anything DuckDB left behind.
    for stored in loaded.prepared.dir.rglob("*"):
        if stored.is_file():
            data = stored.read_bytes()
            for secret in secrets:
                assert secret.encode() not in data, (stored.name, secret)
    assert main(["labs", "check", "--data", str(path), "--max-reject-share", "1"]) == 0
    shown = capsys.readouterr().out
    assert "row 11: timestamp is not a valid date ('2024-13-45 19:00')" in shown
    for secret in secrets:
        assert secret not in shown, secret


def test_a_personal_value_in_a_rejected_column_is_hidden(tmp_path):
    rows = [[f"2024-03-0{d} 19:00", f"K{d}", "", "", "", "", "Hamlet", "200"] for d in range(1, 4)]
    rows.append([PNR, "K9", "", "", "", "", "Hamlet", "200"])
    rows.append(["2024-03-04 19:00", "K9", "", "", "", "", "Hamlet", MAIL])
    loaded = load_visits(export(tmp_path / "export.csv", rows), max_reject_share=1.0)
    assert loaded.rejects.to_dict("records") == [
        {"row": 5, "column": "timestamp", "reason": "timestamp is not a valid date", "value": "(dold / hidden)"},
        {"row": 6, "column": "price", "reason": "price is not a number", "value": "(dold / hidden)"},
    ]


@pytest.mark.slow
def test_identifiers_found_by_name_and_by_content_are_dropped(tmp_path, capsys):
    n = 6
    frame = pd.DataFrame({
        "Datum": [f"2024-04-0{i + 1} 19:00" for i in range(n)],
        "Kundnummer": [str(1000000000 + i) for i in range(n)],
        "Surname": ["Andersson"] * n, "Mobile Phone": [MOBILE] * n, "IdNo": [PNR] * n,
        "eaddress": [MAIL] * n, "fname": ["Anna"] * n, "lname": ["Berg"] * n,
        "Kontakt": [f"k{i}" + "@" + "example.org" for i in range(n)],
        "Ref": [PNR, SAMORDNING, TOLVAN, PNR, SAMORDNING, ""],
        "Nr": ["+46 40 12 34 56", "040-12 34 56", MOBILE, "", "", ""],
        "Biljettnr": [str(1234567890 + 7 * i) for i in range(n)],
        "Evenemang": ["Hamlet"] * n, "Pris": ["200"] * n,
    })
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    loaded = load_visits(path)
    assert loaded.dropped_columns == ["Surname", "Mobile Phone", "IdNo", "eaddress", "fname", "lname", "Kontakt",
                                      "Ref", "Nr"]
    assert loaded.prepared.meta["dropped_reasons"] == {
        "Surname": "header", "Mobile Phone": "header", "IdNo": "header", "eaddress": "header", "fname": "header",
        "lname": "header", "Kontakt": "e-mail", "Ref": "personnummer", "Nr": "phone"}
    assert loaded.prepared.meta["ignored_columns"] == ["Biljettnr"]
    assert len(loaded.frame) == n
    assert main(["labs", "check", "--data", str(path)]) == 0
    assert "Kontakt (e-mail values)" in capsys.readouterr().out
    # An identifier column may not be used as anything but the (pseudonymised) visitor id.
    with pytest.raises(DataError, match=r"column 'Kontakt' holds e-mail values .* cannot be used as event"):
        load_visits(path, {"columns": {"event": "Kontakt"}})
    pseudonymised = load_visits(path, {"columns": {"visitor_id": "Kontakt"}})
    assert pseudonymised.frame["visitor_id"].nunique() == n and "Kontakt" not in pseudonymised.dropped_columns
