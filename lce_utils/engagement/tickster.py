"""Tickster's CRM purchase log (JSON from its API) as a CSV with one row per ticket, for `--preset tickster`.

The API (documented by Tickster's own client, github.com/tickster/tickster-api-client, src/Tickster.Api/Models/Crm)
returns {"purchases": [{"purchase": {...}}]}: each purchase holds its status and customer, a list of goods (one item
per ticket, voucher, package ...) and a list of the events those goods are for, linked by Goods[].EventId = Event.Id.
A flat file therefore needs that join: this writes each goods item of type Ticket with its purchase's and its
event's fields, named Purchase.Field, Goods.Field and Event.Field (Event.Venue.Name) after the client's models.
Only the fields below are written: names, e-mail, phone, address and IdNo never leave the JSON.

`lce labs run --data purchases.json` reads the saved response itself (in memory, through the preset); the CSV is
for other tools or a look at the rows:

    python -m lce_utils.engagement.tickster purchases.json tickster.csv
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

from lce_utils.errors import DataError
from lce_utils.messages import both

# Output column -> path in the API's JSON (keys matched without regard to case: the API writes "userrefno",
# "goodsid" and "lastupdatedUtc" where the client's models say UserRefNo, GoodsId and LastUpdatedUtc).
PURCHASE_FIELDS = ("PurchaseRefno", "CreatedUtc", "Status", "Channel", "Currency", "UserRefNo", "Zipcode")
GOODS_FIELDS = ("GoodsId", "Name", "Type", "PriceIncVatAfterDiscount", "Section")
EVENT_FIELDS = ("Id", "Name", "Start", "ProductionName", "Venue.Name")
COLUMNS = ([f"Purchase.{f}" for f in PURCHASE_FIELDS] + [f"Goods.{f}" for f in GOODS_FIELDS]
           + [f"Event.{f}" for f in EVENT_FIELDS])
TICKET = "ticket"  # GoodsItemType.Ticket; vouchers, packages, food and gift certificates are not visits


def _get(obj: Any, dotted: str) -> Any:
    for name in dotted.split("."):
        if not isinstance(obj, dict):
            return None
        obj = {str(k).lower(): v for k, v in obj.items()}.get(name.lower())
    return obj


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def ticket_rows(data: Any, source: str = "JSON") -> list[dict[str, str]]:
    """One row per goods item of type Ticket in a CRM purchase-log response (or its list of purchases)."""
    purchases = _get(data, "purchases") if isinstance(data, dict) else data
    if not isinstance(purchases, list):
        raise DataError(f"{source}: " + both("labs_err_tickster_json"))
    rows = []
    for wrapper in purchases:
        purchase = _get(wrapper, "purchase") or wrapper  # {"purchase": {...}} as the API wraps it
        # a purchase always lists its goods (empty or not): without the list this is some other JSON
        if not isinstance(purchase, dict) or not isinstance(_get(purchase, "goods"), list):
            raise DataError(f"{source}: " + both("labs_err_tickster_json"))
        events = {str(_get(e, "id")).lower(): e for e in _get(purchase, "events") or []}
        for goods in _get(purchase, "goods") or []:
            if _text(_get(goods, "type")).lower() != TICKET:
                continue
            event = events.get(_text(_get(goods, "eventId")).lower(), {})  # none: the labs reject the row
            row = {f"Purchase.{f}": _text(_get(purchase, f)) for f in PURCHASE_FIELDS}
            row.update({f"Goods.{f}": _text(_get(goods, f)) for f in GOODS_FIELDS})
            row.update({f"Event.{f}": _text(_get(event, f)) for f in EVENT_FIELDS})
            rows.append(row)
    return rows


def read_log(json_path: str | Path) -> Any:
    """A saved purchase-log response, parsed (a clear error when the file is not JSON)."""
    json_path = Path(json_path)
    try:
        return json.loads(json_path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{json_path.name}: " + both("labs_err_tickster_json") + f" ({exc})") from exc


def write_csv(json_path: str | Path, csv_path: str | Path) -> int:
    """Convert a saved purchase-log response to the CSV `--preset tickster` reads; the number of ticket rows."""
    json_path = Path(json_path)
    rows = ticket_rows(read_log(json_path), json_path.name)
    with open(csv_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


if __name__ == "__main__":  # pragma: no cover - exercised through write_csv
    if len(sys.argv) != 3:
        sys.exit("usage: python -m lce_utils.engagement.tickster PURCHASES.json OUT.csv")
    print(f"{write_csv(sys.argv[1], sys.argv[2])} tickets -> {sys.argv[2]}")
