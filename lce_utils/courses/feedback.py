"""Feedback HTML that says which checks (visible or hidden) failed and why, without showing hidden test code.

nbgrader's own feedback shows the autograded notebook, hidden tests included (nbgrader issues #917, #1363), and
loads MathJax from a CDN; this one renders offline with lce_utils.offline_html and sanitises everything the learner
wrote or printed with the report site's allowlist (lce_utils.reports.sanitize): no script runs, an image from the
web becomes a plain link, nothing loads from the network. Math is MathML (lce_utils.courses.mathml), drawn by the
browser itself. Each page is in the learner's language (Swedish unless their notebook says English), with the other
language beside it; a notebook graded with --no-sandbox says so. A page that cannot be rendered is replaced by a
plain one: no notebook content can stop grading."""

from __future__ import annotations

import copy
import html
import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbformat.v4 import new_markdown_cell

from lce_utils.courses.config import course_root, db_url
from lce_utils.courses.export import first_error_line, read_status
from lce_utils.courses.mathml import MathMLExporter, typeset
from lce_utils.courses.nbfile import read_checked
from lce_utils.messages import number as as_number
from lce_utils.messages import t
from lce_utils.offline_html import offline_exporter, remote_loads, render_notebook
from lce_utils.reports import sanitize

log = logging.getLogger(__name__)

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"   # most of the programme's learners speak Swedish
# The browser's own guard on top of the sanitising: no script, no request to any host, inline styles and images.
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; "
       "form-action 'none'")


def learner_language(nb: nbformat.NotebookNode) -> str:
    """The learner's language as their notebook records it (metadata `lce.language`, else the set_language call of
    its lce-language cell: sv or en), else Swedish."""
    from lce_utils.courses.validate import LANGUAGE_CALL

    meta = nb.metadata.get("lce", {})
    lang = str(meta.get("language", "") if isinstance(meta, dict) else "").lower()
    if lang in LANGUAGES:
        return lang
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "code" and isinstance(tags, list) and "lce-language" in tags:
            found = LANGUAGE_CALL.search(cell.source)
            return found.group(1) if found else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def _texts(lang: str, key: str, **params: object) -> tuple[str, str, str]:
    """The message in lang, in the other language, and the other language's code; numbers written as each
    language writes them (7,5 / 7.5)."""
    sv, en = (t(key, code, **{k: as_number(v, code) if isinstance(v, (int, float)) else v for k, v in params.items()})
              for code in ("sv", "en"))
    return (sv, en, "en") if lang == "sv" else (en, sv, "sv")


def _both(lang: str, key: str, **params: object) -> str:
    """HTML text in lang with the other language beside it, marked as such (screen readers switch voice)."""
    first, second, other = _texts(lang, key, **params)
    return f'{first} / <span lang="{other}">{second}</span>'


def _note(lang: str, key: str, **params: object) -> str:
    """Plain text (a code comment, an output) in lang first, then the other language."""
    first, second, _ = _texts(lang, key, **params)
    return f"{first} / {second}"


# Colours of JupyterLab's light code theme below WCAG AA contrast (4.5:1) on the code cells' grey, darkened to ~4.8
CODE_COLOURS = ("<style>:root { --jp-mirror-editor-atom-color: #6161b7; --jp-mirror-editor-bracket-color: #6b6b53; "
                "--jp-mirror-editor-comment-color: #3a7575; --jp-mirror-editor-error-color: #db0000; "
                "--jp-mirror-editor-hr-color: #6b6b6b; --jp-mirror-editor-meta-color: #9f1fef; "
                "--jp-mirror-editor-number-color: #007d00; --jp-mirror-editor-operator-color: #9f1fef; "
                "--jp-mirror-editor-quote-color: #007d00; }</style>")
# On a phone a long word (a check's name in the summary table, inline code in the text) stuck out of its box: the
# table became a scrolling box the keyboard cannot reach (axe: scrollable-region-focusable), the code ran past the
# text's edge (axe could not tell its contrast; a space at the end of a line hung past it). Such words break instead.
NARROW_SCREEN = ("<style>.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th, .jp-RenderedHTMLCommon code "
                 "{ overflow-wrap: anywhere; } .jp-RenderedHTMLCommon :not(pre) > code { white-space: break-spaces; }"
                 "</style>")


