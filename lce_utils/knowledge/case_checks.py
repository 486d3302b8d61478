"""What `lce knowledge submit` checks before a case is queued, each refusal saying which cell or field is wrong and
what is expected, in Swedish and English: the front matter (titles, authors, organisation, art form, licence,
consent to publish), no personal data of others (e-mail addresses other than the authors' own, personnummer-like and
phone-number-like strings: the patterns of lce_utils.engagement.identifiers), that it runs top to bottom
(lce_utils.notebooks), and no output with a count about people under k (the rules of lce_utils.privacy_audit)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat

from lce_utils.engagement.identifiers import EMAIL, is_personnummer, is_phone
from lce_utils.errors import LCEError, NotebookError
from lce_utils.knowledge.vocabulary import PEOPLE
from lce_utils.messages import both, pair
from lce_utils.privacy import DEFAULT_K
from lce_utils.privacy_audit import audit_cells

LICENCES = ("CC BY 4.0", "CC BY-SA 4.0", "CC0 1.0")
TEXT_FIELDS = ("title_sv", "title_en", "organisation", "art_form")  # each described by case_field_<name>
PNR_LIKE = re.compile(r"(?<![\d-])(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")
PHONE_LIKE = re.compile(r"(?<![\w+])(?:\+|00|0)\d[\d\s()-]{6,18}\d(?!\d)")
INTEGER = re.compile(r"^\d{1,3}(?:[\s\u00a0]?\d{3})*$")


@dataclass(frozen=True)
class Problem:
    """One reason a case is refused: where (a field or a cell), and what is expected, in both languages."""

    where: str
    sv: str
    en: str

    def __str__(self) -> str:
        return f"{self.where}: {self.sv} / {self.en}"


def _problem(where: str, key: str, **params: object) -> Problem:
    return Problem(where, *pair(key, **params))


class CaseRefused(LCEError):
    """A case did not pass the checks; the message lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(both("case_not_queued") + ":\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass
class Checked:
    """A case that passed: its front matter, the executed notebook, and the tables about people it publishes."""

    front: dict[str, Any]
    notebook: nbformat.NotebookNode
    disclosure: list[dict[str, Any]] = field(default_factory=list)


def _source(cell: Any) -> str:
    return "".join(cell.source) if isinstance(cell.source, list) else str(cell.source)


def front_matter(nb: nbformat.NotebookNode) -> tuple[int, dict[str, Any], list[Problem]]:
    """(the index of the cell tagged `parameters`, its literal values, problems with them)."""
    cells = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        return -1, {}, [_problem("front matter", "case_parameters_cell", found=len(cells))]
    index = cells[0]
    where = f"cell {index + 1} (front matter)"
    try:
        tree = ast.parse(_source(nb.cells[index]))
    except SyntaxError as exc:
        return index, {}, [_problem(where, "case_not_python", detail=exc.msg)]
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            try:
                values[name] = ast.literal_eval(node.value)
            except ValueError:
                problems.append(_problem(f"{where}, field {name}", "case_plain_value"))
    return index, values, problems + check_front(values, where)


def check_front(values: dict[str, Any], where: str) -> list[Problem]:
    """Every front-matter field present and of the expected kind; consent given."""
    problems = []
    for name in TEXT_FIELDS:
        if not isinstance(values.get(name), str) or not values[name].strip():
            problems.append(_problem(f"{where}, field {name}", f"case_field_{name}"))
    authors = values.get("authors")
    if not isinstance(authors, list) or not authors or not all(
            isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip()
            and isinstance(a.get("email"), str) and EMAIL.fullmatch(a["email"].strip()) for a in authors):
        problems.append(_problem(f"{where}, field authors", "case_authors"))
    if values.get("licence") not in LICENCES:
        problems.append(_problem(f"{where}, field licence", "case_licence", licences=", ".join(LICENCES)))
    if values.get("consent_to_publish") is not True:
        problems.append(_problem(f"{where}, field consent_to_publish", "case_consent"))
    run = values.get("lab_run")
    if run is not None and (not isinstance(run, str) or not run.strip()):
        problems.append(_problem(f"{where}, field lab_run", "case_lab_run"))
    return problems


def _texts(nb: nbformat.NotebookNode, front_index: int) -> Iterator[tuple[str, str]]:
    """(where, text) for every cell's source and every output's text (not the front matter's source)."""
    for i, cell in enumerate(nb.cells):
        if i != front_index:
            yield f"cell {i + 1} ({cell.cell_type})", _source(cell)
        for output in cell.get("outputs", []):
            where = f"cell {i + 1} (output)"
            if "text" in output:
                yield where, "".join(output["text"]) if isinstance(output["text"], list) else output["text"]
            for mime, data in output.get("data", {}).items():
                if mime.startswith("text/") or mime.endswith("json"):
                    yield where, data if isinstance(data, str) else "".join(data) if isinstance(data, list) \
                        else str(data)
            if output.get("output_type") == "error":
                yield where, f"{output.get('ename')}: {output.get('evalue')}"


def personal_data(nb: nbformat.NotebookNode, front_index: int, own_emails: set[str]) -> list[Problem]:
    """E-mail addresses other than the authors' own, personnummer-like and phone-number-like strings."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for where, text in _texts(nb, front_index):
        for match in EMAIL.finditer(text):
            address = match.group(0).strip("<>()[]\"'.:").lower()
            if address not in own_emails and (where, "e-mail") not in seen:
                seen.add((where, "e-mail"))
                problems.append(_problem(where, "case_other_email"))
        if any(is_personnummer(m.group(0)) for m in PNR_LIKE.finditer(text)) and (where, "pnr") not in seen:
            seen.add((where, "pnr"))
            problems.append(_problem(where, "case_personnummer"))
        if any(is_phone(m.group(0)) for m in PHONE_LIKE.finditer(text)) and (where, "phone") not in seen:
            seen.add((where, "phone"))
            problems.append(_problem(where, "case_phone"))
    return problems


class _Tables(HTMLParser):
    """The tables of an HTML output: caption, header texts and rows of cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, Any]] = []
        self._cell: list[str] | None = None
        self._in_caption = False
        self._row: list[str] | None = None
        self._header_row = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "headers": [], "rows": []})
        elif not self.tables:
            return
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._row, self._header_row = [], True
        elif tag in ("td", "th"):
            self._cell = []
            self._header_row = self._header_row and tag == "th"

    def handle_endtag(self, tag: str) -> None:
        if not self.tables:
            return
        table = self.tables[-1]
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._header_row and not table["rows"]:
                table["headers"] = [h or table["headers"][i] if i < len(table["headers"]) else h
                                    for i, h in enumerate(self._row)]
            else:
                table["rows"].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_caption and self.tables:
            self.tables[-1]["caption"] += data


