"""Personnummer and samordningsnummer: check digit, real dates, coordination day + 60, the century of the
ten-digit form from the '-' / '+' separator, and the twelve-digit form. Numbers are made at run time (no
personnummer-like literal may be committed)."""

from __future__ import annotations

import datetime as dt

import pytest

from lce_utils.programme.personnummer import IdentityNumberError, luhn_digit, make, parse

TODAY = dt.date(2026, 12, 2)


def ten(yymmdd: str, serial: str = "123", sep: str = "-") -> str:
    """A ten-digit form with a valid check digit."""
    return f"{yymmdd}{sep}{serial}{luhn_digit(yymmdd + serial)}"


def test_luhn_digit_of_a_worked_example():
    # Skatteverket's worked example (the digits 8 1 1 2 1 8 9 8 7 weighted 2,1,2,...: sum 44, check digit 6)
    assert luhn_digit("".join(["8112", "18", "987"])) == 6


def test_the_three_forms_of_one_number_are_the_same():
    twelve = make(dt.date(1990, 5, 17), 123)
    forms = [twelve, twelve.replace("-", ""), twelve[2:], twelve[2:].replace("-", "")]
    parsed = {parse(f, TODAY) for f in forms}
    assert len(parsed) == 1
    number = parsed.pop()
    assert number.birth_date == dt.date(1990, 5, 17) and not number.coordination
    assert number.formatted == twelve


def test_wrong_check_digit_is_refused_in_both_languages():
    good = make(dt.date(1990, 5, 17), 123)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(IdentityNumberError, match="fel kontrollsiffra / wrong check digit"):
        parse(bad, TODAY)


@pytest.mark.parametrize("text", ["", "abc", "1990-05-17", "12345", "19900517-12345"])
def test_malformed(text):
    with pytest.raises(IdentityNumberError, match="expected YYMMDD-NNNN or YYYYMMDD-NNNN"):
        parse(text, TODAY)


def test_no_real_date():
    with pytest.raises(IdentityNumberError, match="not a real date of birth"):
        parse(ten("900230"), TODAY)          # 30 February
    with pytest.raises(IdentityNumberError, match="not a real date of birth"):
        parse(ten("901301"), TODAY)          # month 13
    with pytest.raises(IdentityNumberError, match="not a real date of birth"):
        parse("19" + ten("010229"), TODAY)   # 29 February 1901 (not a leap year)
    assert parse(ten("000229"), TODAY).birth_date == dt.date(2000, 2, 29)


def test_samordningsnummer_day_plus_sixty():
    number = parse(make(dt.date(1985, 3, 31), 456, coordination=True), TODAY)
    assert number.coordination and number.birth_date == dt.date(1985, 3, 31)
    assert parse(ten("850361"), TODAY).birth_date == dt.date(1985, 3, 1)
    with pytest.raises(IdentityNumberError, match="not a real date of birth"):
        parse(ten("850392"), TODAY)          # day 32 + 60
    with pytest.raises(IdentityNumberError, match="not a real date of birth"):
        parse(ten("850460"), TODAY)          # day 0 + 60


def test_century_of_the_ten_digit_form():
    # under 100 on the reference day: the latest century that is not in the future
    assert parse(ten("200505"), TODAY).birth_date == dt.date(2020, 5, 5)
    assert parse(ten("261202"), TODAY).birth_date == dt.date(2026, 12, 2)    # born today
    assert parse(ten("261203"), TODAY).birth_date == dt.date(1926, 12, 3)    # tomorrow would be the future: 99
    # '+': 100 or older on the reference day
    assert parse(ten("200505", sep="+"), TODAY).birth_date == dt.date(1920, 5, 5)
    assert parse(ten("261202", sep="+"), TODAY).birth_date == dt.date(1926, 12, 2)   # 100 today
    assert parse(ten("261203", sep="+"), TODAY).birth_date == dt.date(1826, 12, 3)   # 99 with '+': a century more
    # the same digits a year later change century at the birthday
    assert parse(ten("271203"), dt.date(2027, 12, 2)).birth_date == dt.date(1927, 12, 3)
    assert parse(ten("271203"), dt.date(2027, 12, 3)).birth_date == dt.date(2027, 12, 3)


def test_twelve_digit_form_names_its_century():
    assert parse("19" + ten("200505"), TODAY).birth_date == dt.date(1920, 5, 5)
    assert parse("20" + ten("200505"), TODAY).birth_date == dt.date(2020, 5, 5)
    with pytest.raises(IdentityNumberError, match="the date of birth is in the future"):
        parse("20" + ten("300505"), TODAY)
    with pytest.raises(IdentityNumberError, match="'\\+' belongs to the ten-digit form only"):
        parse("19" + ten("200505", sep="+"), TODAY)