def hidden_line_ranges(source: str) -> list[tuple[int, int]]:
    """1-based line ranges of a cell that lie inside BEGIN/END HIDDEN TESTS."""
    ranges, start = [], None
    for number, line in enumerate(source.splitlines(), start=1):
        if "BEGIN HIDDEN TESTS" in line:
            start = number
        elif "END HIDDEN TESTS" in line and start is not None:
            ranges.append((start, number))
            start = None
    return ranges


def strip_hidden(source: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The cell's source with each hidden-test region replaced by one comment line (in lang first)."""
    lines, inside = [], False
    for line in source.splitlines():
        if "BEGIN HIDDEN TESTS" in line:
            inside = True
            indent = line[:len(line) - len(line.lstrip())]
            lines.append(f"{indent}# {_note(lang, 'fb_hidden_checks_ran')}")
        elif "END HIDDEN TESTS" in line:
            inside = False
        elif not inside:
            lines.append(line)
    return "\n".join(lines)


def failed_in_hidden(cell: nbformat.NotebookNode) -> bool:
    """Whether the cell's error was raised on a line inside a hidden-test region."""
    from lce_utils.courses.integrity import failing_line

    line = failing_line(cell)
    return line is not None and any(a <= line <= b for a, b in hidden_line_ranges(cell.source))


def safe_notebook(nb: nbformat.NotebookNode, lang: str = DEFAULT_LANGUAGE
                  ) -> tuple[nbformat.NotebookNode, list[dict]]:
    """A copy of an autograded notebook safe to show a learner, and one result dict per test cell.

    From the first cell with hidden tests on, learners' outputs are dropped and test cells keep only LCE's own
    pass/fail message: code that ran during a hidden check could have kept its source and printed it later."""
    from lce_utils.courses.integrity import PASSED, checked_outputs, is_test_cell

    nb = copy.deepcopy(nb)
    results = []
    after_hidden = False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        hidden = bool(hidden_line_ranges(cell.source))
        after_hidden = after_hidden or hidden
        if is_test_cell(cell):
            if after_hidden and not first_error_line(cell).startswith("GradingIntegrityError"):
                cell.outputs = checked_outputs(cell)
            error = first_error_line(cell)
            results.append({"test": meta.get("grade_id"), "max_points": meta.get("points", 0),
                            "passed": not error, "message": error,
                            "hidden": bool(error) and failed_in_hidden(cell), "has_hidden": hidden})
            cell.source = strip_hidden(cell.source, lang)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("text") == PASSED:
                    output["text"] = _note(lang, "grade_cell_passed") + "\n"
        elif after_hidden:
            cell.outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                # a traceback quotes the code around the failing line, hidden tests included: show the
                # error's name and message only
                output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]
    if after_hidden:
        nb.cells.append(new_markdown_cell(f"*{_both(lang, 'fb_after_hidden')}*"))
    return nb, results


def _state(lang: str, passed: bool, hidden: bool | None = None) -> str:
    """'passed' or 'failed (hidden/visible check)' in lang, the other language beside it."""
    if passed:
        return _both(lang, "fb_passed")
    if hidden is None:
        return _both(lang, "fb_failed")
    where = _both(lang, "fb_hidden_check" if hidden else "fb_visible_check")
    return f"**{_both(lang, 'fb_failed')}** ({where})"


