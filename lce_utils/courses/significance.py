"""The chi-squared test of a contingency table, as lessons call it: same statistic and p-value as
scipy.stats.chi2_contingency (Yates' continuity correction on 2x2 tables), in plain Python.

Why not scipy in the lesson: importing scipy.stats takes 0.8-1.1 s of CPU, in every learner's kernel and again in
every grading kernel (docs/scale.md). The p-value needs only the chi-squared distribution's survival function,
which for whole degrees of freedom has a closed form: the regularised upper incomplete gamma function Q(k/2, x/2)
is a finite sum, starting from exp(-y) for even k and erfc(sqrt(y)) for odd k. The tests compare every result with
scipy's."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from lce_utils.courses.checks import say
from lce_utils.messages import pair


class ChiSquared(NamedTuple):
    statistic: float
    p_value: float
    dof: int


class TableError(ValueError):
    """A table the test cannot be run on; the message is in the lesson's language, never a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[1;31m{self.__class__.__name__}:\x1b[0m {self.args[0]}"]


def _fail(key: str, **params: object) -> TableError:
    return TableError(say(*pair(key, **params)))


def _rows(table: object) -> list[list[float]]:
    """The table as rows of floats; numpy arrays, pandas frames and nested lists alike."""
    values: Any = getattr(table, "values", table)  # a DataFrame's cells, not its column names
    if hasattr(values, "tolist"):
        values = values.tolist()
    try:
        rows = [list(row) for row in values]
    except TypeError:
        raise _fail("chi2_not_table") from None
    if any(len(row) != len(rows[0]) for row in rows):
        raise _fail("chi2_ragged")
    if len(rows) < 2 or len(rows[0]) < 2:
        raise _fail("chi2_too_small")
    out: list[list[float]] = []
    for r, row in enumerate(rows, start=1):
        out.append([])
        for c, cell in enumerate(row, start=1):
            number = not isinstance(cell, bool) and (isinstance(cell, (int, float)) or hasattr(cell, "__float__"))
            value = float(cell) if number else math.nan
            if not math.isfinite(value) or value < 0:
                raise _fail("chi2_not_count", row=r, column=c, value=repr(cell))
            out[-1].append(value)
    return out


def chi_squared_survival(x: float, dof: int) -> float:
    """P(X >= x) for X chi-squared with dof degrees of freedom (dof a positive whole number)."""
    if x <= 0:
        return 1.0
    y = x / 2
    half, odd = divmod(dof, 2)
    if odd:
        # Q(1/2, y) = erfc(sqrt(y)); each step Q(a+1, y) = Q(a, y) + y**a e**-y / Gamma(a+1), summed in logs.
        total, a, steps = math.erfc(math.sqrt(y)), 0.5, half
    else:
        total, a, steps = 0.0, 0.0, half
    log_y = math.log(y)
    for _ in range(steps):
        total += math.exp(a * log_y - y - math.lgamma(a + 1))
        a += 1
    return min(total, 1.0)


def chi_squared_test(table: object, correction: bool = True) -> ChiSquared:
    """Pearson's chi-squared test of independence of a table of counts (rows x columns, at least 2 x 2).

    With one degree of freedom (a 2 x 2 table) and `correction`, each count is first moved 0.5 towards its
    expected value (Yates), as scipy.stats.chi2_contingency does by default."""
    rows = _rows(table)
    row_totals = [sum(row) for row in rows]
    column_totals = [sum(column) for column in zip(*rows)]
    total = sum(row_totals)
    for r, row_total in enumerate(row_totals, start=1):
        if row_total == 0:
            raise _fail("chi2_empty_row", row=r)
    for c, column_total in enumerate(column_totals, start=1):
        if column_total == 0:
            raise _fail("chi2_empty_column", column=c)
    dof = (len(rows) - 1) * (len(rows[0]) - 1)
    statistic = 0.0
    for row, row_total in zip(rows, row_totals):
        for observed, column_total in zip(row, column_totals):
            expected = row_total * column_total / total
            difference = abs(observed - expected)
            if correction and dof == 1:
                difference -= min(0.5, difference)
            statistic += difference * difference / expected
    return ChiSquared(statistic, chi_squared_survival(statistic, dof), dof)
