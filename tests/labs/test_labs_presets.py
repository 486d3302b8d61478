"""Built-in presets (`--preset`) for the exports of real systems: each read through its preset with the figures
computed independently here, `labs check` suggesting the preset the headers fit, and systems whose layout could
not be verified refused with a message saying so."""

from __future__ import annotations

import csv
import json
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from lce_utils.cli import main
from lce_utils.engagement import open_lab
from lce_utils.engagement.mapping import VISIT_SYNONYMS, load_mapping, resolve_columns
from lce_utils.engagement.presets import UNVERIFIED, preset_names, preset_path, suggest_preset
from lce_utils.errors import DataError


def _address(i: int) -> str:
    return f"guest{i}" + "@" + "example.org"  # built in code: no literal address in git


def _write_csv(path, header: list[str], rows: list[list], prefix: str = "") -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(prefix)
        writer = csv.writer(handle, lineterminator="\n")  # one line ending, as the systems write
        writer.writerow(header)
        writer.writerows(rows)


EVENTBRITE_HEADER = ["Order #", "Order Date", "First Name", "Last Name", "Email", "Quantity", "Price Tier",
                     "Ticket Type", "Attendee #", "Group", "Order Type", "Currency", "Total Paid", "Fees Paid",
                     "Eventbrite Fees", "Eventbrite Payment Processing", "Attendee Status"]


def _eventbrite(path) -> None:
    # (order, date, guest, ticket type, total paid, status); guest 1 comes twice, guest 4 asks for a refund.
    lines = [(101, "2025-03-10 18:05", 1, "General Admission", "250.00", "Attending"),
             (102, "2025-03-10 18:07", 2, "General Admission", "250.00", "Checked In"),
             (103, "2025-03-11 09:30", 3, "Student", "120.00", "Attending"),
             (104, "2025-03-11T10:00:00", 4, "General Admission", "250.00", "Refunded"),
             (105, "2025-03-12 12:00", 5, "Student", "120.00", "Not Attending"),
             (106, "2025-03-14 20:15", 1, "Student", "120.00", "Attending"),
             (107, "2025-03-15 11:00", 6, "Complimentary", "0.00", "Attending")]
    rows = [[order, date, f"Förnamn{g}", f"Efternamn{g}", _address(g), 1, "", ticket, order - 100, "",
             "Eventbrite Completed", "SEK", paid, "0.00", "0.00", "0.00", status]
            for order, date, g, ticket, paid, status in lines]
    _write_csv(path, EVENTBRITE_HEADER, rows)


def _koha(path) -> None:
    rows = [["2025-02-03 10:15:00", "CPL", "0.0000", "issue", "", 501, "BK", 11],
            ["2025-02-03 10:16:00", "CPL", "0.0000", "issue", "", 502, "DVD", 11],
            ["2025-02-04 14:00:00", "CPL", "0.0000", "localuse", "", 503, "BK", ""],
            ["2025-02-05 09:00:00", "MPL", "0.0000", "issue", "", 504, "BK", 12],
            ["2025-02-10 16:30:00", "CPL", "0.0000", "return", "", 501, "BK", 11],
            ["2025-02-11 11:00:00", "CPL", "0.0000", "renew", "", 502, "DVD", 11],
            ["2025-02-12 12:00:00", "MPL", "5.0000", "payment", "", "", "", 12],
            ["2025-02-20 13:45:00", "MPL", "0.0000", "issue", "", 505, "BK", 13]]
    _write_csv(path, ["datetime", "branch", "value", "type", "other", "itemnumber", "itemtype", "borrowernumber"],
               rows)


GA4_BLOCK = """# ----------------------------------------
# Traffic acquisition: Session primary channel group (Default Channel Group)
# Account: Fictitious Museum
# Property: Fictitious Museum - GA4
# ----------------------------------------
#
# All Users
# Start date: 20250301
# End date: 20250305
"""


def _ga4(path) -> None:
    rows = [["20250301", 140], ["20250302", 95], ["20250303", 4], ["20250304", 0], ["20250305", 61]]
    _write_csv(path, ["Date", "Sessions"], rows, prefix=GA4_BLOCK)