def _markdown_tables(text: str) -> list[dict[str, Any]]:
    tables, lines = [], text.splitlines()
    for i in range(len(lines) - 1):
        if lines[i].strip().startswith("|") and re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", lines[i + 1]) \
                and "-" in lines[i + 1] and (i == 0 or not lines[i - 1].strip().startswith("|")):
            split = lambda line: [c.strip() for c in line.strip().strip("|").split("|")]  # noqa: E731
            rows = []
            for line in lines[i + 2:]:
                if not line.strip().startswith("|"):
                    break
                rows.append(split(line))
            tables.append({"caption": lines[i - 1] if i else "", "headers": split(lines[i]), "rows": rows})
    return tables


def _tables(nb: nbformat.NotebookNode) -> Iterator[tuple[str, dict[str, Any]]]:
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for number, table in enumerate(_markdown_tables(_source(cell)), start=1):
                yield f"cell {i + 1} (markdown), table {number}", table
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if html:
                parser = _Tables()
                parser.feed(html if isinstance(html, str) else "".join(html))
                for number, table in enumerate(parser.tables, start=1):
                    yield f"cell {i + 1} (output), table {number}", table


def small_counts(nb: nbformat.NotebookNode, k: int = DEFAULT_K) -> list[Problem]:
    """Counts about people under k in a table (HTML output or markdown), and recorded tables the auditor flags."""
    from lce_utils.reports.disclosure import DISCLOSURE_MIME

    problems = []
    for where, table in _tables(nb):
        about_people = PEOPLE.search(table["caption"]) or any(PEOPLE.search(h) for h in table["headers"])
        if not about_people:
            continue
        shown: dict[str, float] = {}
        for r, row in enumerate(table["rows"], start=1):
            for c, text in enumerate(row):
                header = table["headers"][c] if c < len(table["headers"]) else ""
                if PEOPLE.search(header) and INTEGER.fullmatch(text.strip()):
                    shown[f"row {r}, column {header!r}"] = float(re.sub(r"\D", "", text))
        for finding in audit_cells(shown, (), (), k=k):  # the auditor's rule: a shown count under k
            value = int(shown[finding.cell])
            problems.append(_problem(f"{where}, {finding.cell}", "case_small_count", value=value, k=k))
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            record = output.get("data", {}).get(DISCLOSURE_MIME)
            if isinstance(record, dict):
                shown = {c: v for c, v in record.get("cells", {}).items() if v is not None}
                hidden = {c for c, v in record.get("cells", {}).items() if v is None}
                relations = [(r["total"], r["parts"]) for r in record.get("relations", [])]
                for finding in audit_cells(shown, hidden, relations, k=k):
                    problems.append(_problem(f"cell {i + 1} (output), table {record.get('id')!r}",
                                             "case_audit_refuses", detail=finding.message))
    return problems


def disclosure_tables(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """The tables about people the case records for the auditor (lce_utils.reports.disclosure records)."""
    from lce_utils.reports.disclosure import DISCLOSURE_MIME

    return [output["data"][DISCLOSURE_MIME] for cell in nb.cells for output in cell.get("outputs", [])
            if isinstance(output.get("data", {}).get(DISCLOSURE_MIME), dict)]


def _run_problem(exc: NotebookError, path: Path) -> Problem:
    text = str(exc).replace(f"{path}: ", "")
    match = re.match(r"(cell \d+)(?: \([^)]*\))?(.*)", text)
    where, rest = (match.group(1), match.group(2).strip(" :")) if match else ("notebook", text)
    return _problem(where, "case_must_run", detail=rest)


def check_case(path: Path, *, k: int = DEFAULT_K, timeout: int = 120) -> Checked:
    """Every check, in order of cost; raises CaseRefused listing every problem found."""
    from lce_utils.notebooks import execute_notebook

    path = Path(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook: one line
        raise CaseRefused([_problem(path.name, "case_not_a_notebook", kind=type(exc).__name__)]) from None
    index, front, problems = front_matter(nb)
    own = {str(a.get("email", "")).strip().lower() for a in front.get("authors", []) if isinstance(a, dict)} \
        if isinstance(front.get("authors"), list) else set()
    problems += personal_data(nb, index, own)
    if problems:  # the notebook is not run with a bad front matter or someone else's data in it
        raise CaseRefused(problems)
    try:
        executed = execute_notebook(path, cwd=path.parent, timeout=timeout)
    except NotebookError as exc:
        raise CaseRefused([_run_problem(exc, path)]) from None
    problems = personal_data(executed, index, own) + small_counts(executed, k)
    if problems:
        raise CaseRefused(problems)
    return Checked(front, executed, disclosure_tables(executed))
