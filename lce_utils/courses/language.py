"""The two language versions of a lesson, made from one bilingual notebook, and a check of which language a text is in.

A lesson's prose markdown cells hold Swedish first, then a line that is exactly `<!-- en -->`, then the same text in
English (courses/README.md, "Two languages"). The Swedish version of a notebook keeps the part before that line of
every such cell, the English one the part after it; code cells and cells with nbgrader metadata are the same in both,
except the lesson's `lce-language` cell, whose `set_language("sv")` reads `set_language("en")` in the English
version. Each version records its language in the notebook metadata `lce.language` ("sv" or "en"), which grading
keeps and feedback reads (feedback.learner_language)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Literal

import nbformat

from lce_utils.errors import DataError

MARKER = "<!-- en -->"
LANGUAGE_TAG = "lce-language"
EN_SUFFIX = ".en"  # <notebook>.en.ipynb is the English version of <notebook>.ipynb
Language = Literal["sv", "en"]
LANGUAGES: tuple[Language, ...] = ("sv", "en")
SET_LANGUAGE = re.compile(r"""set_language\(\s*(["'])sv\1\s*\)""")

# Short, frequent words that belong to one language only (articles, conjunctions, prepositions, pronouns, common
# verbs). Words both languages write ("in", "i", "man", "men", "under"...) are left out on purpose.
SWEDISH_WORDS = frozenset(
    "och att det som är för på med en ett av inte till den har kan du vi jag om eller från när hur vad vilken "
    "vilka också så nu här där sedan efter över mellan utan mot hos ska skulle vara blir blev var "
    "finns dina din ditt dem deras hon han sig sina sitt många mer mest varje alla någon något inga ingen".split())
ENGLISH_WORDS = frozenset(
    "and the to of is for on with a an not that this these those it its you your we our they their are can "
    "be or from when how what which also but so now here there then after over between without against "
    "should would was were has have been each every some any many more most than into".split())

_CODE_BLOCK = re.compile(r"```.*?```|~~~.*?~~~", re.DOTALL)
_INLINE = re.compile(r"`[^`]*`|\$\$.*?\$\$|\$[^$\n]*\$|<[^>]+>|\]\([^)]*\)|https?://\S+", re.DOTALL)
_WORD = re.compile(r"[a-zåäöéü]+")


def split_text(text: str, where: str = "cell") -> tuple[str, str] | None:
    """(Swedish, English) parts of a bilingual text split at its `<!-- en -->` line; None when it has no marker."""
    lines = text.split("\n")
    marks = [i for i, line in enumerate(lines) if line.strip() == MARKER]
    if not marks:
        return None
    if len(marks) > 1:
        raise DataError(f"{where}: {len(marks)} lines '{MARKER}'; a bilingual cell has exactly one, between the "
                        "Swedish and the English text")
    sv = "\n".join(lines[:marks[0]]).strip("\n")
    en = "\n".join(lines[marks[0] + 1:]).strip("\n")
    if not sv.strip() or not en.strip():
        raise DataError(f"{where}: the {'Swedish' if not sv.strip() else 'English'} part around '{MARKER}' is "
                        "empty; write Swedish above the line and English below it")
    return sv, en


def is_prose(cell: nbformat.NotebookNode) -> bool:
    """A markdown cell without nbgrader metadata: text that differs between the two language versions."""
    return cell.cell_type == "markdown" and "nbgrader" not in cell.metadata


def language_version(nb: nbformat.NotebookNode, lang: Language, where: str = "notebook") -> nbformat.NotebookNode:
    """The Swedish ("sv") or English ("en") version of a bilingual notebook (a copy; nb is left as it is).

    A notebook without any marker comes back unchanged but for its metadata `lce.language` and, in English, the
    `lce-language` cell."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    out = copy.deepcopy(nb)
    for i, cell in enumerate(out.cells, start=1):
        here = f"{where}, cell {i}"
        if cell.cell_type == "markdown":
            parts = split_text(cell.source, here)
            if parts is None:
                continue
            if not is_prose(cell):
                raise DataError(f"{here}: a cell with nbgrader metadata must be the same in both languages, so it "
                                f"cannot hold '{MARKER}'; remove its nbgrader metadata or the English part")
            cell.source = parts[LANGUAGES.index(lang)]
        elif cell.cell_type == "code" and LANGUAGE_TAG in cell.metadata.get("tags", []) and lang == "en":
            cell.source = SET_LANGUAGE.sub('set_language("en")', cell.source)
    lce = out.metadata.get("lce")
    out.metadata["lce"] = {**(lce if isinstance(lce, dict) else {}), "language": lang}
    return out


def english_path(path: str | Path) -> Path:
    """Where the English version of a (Swedish) notebook goes: <notebook>.en.ipynb beside it."""
    path = Path(path)
    return path.with_name(f"{path.stem}{EN_SUFFIX}{path.suffix}")


def notebook_language(path: str | Path) -> tuple[str, Language]:
    """(lesson notebook name, language) of a file name: `x.en.ipynb` is ("x", "en"), `x.ipynb` is ("x", "sv")."""
    stem = Path(path).stem
    if stem.endswith(EN_SUFFIX):
        return stem.removesuffix(EN_SUFFIX), "en"
    return stem, "sv"


def is_english_copy(path: str | Path) -> bool:
    """Whether a file is the English version <notebook>.en.ipynb of a lesson."""
    return Path(path).suffix == ".ipynb" and notebook_language(path)[1] == "en"


def write_language_versions(path: str | Path) -> tuple[Path, Path]:
    """Split the bilingual notebook at path in place: Swedish to path, English to <notebook>.en.ipynb."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    sv, en = language_version(nb, "sv", str(path)), language_version(nb, "en", str(path))
    english = english_path(path)
    nbformat.write(sv, path)
    nbformat.write(en, english)
    return path, english


def markdown_text(nb: nbformat.NotebookNode) -> str:
    """The text of every markdown cell of a notebook, blank-line separated."""
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def word_counts(text: str) -> tuple[int, int]:
    """(Swedish, English) function words in a markdown text, not counting code, math, HTML tags and links."""
    prose = _INLINE.sub(" ", _CODE_BLOCK.sub(" ", text)).lower()
    words = _WORD.findall(prose)
    return sum(w in SWEDISH_WORDS for w in words), sum(w in ENGLISH_WORDS for w in words)


def swedish_share(text: str) -> float | None:
    """The share of Swedish among the function words of a markdown text (0..1), None if it has none."""
    sv, en = word_counts(text)
    return sv / (sv + en) if sv + en else None


def mostly(text: str, threshold: float = 0.8, min_words: int = 10) -> Language | None:
    """"sv" if the text is mostly Swedish, "en" if mostly English, None if mixed or too short to tell.

    How it decides: it counts the words of two lists of short, frequent words that occur in one language only
    (SWEDISH_WORDS: och, att, det, som, är, för, på, med, en, av, inte, ...; ENGLISH_WORDS: and, the, to, of, is,
    for, on, with, a, not, ...), leaving out code (fenced and inline), math, HTML tags and link targets, which are
    English-like in every version. At least `threshold` (80 %) of the counted words in one language makes the text
    that language; fewer than `min_words` counted words is too little to tell. Running text has such words in
    nearly every sentence, so one language's prose passes easily while a text that keeps a whole paragraph in the
    other language does not."""
    sv, en = word_counts(text)
    if sv + en < min_words:
        return None
    share = sv / (sv + en)
    return "sv" if share >= threshold else "en" if share <= 1 - threshold else None