PRETIX_HEADER = ["Event slug", "Order code", "Position ID", "Status", "Email", "Phone number", "Order date",
                 "Order time", "Product", "Variation", "Price", "Tax rate", "Tax rule", "Tax value", "Attendee name",
                 "Attendee email", "Company", "Address", "ZIP code", "City", "Country", "State", "Voucher",
                 "Pseudonymization ID", "Seat ID", "Seat name", "Seat zone", "Seat row", "Seat number",
                 "Order comment", "Follow-up date", "Company", "Invoice address name", "Address", "ZIP code", "City",
                 "Country", "State", "VAT ID", "Sales channel", "Order locale", "E-mail address verified",
                 "Payment providers"]


def _pretix(path) -> None:
    # (order, position, status, guest, date, product, price, attendee postcode)
    lines = [("AB12C", 1, "paid", 1, "2025-04-01", "Adult", "180.00", "211 19"),
             ("AB12C", 2, "paid", 1, "2025-04-01", "Child", "90.00", "211 19"),
             ("CD34E", 1, "canceled", 2, "2025-04-02", "Adult", "180.00", "22100"),
             ("EF56G", 1, "paid", 3, "2025-04-03", "Adult", "180.00", "25221"),
             ("GH78J", 1, "pending", 4, "2025-04-03", "Adult", "180.00", ""),
             ("JK90L", 1, "expired", 5, "2025-04-04", "Child", "90.00", "")]
    rows = []
    for order, pos, status, g, date, product, price, postcode in lines:
        rows.append(["spring-concert", order, pos, status, _address(g), "", date, "19:30:00", product, "", price,
                     "6.00", "", "0.00", f"Namn {g}", "", "", "", postcode, "Malmö", "SE", "", "",
                     f"PSEUDO{g}{pos}", "", "", "", "", "", "", "", "", f"Namn {g}", "", postcode, "Malmö", "SE", "",
                     "", "web", "sv", "Yes", "Card"])
    _write_csv(path, PRETIX_HEADER, rows)


def _ticket_history(i: int, constituent: int, performance: tuple[int, str, str], price_type: str, seats: int,
                    amount: float, mode_of_sale: str) -> dict:
    """One TicketHistory object as Tessitura's REST API definition (version 15.2.40) describes it."""
    perf_id, when, production = performance
    return {"Id": i, "ConstituentId": constituent, "NumberOfSeats": seats, "Amount": amount, "Role": "Purchaser",
            "TicketType": "Single", "Locations": f"A{i}", "Package": None,
            "Performance": {"Id": perf_id, "PerformanceCode": f"P{perf_id}", "PerformanceDateTime": when,
                            "Name": production},
            "Production": {"Id": perf_id // 10, "Description": production},
            "PriceType": {"Id": len(price_type), "Description": price_type},
            "ModeOfSale": {"Id": 3, "Description": mode_of_sale, "Inactive": False},
            "Order": {"Id": 9000 + i, "OrderDateTime": "2025-02-20T10:00:00+01:00"},
            "Zone": {"Id": 1, "Description": "Parkett", "ShortDescription": "PK", "Rank": 1, "ZoneMapId": 1}}


def _flatten(value, prefix: str = "") -> dict[str, str]:
    """tq's --out csv (tq/json.go FlattenJSONMap): Parent.Field names, each cell the field's raw JSON value."""
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else key))
        return out
    return {prefix: json.dumps(value, ensure_ascii=False)}  # the API's bytes as they came: UTF-8, not \u escapes


def _tessitura(path) -> list[dict]:
    # Performances on Swedish local time, one in summer time and one written in UTC that is 1 April in Sweden.
    concert = (101, "2025-03-01T19:30:00+01:00", "Vårkonsert")
    matinee = (102, "2025-03-02T15:00:00+01:00", "Vårkonsert")
    late = (111, "2025-03-31T23:30:00+00:00", "Nattjazz")
    summer = (121, "2025-06-14T18:00:00+02:00", "Sommarscen")
    records = [_ticket_history(1, 5001, concert, "Adult", 2, 500.0, "Web"),
               _ticket_history(2, 5002, concert, "Student", 1, 120.0, "Box Office"),
               _ticket_history(3, 5001, matinee, "Adult", 3, 750.0, "Web"),
               _ticket_history(4, 5003, late, "Adult", 1, 250.0, "Web"),
               _ticket_history(5, 5004, summer, "Child", 4, 360.0, "Box Office"),
               _ticket_history(6, 5005, summer, "Comp", 0, 0.0, "Box Office")]
    flat = [_flatten(r) for r in records]
    header = sorted({key for row in flat for key in row})                 # tq sorts the header
    _write_csv(path, header, [[row.get(key, "") for key in header] for row in flat])
    return records


