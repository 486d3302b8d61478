"""The register's fields: their vocabularies (with the Swedish and English words staff lists use) and the
checking of one participant's record, each error naming the field in Swedish and English."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, Literal, overload

from lce_utils.errors import DataError
from lce_utils.mentorship.validation import EMAIL_RE, normalise_email
from lce_utils.messages import pair
from lce_utils.programme import personnummer
from lce_utils.programme.vocabulary import DECLINED, NO, YES
from lce_utils.programme.vocabulary import EDUCATION as EDUCATION
from lce_utils.programme.vocabulary import EXIT_REASONS as EXIT_REASONS
from lce_utils.programme.vocabulary import GENDERS as GENDERS
from lce_utils.programme.vocabulary import LABOUR as LABOUR

SPECIAL = ("disability", "minority")   # GDPR art. 9: may be declined
FLAGS = ("third_country_national", "foreign_background", "homeless", "rural")
RESULT_FLAGS = ("job_searching", "in_education", "qualification", "employed")

LABELS: dict[str, tuple[str, str]] = {field: pair(f"pfield_{field}") for field in (
    "name", "email", "personnummer", "protected_identity", "birth_date", "gender", "entry_date", "exit_date",
    "exit_reason", "labour_status", "education", "third_country_national", "foreign_background", "homeless", "rural",
    "disability", "minority", "student_id", "mentorship_email", "institution")}
FIELDS = tuple(LABELS)
# fields of other records (results, attendance), for messages only
OTHER_LABELS: dict[str, tuple[str, str]] = {field: pair(f"pfield_{field}") for field in (
    "recorded_on", "hours", "activity", "month", "participant")}
REQUIRED = ("name", "gender", "entry_date", "labour_status", "education")


class FieldError(DataError):
    """One field's value is wrong: field, and the catalogue's message key (with its params) saying why; sv and en
    are the explanation in each language."""

    def __init__(self, field: str, key: str, **params: object) -> None:
        self.field = field
        self.sv, self.en = pair(key, **params)
        label_sv, label_en = LABELS.get(field) or OTHER_LABELS.get(field, (field, field))
        super().__init__(f"{label_sv}: {self.sv} / {label_en}: {self.en}")


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):  # NaN from a spreadsheet's empty cell
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


@overload
def choice(field: str, value: Any, vocabulary: Mapping[str, tuple[str, ...]], required: Literal[True] = ...) -> str:
    ...
@overload
def choice(field: str, value: Any, vocabulary: Mapping[str, tuple[str, ...]], required: bool) -> str | None:
    ...
def choice(field: str, value: Any, vocabulary: Mapping[str, tuple[str, ...]], required: bool = True) -> str | None:
    """The code in vocabulary for value (its code or one of its words, any case), or FieldError."""
    text = _text(value).casefold().replace("–", "-")
    if not text:
        if required:
            raise FieldError(field, "pf_missing")
        return None
    for code, words in vocabulary.items():
        if text == code or text in words or text.replace(" ", "_") == code:
            return code
    options = ", ".join(vocabulary)
    raise FieldError(field, "pf_unknown_value", value=repr(text), options=options)


def flag(field: str, value: Any) -> bool | None:
    """yes/no (ja/nej) as True/False, empty as None (not known)."""
    text = _text(value).casefold()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise FieldError(field, "pf_yes_no", value=repr(text))


def special(field: str, value: Any) -> str | None:
    """A special category: "yes", "no", "declined" (the participant chose not to answer), or None (not asked)."""
    text = _text(value).casefold()
    if text in DECLINED:
        return "declined"
    answer = flag(field, value)
    return None if answer is None else ("yes" if answer else "no")


@overload
def date(field: str, value: Any, required: Literal[True]) -> dt.date:
    ...
@overload
def date(field: str, value: Any, required: bool = ...) -> dt.date | None:
    ...
def date(field: str, value: Any, required: bool = False) -> dt.date | None:
    """A date written YYYY-MM-DD (or a spreadsheet's date), or FieldError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        if required:
            raise FieldError(field, "pf_missing")
        return None
    text = text[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]00:00(:00)?", text) else text
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FieldError(field, "pf_date", value=repr(text)) from None


def email(field: str, value: Any) -> str | None:
    """A normalised e-mail address, None when empty, or FieldError."""
    text = _text(value)
    if not text:
        return None
    address = normalise_email(text)
    if len(address) > 254 or not EMAIL_RE.match(address):
        raise FieldError(field, "pf_email", value=repr(text))
    return address


def check_participant(data: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """One participant's record checked and cleaned, or the first FieldError (the personnummer's own message
    when it is wrong). A protected identity needs no number but a birth date."""
    today = today or dt.date.today()
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise FieldError(unknown[0], "pf_unknown_field")
    clean: dict[str, Any] = {}
    for field in REQUIRED:
        if not _text(data.get(field)):
            raise FieldError(field, "pf_missing")
    clean["name"] = _text(data["name"])[:120]
    clean["email"] = email("email", data.get("email"))
    clean["mentorship_email"] = email("mentorship_email", data.get("mentorship_email"))
    clean["protected_identity"] = bool(flag("protected_identity", data.get("protected_identity")))
    number = _text(data.get("personnummer"))
    if clean["protected_identity"]:
        if number:
            raise FieldError("personnummer", "pf_protected_number")
        clean["identity"] = None
        clean["birth_date"] = date("birth_date", data.get("birth_date"), required=True)
    else:
        if not number:
            raise FieldError("personnummer", "pf_number_missing")
        try:
            clean["identity"] = personnummer.parse(number, today)
        except personnummer.IdentityNumberError as exc:
            raise FieldError("personnummer", exc.key) from None
        clean["birth_date"] = clean["identity"].birth_date
    clean["gender"] = choice("gender", data["gender"], GENDERS)
    clean["entry_date"] = date("entry_date", data["entry_date"], required=True)
    if clean["entry_date"] < clean["birth_date"]:
        raise FieldError("entry_date", "pf_before_birth")
    clean["exit_date"] = date("exit_date", data.get("exit_date"))
    if clean["exit_date"] and clean["exit_date"] < clean["entry_date"]:
        raise FieldError("exit_date", "pf_before_entry")
    clean["exit_reason"] = choice("exit_reason", data.get("exit_reason"), EXIT_REASONS, required=False)
    if clean["exit_reason"] and not clean["exit_date"]:
        raise FieldError("exit_reason", "pf_reason_without_exit")
    clean["labour_status"] = choice("labour_status", data["labour_status"], LABOUR)
    clean["education"] = choice("education", data["education"], EDUCATION)
    for field in FLAGS:
        clean[field] = flag(field, data.get(field))
    for field in SPECIAL:
        clean[field] = special(field, data.get(field))
    for field in ("student_id", "institution"):
        clean[field] = _text(data.get(field))[:160] or None
    return clean