def _summary_cell(student: str, assignment: str, notebook: str, score: float, max_score: float,
                  penalty: float, results: list[dict], comments: list[str], lang: str,
                  sandboxed: bool = True) -> nbformat.NotebookNode:
    rows = []
    for r in results:
        why = f": {html.escape(r['message'])}" if r["message"] else ""
        rows.append(f"| `{r['test']}` | {r['max_points']} | {_state(lang, r['passed'], r['hidden'])}{why} |")
    late = ("\n\n" + _both(lang, "fb_late", penalty=penalty) if penalty else "")
    notes = "".join(f"\n* {html.escape(c)}" for c in comments if c)
    warning = "" if sandboxed else f"**{_both(lang, 'fb_not_sandboxed')}**\n\n"
    return new_markdown_cell(
        f"# {_both(lang, 'fb_feedback')}: {notebook}\n\n{warning}"
        f"**{_both(lang, 'fb_learner')}:** {student} · **{_both(lang, 'fb_assignment')}:** "
        f"{assignment}\n\n"
        f"**{_score_line(lang, score, max_score)}**{late}\n\n"
        + _both(lang, "fb_hidden_explained")
        + f"\n\n| {_both(lang, 'fb_check')} | {_both(lang, 'fb_points')} | "
        f"{_both(lang, 'fb_result')} |\n|---|---|---|\n" + "\n".join(rows)
        + (f"\n\n**{_both(lang, 'fb_comments')}:**{notes}" if notes else ""))


def _score_line(lang: str, score: float, max_score: float) -> str:
    return _both(lang, "fb_score", score=score, max_score=max_score)


def page_title(lang: str, notebook: str, student: str) -> str:
    """The page's title: 'Feedback' in lang, the notebook and the learner."""
    return f"{t('fb_feedback', lang)}: {notebook} ({student})"


@lru_cache(maxsize=32)
def _loads_nothing(style: str) -> bool:
    """Whether a style block loads nothing from the network. The blocks are the template's, the same on every page:
    searching them again for each page was about a tenth of its CPU time."""
    return not remote_loads(style)


