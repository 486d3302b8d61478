"""A late-submission policy nbgrader lacks: a percentage off per started day late, with a cap."""

from __future__ import annotations

import math

from nbgrader.plugins import BasePlugin
from traitlets import Float


def late_penalty(score: float, seconds_late: float, percent_per_day: float, max_percent: float) -> float:
    """Points to take off: percent_per_day of score per started day late, at most max_percent of score."""
    if seconds_late <= 0 or score <= 0:
        return 0.0
    days = math.ceil(seconds_late / 86400)
    percent = min(days * percent_per_day, max_percent)
    return round(score * percent / 100, 2)


class PercentPerDayLate(BasePlugin):
    """nbgrader late-submission plugin: `percent_per_day` off per started day, capped at `max_percent`."""

    percent_per_day = Float(10.0, help="percentage of the score taken off per started day late").tag(config=True)
    max_percent = Float(50.0, help="the largest percentage taken off, however late").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        """The penalty in points for one notebook."""
        return late_penalty(score, total_seconds_late, self.percent_per_day, self.max_percent)
