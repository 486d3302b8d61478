"""Published HTML is sanitised: an allowlist of HTML and SVG; no scripts, handlers, styles or remote loads."""

from __future__ import annotations

import functools
import re

import nh3

from lce_utils.messages import both

SVG_TAGS = {"svg", "g", "path", "rect", "line", "circle", "ellipse", "polygon", "polyline", "text", "tspan",
            "title", "desc", "defs", "clippath", "lineargradient", "radialgradient", "stop", "symbol", "use"}
HTML_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
             "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
             "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "section", "small", "span", "strong",
             "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"}
GENERIC_ATTRS = {"class", "id", "lang", "title", "role", "aria-label", "aria-hidden", "aria-roledescription",
                 "aria-describedby", "dir"}
SVG_ATTRS = {"xmlns", "version", "width", "height", "viewbox", "viewBox", "d", "x", "y", "x1", "x2", "y1", "y2",
             "cx", "cy", "r", "rx", "ry", "points", "transform", "fill", "fill-opacity", "stroke", "stroke-width",
             "stroke-opacity", "stroke-dasharray", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
             "opacity", "font-family", "font-size", "font-weight", "font-style", "text-anchor",
             "dominant-baseline", "display", "pointer-events", "clip-path", "offset", "stop-color", "dx", "dy"}
ATTRIBUTES = {
    "*": GENERIC_ATTRS,
    "a": {"href", "download"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    **{tag: SVG_ATTRS for tag in SVG_TAGS},
}
_BODY = re.compile(r"<main\b[^>]*>(.*)</main>", re.S | re.I)
_REMOTE_IMAGE = re.compile(r"^https?://", re.I)
_CSV_DOWNLOAD = re.compile(r"data:text/csv;charset=utf-8;base64,[A-Za-z0-9+/]*={0,2}")


def _attribute_filter(tag: str, attr: str, value: str, *, external_links: bool = False,
                      remote_images: bool = False) -> str | None:
    # Images only as inline data (matplotlib PNGs); links only within the page or to relative files, or (learners'
    # feedback) to the web, where following one is the reader's choice and loads nothing by itself.
    if tag == "img" and attr == "src":
        if remote_images and _REMOTE_IMAGE.match(value):
            return value
        return value if value.startswith("data:image/png;base64,") or value.startswith("data:image/jpeg;base64,") \
            else None
    if tag == "a" and attr == "href":
        if external_links and re.match(r"^(https?:|mailto:)", value, re.I):
            return value
        if _CSV_DOWNLOAD.fullmatch(value):  # a table's CSV download (lce_utils.reports.display.download_link)
            return value
        return value if re.match(r"^(#|\./|[A-Za-z0-9_-]+\.(?:html|ipynb)(?:#|$))", value) else None
    if attr in {"clip-path", "fill", "stroke"} and "url(" in value:
        return value if re.fullmatch(r"url\(#[A-Za-z0-9_-]+\)", value) else None
    return value


def clean_fragment(html: str, *, external_links: bool = False, remote_images: bool = False) -> str:
    """An HTML fragment reduced to the allowlist (SVG charts kept; scripts, styles, handlers dropped).

    external_links keeps links to http(s) and mailto; remote_images keeps http(s) image sources (only as a first
    pass of remote_images_as_links, never in a page)."""
    schemes = {"data"} | ({"http", "https", "mailto"} if external_links or remote_images else set())
    return nh3.clean(html, tags=HTML_TAGS | SVG_TAGS, attributes=ATTRIBUTES,
                     attribute_filter=functools.partial(_attribute_filter, external_links=external_links,
                                                        remote_images=remote_images),
                     clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript"},
                     url_schemes=schemes, link_rel=None, strip_comments=True)


def remote_images_as_links(html: str) -> str:
    """Sanitised HTML in which every image from the web is a plain link to it (nothing is fetched to show it)."""
    def link(match: re.Match) -> str:
        tag = match.group(0)
        src = re.search(r'\bsrc="([^"]*)"', tag)
        if not src or not _REMOTE_IMAGE.match(src.group(1)):
            return tag
        alt = re.search(r'\balt="([^"]*)"', tag)
        label = alt.group(1) if alt and alt.group(1).strip() else both("r.image")
        return f'<a href="{src.group(1)}">{label} ({both("r.image_not_loaded")})</a>'

    return re.sub(r"<img\b[^>]*>", link, clean_fragment(html, external_links=True, remote_images=True))


def finish_images(html: str) -> str:
    """Drop images whose source was removed; give the rest a text alternative if they lack one."""
    html = re.sub(r"<img\b(?![^>]*\bsrc=)[^>]*>", "", html)
    return re.sub(r"<img\b(?![^>]*\balt=)", '<img alt="Figur / Figure"', html)


def demote_headings(html: str) -> str:
    """Headings inside a report start at h2 (the page title is the one h1), keeping their steps."""
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
    shift = 2 - min(levels) if levels else 0
    return re.sub(r"<(/?)h([1-6])\b", lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", html)


def publishable(page_html: str) -> str:
    """The sanitised cells of an nbconvert page, ready to place in a report page."""
    body = strip_anchor_links(notebook_body(page_html))
    return finish_images(demote_headings(clean_fragment(body)))


def notebook_body(page_html: str) -> str:
    """The <main> content of an nbconvert page (the cells), without its head, styles and scripts."""
    match = _BODY.search(page_html)
    if not match:
        body = re.search(r"<body\b[^>]*>(.*)</body>", page_html, re.S | re.I)
        return body.group(1) if body else page_html
    return match.group(1)


def strip_anchor_links(html: str) -> str:
    """Remove nbconvert's pilcrow heading links (unlabelled links a screen reader would announce)."""
    return re.sub(r'<a class="anchor-link" href="#[^"]*">\s*¶\s*</a>', "", html)
