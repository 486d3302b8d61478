"""The retention purge on a schedule: once when the server starts, then daily while it runs.

Where no server runs, a systemd timer or cron runs `lce mentorship purge` (mentorship/README.md)."""

from __future__ import annotations

import sys
import threading
from typing import Any

from lce_utils.mentorship.audit import RETENTION
from lce_utils.mentorship.store import purge

DAY = 24 * 60 * 60


def run_retention(url: str | None = None, **kwargs: Any) -> dict[str, int] | None:
    """One purge with the configured periods; errors go to the server log (None), never stop the server."""
    try:
        counts = purge(url=url, actor=RETENTION, **kwargs)
    except Exception as exc:  # noqa: BLE001 - a failed purge is retried at the next run
        print(f"lce mentorship: retention purge failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}",
              file=sys.stderr, flush=True)
        return None
    print(f"lce mentorship: retention purge: {counts['applications']} applications, "
          f"{counts['files_deleted'] + counts['files_expired']} export files deleted", flush=True)
    return counts


def start_retention_schedule(url: str | None = None, interval: float = DAY) -> threading.Event:
    """Run the purge now and every interval seconds in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while True:
            run_retention(url)
            if stop.wait(interval):
                return

    threading.Thread(target=loop, name="lce-retention", daemon=True).start()
    return stop
