"""HTML pages of the site: one per report, the bilingual index and the accessibility statement (Jinja, autoescaped).

Every page carries the EU co-funding statement with the emblem, the feedback address and, for a site built from
demo inputs, a demo notice in its title and at its top. No page shows parameters, file names or error text."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).parent / "templates"
CSS = TEMPLATES / "site.css"
EMBLEM = TEMPLATES / "eu-emblem.svg"
ACCESSIBILITY_PAGE = "tillganglighet.html"
DEFAULT_CONTACT = "lce@example.org"


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def report_page(*, report_id: str, title: dict[str, str], built_at: str, body: str, k: int = 5,
                demo: bool = False, contact: str = DEFAULT_CONTACT, **_: Any) -> str:
    """A report's page: bilingual title, date, the sanitised body (already clean), funding and feedback."""
    return _env().get_template("page.html.j2").render(id=report_id, title=title, built_at=built_at, body=body, k=k,
                                                      demo=demo, contact=contact)


def index_page(reports: Sequence[dict[str, Any]], *, updated: str, k: int = 5, demo: bool = False,
               contact: str = DEFAULT_CONTACT, cases: Sequence[dict[str, Any]] = ()) -> str:
    """The index: every report with its date ("not updated since" when its last build failed) and summary, then the
    published cases."""
    return _env().get_template("index.html.j2").render(reports=list(reports), updated=updated, k=k, demo=demo,
                                                       contact=contact, cases=list(cases))


def accessibility_page(*, updated: str, k: int = 5, demo: bool = False, contact: str = DEFAULT_CONTACT) -> str:
    """The accessibility statement (DOS-lagen): what works, what does not, how to report, who supervises."""
    return _env().get_template("accessibility.html.j2").render(updated=updated, k=k, demo=demo, contact=contact)
