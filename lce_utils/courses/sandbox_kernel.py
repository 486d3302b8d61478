"""The grading kernel: an ipykernel whose address space is limited (RLIMIT_AS), so one runaway allocation fails with
a MemoryError (the sandbox's cgroup limits all its processes together; see sandbox.py).

Run as `python -m lce_utils.courses.sandbox_kernel -f CONNECTION_FILE`; the limit comes from LCE_KERNEL_MEMORY_MB.
Inside the sandbox it first copies the learner's files from LCE_HANDED_IN into its (tmpfs) working folder."""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
from pathlib import Path

# Only the standard library here: this module starts every grading kernel, so its imports cost per submission.
DEFAULT_MEMORY_MB = 3072         # address-space limit of a grading kernel (a learner's 4 GB allocation fails)
SANDBOX_KERNEL = "lce-sandbox"   # kernelspec name of the limited grading kernel


def limit_memory(megabytes: int) -> None:
    """Cap this process's (and its children's) address space at megabytes."""
    limit = int(megabytes) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def install_kernelspec(jupyter_dir: str | Path, memory_mb: int = DEFAULT_MEMORY_MB, launcher: dict | None = None
                       ) -> Path:
    """Write the grading kernelspec under jupyter_dir/kernels/ (add jupyter_dir to JUPYTER_PATH to use it).

    launcher: argv and interrupt mode of a kernel launcher (sandbox.kernelspec()); default: this module directly."""
    folder = Path(jupyter_dir) / "kernels" / SANDBOX_KERNEL
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "lce_utils.courses.sandbox_kernel", "-f", "{connection_file}",
                 "--IPKernelApp.log_level=ERROR"],
        **(launcher or {}),
        "display_name": f"Python 3 (LCE grading, {memory_mb} MB limit)",
        "language": "python",
        "env": {"LCE_KERNEL_MEMORY_MB": str(memory_mb), "OPENBLAS_NUM_THREADS": "1",
                "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"},
        "metadata": {"debugger": False},
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return folder


def main() -> None:
    """Copy the handed-in files here (in the sandbox), limit memory, then start an ordinary IPython kernel."""
    handed_in = os.environ.pop("LCE_HANDED_IN", "")
    if handed_in and os.path.isdir(handed_in):
        shutil.copytree(handed_in, os.getcwd(), dirs_exist_ok=True)
    limit_memory(int(os.environ.get("LCE_KERNEL_MEMORY_MB", DEFAULT_MEMORY_MB)))
    # pandas' strings are Arrow arrays, and Arrow's default allocator (mimalloc) reserves 1 GiB of address space on
    # first use: under the limit above that left an honest notebook too little for its own data, and at random
    # moments for the kernel's messages (it then died). The system allocator reserves only what is used.
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    # ipykernel loads debugpy while it starts (about 90 ms of CPU per kernel where that succeeds: --no-sandbox; in
    # bubblewrap it already failed) for a debugger grading never uses (the kernelspec turns it off): hidden until the
    # kernel is set up, then importable again for the learner's cells
    sys.modules["debugpy"] = None  # type: ignore[assignment]  # None in sys.modules makes an import fail
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize()
    if sys.modules.get("debugpy", 0) is None:
        del sys.modules["debugpy"]
    app.start()


if __name__ == "__main__":
    main()
