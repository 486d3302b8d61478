"""Offline full-text search for the report site, built with Pagefind when the site is built and served from the
site itself (nothing from the network).

The pages are bilingual: Swedish text, with English parts marked lang="en". Pagefind picks one stemmer per page
from <html lang>, which would stem the English parts as Swedish. So each page is split by language: its Swedish
text becomes a record in the Swedish bundle (pagefind/sv/, Swedish stemming: "konsert" finds
"konserter") and its English text a record in the English bundle (pagefind/en/), both pointing at the same
page. The search page (sok.html) loads each bundle as its own Pagefind instance (its own module URL and
WebAssembly language) and shows the hits of both. Search is an enhancement: every page reads and navigates
without JavaScript, and the search page says so when it is off."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from lce_utils.errors import LCEError

SEARCH_PAGE = "sok.html"
BUNDLE = "pagefind"
LANGUAGES = ("sv", "en")
SCRIPT = Path(__file__).parent / "templates" / "search.js"
# What the search page uses of a bundle; Pagefind's own UI files are not published.
_UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
           "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
_SKIP = {"script", "style", "svg", "noscript", "template"}


@dataclass
class PageText:
    """A page's title and main text, by language."""

    url: str
    title: dict[str, str]
    text: dict[str, str]


class _Splitter(HTMLParser):
    """Text of <main> (and the <h1> title) split by the language of the nearest element with a lang attribute."""

    def __init__(self, default: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = [("", default)]
        self.parts: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
        self.title: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
        self.in_main = self.in_h1 = 0
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr", "col", "source"):
            return
        lang = dict(attrs).get("lang") or self.stack[-1][1]
        self.stack.append((tag, lang.split("-")[0].lower()))
        self.in_main += tag == "main"
        self.in_h1 += tag == "h1"
        self.skip += tag in _SKIP

    def handle_endtag(self, tag: str) -> None:
        while len(self.stack) > 1:
            top, _ = self.stack.pop()
            self.in_main -= top == "main"
            self.in_h1 -= top == "h1"
            self.skip -= top in _SKIP
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        lang = self.stack[-1][1] if self.stack[-1][1] in LANGUAGES else LANGUAGES[0]
        if self.in_main and not self.skip:
            self.parts[lang].append(data)
        if self.in_h1:
            self.title[lang].append(data)


def _clean(parts: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(parts)).strip(" /")


def page_text(path: Path, url: str) -> PageText:
    """A built page's title and main text, Swedish and English apart."""
    html = path.read_text(encoding="utf-8")
    match = re.search(r"<html[^>]*\blang=\"([a-z-]+)\"", html)
    splitter = _Splitter((match.group(1) if match else "sv").split("-")[0])
    splitter.feed(html)
    title = {lang: _clean(splitter.title[lang]) for lang in LANGUAGES}
    return PageText(url, {lang: title[lang] or title["sv"] or title["en"] or url for lang in LANGUAGES},
                    {lang: _clean(splitter.parts[lang]) for lang in LANGUAGES})


def pages(site: Path) -> list[PageText]:
    """Every page of the site but the search page, split by language."""
    return [page_text(p, p.name) for p in sorted(site.glob("*.html")) if p.name != SEARCH_PAGE]


def _write(site: Path, found: list[PageText]) -> None:
    """Each language's records as plain pages in a scratch folder, indexed by the Pagefind binary, which writes the
    bundle and exits (its Python service answered before the files were flushed and was then ended: empty files)."""
    from pagefind_bin import get_executable

    for lang in LANGUAGES:
        with tempfile.TemporaryDirectory(prefix=f"lce-search-{lang}-") as scratch:
            for page in found:
                if page.text[lang]:
                    (Path(scratch) / page.url).write_text(
                        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>'
                        f"{html.escape(page.title[lang])}</title></head><body><h1>{html.escape(page.title[lang])}"
                        f"</h1><p>{html.escape(page.text[lang])}</p></body></html>", encoding="utf-8")
            proc = subprocess.run([str(get_executable()), "--site", scratch, "--output-path",
                                   str(site / BUNDLE / lang), "--force-language", lang, "--keep-index-url",
                                   "--silent"], capture_output=True, text=True, timeout=600)
            if proc.returncode != 0:
                raise LCEError(f"the site's search index could not be built (Pagefind, {lang}): "
                               f"{(proc.stderr or proc.stdout).strip()[:300]}")


def index_site(site: Path) -> int:
    """Write the Swedish and English search bundles under site/pagefind/; the number of pages indexed."""
    found = pages(site)
    shutil.rmtree(site / BUNDLE, ignore_errors=True)
    _write(site, found)
    for lang in LANGUAGES:
        for name in _UNUSED:
            (site / BUNDLE / lang / name).unlink(missing_ok=True)
        if not (site / BUNDLE / lang / "pagefind.js").is_file():
            raise LCEError(f"the site's search index could not be built: no {BUNDLE}/{lang}/pagefind.js")
    shutil.copy2(SCRIPT, site / "assets" / "search.js")
    return len(found)


def search_page(*, updated: str, k: int = 5, demo: bool = False, contact: str = "") -> str:
    """The search page: a form that works with JavaScript, and a notice for readers without it."""
    from lce_utils.reports.render import _env

    return _env().get_template("search.html.j2").render(updated=updated, k=k, demo=demo, contact=contact)
