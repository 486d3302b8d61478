"""lce_utils.courses.checks: what test cells call must not be fooled by an answer pretending to be a number or True."""

from __future__ import annotations

import numbers

import numpy as np
import pytest

from lce_utils.courses import checks


class Claims(float):
    """A float subclass that equals anything (the always-equal cheat)."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = float.__hash__


class Truthy:
    def __bool__(self) -> bool:
        return True


class Masked:
    """Claims to live in builtins and registers as a real number."""


Masked.__module__ = "builtins"
numbers.Real.register(Masked)


class FakeNumpyBool:
    def __bool__(self) -> bool:
        return True


FakeNumpyBool.__module__ = "numpy"
FakeNumpyBool.__name__ = "bool"


@pytest.mark.parametrize("value", [3, 2.5, np.int64(4), np.float64(0.5), np.float32(1.5), np.uint8(7)])
def test_real_numbers_are_numbers(value: object) -> None:
    assert checks.is_number(value)


@pytest.mark.parametrize("value", [True, np.bool_(True), "3", None, Claims(1.0), Masked(), [1], complex(1, 0)])
def test_anything_else_is_not_a_number(value: object) -> None:
    assert not checks.is_number(value)


@pytest.mark.parametrize("condition", [True, np.float64(2) == 2, np.bool_(True)])
def test_a_true_condition_passes(condition: object) -> None:
    checks.check(condition, sv="fel", en="wrong")


@pytest.mark.parametrize("condition", [False, 1, "yes", Truthy(), FakeNumpyBool(), np.bool_(False), None])
def test_anything_but_true_fails_with_the_message_in_the_language_set(condition: object) -> None:
    checks.set_language("en")
    try:
        with pytest.raises(checks.CheckFailed) as failed:
            checks.check(condition, sv="Försök igen", en="Try again")
        assert failed.value._render_traceback_() == ["\x1b[1;31mNot done yet:\x1b[0m Try again"]
    finally:
        checks._state["language"] = None


def test_before_the_language_cell_both_languages_show_swedish_first() -> None:
    assert checks.say("Hej", "Hello") == "Hej\n\nHello"
    with pytest.raises(ValueError, match="språket"):
        checks.set_language("de")