def test_every_preset_is_a_valid_mapping_that_says_where_it_comes_from():
    shipped = [name for name in preset_names() if name not in UNVERIFIED]
    assert shipped == ["eventbrite", "ga4", "koha", "pretix", "tessitura", "tickster"]
    for name in shipped:
        path = preset_path(name)
        text = path.read_text(encoding="utf-8")
        assert "Where the layout comes from" in text and "Not verified" in text, name
        assert load_mapping(path).columns, name


@pytest.mark.slow
def test_eventbrite_attendee_summary(tmp_path, capsys):
    path = tmp_path / "attendee-summary.csv"
    _eventbrite(path)
    raw = pd.read_csv(path, dtype=str)
    counted = raw[~raw["Attendee Status"].isin(["Refunded", "Not Attending"])]
    quantity = pd.to_numeric(counted["Quantity"])
    visits = int(quantity.sum())
    revenue = float((quantity * pd.to_numeric(counted["Total Paid"])).sum())
    assert (visits, revenue) == (5, 740.0)                          # 250 + 250 + 120 + 120 + 0
    lab = open_lab(path, mapping_path=preset_path("eventbrite"), k=1)
    try:
        assert lab.metrics["visits"] == visits and lab.metrics["revenue_sek"] == revenue
        assert lab.metrics["unique_visitors"] == counted["Email"].nunique() == 4
        assert lab.meta["rows_excluded"] == {"status Not Attending": 1, "status Refunded": 1}
        assert {"First Name", "Last Name"} <= set(lab.meta["dropped_columns"])
    finally:
        lab.con.close()

    # Without the preset `labs check` cannot find the date, and says which preset fits.
    assert main(["labs", "check", "--data", str(path)]) == 1
    captured = capsys.readouterr()
    assert "Preset: the headers fit --preset eventbrite (6 of its 6 columns)" in captured.out
    assert "required column(s) timestamp not found" in captured.err and "--preset eventbrite" in captured.err
    assert main(["labs", "check", "--data", str(path), "--preset", "eventbrite", "--k", "1"]) == 0
    out = capsys.readouterr().out
    assert "timestamp    <- Order Date" in out and "status       <- Attendee Status" in out
    assert "OK: the file can be analysed" in out and "Preset:" not in out
    assert _address(1) not in out

    assert main(["labs", "run", "--data", str(path), "--preset", "eventbrite", "--out", str(tmp_path / "out"),
                 "--no-notebooks", "--k", "1"]) == 0
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert (metrics["visits"], metrics["revenue_sek"]) == (visits, revenue)


