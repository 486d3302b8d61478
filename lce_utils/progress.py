"""Progress shown while long work runs: one way, on stderr, quiet when not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")


def progress(items: Iterable[T], desc: str, total: int | None = None, unit: str = "it") -> Iterator[T]:
    """Iterate over items with a progress bar (a line per update when stderr is not a terminal)."""
    interactive = sys.stderr.isatty()
    bar = tqdm(items, desc=desc, total=total, unit=unit, file=sys.stderr, dynamic_ncols=True,
               mininterval=0.5 if interactive else 5.0, leave=True)
    yield from bar


def step(message: str) -> None:
    """Announce a step of a longer run."""
    print(f"==> {message}", file=sys.stderr, flush=True)
