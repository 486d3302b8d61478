"""Spreadsheets and text as institutions export them: xlsx and ods through one reader (calamine), a title block
above the header, a header-row option, merged header cells, quoted line breaks, GA4's '#' block, and a clear
bilingual message for a spreadsheet or binary file under a .csv name."""

from __future__ import annotations

import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd
import pytest

from lce_utils.cli import main
from lce_utils.engagement import load_visits
from lce_utils.errors import DataError

ROWS = [["2024-03-01 19:00", "K1", "Hamlet", "250", "Kvinna"],
        ["2024-03-02 19:00", "K2", "Carmen", "150,50", "Man"],
        ["2024-03-02 19:00", "K1", "Carmen", "1000", ""]]
HEADER = ["Datum", "Kundnummer", "Evenemang", "Pris", "Kön"]


def check(loaded):
    assert list(loaded.frame["price"]) == [250.0, 150.5, 1000.0]
    assert list(loaded.frame["gender"]) == ["woman", "man", "unknown"]
    assert list(loaded.frame["event"]) == ["Hamlet", "Carmen", "Carmen"]
    assert loaded.frame["ts"].iloc[0] == pd.Timestamp("2024-03-01 19:00")
    assert loaded.rejects.empty and loaded.rows_read == 3
    assert loaded.prepared.meta["period_start"] == "2024-03-01"


