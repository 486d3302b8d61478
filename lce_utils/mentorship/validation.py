"""Server-side checks of every value a form sends: the browser's widget state can be forged."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from lce_utils.errors import DataError
from lce_utils.mentorship import options
from lce_utils.messages import both, t

EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
                      r"[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}$")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # the one spelling of a date the forms accept
APPLICATION_FIELDS = ("name", "email", "organisation", "role", "field", "skills_offered", "skills_wanted", "goals",
                      "languages", "availability", "municipality", "consent_purpose", "consent_contact", "capacity",
                      "consent_directory")


class ValidationError(DataError):
    """Invalid form data: `errors` maps each wrong field to its (Swedish, English) message."""

    def __init__(self, errors: dict[str, tuple[str, str]]):
        self.errors = dict(errors)
        parts = [f"{name}: {sv} / {en}" for name, (sv, en) in self.errors.items()]
        super().__init__(both("invalid_fields") + ": " + "; ".join(parts))

    def message(self, field: str, lang: str = "sv") -> str | None:
        """The message for one field in 'sv' or 'en', or None when that field is fine."""
        pair = self.errors.get(field)
        return None if pair is None else (pair[1] if lang == "en" else pair[0])


def _msg(key: str, **params: object) -> tuple[str, str]:
    return t(key, "sv", **params), t(key, "en", **params)


def _has_control(text: str, allow_newlines: bool) -> bool:
    for ch in text:
        if allow_newlines and ch in "\n\t":
            continue
        if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co"}:
            return True
    return False


class _Checker:
    def __init__(self, data: Any):
        self.errors: dict[str, tuple[str, str]] = {}
        self.data = data if isinstance(data, dict) else {}

    def fail(self, name: str, key: str, **params: object) -> None:
        self.errors.setdefault(name, _msg(key, **params))

    def text(self, name: str, limit: int, required: bool = True, multiline: bool = False) -> str:
        value = self.data.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(name, "err_type")
            return ""
        value = unicodedata.normalize("NFC", value.strip())
        if not multiline:
            value = " ".join(value.split())
        if required and not value:
            self.fail(name, "err_required")
        elif len(value) > limit:
            self.fail(name, "err_too_long", limit=limit)
        elif _has_control(value, multiline):
            self.fail(name, "err_control")
        return value

    def choice(self, name: str, allowed: Any) -> str:
        value = self.data.get(name)
        if value in (None, ""):
            self.fail(name, "err_required")
            return ""
        if not isinstance(value, str) or value not in allowed:
            self.fail(name, "err_choice")
            return ""
        return value

    def choices(self, name: str, allowed: Any) -> list[str]:
        value = self.data.get(name)
        if value is None:
            value = []
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            self.fail(name, "err_type")
            return []
        if any(v not in allowed for v in value):
            self.fail(name, "err_choices")
            return []
        if not value:
            self.fail(name, "err_min_one")
        order = list(allowed)
        return sorted(set(value), key=order.index)

    def skills(self, name: str, required: bool) -> list[str]:
        value = self.data.get(name)
        if value is None:
            value = []
        if isinstance(value, str):  # a text area with one skill per line
            value = value.splitlines()
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            self.fail(name, "err_type")
            return []
        cleaned: list[str] = []
        for item in value:
            item = " ".join(unicodedata.normalize("NFC", item).split())
            if not item:
                continue
            if len(item) > options.LIMITS["skill"]:
                self.fail(name, "err_too_long", limit=options.LIMITS["skill"])
                return []
            if _has_control(item, False):
                self.fail(name, "err_control")
                return []
            if item.casefold() not in {c.casefold() for c in cleaned}:
                cleaned.append(item)
        if len(cleaned) > options.MAX_SKILLS:
            self.fail(name, "err_too_many", limit=options.MAX_SKILLS)
        if required and not cleaned:
            self.fail(name, "err_required")
        return cleaned

    def boolean(self, name: str, default: bool | None = None) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            self.fail(name, "err_bool" if value is not None else "err_required")
            return False
        return value


def normalise_email(value: str) -> str:
    """The form in which e-mail addresses are stored and compared (trimmed, lower case)."""
    return value.strip().lower()


def validate_email(value: Any, name: str = "email") -> str:
    """A checked, normalised e-mail address, or ValidationError for field name."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({name: _msg("err_required" if not value else "err_type")})
    email = normalise_email(value)
    if len(email) > options.LIMITS["email"] or not EMAIL_RE.match(email):
        raise ValidationError({name: _msg("err_email")})
    return email


