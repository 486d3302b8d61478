"""Staff lists into the register: CSV and xlsx, a column mapping, every wrong row named with its column in Swedish
and English, and nothing imported when one row is wrong."""

from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest

from lce_utils.errors import DataError
from lce_utils.programme import store
from lce_utils.programme.importer import ImportRowsError, import_list
from lce_utils.programme.personnummer import make

TODAY = dt.date(2026, 12, 2)
HEADERS = ["Namn", "Personnummer", "Kön", "Startdatum", "Status", "Utbildning", "Funktionsnedsättning", "Telefon"]
MAPPING = "labour_status: Status\neducation: Utbildning\n"


def rows(n: int = 4) -> list[list[str]]:
    return [[f"Deltagare {k}", make(dt.date(1970 + k, k, 10 + k), 300 + k), ["kvinna", "man", "icke-binär"][k % 3],
             f"2026-0{k}-01", ["anställd", "arbetslös", "långtidsarbetslös", "inaktiv"][k % 4],
             ["5-8", "3-4", "0-2"][k % 3], ["ja", "nej", "avböjt", ""][k % 4], "000"] for k in range(1, n + 1)]


def write_csv(path, table, sep=";"):
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=sep).writerows(table)
    return path


def test_csv_with_a_mapping_imports_every_row(url, tmp_path):
    (tmp_path / "map.yaml").write_text(MAPPING, encoding="utf-8")
    done = import_list(write_csv(tmp_path / "list.csv", [HEADERS, *rows()]), url, tmp_path / "map.yaml", TODAY)
    assert done.participations == 4 and done.ignored_columns == ["Telefon"]
    records = store.records(url)
    assert [(r.name, r.gender, r.labour_status, r.special["disability"]) for r in records] == [
        ("Deltagare 1", "man", "unemployed", "no"), ("Deltagare 2", "non_binary", "long_term_unemployed", None),
        ("Deltagare 3", "woman", "inactive", None), ("Deltagare 4", "man", "employed", "yes")]


def test_xlsx_is_read_the_same_way(url, tmp_path):
    (tmp_path / "map.yaml").write_text(MAPPING, encoding="utf-8")
    pd.DataFrame(rows(), columns=HEADERS).to_excel(tmp_path / "list.xlsx", index=False)
    assert import_list(tmp_path / "list.xlsx", url, tmp_path / "map.yaml", TODAY).participations == 4
    assert len(store.records(url)) == 4


def test_wrong_rows_are_all_named_and_nothing_is_imported(url, tmp_path):
    (tmp_path / "map.yaml").write_text(MAPPING, encoding="utf-8")
    table = rows(6)
    good = table[1][1]
    table[1][1] = good[:-1] + str((int(good[-1]) + 1) % 10)   # row 3: a wrong check digit
    table[3][3] = "2026-13-01"                                # row 5: no such date
    table[4][2] = "okänt"                                     # row 6: no such gender
    table[5][1] = table[0][1]                                 # row 7: the person of row 2 again, overlapping
    with pytest.raises(ImportRowsError) as caught:
        import_list(write_csv(tmp_path / "list.csv", [HEADERS, *table]), url, tmp_path / "map.yaml", TODAY)
    assert caught.value.errors == [
        "rad/row 3, kolumn/column 'Personnummer': fel kontrollsiffra / wrong check digit",  # never the number
        "rad/row 5, kolumn/column 'Startdatum': väntade ett datum ÅÅÅÅ-MM-DD, fick '2026-13-01' / "
        "expected a date YYYY-MM-DD, got '2026-13-01'",
        "rad/row 6, kolumn/column 'Kön': okänt värde 'okänt', väntade woman, man, non_binary / "
        "unknown value 'okänt', expected woman, man, non_binary",
        "rad/row 7, kolumn/column 'Startdatum': personen deltar redan sedan 2026-01-01 (slut saknas) / "
        "the person already takes part since 2026-01-01 (exit none)",
    ]
    assert "4 felaktiga rader, inget importerat / 4 wrong row(s), nothing imported" in str(caught.value)
    assert store.records(url) == [], "one transaction: the good rows are not stored either"
    assert all(table[1][1] not in e for e in caught.value.errors), "an error never repeats a personnummer"


def test_a_student_id_or_email_used_twice_is_a_row_error(url, tmp_path):
    table = [["Namn", "Personnummer", "Kön", "Startdatum", "labour_status", "education", "Kursdeltagar-id",
              "E-post"]]
    for k in range(1, 4):
        table.append([f"Deltagare {k}", make(dt.date(1990, 1, k), 700 + k), "man", "2026-01-12", "inactive", "3-4",
                      "s1" if k != 2 else "s2", f"d{k}@example.org" if k != 3 else "d2@example.org"])
    with pytest.raises(ImportRowsError) as caught:
        import_list(write_csv(tmp_path / "list.csv", table), url, None, TODAY)
    assert caught.value.errors == [
        "rad/row 4, kolumn/column 'E-post': används redan av en annan deltagare / already used by another "
        "participant"]
    table[3][7] = "d3@example.org"
    with pytest.raises(ImportRowsError) as caught:
        import_list(write_csv(tmp_path / "list.csv", table), url, None, TODAY)
    assert caught.value.errors == [
        "rad/row 4, kolumn/column 'Kursdeltagar-id': används redan av en annan deltagare / already used by "
        "another participant"]
    assert store.records(url) == []


def test_a_missing_column_is_named(url, tmp_path):
    with pytest.raises(DataError, match="no column for labour_status, education \\(map it with --mapping\\)"):
        import_list(write_csv(tmp_path / "list.csv", [HEADERS, *rows(1)]), url, None, TODAY)
    (tmp_path / "map.yaml").write_text("labour_status: Arbete\n", encoding="utf-8")
    with pytest.raises(DataError, match="labour_status -> 'Arbete', but the list has no such column"):
        import_list(tmp_path / "list.csv", url, tmp_path / "map.yaml", TODAY)
