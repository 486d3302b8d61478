"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer): parsing,
the Luhn check digit, the real date of birth, the century.

Forms accepted: YYMMDD-NNNC, YYMMDD+NNNC (the person is 100 or older), YYMMDDNNNC, YYYYMMDD-NNNC, YYYYMMDDNNNC.
A samordningsnummer carries the day of birth plus 60 (61-91). The ten-digit form without a century belongs to
the latest century in which the person is under 100 on the reference day (Skatteverket's rule, which the `+`
separator exists for); the twelve-digit form names the century itself."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lce_utils.errors import DataError
from lce_utils.messages import both

_FORM = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)$")


class IdentityNumberError(DataError):
    """A personnummer or samordningsnummer that is malformed, has a wrong check digit or no real date: key is the
    catalogue's message for what is wrong."""

    def __init__(self, text: str, key: str) -> None:
        self.key = key
        super().__init__(f"{text!r}: {both(key)}")


@dataclass(frozen=True)
class IdentityNumber:
    """A checked number: the twelve digits (YYYYMMDDNNNC, the day as written), its date of birth and kind."""
    digits: str
    birth_date: dt.date
    coordination: bool

    @property
    def formatted(self) -> str:
        """YYYYMMDD-NNNC, the form stored and reported."""
        return f"{self.digits[:8]}-{self.digits[8:]}"


def luhn_digit(nine: str) -> int:
    """The check digit of the nine digits YYMMDDNNN (Luhn, weights 2,1,2,...)."""
    total = 0
    for i, ch in enumerate(nine):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def parse(text: str, today: dt.date | None = None) -> IdentityNumber:
    """Check text as a personnummer or samordningsnummer and return it; IdentityNumberError (Swedish and English)
    says what is wrong. today (the reference day for the century of a ten-digit form) defaults to today."""
    today = today or dt.date.today()
    raw = str(text or "").strip().replace(" ", "")
    found = _FORM.match(raw)
    if not found:
        raise IdentityNumberError(raw, "pnr_form")
    century, yy, mm, dd, sep, serial, check = found.groups()
    if century and sep == "+":
        raise IdentityNumberError(raw, "pnr_plus")
    if luhn_digit(yy + mm + dd + serial) != int(check):
        raise IdentityNumberError(raw, "pnr_check")
    day = int(dd)
    coordination = day > 60
    if coordination:
        day -= 60
    limit = today
    if century:
        years = [int(century + yy)]
    else:
        # the latest year ending in yy whose person is under 100 on the reference day; '+' means 100 or older
        year = today.year - (today.year - int(yy)) % 100
        years = [year, year - 100, year - 200]
        if sep == "+":
            limit = _years_before(today, 100)
    born, real = None, False
    for year in years:
        try:
            candidate = dt.date(year, int(mm), day)
        except ValueError:
            continue
        real = True
        if candidate <= limit:
            born = candidate
            break
    if not real:
        raise IdentityNumberError(raw, "pnr_no_date")
    if born is None:
        raise IdentityNumberError(raw, "pnr_future")
    return IdentityNumber(digits=f"{born.year:04d}{mm}{dd}{serial}{check}", birth_date=born,
                          coordination=coordination)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def make(born: dt.date, serial: int, coordination: bool = False) -> str:
    """A number with a valid check digit for born and the three-digit serial (for fictitious people and tests),
    in the twelve-digit form YYYYMMDD-NNNC."""
    day = born.day + (60 if coordination else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    return f"{born:%Y%m}{day:02d}-{serial:03d}{luhn_digit(nine)}"
