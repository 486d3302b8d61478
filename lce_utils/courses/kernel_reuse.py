"""One sandboxed kernel per submission: a learner's notebooks (the lessons of an assignment) run one after another in
the same grading kernel, reset between them, instead of in a fresh kernel each.

Why: starting a sandboxed kernel costs about 0.4 s of CPU (Python, ipykernel, the integrity baseline) and every
notebook imports its modules again; with four or more lessons per submission that was a third of grading's CPU.

What a fresh kernel gave each notebook, the reset gives too (sent as a user expression before the next notebook's
first cell, outside the learner's cells): an empty user namespace, input/output history and execution count from 1
(IPython's reset), no cell source left in linecache (an earlier notebook's hidden tests cannot be read back), no
module the learner made (anything imported since the first notebook started that is not a file of the read-only
environment), the working folder copied afresh from the handed-in files and /tmp as it was. What stays is the
integrity probe with the baseline it took in the first notebook before any learner code ran: it is never taken
again, so a shell changed in one notebook is still found in the next one's test cells. The kernel is not reused
(a fresh one starts, as before) when the previous notebook timed out, its kernel died, its integrity check could not
start, it left threads or processes running, or the reset does not answer "ok" in time. Only in the bubblewrap
sandbox: without it the kernel's /tmp and working folder are not its own to reset."""

from __future__ import annotations

import secrets
from typing import Any

from jupyter_core.utils import run_sync
from nbformat.notebooknode import NotebookNode

from lce_utils.courses.integrity import IntegrityExecute
from lce_utils.courses.sandbox import HANDED_IN, WORKDIR

NOT_REUSED_AFTER = ("CellTimeoutError", "DeadKernelError")  # a notebook that ended so leaves no kernel to reuse

# Kernel side, standard library only. record() runs before the first notebook's first cell (before the integrity
# baseline and any learner code); reset() before each later notebook's first cell. Both answer with the nonce.
KERNEL_SOURCE = r'''
def _lce_tasks():
    import os
    return sorted(p for p in os.listdir("/proc") if p.isdigit()), __import__("threading").active_count()


def record(nonce):
    import os, sys, types
    state = types.ModuleType("_lce_reuse")
    state.modules = set(sys.modules)
    state.tmp = set(os.listdir("/tmp"))
    state.tasks = _lce_tasks()
    sys.modules["_lce_reuse"] = state
    return nonce


def reset(nonce, handed_in, workdir):
    import gc, linecache, os, shutil, sys
    state = sys.modules.get("_lce_reuse")
    if state is None or "_lce_integrity" not in sys.modules:
        return "the kernel's baseline is gone"
    if os.getcwd() != workdir or not os.path.isdir(handed_in):
        return "not in the sandbox's working folder"
    if _lce_tasks() != state.tasks:
        return "the notebook left threads or processes running"
    get_ipython().reset(new_session=True)
    linecache.cache.clear()
    getattr(linecache, "_ipython_cache", {}).clear()
    lce = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # lce_utils
    keep = tuple(p for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, lce} if p)
    for name, module in list(sys.modules.items()):
        if name in state.modules or name in ("_lce_reuse", "_lce_integrity"):
            continue
        path = getattr(module, "__file__", None)
        if not (isinstance(path, str) and os.path.abspath(path).startswith(keep)):
            del sys.modules[name]
    for entry in os.scandir(workdir):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    shutil.copytree(handed_in, workdir, dirs_exist_ok=True)
    for entry in os.scandir("/tmp"):
        if entry.name not in state.tmp:
            shutil.rmtree(entry.path) if entry.is_dir(follow_symlinks=False) else os.unlink(entry.path)
    gc.collect()
    return nonce
'''

_HELD: dict[str, Any] = {}  # this worker's kernel for the submission being graded: km, path


def _expression(call: str) -> str:
    """A user expression that runs KERNEL_SOURCE's call in a namespace of its own (not the learner's)."""
    import lce_utils.courses.kernel_reuse as me

    source = KERNEL_SOURCE + "\n_answer = " + call + "\n"
    namespace = f"{{'__name__': '_lce_reuse_run', '__file__': {me.__file__!r}, 'get_ipython': get_ipython}}"
    return f"(lambda ns: exec(compile({source!r}, '<lce-reuse>', 'exec'), ns) or ns['_answer'])({namespace})"


def release() -> None:
    """Shut down the held kernel (the submission is finished, or the kernel cannot be reused)."""
    km = _HELD.pop("km", None)
    _HELD.clear()
    if km is not None and km.has_kernel:
        try:
            run_sync(km.shutdown_kernel)(now=True)
        except RuntimeError:  # already gone
            pass


class _ResetFailed(Exception):
    pass


class ReusedKernelExecute(IntegrityExecute):
    """IntegrityExecute that runs every notebook of a submission in one kernel, reset between notebooks."""

    def preprocess(self, nb: NotebookNode, resources: dict | None = None, km: object = None
                   ) -> tuple[NotebookNode, dict]:
        """Execute the notebook in the held kernel (after a reset) or in a fresh one that is then held."""
        path = (resources or {}).get("metadata", {}).get("path")
        if _HELD and _HELD.get("path") != path:
            release()
        self._reused = bool(_HELD)
        try:
            result = self._run(nb, resources)
        except _ResetFailed:
            release()
            self._reused = False
            result = self._run(nb, resources)
        except BaseException:
            release()
            raise
        ended = {o.get("ename") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"}
        if self._setup_problem != [] or ended & set(NOT_REUSED_AFTER):
            release()
        return result

    def _run(self, nb: NotebookNode, resources: dict | None) -> tuple[NotebookNode, dict]:
        if not _HELD:
            _HELD.update(km=self.kernel_manager_class(kernel_name=self.kernel_name, config=self.config),
                         path=(resources or {}).get("metadata", {}).get("path"))
        self._started = False
        try:
            return super().preprocess(nb, resources, _HELD["km"])
        finally:
            client: Any = getattr(self, "kc", None)
            if client is not None:  # nbclient stops only the clients of kernels it made itself
                client.stop_channels()
                self.kc = None

    def _call(self, call: str, nonce: str) -> bool:
        reply = self._request("", {"lce": _expression(call)})
        answer = (reply or {}).get("content", {}).get("user_expressions", {}).get("lce", {})
        return answer.get("status") == "ok" and answer.get("data", {}).get("text/plain") == repr(nonce)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        """Before the first cell: the reset (held kernel, whose baseline stays) or the record (fresh kernel)."""
        if not self._started:
            self._started = True
            nonce = secrets.token_hex(8)
            if self._reused:
                if not self._call(f"reset({nonce!r}, {HANDED_IN!r}, {WORKDIR!r})", nonce):
                    raise _ResetFailed()
                self._setup_problem = []  # the first notebook's baseline, taken before any learner code
            elif not self._call(f"record({nonce!r})", nonce):
                self._setup_problem = ["the integrity check could not start in the kernel"]
        return super().preprocess_cell(cell, resources, index)