def write_xlsx(path, title_rows=0, merged_header=False):
    book = openpyxl.Workbook()
    sheet = book.active
    if title_rows:
        sheet.append(["Biljettrapport 2024 – Lilla teatern"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
        for _ in range(title_rows - 1):
            sheet.append([])
    header = HEADER + (["", "Notering"] if merged_header else [])
    sheet.append(header)
    if merged_header:  # "Kön" spans two columns: the second holds a free-text gender field
        row = title_rows + 1
        sheet.merge_cells(start_row=row, start_column=5, end_row=row, end_column=6)
    for values in ROWS:
        sheet.append(values + (["", "–"] if merged_header else []))
    book.save(path)
    return path


@pytest.mark.slow
def test_xlsx_with_a_title_block_is_found_and_numbered_as_excel_does(tmp_path):
    path = write_xlsx(tmp_path / "export.xlsx", title_rows=3)
    loaded = load_visits(path)
    check(loaded)
    # Row numbers are the sheet's: the header is row 4, so a broken third data row is row 7.
    book = openpyxl.load_workbook(path)
    book.active["A7"] = "2024-13-40"
    book.save(path)
    assert load_visits(path, max_reject_share=0.5).rejects.to_dict("records") == [
        {"row": 7, "column": "timestamp", "reason": "timestamp is not a valid date", "value": "2024-13-40"}]


def test_header_row_option_and_merged_header_cells(tmp_path):
    path = write_xlsx(tmp_path / "export.xlsx", title_rows=2, merged_header=True)
    loaded = load_visits(path, {"header_row": 3})
    check(loaded)
    assert loaded.prepared.meta["ignored_columns"] == ["Kön 2", "Notering"]
    with pytest.raises(DataError, match="header_row must be the row number of the header"):
        load_visits(path, {"header_row": 0})


def write_ods(path, rows):
    """A minimal OpenDocument spreadsheet, written by hand (mimetype first and stored, as the format requires)."""
    cells = "".join("<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>' for v in row)
        + "</table:table-row>" for row in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="Biljetter">{cells}</table:table>'
               '</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_ods(tmp_path):
    check(load_visits(write_ods(tmp_path / "export.ods", [HEADER] + ROWS), {"sheet": "Biljetter"}))


def test_quoted_line_breaks_anywhere_in_the_file(tmp_path):
    # 3 000 rows, one event name with a line break in quotes near the end (DuckDB's parallel reader refuses it).
    lines = ["Datum;Evenemang;Pris"] + [f"2024-03-0{1 + i % 9} 19:00;Hamlet;100" for i in range(2990)]
    lines.append('2024-03-05 19:00;"Fröken Julie\nGästspel";200')
    lines += [f"2024-03-0{1 + i % 9} 19:00;Carmen;300" for i in range(9)]
    lines.append("2024-13-01 19:00;Carmen;300")
    path = tmp_path / "museum.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_visits(path, max_reject_share=0.01)
    assert loaded.rows_read == 3001 and len(loaded.frame) == 3000
    assert "Fröken Julie\nGästspel" in set(loaded.frame["event"])
    assert loaded.frame["price"].sum() == 2990 * 100 + 200 + 9 * 300
    assert loaded.rejects.to_dict("records") == [  # the 3 001st record: row 3 002 as a spreadsheet counts it
        {"row": 3002, "column": "timestamp", "reason": "timestamp is not a valid date", "value": "2024-13-01 19:00"}]


GA4 = """# ----------------------------------------
# Trafikförvärv: Sessioner
# Kontonamn: Kulturhuset
# Startdatum: 20250101
# Slutdatum: 20250105
# ----------------------------------------

Datum,Sessioner
20250101,120
20250102,95
20250103,3
20250104,0
20250105,210
"""


def test_ga4_download_with_its_comment_block(tmp_path):
    path = tmp_path / "ga4.csv"
    path.write_text(GA4, encoding="utf-8")
    loaded = load_visits(path, {"columns": {"count": "Sessioner"}})
    assert loaded.prepared.meta["columns"] == {"timestamp": "Datum", "count": "Sessioner"}
    assert loaded.rows_read == 5 and len(loaded.frame) == 120 + 95 + 3 + 0 + 210
    assert loaded.prepared.meta["rows_excluded"] == {"count 0": 1}
    assert loaded.frame["ts"].min() == pd.Timestamp("2025-01-01")


def test_ga4_block_with_other_line_endings_than_the_table(tmp_path):
    # The '#' block written with LF above a table with CRLF: DuckDB's skip miscounted and read no rows at all.
    path = tmp_path / "ga4-mixed.csv"
    block, table = GA4.split("\n\n", 1)
    path.write_bytes((block + "\n").encode() + table.replace("\n", "\r\n").encode())
    loaded = load_visits(path, {"columns": {"count": "Sessioner"}})
    assert loaded.rows_read == 5 and len(loaded.frame) == 120 + 95 + 3 + 0 + 210
    assert loaded.frame["ts"].max() == pd.Timestamp("2025-01-05")


def test_spreadsheet_or_binary_under_a_csv_name(tmp_path, capsys):
    renamed = tmp_path / "biljetter.csv"
    renamed.write_bytes(write_xlsx(tmp_path / "real.xlsx").read_bytes())
    with pytest.raises(DataError) as err:
        load_visits(renamed)
    message = str(err.value)
    assert message.startswith("biljetter.csv: detta är ett kalkylark (Excel eller OpenDocument)")
    assert "(.xlsx, .xls or .ods)" in message and "byt filändelse" in message
    assert main(["labs", "check", "--data", str(renamed)]) == 1
    err_text = capsys.readouterr().err
    assert err_text.startswith("lce: error: biljetter.csv: detta är ett kalkylark") and "Traceback" not in err_text
    binary = tmp_path / "dump.txt"
    binary.write_bytes(b"Datum;Pris\n\x00\x01\x02\x00" * 10)
    with pytest.raises(DataError, match="dump.txt: detta är en binärfil, inte text"):
        load_visits(binary)


def test_legacy_xls_with_a_title_row_excel_dates_and_numbers(tmp_path):
    """A .xls (BIFF8, Excel 97-2003) read through calamine: real Excel dates and numbers, a title row above."""
    import datetime as dt

    import xlwt
    book = xlwt.Workbook()
    sheet = book.add_sheet("Biljetter")
    sheet.write(0, 0, "Biljettrapport 2024 – Lilla teatern")
    for column, name in enumerate(HEADER):
        sheet.write(2, column, name)
    when = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM")
    for row, (date, visitor, event, price, gender) in enumerate(ROWS, start=3):
        sheet.write(row, 0, dt.datetime.strptime(date, "%Y-%m-%d %H:%M"), when)
        sheet.write(row, 1, visitor)
        sheet.write(row, 2, event)
        sheet.write(row, 3, float(price.replace(",", ".")))
        sheet.write(row, 4, gender)
    path = tmp_path / "export.xls"
    book.save(path)
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # an OLE2 compound file, as Excel 97-2003 writes
    loaded = load_visits(path)
    check(loaded)
    assert loaded.detected.kind == "excel" and loaded.columns["timestamp"] == "Datum"
