"""Kernels for the mentorship server: a hard cap that concurrent starts cannot overshoot, and admission of visitors
so that pages which never connect (a script fetching the page) cannot lock the public out.

A kernel handed to a page is *pending* until that page's browser opens the kernel's websocket. Pending kernels
are limited in number, overall and per client address, and stopped when their page has not connected within
`connect_timeout` seconds; a connected kernel stays until it is idle (`cull_idle_timeout`) or its page closes.

Issue 10 asks that a visitor's kernel count against the cap only once their browser connects. Here the cap
(`max_kernels`) stays a hard bound on every live kernel (preheated, pending, connected: it is what bounds memory
on the machine), and pending kernels have their own, smaller budget inside it (`max_pending`, per client
`max_pending_per_client`, stopped after `connect_timeout`). So pages that never connect can hold at most
`max_pending` places, and `max_kernels` minus the pools minus `max_pending` (24 - 5 - 1 - 12 = 6 by default:
sign-up pool 5, follow-up 1) are always left for visitors whose browser connects and for staff: unconnected pages
cannot take their places, and the number of kernels alive never exceeds the cap (which counting only connected
kernels would give up: up to `max_kernels + max_pending`).
`serve` warns when the settings leave nothing for connected visitors."""

from __future__ import annotations

import asyncio
import contextvars
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ApiPath
from tornado import web
from tornado.ioloop import PeriodicCallback
from traitlets import Float, Int

from lce_utils.mentorship.access import AccessPolicy
from lce_utils.messages import both

BUSY = both("busy")


@dataclass(eq=False)
class Ticket:
    """One admitted page request: who asked, whether staff, and the kernel its page got (once known)."""

    client: str
    staff: bool
    kernel_id: str | None = None


@dataclass
class Pending:
    """A kernel handed to a page that has not connected yet."""

    client: str
    assigned: float
    staff: bool = False
    sent: float | None = None  # when the page had been sent completely


# The admitted request whose handler is running (a context variable: each request runs in its own task context).
CURRENT_TICKET: contextvars.ContextVar[Ticket | None] = contextvars.ContextVar("lce_ticket", default=None)


