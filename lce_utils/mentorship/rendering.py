"""Pages that always finish with the form or with a message: Voilà's notebook rendering, made to end its stream
when rendering fails, and never to send a page whose outputs were dropped.

Voilà 0.5 renders a page without a preheated kernel in a background task (`put_html` in
`voila.handler.VoilaHandler.get_generator`) that feeds a queue; the request handler reads that queue and, while
it waits, sends a heartbeat every few seconds. When the task fails (typically the kernel does not answer
within its 60 s start-up time on a busy machine, or it dies while starting) the task's error is never read,
the end-of-page marker never arrives, and the handler sends heartbeats for ever: the browser shows the spinner
for good. `SteadyNotebookRenderer` ends such a page instead: it logs the error, sends a short bilingual message
asking the visitor to reload, and closes the page, so the queue always gets its end marker.

Outputs: nbclient waits only `iopub_timeout` seconds (4 by default) after a cell's reply for the cell's output
messages, then drops whatever has not arrived, without an error. The sign-up cell's output is about 180 widget
messages and the display of the form; with several pages rendering at once on two cores they took longer than
that, and the page was sent without the form (it stayed empty for good: the widgets loaded, nothing showed them).
The server now waits much longer (`serve.IOPUB_TIMEOUT`) and makes nbclient raise if even that runs out; a cell
whose outputs did not all arrive, or that failed, ends the page with the message to reload (never a half page,
never Voilà's English hints about its command-line flags)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from nbconvert.preprocessors.clearoutput import ClearOutputPreprocessor
from voila.notebook_renderer import NotebookRenderer

log = logging.getLogger("lce.mentorship")

FAILED_PAGE = """
<div class="lce-error" role="alert" id="lce-render-failed" style="margin: 2em">
  <p>Sidan kunde inte startas just nu. Ladda om sidan om en stund.</p>
  <p lang="en">The page could not be started just now. Reload it in a while.</p>
</div>
<script>window.voila_finish && window.voila_finish();</script>
</body>
</html>
"""


class RenderFailed(RuntimeError):
    """A cell of the page could not be run completely (its outputs would be missing or wrong)."""


class SteadyNotebookRenderer(NotebookRenderer):
    """A NotebookRenderer whose page stream ends (with a message to reload) when rendering fails."""

    lce_failed = False  # set when the page ended with the message instead of the form

    def generate_content_generator(self, kernel_id: str | None = None,
                                   kernel_future: Any = None) -> AsyncIterator[tuple[str, Any]]:
        return self._steady(super().generate_content_generator(kernel_id, kernel_future))

    async def _steady(self, inner: AsyncIterator[tuple[str, Any]]) -> AsyncIterator[tuple[str, Any]]:
        try:
            async for item in inner:
                yield item
        except Exception:  # (any failure: the page must end either way; the log has the details)
            log.exception("rendering %s failed; the page ends with a message to reload", self.notebook_path)
            self.lce_failed = True  # a preheated page that failed is not handed to a visitor (serve._ready)
            yield FAILED_PAGE, None

    async def _jinja_cell_generator(self, nb: Any, kernel_id: str) -> AsyncIterator[Any]:
        """Run the cells one at a time (as Voilà does), but a cell that times out (its outputs too), fails, or
        loses its kernel stops the page with `RenderFailed` instead of being sent as it is."""
        nb, _ = ClearOutputPreprocessor().preprocess(nb, {"metadata": {"path": self.cwd}})
        try:
            for index, cell in enumerate(nb.cells):
                try:
                    yield await self.executor.execute_cell(cell, None, index, store_history=False)
                except Exception as exc:  # noqa: BLE001 (TimeoutError, CellExecutionError, DeadKernelError, ...)
                    raise RenderFailed(f"cell {index} of {self.notebook_path}: {type(exc).__name__}") from exc
        finally:
            await self._cleanup_resources()


def install() -> None:
    """Make Voilà's handler and its kernel pool render with SteadyNotebookRenderer."""
    import voila.handler
    import voila.voila_kernel_manager

    voila.handler.NotebookRenderer = SteadyNotebookRenderer
    voila.voila_kernel_manager.NotebookRenderer = SteadyNotebookRenderer