@pytest.mark.slow
def test_koha_circulation_statistics(tmp_path, capsys):
    path = tmp_path / "statistics.csv"
    _koha(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    used = raw[raw["type"].isin(["issue", "localuse"])]
    assert len(used) == 5
    lab = open_lab(path, mapping_path=preset_path("koha"), k=1)
    try:
        assert lab.metrics["visits"] == len(used)
        assert lab.metrics["unique_visitors"] == used.loc[used["borrowernumber"] != "", "borrowernumber"].nunique()
        assert lab.meta["rows_excluded"] == {"status payment": 1, "status renew": 1, "status return": 1}
        assert lab.meta["columns"] == {"timestamp": "datetime", "visitor_id": "borrowernumber",
                                       "ticket_type": "itemtype", "status": "type"}
        assert not lab.meta["has"]["price"]                         # fines are not ticket revenue
    finally:
        lab.con.close()
    assert main(["labs", "check", "--data", str(path)]) == 0        # readable without it, but counts every row
    assert "Preset: the headers fit --preset koha (4 of its 4 columns)" in capsys.readouterr().out


@pytest.mark.slow
def test_ga4_sessions_per_day(tmp_path, capsys):
    path = tmp_path / "ga4-export.csv"
    _ga4(path)
    raw = pd.read_csv(path, comment="#", dtype=str)
    sessions = int(pd.to_numeric(raw["Sessions"]).sum())
    assert sessions == 300
    lab = open_lab(path, mapping_path=preset_path("ga4"), k=1)
    try:
        assert lab.metrics["visits"] == sessions
        assert lab.meta["row_meaning"] == "count" and lab.meta["rows_excluded"] == {"count 0": 1}
        assert (lab.meta["period_start"], lab.meta["period_end"]) == ("2025-03-01", "2025-03-05")
        assert lab.metrics["unique_visitors"] is None               # aggregated: no individual visitors
    finally:
        lab.con.close()
    assert main(["labs", "check", "--data", str(path)]) == 0
    assert "Preset: the headers fit --preset ga4 (2 of its 2 columns)" in capsys.readouterr().out
    assert main(["labs", "check", "--data", str(path), "--preset", "ga4"]) == 0
    assert "Varje rad är / Each row is: count (column 'Sessions')" in capsys.readouterr().out


@pytest.mark.slow
def test_pretix_order_positions(tmp_path, capsys):
    path = tmp_path / "spring-concert_orders.csv"
    _pretix(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    counted = raw[raw["Status"] == "paid"]
    revenue = float(pd.to_numeric(counted["Price"]).sum())
    assert (len(counted), revenue) == (3, 450.0)
    lab = open_lab(path, mapping_path=preset_path("pretix"), k=1)
    try:
        assert lab.metrics["visits"] == len(counted) and lab.metrics["revenue_sek"] == revenue
        assert lab.metrics["unique_visitors"] == counted["Email"].nunique() == 2
        assert lab.meta["rows_excluded"] == {"status canceled": 1, "status expired": 1, "status pending": 1}
        assert {"Attendee name", "Invoice address name", "Phone number"} <= set(lab.meta["dropped_columns"])
        assert lab.meta["columns"]["postcode"] == "ZIP code"
    finally:
        lab.con.close()
    assert main(["labs", "check", "--data", str(path)]) == 1
    assert "Preset: the headers fit --preset pretix (8 of its 8 columns)" in capsys.readouterr().out


@pytest.mark.slow
def test_tessitura_ticket_history_as_written_by_tq(tmp_path, capsys):
    path = tmp_path / "ticket-history.csv"
    records = _tessitura(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert raw.loc[0, "PriceType.Description"] == '"Adult"'                # text keeps its JSON quotes
    when = pd.to_datetime(raw["Performance.PerformanceDateTime"].map(json.loads), utc=True)
    local = when.dt.tz_convert(ZoneInfo("Europe/Stockholm"))
    seats = pd.to_numeric(raw["NumberOfSeats"])
    counted = seats > 0
    assert int(seats.sum()) == sum(r["NumberOfSeats"] for r in records) == 11
    assert str(local[2].date()) == "2025-03-02" and str(local[3].date()) == "2025-04-01"
    lab = open_lab(path, mapping_path=preset_path("tessitura"), k=1)
    try:
        assert lab.metrics["visits"] == int(seats.sum())
        assert lab.metrics["unique_visitors"] == raw.loc[counted, "ConstituentId"].nunique() == 4
        assert lab.meta["rows_excluded"] == {"quantity 0": 1}
        assert (lab.meta["period_start"], lab.meta["period_end"]) == (str(local.min().date()), str(local.max().date()))
        assert lab.meta["columns"] == {"timestamp": "Performance.PerformanceDateTime", "visitor_id": "ConstituentId",
                                       "event": "Production.Description", "ticket_type": "PriceType.Description",
                                       "channel": "ModeOfSale.Description", "quantity": "NumberOfSeats"}
        assert not lab.meta["has"]["price"] and lab.metrics["revenue_sek"] is None   # Amount is not guessed
        hours = lab.con.execute("SELECT DISTINCT hour(ts) FROM visits ORDER BY 1").fetchall()
        assert [h for (h,) in hours] == sorted({t.hour for t in local[counted]}) == [1, 15, 18, 19]
    finally:
        lab.con.close()
    assert main(["labs", "check", "--data", str(path)]) == 1           # its date needs the preset's date_format
    assert "Preset: the headers fit --preset tessitura (6 of its 6 columns)" in capsys.readouterr().out
    assert main(["labs", "check", "--data", str(path), "--preset", "tessitura", "--k", "1"]) == 0
    out = capsys.readouterr().out
    assert "price        <- (saknas / not in file)" in out and "quantity     <- NumberOfSeats" in out
    assert "OK: the file can be analysed" in out and "Amount, Id, Locations" in out  # Amount listed as ignored
    assert main(["labs", "run", "--data", str(path), "--preset", "tessitura", "--out", str(tmp_path / "out"),
                 "--no-notebooks", "--k", "1"]) == 0
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert (metrics["visits"], metrics["revenue_sek"]) == (int(seats.sum()), None)


def test_tessitura_flattened_without_tq_quotes_is_refused_naming_the_column(tmp_path):
    # Same column names (pandas json_normalize), no JSON quotes: the preset's date_format does not fit, and says so.
    plain = tmp_path / "tickethistory-normalized.csv"
    pd.json_normalize(_tessitura(tmp_path / "tq.csv")).to_csv(plain, index=False)
    with pytest.raises(DataError) as refused:
        open_lab(plain, mapping_path=preset_path("tessitura"), k=1)
    assert "column 'Performance.PerformanceDateTime'" in str(refused.value)
    assert "timestamp is not a valid date ('2025-03-01T19:30:00+01:00')" in str(refused.value)


def test_an_empty_column_name_means_the_file_has_none():
    found = ["Datum", "Amount", "Antal"]
    assert resolve_columns(found, {"timestamp": "Datum"}, VISIT_SYNONYMS, ("timestamp",), "t")["price"] == "Amount"
    chosen = resolve_columns(found, {"timestamp": "Datum", "price": ""}, VISIT_SYNONYMS, ("timestamp",), "t")
    assert chosen == {"timestamp": "Datum", "quantity": "Antal"}


def test_suggestion_needs_most_of_a_presets_columns():
    assert suggest_preset(["Datum", "Kundnummer", "Pris"]) is None
    assert suggest_preset(["Date", "Visitors"]) is None                  # one of GA4's two columns
    assert suggest_preset(["Order Date", "Email", "Quantity", "Ticket Type", "Notes"]) == ("eventbrite", 4, 6)
    assert suggest_preset(["Order Date", "Email", "Notes"]) is None      # 2 of 6


def test_unverified_systems_are_refused_with_the_reason(tmp_path, capsys, monkeypatch):
    # None is unverified at present (Tickster got its preset): the refusal is checked on a fictitious system.
    assert UNVERIFIED == {}
    name = "fictitious"
    monkeypatch.setitem(UNVERIFIED, name, "its vendor documents no export")
    assert name in preset_names()
    path = tmp_path / "export.csv"
    _koha(path)
    assert main(["labs", "check", "--data", str(path), "--preset", name]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"lce: error: preset {name}: finns inte") and "/ not available" in err
    assert "its vendor documents no export" in err
    assert "--mapping" in err and "mappningsfil" in err and "Traceback" not in err


def _tickster_purchase(ref: str, status: str, user: int | None, channel: str, events: list[dict],
                       goods: list[tuple[str, str, str, str]]) -> dict:
    """One purchase as Tickster's CRM purchase log serves it (the keys and their case as in the API client's test
    response crm-purchases-ok.json): buyer fields on the purchase, goods (type, name, price, event id), events."""
    return {"purchase": {
        "crmId": 6300000 + len(ref), "status": status, "purchaseRefno": ref, "parentPurchaseRefno": "",
        "createdUtc": "2025-02-20T08:39:52.823Z", "lastupdatedUtc": "2025-02-20T08:45:35.55Z", "currency": "SEK",
        "channel": channel, "userrefno": f"U{user}XK" if user else "", "firstname": f"Förnamn{user}",
        "lastname": f"Efternamn{user}", "zipcode": f"11{user or 0} 22", "city": "Exempelby", "countryCode": "SE",
        "mobilePhoneNo": "", "email": _address(user or 0), "idNo": "", "isCompany": False, "campaigns": [],
        "events": events,
        "goods": [{"goodsid": f"{ref}-{i}", "name": name, "receipttext": name, "type": kind, "artno": ref,
                   "priceIncVatAfterDiscount": price, "vatPortion": "0", "vatPercent": "0.06", "eventId": event,
                   "section": "Parkett", "seat": str(i + 1), "row": "3", "packageId": None, "tags": []}
                  for i, (kind, name, price, event) in enumerate(goods)]}}


def _tickster_event(event_id: str, name: str, start: str) -> dict:
    return {"id": event_id, "name": name, "start": start, "end": start, "productionId": "", "productionName": name,
            "hasTableReservation": False, "tags": [],
            "venue": {"id": "v1", "name": "Stora scenen", "address": "Storgatan 1", "zipcode": "11122",
                      "city": "Exempelby", "country": "SE"}}


def _tickster_log() -> dict:
    # Times as the API writes them: with an offset, or in UTC (17:00Z is 19:00 in Sweden in May).
    march = _tickster_event("ev1march", "Vårkonsert", "2025-03-07T19:00:00+01:00")
    april = _tickster_event("ev2april", "Aprilshow", "2025-04-02T18:30:00+02:00")
    may = _tickster_event("ev3may", "Majkväll", "2025-05-01T17:00:00Z")
    return {"purchases": [
        # two tickets and a meal voucher (not a visit) in one purchase
        _tickster_purchase("P1", "Completed", 1, "Webshop", [march], [("Ticket", "Ordinarie", "250.00", "ev1march"),
                                                                     ("Ticket", "Ordinarie", "250.00", "ev1march"),
                                                                     ("Voucher", "Mat", "95.50", "ev1march")]),
        _tickster_purchase("P2", "Refunded", 2, "Webshop", [march], [("Ticket", "Ordinarie", "250.00", "ev1march")]),
        # the event id in another case than on the event, as in the client's own test data
        _tickster_purchase("P3", "Completed", 1, "Backoffice", [april], [("Ticket", "Student", "120.50", "EV2APRIL")]),
        _tickster_purchase("P4", "Completed", 3, "Webshop", [april], [("Package", "Helgpaket", "0", ""),
                                                                     ("Ticket", "Ordinarie", "250.00", "ev2april"),
                                                                     ("Ticket", "Ordinarie", "250.00", "ev2april"),
                                                                     ("Ticket", "Ordinarie", "250.00", "ev2april")]),
        _tickster_purchase("P5", "Completed", 4, "Webshop", [], []),          # the client's "unsynced refund"
        _tickster_purchase("P6", "AwaitingPayment", 4, "Webshop", [april],
                           [("Ticket", "Ordinarie", "250.00", "ev2april")]),
        _tickster_purchase("P7", "Cancelled", 5, "Webshop", [may], [("Ticket", "Ordinarie", "250.00", "ev3may"),
                                                                   ("Ticket", "Ordinarie", "250.00", "ev3may")]),
        _tickster_purchase("P8", "Completed", 2, "TicksterPhoneSales", [may],
                           [("Ticket", "Fribiljett", "0", "ev3may")])]}


@pytest.mark.slow
def test_tickster_purchase_log_converted_and_read_through_the_preset(tmp_path, capsys):
    from lce_utils.engagement.tickster import write_csv

    log = _tickster_log()
    source = tmp_path / "purchases.json"
    source.write_text(json.dumps(log, ensure_ascii=False), encoding="utf-8")
    path = tmp_path / "tickster.csv"
    # Worked out from the purchases above by hand: tickets of completed purchases P1 (2), P3 (1), P4 (3), P8 (1).
    tickets = [(p["purchase"]["status"], p["purchase"]["userrefno"], float(g["priceIncVatAfterDiscount"]))
               for p in log["purchases"] for g in p["purchase"]["goods"] if g["type"] == "Ticket"]
    counted = [t for t in tickets if t[0] == "Completed"]
    assert (len(tickets), len(counted), sum(t[2] for t in counted)) == (11, 7, 1370.5)
    assert write_csv(source, path) == len(tickets)
    text = path.read_text(encoding="utf-8")
    assert "example.org" not in text and "Förnamn" not in text and "Efternamn" not in text  # never written
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert set(raw["Goods.Type"]) == {"Ticket"} and raw["Event.Start"].ne("").all()     # EV2APRIL found
    lab = open_lab(path, mapping_path=preset_path("tickster"), k=1)
    try:
        assert lab.metrics["visits"] == len(counted) == 7
        assert lab.metrics["revenue_sek"] == 1370.5                  # 250 + 250 + 120.50 + 3 × 250 + 0
        assert lab.metrics["unique_visitors"] == len({t[1] for t in counted}) == 3
        assert lab.meta["rows_excluded"] == {"status Refunded": 1, "status AwaitingPayment": 1,
                                             "status Cancelled": 2}
        assert (lab.meta["period_start"], lab.meta["period_end"]) == ("2025-03-07", "2025-05-01")
        hours = lab.con.execute("SELECT DISTINCT hour(ts) FROM visits ORDER BY 1").fetchall()
        assert [h for (h,) in hours] == [18, 19]                     # 17:00Z is 19:00 in Swedish summer time
    finally:
        lab.con.close()
    assert main(["labs", "check", "--data", str(path), "--k", "1"]) == 1   # Event.Start is not a known date name
    assert "Preset: the headers fit --preset tickster (8 of its 8 columns)" in capsys.readouterr().out
    assert main(["labs", "check", "--data", str(path), "--preset", "tickster", "--k", "1"]) == 0
    out = capsys.readouterr().out
    assert "timestamp    <- Event.Start" in out and "status       <- Purchase.Status" in out
    assert "11 read, 0 rejected" in out and "OK: the file can be analysed" in out
    assert main(["labs", "run", "--data", str(path), "--preset", "tickster", "--out", str(tmp_path / "out"),
                 "--no-notebooks", "--k", "1"]) == 0
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert (metrics["visits"], metrics["revenue_sek"]) == (7, 1370.5)


def test_tickster_converter_refuses_what_is_not_a_purchase_log(tmp_path):
    from lce_utils.engagement.tickster import write_csv

    other = tmp_path / "other.json"
    other.write_text(json.dumps({"events": []}), encoding="utf-8")
    with pytest.raises(DataError, match=r"other\.json: inte Tickster-köp som JSON .* / not Tickster purchases"):
        write_csv(other, tmp_path / "out.csv")


def test_tickster_purchase_log_read_as_it_is_saved_from_the_api(tmp_path, capsys):
    # the JSON itself, no conversion step: the same figures as the converted CSV above, the preset applied by itself
    source = tmp_path / "purchases.json"
    source.write_text(json.dumps(_tickster_log(), ensure_ascii=False), encoding="utf-8")
    lab = open_lab(source, k=1)
    try:
        assert (lab.metrics["visits"], lab.metrics["revenue_sek"], lab.metrics["unique_visitors"]) == (7, 1370.5, 3)
        assert lab.meta["rows_excluded"] == {"status Refunded": 1, "status AwaitingPayment": 1,
                                             "status Cancelled": 2}
    finally:
        lab.con.close()
    assert main(["labs", "check", "--data", str(source), "--k", "1"]) == 0
    out = capsys.readouterr().out
    assert "timestamp    <- Event.Start" in out and "11 read, 0 rejected" in out
    assert main(["labs", "run", "--data", str(source), "--out", str(tmp_path / "out"), "--no-notebooks",
                 "--k", "1"]) == 0
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert (metrics["visits"], metrics["revenue_sek"]) == (7, 1370.5)
    cached = [p for p in tmp_path.rglob("*") if p.suffix == ".csv" and "example.org" in p.read_text("utf-8")]
    assert cached == []  # the buyers' names and addresses never leave the JSON, not even into a working copy


def test_a_json_file_that_is_not_a_tickster_purchase_log_is_refused_by_name(tmp_path):
    other = tmp_path / "visits.json"
    other.write_text(json.dumps([{"date": "2025-03-01", "visitors": 3}]), encoding="utf-8")
    with pytest.raises(DataError, match=r"visits\.json: inte Tickster-köp som JSON .* / not Tickster purchases"):
        open_lab(other, k=1)
