"""The one message catalogue (lce_utils.messages): every text in Swedish and English, every key asked for defined,
and no Swedish text written inline anywhere else in the package."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lce_utils import messages
from lce_utils.messages import TEXT, both, pair, placeholders, t, tn
from lce_utils.paths import ROOT

PACKAGE = ROOT / "lce_utils"
# A literal key handed to the catalogue's functions (display.bilingual and the apps' helpers take keys too).
KEY_CALL = re.compile(r"\b(?:t|tn|both|pair|bilingual|_t|_both|_pair)\(\s*[\"']([A-Za-z0-9_.]+)[\"']")
SWEDISH = re.compile(r"[åäöÅÄÖ]")
# Files whose Swedish letters are data, not messages: the vocabulary of input files and places (recognised column
# headers, municipality and area names, fictitious sample records). Each entry says why.
DATA_NOT_MESSAGES: dict[str, str] = {
    "lce_utils/engagement/sample.py": "the fictitious sample institution's productions, ticket types, channels and "
                                      "export headers (sample data)",
    "lce_utils/engagement/mapping.py": "the Swedish column headers, status and gender values an export may use "
                                       "(input vocabulary)",
    "lce_utils/engagement/identifiers.py": "the Swedish headers of name and identity-number columns (input "
                                           "vocabulary)",
    "lce_utils/engagement/column_types.py": "Swedish weekday names and letters in the patterns that read dates and "
                                            "counts (input vocabulary)",
    "lce_utils/engagement/population.py": "the name of Statistics Sweden's table (Skåne län), cited as the source",
    "lce_utils/knowledge/benchmark_commands.py": "the names of the fictitious demo peers (sample data)",
    "lce_utils/knowledge/vocabulary.py": "the Swedish words that mark a table in a case as about people (input "
                                         "vocabulary)",
    "lce_utils/courses/language.py": "the Swedish function words that tell a lesson's language (input vocabulary)",
    "lce_utils/mentorship/demo.py": "fictitious sample people, organisations and feedback answers for the demo store",
    "lce_utils/mentorship/matching.py": "the Swedish and English stop words ignored when goals are compared (input "
                                        "vocabulary)",
    "lce_utils/mentorship/options.py": "Skåne's municipality names (place names the sign-up offers)",
    "lce_utils/programme/vocabulary.py": "the Swedish and English words staff lists use for the register's coded "
                                         "fields (input vocabulary)",
    "lce_utils/programme/demo.py": "fictitious sample institutions of the demo register",
}

# Keys that carry the same (Swedish, English) text on purpose: the contexts differ in a way a translator must be able
# to tell apart. Any other two keys with the same texts are one text under two names: keep one key.
SAME_TEXT_ALLOWED: dict[frozenset[str], str] = {
    frozenset({"applications_heading", "r.col_applications"}):
        "the heading over the coordinator's list of applications vs. a report column counting them",
    frozenset({"matches_heading", "r.col_matches"}):
        "the heading over the coordinator's list of matches vs. a report column counting them",
    frozenset({"pfield_name", "r.parameter_name"}):
        "a person's name in the register vs. the name of a report's parameter",
    frozenset({"pfield_gender", "labs_axis_gender"}):
        "a register field label that import files may use as a column header (input vocabulary) vs. a chart legend",
    frozenset({"ind_participants", "r.col_participants"}):
        "the name of an ESF+ Annex I common indicator (reported as the fund lists it) vs. a report column",
    frozenset({"ind_long_term_unemployed", "pub_labour_status_long_term_unemployed"}):
        "an Annex I indicator vs. a published table's category (their siblings differ: ind_unemployed / "
        "pub_labour_status_unemployed)",
    frozenset({"ind_inactive", "pub_labour_status_inactive"}):
        "an Annex I indicator vs. a published table's category (their siblings differ: ind_unemployed / "
        "pub_labour_status_unemployed)",
    frozenset({"labs_title_revenue_by_ticket_type", "r.cap_revenue_by_ticket_type"}):
        "a lab's chart title vs. a report's table caption (their by-channel siblings already differ)",
    frozenset({"r.cap_representation_index", "r.col_representation_index"}):
        "the caption of a report table vs. one column inside it",
}


def test_every_message_has_both_languages_with_the_same_placeholders():
    wrong = []
    for key, texts in TEXT.items():
        if not (isinstance(texts, tuple) and len(texts) == 2 and all(isinstance(x, str) and x.strip() for x in texts)):
            wrong.append(f"{key}: not a (Swedish, English) pair of texts")
        elif placeholders(texts[0]) != placeholders(texts[1]):
            wrong.append(f"{key}: {sorted(placeholders(texts[0]))} in Swedish, {sorted(placeholders(texts[1]))} "
                         "in English")
    assert not wrong, "\n".join(wrong)


def test_a_key_defined_in_two_tables_is_refused():
    class One:
        __name__ = "one"
        TEXT = {"same": ("a", "b")}

    class Two:
        __name__ = "two"
        TEXT = {"same": ("c", "d")}

    with pytest.raises(ValueError, match="'same' is defined twice"):
        messages._merge((One, Two))  # type: ignore[arg-type]


def _code_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "messages" not in p.relative_to(PACKAGE).parts[:1])


def test_every_key_the_code_asks_for_exists():
    missing = []
    for path in _code_files() + sorted(ROOT.glob("*/**/*.ipynb")):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            missing += [f"{path.relative_to(ROOT)}:{number}: {key}" for key in KEY_CALL.findall(line)
                        if key not in TEXT]
    assert not missing, "keys asked for but not in lce_utils.messages:\n" + "\n".join(missing)


def test_no_swedish_text_outside_the_catalogue():
    inline = []
    for path in _code_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel in DATA_NOT_MESSAGES:
            continue
        inline += [f"{rel}:{n}: {line.strip()[:100]}"
                   for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if SWEDISH.search(line)]
    assert not inline, ("Swedish text outside lce_utils/messages/ (move it to the part's table, or list the file in "
                        "DATA_NOT_MESSAGES with the reason if it is input vocabulary):\n" + "\n".join(inline))


def test_the_data_exceptions_still_exist():
    assert all((ROOT / rel).is_file() for rel in DATA_NOT_MESSAGES), "remove entries for files that are gone"


def test_lookup_fills_placeholders_and_plurals_in_each_language():
    key = next(k for k, (sv, _) in TEXT.items() if placeholders(sv) == {"n"} and f"{k}_one" in TEXT)
    assert tn(key, 1, "en") == t(f"{key}_one", "en", n=1)
    assert tn(key, 3, "sv") == t(key, "sv", n=3)
    sv, en = pair(key, n=3)
    assert both(key, n=3) == f"{sv} / {en}" and "3" in sv and "3" in en


def test_no_two_keys_carry_the_same_text_unless_allowed():
    keys_by_text: dict[tuple[str, str], set[str]] = {}
    for key, texts in TEXT.items():
        keys_by_text.setdefault(texts, set()).add(key)
    same = [f"{sorted(keys)}: {texts}" for texts, keys in keys_by_text.items()
            if len(keys) > 1 and frozenset(keys) not in SAME_TEXT_ALLOWED]
    assert not same, ("keys with the same (Swedish, English) text: keep one key and change its callers, or list "
                      "the group in SAME_TEXT_ALLOWED with the reason:\n" + "\n".join(same))


def test_the_allowed_same_texts_still_exist():
    gone = [sorted(keys) for keys in SAME_TEXT_ALLOWED
            if not keys <= TEXT.keys() or len({TEXT[key] for key in keys}) != 1]
    assert not gone, f"remove or fix these SAME_TEXT_ALLOWED entries (a key is gone or the texts differ now): {gone}"
