"""What lesson test cells call: a failed check tells the learner in plain words, in their language, never a traceback.

Test cells in `courses/source` write `check(condition, sv="…", en="…")`. A failed check raises `CheckFailed`, an
`AssertionError` whose `_render_traceback_` IPython shows instead of a Python traceback; the kernel still reports an
error, so nbgrader scores the cell as failed exactly as for a plain `assert`. Each lesson's first code cell (tagged
`lce-language`) calls `set_language("sv")` in the Swedish version and `set_language("en")` in the English one; until
it has run, messages are shown in both languages. The grading integrity probe treats a learner's replacement of any
function here as tampering (lce_utils.courses.integrity_probe.WATCHED_MODULES)."""

from __future__ import annotations

from lce_utils.messages import both, pair

LANGUAGES = ("sv", "en")
_state: dict[str, str | None] = {"language": None}


def set_language(code: str) -> None:
    """Show check messages in Swedish ("sv") or English ("en")."""
    if code not in LANGUAGES:
        raise ValueError(both("check_language", languages=LANGUAGES, code=repr(code)))
    _state["language"] = code


def language() -> str | None:
    """The language set by the lesson's language cell, or None before it has run."""
    return _state["language"]


def say(sv: str, en: str) -> str:
    """`sv` or `en` in the lesson's language; both (Swedish first) before the language cell has run."""
    lang = _state["language"]
    if lang == "sv":
        return sv
    if lang == "en":
        return en
    return f"{sv}\n\n{en}"


class CheckFailed(AssertionError):
    """A check that did not pass; IPython shows only its plain-language message."""

    def __init__(self, sv: str, en: str) -> None:
        self.sv, self.en = sv, en
        super().__init__(say(sv, en))

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of formatting a traceback; the lines become the error output nbgrader sees.
        heading = say(*pair("check_not_done"))
        return [f"\x1b[1;31m{heading}:\x1b[0m {self.args[0]}"]


def _numpy_types(kinds: str) -> tuple[type, ...]:
    import numpy as np

    return tuple(np.dtype(code).type for code in kinds)


def check(condition: object, sv: str, en: str) -> None:
    """Raise CheckFailed with the Swedish and English explanation unless `condition` is true."""
    # Only a real bool (or numpy's, by exact type) counts: an answer object whose comparisons return something
    # merely truthy fails, and so does a class that only claims to be numpy's.
    if not (condition is True or (type(condition) in _numpy_types("?") and bool(condition))):
        raise CheckFailed(sv, en)


def is_number(value: object) -> bool:
    """True for an int or float or a numpy number (by exact type), never for a bool, a subclass or an object
    pretending to be a number."""
    return type(value) in (int, float) or type(value) in _numpy_types("bBhHiIlLqQefdg")


def done(sv: str, en: str) -> None:
    """Print the encouragement a passed check ends with, in the lesson's language."""
    print(say(sv, en))
