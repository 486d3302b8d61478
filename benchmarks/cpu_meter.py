"""CPU seconds used by this process and everything it starts, for benchmarks on a machine shared with other work.

Wall time on a loaded machine says little; CPU time of the grading processes does. Kernels in their sandboxes are
grandchildren that die before anyone waits for them (getrusage of children misses them), so a thread samples the
process tree and keeps each process's last CPU time (a process ending between two samples loses at most one
interval of its time: the figure is a slight underestimate). The sampling thread's own CPU time is left out."""

from __future__ import annotations

import os
import threading
import time

import psutil


class CpuMeter:
    """with CpuMeter() as meter: ...; meter.seconds is the CPU time (user + system) of this process and its
    descendants while the block ran."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.seconds = 0.0
        self._seen: dict[tuple[int, float], float] = {}
        self._start: dict[tuple[int, float], float] = {}
        self._own = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> dict[tuple[int, float], float]:
        me = psutil.Process(os.getpid())
        found = {}
        for proc in [me, *me.children(recursive=True)]:
            try:
                with proc.oneshot():
                    times = proc.cpu_times()
                    found[(proc.pid, proc.create_time())] = times.user + times.system
            except psutil.Error:
                pass
        return found

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._seen.update(self._sample())
        self._own = time.thread_time()  # this thread's sampling (it reads every process on the machine) is not counted

    def __enter__(self) -> CpuMeter:
        self._start = self._sample()
        self._seen = dict(self._start)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._seen.update(self._sample())
        self.seconds = sum(value - self._start.get(key, 0.0) for key, value in self._seen.items()) - self._own
