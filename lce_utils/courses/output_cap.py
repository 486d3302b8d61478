"""nbgrader's Execute with output caps: bytes per cell and per notebook are counted as the kernel sends them.

nbgrader's LimitOutput keeps at most N lines per cell, but only after the whole output has been received and stored,
and one line can be 50 MB. Here output beyond the caps is dropped on arrival and replaced by one note."""

from __future__ import annotations

import json
from typing import Any

from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Integer

from lce_utils.messages import both

CELL_OUTPUT_BYTES = 2 * 1024 * 1024       # output kept per cell
NOTEBOOK_OUTPUT_BYTES = 8 * 1024 * 1024   # output kept per notebook


def _human(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB" if size >= 1024 * 1024 else f"{size / 1024:g} kB"


class CappedExecute(Execute):
    """Execute that keeps at most max_cell_output_bytes per cell and max_notebook_output_bytes per notebook."""

    max_cell_output_bytes = Integer(CELL_OUTPUT_BYTES, help="output bytes kept per cell").tag(config=True)
    max_notebook_output_bytes = Integer(NOTEBOOK_OUTPUT_BYTES, help="output bytes kept per notebook").tag(
        config=True)

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> Any:
        """Run the notebook with fresh counters."""
        self._cell_bytes: dict[int, int] = {}
        self._notebook_bytes = 0
        self._truncated: set[int] = set()
        return super().preprocess(nb, resources, km)

    def output(self, outs: list, msg: dict, display_id: str | None, cell_index: int) -> NotebookNode | None:
        """Store an output only while the cell and the notebook are under their caps (errors always: they grade)."""
        if msg["msg_type"] == "error":
            return super().output(outs, msg, display_id, cell_index)
        size = len(json.dumps(msg.get("content", {}), default=str))
        cell = self._cell_bytes.get(cell_index, 0) + size
        total = self._notebook_bytes + size
        if cell > self.max_cell_output_bytes or total > self.max_notebook_output_bytes:
            if cell_index not in self._truncated:
                self._truncated.add(cell_index)
                limit = self.max_cell_output_bytes if cell > self.max_cell_output_bytes \
                    else self.max_notebook_output_bytes
                text = f"\n... {both('grade_truncated', limit=_human(limit))} ...\n"
                note = new_output("stream", name="stderr", text=text)
                outs.append(note)
                return note
            return None
        self._cell_bytes[cell_index] = cell
        self._notebook_bytes = total
        return super().output(outs, msg, display_id, cell_index)
