"""Published cases on the report site: one page per case (its notebook as it was reviewed, rendered offline and
sanitised like a report, with authors, organisation, art form and licence) and a list of cases (fall.html), written
into the staged site on every build from the case store the manifest names (`cases: {database: URL}`), so that a
withdrawn case is gone from the next build. Each case page's tables about people are written beside it as
case-<id>.disclosure.json and go through the site's disclosure audit with everything else."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

from lce_utils.knowledge import cases
from lce_utils.privacy import DEFAULT_K

LIST_PAGE = "fall.html"
LICENCE_URLS = {"CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
                "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
                "CC0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/"}


def store_url(manifest: Mapping[str, Any], root: Path) -> str | None:
    """The case store a manifest names (`cases: {database: URL}`, {root} = the data root); None for none."""
    section = manifest.get("cases")
    url = section.get("database") if isinstance(section, Mapping) else section
    if not isinstance(url, str) or not url.strip():
        return None
    return cases.normalise_url(url.replace("{root}", str(root)), root)


def body_html(case: cases.CaseInfo) -> str:
    """The case's notebook as published: code hidden, disclosure records dropped, sanitised like a report."""
    from lce_utils.offline_html import notebook_to_html
    from lce_utils.reports.disclosure import DISCLOSURE_MIME
    from lce_utils.reports.sanitize import publishable

    nb = nbformat.reads(case.notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "parameters" not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if "outputs" in cell:
            cell["outputs"] = [o for o in cell["outputs"] if DISCLOSURE_MIME not in o.get("data", {})]
    return publishable(notebook_to_html(nb, exclude_input=True, title=case.title["sv"], lang="sv"))


def write_pages(staging: Path, manifest: Mapping[str, Any], root: Path, *, updated: str, contact: str,
                demo: bool = False, k: int = DEFAULT_K) -> list[dict[str, Any]]:
    """Every published case's page, its disclosure file and the list page; the cases as listed (for the manifest)."""
    from lce_utils.reports.render import _env

    url = store_url(manifest, root)
    published = cases.published(url, root) if url else []
    env = _env()
    listed = []
    for case in published:
        page = env.get_template("case.html.j2").render(case=case, body=body_html(case), licence_url=LICENCE_URLS.get(
            case.licence), updated=updated, k=k, demo=demo, contact=contact)
        (staging / case.page).write_text(page, encoding="utf-8")
        if case.disclosure:
            (staging / f"case-{case.id}.disclosure.json").write_text(json.dumps(
                {"format": "lce-disclosure/1", "k": k, "tables": case.disclosure}, ensure_ascii=False, indent=1),
                encoding="utf-8")
        listed.append({"id": case.id, "page": case.page, "title": case.title, "authors": case.authors,
                       "organisation": case.organisation, "art_form": case.art_form, "licence": case.licence})
    (staging / LIST_PAGE).write_text(env.get_template("cases.html.j2").render(
        cases=published, updated=updated, k=k, demo=demo, contact=contact), encoding="utf-8")
    return listed