class CappedKernelManager(AsyncMappingKernelManager):
    """A kernel manager with a hard cap on live kernels, admission of visitors, and culling of unconnected pages."""

    max_kernels = Int(24, config=True, help="Most kernels alive at once (preheated, pending and connected).")
    max_pending = Int(12, config=True, help="Most kernels handed to pages that have not connected yet.")
    max_pending_per_client = Int(8, config=True, help="The same, per client address.")
    max_live_per_client = Int(16, config=True, help="Most kernels (waiting or connected) of one client address: "
                              "a script that also opens the websockets cannot take the whole cap.")
    connect_timeout = Int(45, config=True, help="Seconds a sent page has to connect to its kernel.")
    render_timeout = Int(300, config=True, help="Seconds a page may take to be sent (a client that does not "
                         "read its page holds the kernel at most this long).")
    refill_wait = Float(15.0, config=True, help="Seconds a pool refill may wait while visitors' pages are still "
                        "coming in (sent, not yet connected, or connected less than `settle` seconds ago), so that "
                        "refilling the pool does not take the CPU and the server's event loop from them; refills "
                        "then go one at a time (0: Voilà's own refill, all at once; see gate_refills).")
    settle = Float(3.0, config=True, help="Seconds after a page connected during which it counts as coming in "
                   "(its browser is fetching the widgets' state).")

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.kernel_paths: dict[str, str] = {}
        self.connected: set[str] = set()
        self.pending: dict[str, Pending] = {}
        self.owners: dict[str, str] = {}  # visitors' kernels: kernel id -> client address
        self._tickets: list[Ticket] = []
        self._starting = 0
        self._stopping: set[str] = set()  # unconnected kernels being stopped
        self._culler: PeriodicCallback | None = None
        self._last_connect = float("-inf")
        self.policy: AccessPolicy | None = None

    # -- where a kernel runs -------------------------------------------------------------------------------------
    def _folder(self, path: str | None) -> str:
        """The kernel's working folder relative to the served root, symlinks resolved (absolute if outside)."""
        root = os.path.realpath(self.root_dir)
        real = os.path.realpath(os.path.join(root, str(path or "").lstrip("/")))
        rel = os.path.relpath(real, root)
        return real if rel.startswith("..") else rel.replace(os.sep, "/")

    def _policy(self) -> AccessPolicy:
        if self.policy is None:
            self.policy = AccessPolicy(Path(self.root_dir))
        return self.policy

    # -- admission -----------------------------------------------------------------------------------------------
    def pending_count(self, client: str | None = None) -> int:
        """Visitors' pending kernels plus admitted requests still waiting for one (of one client, or of all)."""
        items = [p.client for p in self.pending.values() if not p.staff] + \
            [t.client for t in self._tickets if not t.staff]
        return len(items) if client is None else sum(1 for c in items if c == client)

    def live_count(self, client: str) -> int:
        """One client's kernels, waiting or connected, plus its admitted requests still waiting for one."""
        return sum(1 for c in self.owners.values() if c == client) + \
            sum(1 for t in self._tickets if t.client == client and not t.staff)

    def admit(self, client: str, staff: bool) -> Ticket:
        """Admit a page request or raise 503 (staff are not limited per client: they hold the token)."""
        if not staff and (self.pending_count() >= self.max_pending
                          or self.pending_count(client) >= self.max_pending_per_client
                          or self.live_count(client) >= self.max_live_per_client):
            raise web.HTTPError(503, BUSY)
        ticket = Ticket(client, staff)
        self._tickets.append(ticket)
        return ticket

    def assign(self, ticket: Ticket, kernel_id: str) -> None:
        """The page of this request runs `kernel_id`: pending until its browser connects."""
        if ticket in self._tickets:
            self._tickets.remove(ticket)
        ticket.kernel_id = kernel_id
        if not ticket.staff:
            self.owners[kernel_id] = ticket.client
        if kernel_id not in self.connected:
            self.pending[kernel_id] = Pending(ticket.client, time.monotonic(), ticket.staff)
        self._start_culler()

    def page_sent(self, ticket: Ticket) -> None:
        """The request ended: its kernel's connect timeout starts now; a ticket without a kernel is released."""
        if ticket in self._tickets:
            self._tickets.remove(ticket)
        pending = self.pending.get(ticket.kernel_id or "")
        if pending is not None:
            pending.sent = time.monotonic()

    def notify_connect(self, kernel_id: str) -> None:
        """A websocket opened on the kernel: from now on it is a visitor's connected kernel."""
        super().notify_connect(kernel_id)
        self._last_connect = time.monotonic()
        if kernel_id in self:
            self.connected.add(kernel_id)
            self.pending.pop(kernel_id, None)

    def _start_culler(self) -> None:
        if self._culler is None:
            interval = max(1.0, min(5.0, self.connect_timeout / 3)) * 1000
            self._culler = PeriodicCallback(self.cull_unconnected, interval)
            self._culler.start()

    def saw_browser(self, client: str) -> None:
        """A browser at this address fetched the page's assets: its pages are still loading (on a busy machine
        that takes a while), so their connect timeout starts again."""
        now = time.monotonic()
        for pending in self.pending.values():
            if pending.client == client and pending.sent is not None:
                pending.sent = now

    async def cull_unconnected(self) -> list[str]:
        """Stop kernels whose page was sent `connect_timeout` seconds ago (since the last asset its address
        fetched) without connecting, or whose page has not been sent within `render_timeout`; returns their ids."""
        now = time.monotonic()
        stale = [kid for kid, p in self.pending.items() if kid not in self._stopping
                 and ((p.sent is not None and now - p.sent > self.connect_timeout)
                      or (p.sent is None and now - p.assigned > self.render_timeout))]
        for kid in stale:
            # it stays pending until it has stopped: a kernel no longer pending but still alive would be
            # counted nowhere (health and admission would see it as gone while it still holds its place)
            self._stopping.add(kid)
            try:
                if kid in self:
                    self.log.info("Stopping kernel %s: its page never connected", kid)
                    await self.shutdown_kernel(kid, now=True)
            except (KeyError, RuntimeError, web.HTTPError):
                pass
            finally:
                self._stopping.discard(kid)
                self.pending.pop(kid, None)
        return stale

    def visitors_arriving(self) -> bool:
        """Whether a visitor's page is being sent, waits for its browser, connected within `settle` seconds, or
        has a connected kernel at work (e.g. sending the state of the form's widgets to the browser)."""
        if self.pending_count() or time.monotonic() - self._last_connect < self.settle:
            return True
        return any(getattr(self._kernels.get(kid), "execution_state", "idle") == "busy"
                   for kid in self.connected & set(self.owners))

    async def wait_for_visitors(self) -> float:
        """Wait until no visitor is arriving, at most `refill_wait` seconds; returns the seconds waited."""
        start = time.monotonic()
        while time.monotonic() - start < self.refill_wait and self.visitors_arriving():
            await asyncio.sleep(0.2)
        return time.monotonic() - start

    def gate_refills(self) -> None:
        """Make Voilà's pool refills wait for arriving visitors (`refill_wait`), one refill at a time.

        Voilà refills a pool 0.2 s after a kernel is taken; each refill prepares its renderer (synchronous work on
        the server's event loop), starts a kernel and renders the notebook. Five at once stalled the server for
        seconds while five visitors waited for their widgets' state (measured with bench_mentorship_refill: the
        slowest of five 6.6 s with refills at once, 0.7 s with this gate; the refills took 0.5 to 0.8 s of CPU
        per visitor during the visits). The gate wraps the pool's own `_initialize`
        on this instance (the refills call it; the first fill at start-up was already scheduled)."""
        initialize = getattr(self, "_initialize", None)
        if initialize is None or self.refill_wait <= 0:
            return
        lock = asyncio.Lock()

        async def gated(notebook_path: str, kernel_id: str | None = None, **kwargs: Any) -> Any:
            if kernel_id is not None:  # (a restart, not a refill)
                return await initialize(notebook_path, kernel_id, **kwargs)
            async with lock:
                await self.wait_for_visitors()
                return await initialize(notebook_path, kernel_id, **kwargs)

        self._initialize = gated

    # -- starting and stopping -----------------------------------------------------------------------------------
    async def start_kernel(self, *, kernel_id: str | None = None, path: ApiPath | None = None,  # type: ignore[override]
                           **kwargs: Any) -> str:
        folder = self._folder(path)
        ticket = CURRENT_TICKET.get()
        if ticket is not None and not ticket.staff and not self._policy().kernel_folder_is_public(folder):
            # the last line of defence: no kernel of a protected app for a visitor without the token
            raise web.HTTPError(403, "a visitor may not start a kernel in %s", folder)
        if kernel_id is None:
            # count starts in flight: the check and the increment run without an await between them
            if len(self.list_kernel_ids()) + self._starting >= self.max_kernels:
                raise web.HTTPError(503, BUSY)
            self._starting += 1
            try:
                kid = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
            finally:
                self._starting -= 1
        else:
            kid = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        self.kernel_paths[kid] = folder
        preheat = str((kwargs.get("env") or {}).get("VOILA_PREHEAT", "False")) == "True"
        if ticket is not None and ticket.kernel_id is None and not preheat:
            self.assign(ticket, kid)
        return kid

    async def shutdown_kernel(self, kernel_id: str, now: bool = False,  # type: ignore[override]
                              restart: bool = False) -> None:
        await super().shutdown_kernel(kernel_id, now=now, restart=restart)
        if not restart:
            self.kernel_paths.pop(kernel_id, None)
            self.connected.discard(kernel_id)
            self.pending.pop(kernel_id, None)
            self.owners.pop(kernel_id, None)

    def counts(self) -> dict[str, Any]:
        """Live kernels by state and by app folder (no client addresses, no personal data)."""
        apps: dict[str, int] = {}
        for kid in self.list_kernel_ids():
            app = self.kernel_paths.get(kid, "").split("/")[0] or "?"
            apps[app] = apps.get(app, 0) + 1
        return {"kernels": len(self.list_kernel_ids()), "starting": self._starting,
                "pending": len(self.pending), "connected": len(self.connected & set(self.list_kernel_ids())),
                "apps": apps}

    async def shutdown_all(self, now: bool = False) -> None:  # type: ignore[override]
        if self._culler is not None:
            self._culler.stop()
            self._culler = None
        await super().shutdown_all(now=now)

