"""Reading a submission's results from nbgrader's gradebook in a few queries instead of one per grade (not named
gradebook*: publishing leaves every such file out of the learners' repository)."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _any_cell() -> Any:
    """Cells of every kind with their own columns (cell_type, max_score), made once: a new one per query would make
    SQLAlchemy compile the query again each time."""
    from nbgrader.api import BaseCell
    from sqlalchemy.orm import with_polymorphic

    return with_polymorphic(BaseCell, "*", flat=True)


def submitted_notebooks(gb: Any, submission: Any, scores: bool = False) -> list[Any]:
    """A submission's notebooks with their grades, comments and cells loaded in three queries (scores: with the
    notebooks' and grades' scores, the cells' types). nbgrader's names of notebooks, grades and comments are proxies
    to their cells and its scores are deferred: reading them lazily was a query per grade and per score, most of
    what merging a result and exporting grades cost."""
    from nbgrader.api import Comment, Grade, SubmittedNotebook
    from sqlalchemy.orm import joinedload, selectinload, undefer

    if scores:
        grades = [joinedload(Grade.cell.of_type(_any_cell())), undefer(Grade.max_score)]
        own = [undefer(SubmittedNotebook.score), undefer(SubmittedNotebook.max_score),
               undefer(SubmittedNotebook.needs_manual_grade)]
    else:
        grades, own = [joinedload(Grade.cell)], []
    return (gb.db.query(SubmittedNotebook).filter(SubmittedNotebook.assignment_id == submission.id)
            .options(joinedload(SubmittedNotebook.notebook), *own,
                     selectinload(SubmittedNotebook.grades).options(*grades),
                     selectinload(SubmittedNotebook.comments).joinedload(Comment.cell)).all())