def validate_application(data: dict[str, Any]) -> dict[str, Any]:
    """The cleaned application, or ValidationError naming every wrong field (Swedish and English)."""
    if not isinstance(data, dict):
        raise ValidationError({"form": _msg("err_type")})
    check = _Checker(data)
    for key in data:
        if key not in APPLICATION_FIELDS:
            check.fail(str(key)[:40], "err_unknown")
    out: dict[str, Any] = {}
    out["name"] = check.text("name", options.LIMITS["name"])
    try:
        out["email"] = validate_email(data.get("email"))
    except ValidationError as exc:
        check.errors.update(exc.errors)
        out["email"] = ""
    out["organisation"] = check.text("organisation", options.LIMITS["organisation"], required=False) or None
    out["role"] = check.choice("role", options.ROLES)
    out["field"] = check.choice("field", options.FIELDS)
    role = out["role"]
    out["skills_offered"] = check.skills("skills_offered", required=role in {"mentor", "mutual"})
    out["skills_wanted"] = check.skills("skills_wanted", required=role in {"mentee", "mutual"})
    out["goals"] = check.text("goals", options.LIMITS["goals"], multiline=True)
    out["languages"] = check.choices("languages", options.LANGUAGES)
    out["availability"] = check.choices("availability", options.AVAILABILITY)
    out["municipality"] = check.choice("municipality", options.MUNICIPALITIES)
    consent = data.get("consent_purpose")
    if consent is not True:
        check.fail("consent_purpose", "err_consent" if consent in (None, False) else "err_bool")
    out["consent_purpose"] = consent is True
    out["consent_contact"] = check.boolean("consent_contact", default=False)
    out["consent_directory"] = check.boolean("consent_directory", default=False)  # optional, unticked by default
    capacity = data.get("capacity", 1)
    if capacity is None:
        capacity = 1
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= options.MAX_CAPACITY:
        check.fail("capacity", "err_capacity")
        capacity = 1
    out["capacity"] = capacity if role == "mentor" else 1
    if check.errors:
        raise ValidationError(check.errors)
    return out


def validate_listing(data: dict[str, Any]) -> dict[str, Any]:
    """What the network directory lists about a person (field, municipality, skills offered and wanted, at least
    one skill), checked like the sign-up's fields; ValidationError naming every wrong field."""
    check = _Checker(data)
    out = {"field": check.choice("field", options.FIELDS),
           "municipality": check.choice("municipality", options.MUNICIPALITIES),
           "skills_offered": check.skills("skills_offered", required=False),
           "skills_wanted": check.skills("skills_wanted", required=False)}
    if not check.errors and not (out["skills_offered"] or out["skills_wanted"]):
        check.fail("skills_offered", "err_required")
    if check.errors:
        raise ValidationError(check.errors)
    return out


def validate_session(held_on: Any, minutes: Any, session_format: Any) -> tuple[dt.date, int, str]:
    """A checked mentoring session: date not in the future, 5-600 minutes, a known format."""
    errors: dict[str, tuple[str, str]] = {}
    day: dt.date | None = None
    if isinstance(held_on, dt.datetime):
        day = held_on.date()
    elif isinstance(held_on, dt.date):
        day = held_on
    date_error = "err_date_format"
    if isinstance(held_on, str) and ISO_DATE.fullmatch(held_on.strip()):
        try:
            day = dt.date.fromisoformat(held_on.strip())
        except ValueError:
            date_error = "err_date_invalid"  # e.g. 2026-02-30
    if day is None:
        errors["held_on"] = _msg(date_error)
    elif day > dt.date.today():
        errors["held_on"] = _msg("err_date_future")
    elif day.year < 2000:
        errors["held_on"] = _msg("err_date_past")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 5 <= minutes <= 600:
        errors["minutes"] = _msg("err_minutes")
    if session_format not in options.SESSION_FORMATS:
        errors["session_format"] = _msg("err_choice")
    if errors:
        raise ValidationError(errors)
    return day, minutes, session_format  # type: ignore[return-value]


def validate_feedback(score: Any, comment: Any) -> tuple[int, str | None]:
    """A checked feedback: score 1-5 and an optional comment of bounded length."""
    check = _Checker({"comment": comment})
    text = check.text("comment", options.LIMITS["comment"], required=False, multiline=True)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        check.fail("score", "err_score")
    if check.errors:
        raise ValidationError(check.errors)
    return score, (text or None)