def feedback_page(rendered: str, title: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A self-contained feedback page from nbconvert's HTML: its styles, and its cells through the allowlist."""
    head = rendered[:rendered.find("</head>")] if "</head>" in rendered else ""
    styles = "\n".join(block for block in re.findall(r"<style\b[^>]*>.*?</style>", head, re.S | re.I)
                       if _loads_nothing(block))  # the template's own CSS; a block that would load is dropped
    body = sanitize.notebook_body(rendered)
    cells = sanitize.finish_images(sanitize.clean_fragment(
        sanitize.remote_images_as_links(sanitize.strip_anchor_links(body)), external_links=True))
    return _page(title, lang, f"{styles}\n{CODE_COLOURS}\n{NARROW_SCREEN}",
                 f'<main class="jp-Notebook">{typeset(cells)}</main>')


def _page(title: str, lang: str, styles: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{html.escape(title)}</title>\n{styles}\n</head>\n"
            f'<body class="jp-Notebook" data-jp-theme-light="true">\n{body}\n</body>\n</html>\n')


def plain_page(student: str, assignment: str, notebook: str, score: float | None, max_score: float | None,
               results: list[dict], why: str, lang: str = DEFAULT_LANGUAGE, sandboxed: bool = True) -> str:
    """A plain feedback page (score and checks only) for a notebook whose full page could not be rendered."""
    rows = "".join(f"<tr><td><code>{html.escape(str(r['test']))}</code></td><td>{html.escape(str(r['max_points']))}"
                   f"</td><td>{_state(lang, r['passed'])}"
                   f"{': ' + html.escape(r['message']) if r['message'] else ''}</td></tr>" for r in results)
    score_line = (f"<p><strong>{_score_line(lang, score, max_score)}</strong></p>"
                  if score is not None and max_score is not None else "")
    warning = "" if sandboxed else f"<p><strong>{_both(lang, 'fb_not_sandboxed')}</strong></p>"
    body = (f"<main><h1>{_both(lang, 'fb_feedback')}: {html.escape(notebook)}</h1>{warning}"
            f"<p><strong>{_both(lang, 'fb_learner')}:</strong> {html.escape(student)} · "
            f"<strong>{_both(lang, 'fb_assignment')}:</strong> {html.escape(assignment)}</p>{score_line}"
            "<p>" + _both(lang, "fb_not_rendered")
            + f" ({html.escape(why)})</p>"
            + (f"<table><thead><tr><th>{_both(lang, 'fb_check')}</th><th>{_both(lang, 'fb_points')}"
               f"</th><th>{_both(lang, 'fb_result')}</th></tr></thead><tbody>{rows}</tbody></table>"
               if rows else "") + "</main>")
    return _page(page_title(lang, notebook, student), lang, "", body)


_EXPORTERS = threading.local()  # per thread: language -> MathMLExporter (by_lang)


def _exporter(lang: str) -> HTMLExporter:
    """This thread's exporter for lang, made once: building one and compiling its templates cost about a quarter of
    a feedback page's CPU time (a grading worker renders hundreds). Each render gets its own notebook and
    resources; the exporter keeps only its configuration, compiled templates and the HTML of markdown cells without
    attachments (mathml.MathMLExporter.markdown2html)."""
    made: dict[str, HTMLExporter] = _EXPORTERS.__dict__.setdefault("by_lang", {})
    if lang not in made:
        made[lang] = offline_exporter(lang=lang, exporter_class=MathMLExporter)
    return made[lang]


def render(nb: nbformat.NotebookNode, title: str, lang: str) -> str:
    """nbconvert's HTML of a feedback notebook (math marked), with this thread's exporter for lang."""
    return render_notebook(nb, title=title, exporter=_exporter(lang))


def _gradebook_summary(student: str, assignment: str, notebook: str, root: Path) -> tuple[float, float, float,
                                                                                          list[str]]:
    from nbgrader.api import Gradebook

    with Gradebook(db_url(root)) as gb:
        sub = gb.find_submission_notebook(notebook, assignment, student)
        penalty = sub.late_submission_penalty or 0.0
        score, max_score = max(0.0, (sub.score or 0.0) - penalty), sub.max_score
        comments = [c.manual_comment for c in sub.comments]
    return score, max_score, penalty, comments


def feedback_html(student: str, assignment: str, notebook: str, root: str | Path | None = None,
                  sandboxed: bool | None = None) -> str:
    """The feedback page for one student's notebook, built from the autograded notebook and the gradebook.

    sandboxed: whether grading ran in the sandbox (None: as the learner's grading status says; unknown is taken as
    sandboxed). Never fails because of what the notebook holds: a page that cannot be rendered becomes a
    plain_page."""
    root = course_root(root)
    if sandboxed is None:
        sandboxed = read_status(root, assignment, student).get("sandboxed") is not False
    score = max_score = None
    results: list[dict] = []
    lang = DEFAULT_LANGUAGE
    try:
        graded = read_checked(root / "autograded" / student / assignment / f"{notebook}.ipynb")
        lang = learner_language(graded)
        safe, results = safe_notebook(graded, lang)
        score, max_score, penalty, comments = _gradebook_summary(student, assignment, notebook, root)
        safe.cells.insert(0, _summary_cell(student, assignment, notebook, score, max_score, penalty, results,
                                           comments, lang, sandboxed))
        title = page_title(lang, notebook, student)
        return feedback_page(render(safe, title, lang), title, lang)
    except Exception as exc:  # the learner's content broke rendering: the grade still stands, show it plainly
        log.warning("feedback for %s/%s/%s rendered as a plain page: %s: %s", student, assignment, notebook,
                    type(exc).__name__, exc)
        why = f"{type(exc).__name__}"
        if score is None:
            try:
                score, max_score, _, _ = _gradebook_summary(student, assignment, notebook, root)
            except Exception:  # no gradebook entry: the page says so by leaving the score out
                pass
        return plain_page(student, assignment, notebook, score, max_score, results, why, lang, sandboxed)


def generate_feedback(assignment: str, students: list[str] | None = None,
                      root: str | Path | None = None, sandboxed: bool | None = None) -> list[Path]:
    """Write feedback/<student>/<assignment>/<notebook>.html for every autograded student (or those given);
    sandboxed as for feedback_html."""
    root = course_root(root)
    base = root / "autograded"
    if students is None:
        students = sorted(p.name for p in base.iterdir() if (p / assignment).is_dir()) if base.is_dir() else []
    written = []
    for student in students:
        folder = base / student / assignment
        for path in sorted(folder.glob("*.ipynb")):
            page = feedback_html(student, assignment, path.stem, root, sandboxed)
            dest = root / "feedback" / student / assignment / f"{path.stem}.html"
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_suffix(".part")
            tmp.write_text(page, encoding="utf-8")
            tmp.replace(dest)
            written.append(dest)
    return written
