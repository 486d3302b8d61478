"""HTML pages of the site: one per report, and the bilingual index (Jinja, autoescaped)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).parent / "templates"
CSS = TEMPLATES / "site.css"
STATUS_LABELS = {
    "ok": {"sv": "Aktuell", "en": "Up to date"},
    "stale": {"sv": "Inaktuell: senaste bygget misslyckades, förra versionen visas",
              "en": "Stale: the last build failed, the previous version is shown"},
    "failed": {"sv": "Misslyckades", "en": "Failed"},
    "not-built": {"sv": "Inte byggd", "en": "Not built"},
}


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def report_page(*, report_id: str, title: dict[str, str], built_at: str, parameters: Sequence[tuple[str, str]],
                body: str, k: int = 5) -> str:
    """A report's page: bilingual title, date, parameter table, the sanitised body (already clean)."""
    return _env().get_template("page.html.j2").render(id=report_id, title=title, built_at=built_at,
                                                      parameters=list(parameters), body=body, k=k)


def index_page(reports: Sequence[dict[str, Any]], *, updated: str, k: int = 5) -> str:
    """The index: every report with its status, date, summary and (when failing) the first line of the error."""
    return _env().get_template("index.html.j2").render(reports=list(reports), updated=updated, k=k,
                                                       labels=STATUS_LABELS)
