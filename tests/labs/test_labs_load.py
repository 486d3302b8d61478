"""The loader on real files: encodings, separators, decimal commas, .xlsx, Parquet, broken rows, mappings."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow.parquet as pq
import pytest

from lce_utils.engagement import load_visits
from lce_utils.engagement.load import detect_encoding, detect_separator
from lce_utils.engagement.pseudonymise import pseudonymise
from lce_utils.errors import DataError

KEY = "test-key-not-secret"
HEADER = ["Datum", "Kundnummer", "Evenemang", "Biljettyp", "Pris", "Kanal", "Postnummer", "Födelseår", "Kön"]
ROWS = [
    ["2024-03-01 19:00", "K1", "Fröken Julie – premiär", "Ordinarie", "250", "Webb", "211 19", "1980", "Kvinna"],
    ["2024-03-02", "K2", "Hamlet", "Student", "150.50", "Kassa", "22100", "2001", "M"],
    ["2024-03-02", "K1", "Hamlet", "Ordinarie", "1000", "Webb", "", "", ""],
]


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("LCE_LABS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("LCE_LABS_PSEUDONYM_KEY", KEY)


def write_text(path, rows, sep=",", decimal=".", encoding="utf-8", header=HEADER):
    lines = [sep.join(header)]
    for row in rows:
        cells = [c.replace(".", decimal) if i == 4 else c for i, c in enumerate(row)]
        if decimal == "," and sep == ",":
            cells = [f'"{c}"' if "," in c else c for c in cells]
        lines.append(sep.join(cells))
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def check_rows(loaded):
    frame = loaded.frame
    assert len(frame) == 3
    assert list(frame["price"]) == [250.0, 150.5, 1000.0]
    assert list(frame["gender"]) == ["woman", "man", "unknown"]
    assert list(frame["postcode"].fillna("-")) == ["21119", "22100", "-"]
    assert list(frame["age"].astype("Int64").fillna(-1)) == [44, 23, -1]
    assert frame["event"].iloc[0] == "Fröken Julie – premiär"
    assert frame["ts"].iloc[0] == pd.Timestamp("2024-03-01 19:00")
    assert list(frame["visitor_id"]) == [pseudonymise("K1", KEY), pseudonymise("K2", KEY), pseudonymise("K1", KEY)]
    assert "K1" not in set(frame["visitor_id"])
    assert loaded.rows_read == 3 and loaded.rejects.empty


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep,decimal", [(",", "."), (";", ","), ("\t", ","), (";", "."), (",", ",")])
def test_encodings_separators_and_decimal_style(tmp_path, encoding, sep, decimal):
    path = write_text(tmp_path / "export.csv", ROWS, sep, decimal, encoding)
    loaded = load_visits(path)
    check_rows(loaded)
    assert loaded.detected.separator == sep
    assert loaded.detected.decimal == decimal
    assert loaded.detected.encoding == encoding


def test_tsv_and_txt_suffixes(tmp_path):
    check_rows(load_visits(write_text(tmp_path / "export.tsv", ROWS, "\t")))
    check_rows(load_visits(write_text(tmp_path / "export.txt", ROWS, ";", ",")))


def test_detectors():
    assert detect_encoding("Kön;Pris\n".encode("cp1252")) == "cp1252"
    assert detect_encoding("Kön;Pris\n".encode()) == "utf-8"
    assert detect_encoding("Kön".encode("utf-8-sig")) == "utf-8-sig"
    assert detect_separator("a;b;c\n1;2,5;3\n") == ";"
    assert detect_separator("a\tb\n1\t2\n") == "\t"


def test_xlsx_first_and_named_sheet(tmp_path):
    frame = pd.DataFrame(ROWS, columns=HEADER)
    frame["Datum"] = [dt.datetime(2024, 3, 1, 19), dt.datetime(2024, 3, 2), dt.datetime(2024, 3, 2)]
    frame["Pris"] = [250, 150.5, 1000]
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Info": ["not the data"]}).to_excel(writer, sheet_name="Om", index=False)
        frame.to_excel(writer, sheet_name="Biljetter", index=False)
    with pytest.raises(DataError, match="timestamp"):
        load_visits(path)  # the first sheet has no date column
    check_rows(load_visits(path, {"sheet": "Biljetter"}))
    with pytest.raises(DataError, match="sheet 'Saknas' not found"):
        load_visits(path, {"sheet": "Saknas"})


def test_parquet_input(tmp_path):
    frame = pd.DataFrame(ROWS, columns=HEADER)
    frame["Pris"] = [250.0, 150.5, 1000.0]
    frame.to_parquet(tmp_path / "export.parquet")
    check_rows(load_visits(tmp_path / "export.parquet"))


def test_summary_line_and_broken_rows_are_rejected_with_row_and_reason(tmp_path):
    rows = [r[:] for r in ROWS] + [["2024-02-30", "K3", "Hamlet", "Ordinarie", "100", "Webb", "", "", ""],
                                    ["2024-03-03", "K3", "Hamlet", "Ordinarie", "abc", "Webb", "", "", ""],
                                    ["2024-03-03", "K3", "Hamlet", "Ordinarie", "-10", "Webb", "", "", ""],
                                    ["", "K4", "Hamlet", "Ordinarie", "100", "Webb", "", "", ""],
                                    ["Summa", "", "", "", "1400", "", "", "", ""]]
    path = write_text(tmp_path / "export.csv", rows, ";")
    loaded = load_visits(path, max_reject_share=0.9)
    assert len(loaded.frame) == 3 and loaded.rows_read == 8
    assert loaded.rejects.to_dict("records") == [
        {"row": 5, "column": "timestamp", "reason": "timestamp is not a valid date", "value": "2024-02-30"},
        {"row": 6, "column": "price", "reason": "price is not a number", "value": "abc"},
        {"row": 7, "column": "price", "reason": "price is negative", "value": "-10"},
        {"row": 8, "column": "timestamp", "reason": "timestamp is empty", "value": ""},
        {"row": 9, "column": "timestamp", "reason": "summary line", "value": "Summa"},  # nothing of other columns
    ]


def test_too_many_rejects_stop_with_column_and_examples(tmp_path):
    rows = [r[:] for r in ROWS] + [["2024-13-01", "K3", "Hamlet", "Ordinarie", "100", "Webb", "", "", ""]]
    path = write_text(tmp_path / "export.csv", rows)
    with pytest.raises(DataError) as err:
        load_visits(path)
    message = str(err.value)
    assert "1 of 4 rows (25%)" in message and "column timestamp" in message and "'Datum'" in message
    assert "row 5: timestamp is not a valid date ('2024-13-01')" in message
    assert len(load_visits(path, max_reject_share=0.25).frame) == 3


def test_missing_required_column_names_the_columns_found(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Kundnummer,Pris\nK1,100\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"Kolumner i filen: Kundnummer, Pris.* / required column\(s\) timestamp not "
                                        r"found. Columns found: Kundnummer, Pris"):
        load_visits(path)


def test_empty_file_and_header_only(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(DataError, match="empty.csv: filen är tom / the file is empty"):
        load_visits(tmp_path / "empty.csv")
    (tmp_path / "header.csv").write_text("Datum;Pris\n", encoding="utf-8")
    with pytest.raises(DataError, match="header.csv: filen har en rubrikrad men inga datarader / the file has a "
                                        "header but no data rows"):
        load_visits(tmp_path / "header.csv")
    (tmp_path / "visits.xls").write_bytes(b"\xd0\xcf")
    with pytest.raises(DataError, match="visits.xls: kan inte läsas som kalkylark: .* / cannot be read as a "
                                        "spreadsheet"):
        load_visits(tmp_path / "visits.xls")


def test_direct_identifiers_never_reach_the_data(tmp_path):
    pnr = ["19" + "800101" + "1234", "20" + "010203" + "4321", "19" + "800101" + "1234"]
    mail = ["anna" + "@" + "example.org", "bo" + "@" + "example.org", "anna" + "@" + "example.org"]
    header = HEADER + ["Personnummer", "E-post", "Namn"]
    rows = [r + [pnr[i], mail[i], "Anna Andersson"] for i, r in enumerate(ROWS)]
    path = write_text(tmp_path / "export.csv", rows, ";", header=header)
    loaded = load_visits(path)
    check_rows(loaded)
    assert loaded.dropped_columns == ["Personnummer", "E-post", "Namn"]
    assert set(loaded.frame.columns) == {"ts", "visitor_id", "event", "ticket_type", "price", "channel", "postcode",
                                         "age", "gender"}
    stored = pq.read_table(loaded.prepared.visits_path).to_pandas().astype(str).to_csv()
    stored += "".join(p.read_text(encoding="utf-8") for p in loaded.prepared.dir.glob("*.csv"))
    stored += (loaded.prepared.dir / "meta.json").read_text(encoding="utf-8")
    for secret in pnr + mail + ["Anna Andersson", "K1", KEY]:
        assert secret not in stored


def test_mapping_file_columns_and_values(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Spelkväll;Kund;Föreställning;Pris (kr);Kön;Ålder\n"
                    "2024-05-01;9;Tosca;300,00;K;40\n2024-05-01;8;Tosca;300,00;M;17\n"
                    "2024-05-02;7;Tosca;300,00;X;\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  timestamp: Spelkväll\n  visitor_id: Kund\n  price: Pris (kr)\n"
                       "values:\n  gender: {K: woman, M: man, X: other}\n", encoding="utf-8")
    loaded = load_visits(path, mapping)
    assert list(loaded.frame["gender"]) == ["woman", "man", "other"]
    assert list(loaded.frame["age"].astype("Int64").fillna(-1)) == [40, 17, -1]
    assert loaded.columns == {"timestamp": "Spelkväll", "visitor_id": "Kund", "event": "Föreställning",
                              "price": "Pris (kr)", "age": "Ålder", "gender": "Kön"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  timestamp: Datum\n", encoding="utf-8")
    with pytest.raises(DataError, match="names column 'Datum' for timestamp, but the file has no such column"):
        load_visits(path, bad)
    bad.write_text("columns:\n  when: Spelkväll\n", encoding="utf-8")
    with pytest.raises(DataError, match="columns.when is not a canonical column"):
        load_visits(path, bad)
    bad.write_text("values:\n  gender: {K: female}\n", encoding="utf-8")
    with pytest.raises(DataError, match="values.gender maps to"):
        load_visits(path, bad)


def test_gender_labels_are_normalised_without_a_mapping(tmp_path):
    labels = ["Kvinna", "Man", "Annat", "Vill ej uppge", "K", "M", "Female", "Male", "Other", "", "kvinna", "okänt"]
    expected = ["woman", "man", "other", "unknown", "woman", "man", "woman", "man", "other", "unknown", "woman",
                "unknown"]
    path = tmp_path / "export.csv"
    path.write_text("Date,Gender\n" + "".join(f"2024-01-0{1 + i % 9},{g}\n" for i, g in enumerate(labels)),
                    encoding="utf-8")
    assert list(load_visits(path).frame["gender"]) == expected


def test_validated_data_is_cached_by_content(tmp_path):
    path = write_text(tmp_path / "export.csv", ROWS)
    first = load_visits(path).prepared
    again = load_visits(path).prepared
    assert first.dir == again.dir
    assert first.meta["content_hash"] == again.meta["content_hash"]
    write_text(path, ROWS[:2])
    changed = load_visits(path)
    assert changed.prepared.dir != first.dir and len(changed.frame) == 2
