"""`lce mentorship serve`: Voilà with the three apps on 127.0.0.1.

Preheated kernels for the sign-up and follow-up, idle kernels culled, a cap on live kernels (Voilà has none:
voila#617), the coordinator (its page and its kernels) behind a token, no JupyterLab extension that errors
inside Voilà, and a template without the CDN stylesheet."""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
from pathlib import Path
from typing import Any

from jupyter_server.auth.identity import User
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ensure_async
from tornado import web
from traitlets import Int, List, Unicode
from traitlets.config import Config
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler
from voila.voila_identity_provider import VoilaIdentityProvider

from lce_utils.mentorship.rendering import install as install_steady_rendering
from lce_utils.paths import MENTORSHIP_APPS

APPS = ("signup", "followup", "coordinator")
PROTECTED = ("coordinator",)
TEMPLATE_ROOT = MENTORSHIP_APPS / "voila-template"  # holds voila/templates/lce
ALLOWED_EXTENSIONS = {"@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8",
                      "jupyterlab_pygments"}
KERNEL_RE = re.compile(r"/(?:api/kernels|voila/query|voila/api/shutdown|voila/execution)/([0-9a-f-]{36})")


class CappedKernelManager(AsyncMappingKernelManager):
    """A kernel manager with a cap on live kernels, remembering which app folder each kernel belongs to."""

    max_kernels = Int(24, config=True, help="Most kernels alive at once (preheated ones included).")

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.kernel_paths: dict[str, str] = {}

    async def start_kernel(self, *, kernel_id: str | None = None, path: str | None = None,  # type: ignore[override]
                           **kwargs: Any) -> str:
        if kernel_id is None and len(self.list_kernel_ids()) >= self.max_kernels:
            raise web.HTTPError(503, f"too many visitors right now ({self.max_kernels} live kernels); try again "
                                "in a minute / för många besökare just nu, försök igen om en minut")
        kid = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        self.kernel_paths[kid] = str(path or "")
        return kid

    async def shutdown_kernel(self, kernel_id: str, now: bool = False,  # type: ignore[override]
                              restart: bool = False) -> None:
        await super().shutdown_kernel(kernel_id, now=now, restart=restart)
        if not restart:
            self.kernel_paths.pop(kernel_id, None)


class MentorshipIdentityProvider(VoilaIdentityProvider):
    """Everyone may use the public apps; the coordinator's page and kernels need the token (or its cookie)."""

    protected = List(Unicode(), list(PROTECTED), config=True)

    def _protected(self, handler: web.RequestHandler) -> bool:
        path = handler.request.path
        for folder in self.protected:
            for prefix in ("/voila/render/", "/voila/tree/", "/voila/files/", "/voila/api/contents/"):
                if path.startswith(prefix + folder + "/") or path == prefix + folder:
                    return True
        found = KERNEL_RE.search(path)
        if found:
            manager = handler.settings.get("kernel_manager")
            folder = getattr(manager, "kernel_paths", {}).get(found.group(1), "")
            return folder.split("/")[0] in self.protected
        return False

    async def get_user(self, handler: web.RequestHandler) -> User | None:  # type: ignore[override]
        user = await ensure_async(super().get_user(handler))
        if user is not None:
            return user
        if handler.request.path.rstrip("/").endswith(("/login", "/logout")) or self._protected(handler):
            # (the login page must not see a visitor as logged in, or it would send them back: a loop)
            return None
        return User(username="visitor", name="visitor")


class HealthHandler(web.RequestHandler):
    """GET /lce/health: live kernels and whether the preheated pools are full (no personal data)."""

    def get(self) -> None:
        manager = self.settings["kernel_manager"]
        pools = getattr(manager, "_pools", {})
        ready = {name: sum(1 for task in pool if task.done() and not task.exception()) for name, pool in
                 pools.items()}
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"kernels": len(manager.list_kernel_ids()), "pools": ready}))


def _ready(item: Any) -> bool:
    """Whether a pool entry is a kernel whose notebook has been rendered completely."""
    if not item.done() or item.cancelled() or item.exception() is not None:
        return False
    task = item.result().get("task")
    return task is not None and task.done()


class PooledVoilaHandler(TornadoVoilaHandler):
    """Use a preheated kernel only when its notebook has finished rendering; otherwise start one as Voilà does.

    Voilà 0.5 also hands out pool kernels that are still rendering; under load (many visitors at once) such
    pages never became interactive here. A fully rendered kernel is moved to the front of the pool, and entries
    that failed (e.g. at the kernel cap) are dropped so the pool can refill."""

    def get_generator(self, path: str | None = None):  # type: ignore[no-untyped-def,override]
        self._lce_notebook = self.notebook_path or path
        return super().get_generator(path)

    def should_use_rendered_notebook(self, notebook_data, pool_size, template_name, theme,  # type: ignore[override]
                                     request_args) -> bool:
        if not super().should_use_rendered_notebook(notebook_data, pool_size, template_name, theme, request_args):
            return False
        pool = getattr(self.kernel_manager, "_pools", {}).get(getattr(self, "_lce_notebook", None))
        if not pool:
            return False
        pool[:] = [item for item in pool if not (item.done() and (item.cancelled() or item.exception()))]
        pool.sort(key=lambda item: not _ready(item))
        return bool(pool) and _ready(pool[0])


class MentorshipVoila(Voila):
    """Voilà with the health endpoint and the pool-aware notebook handler."""

    def init_handlers(self) -> list:
        handlers = []
        for spec in super().init_handlers():
            if len(spec) > 1 and spec[1] is TornadoVoilaHandler:
                spec = (spec[0], PooledVoilaHandler, *spec[2:])
            handlers.append(spec)
        return [(r"/lce/health", HealthHandler), *handlers]


def denied_extensions() -> list[str]:
    """Every installed JupyterLab extension except the widget manager: the others error inside Voilà."""
    from voila.utils import get_voila_labextensions_path

    names = set()
    for root in get_voila_labextensions_path():
        base = Path(root)
        if not base.is_dir():
            continue
        for pkg in base.glob("**/package.json"):
            if pkg.parent.parent == base or pkg.parent.parent.parent == base:
                try:
                    names.add(json.loads(pkg.read_text(encoding="utf-8"))["name"])
                except (OSError, ValueError, KeyError):
                    continue
    return sorted(names - ALLOWED_EXTENSIONS)


def build_config(*, port: int, host: str = "127.0.0.1", token: str, pool: int = 5, max_kernels: int = 24,
                 cull_idle: int = 900, preheat: bool = True, template: bool = True,
                 denylist: bool = True) -> Config:
    """The traitlets configuration of the Voilà server (flags exist so the benchmark can compare defaults)."""
    cfg = Config()
    cfg.Voila.ip = host
    cfg.Voila.port = port
    cfg.Voila.port_retries = 0
    cfg.Voila.open_browser = False
    cfg.Voila.root_dir = str(MENTORSHIP_APPS)
    cfg.Voila.token = token
    cfg.Voila.identity_provider_class = MentorshipIdentityProvider
    cfg.VoilaConfiguration.strip_sources = True
    cfg.VoilaConfiguration.show_tracebacks = False
    cfg.VoilaConfiguration.multi_kernel_manager_class = CappedKernelManager
    if template:
        cfg.VoilaConfiguration.template = "lce"
    if denylist:
        cfg.VoilaConfiguration.extension_denylist = denied_extensions()
    cfg.CappedKernelManager.max_kernels = max_kernels
    cfg.CappedKernelManager.cull_idle_timeout = cull_idle
    cfg.CappedKernelManager.cull_interval = max(10, min(60, cull_idle // 4 or 10))
    cfg.CappedKernelManager.cull_connected = True
    if preheat and pool > 0:
        cfg.VoilaConfiguration.preheat_kernel = True
        cfg.VoilaConfiguration.default_pool_size = 0
        cfg.VoilaKernelManager.kernel_pools_config = {
            "default": {"pool_size": 0},
            "signup/index.ipynb": {"pool_size": pool},
            "followup/index.ipynb": {"pool_size": 1},
        }
        cfg.VoilaKernelManager.preheat_denylist = ["coordinator"]
        cfg.VoilaKernelManager.fill_delay = 0.2
    return cfg


def serve(port: int = 8888, host: str = "127.0.0.1", token: str | None = None, pool: int = 5,
          max_kernels: int = 24, cull_idle: int = 900, db: str | None = None, preheat: bool = True,
          template: bool = True, denylist: bool = True) -> int:
    """Run the Voilà server until interrupted; prints the three apps' URLs (the coordinator's with its token)."""
    from lce_utils.mentorship.retention import start_retention_schedule
    from lce_utils.mentorship.store import get_engine

    if db:
        os.environ["LCE_MENTORSHIP_DB"] = db
    get_engine()  # create and migrate the store once, before any kernel starts
    token = token or os.environ.get("LCE_MENTORSHIP_TOKEN") or secrets.token_urlsafe(24)
    if template:
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATE_ROOT),
                                                                  os.environ.get("JUPYTER_PATH", "")) if p)
    if pool >= max_kernels:
        raise ValueError(f"--pool ({pool}) must be smaller than --max-kernels ({max_kernels})")
    cfg = build_config(port=port, host=host, token=token, pool=pool, max_kernels=max_kernels, cull_idle=cull_idle,
                       preheat=preheat, template=template, denylist=denylist)
    install_steady_rendering()  # a page whose kernel fails to start ends with a message (rendering.py)
    app = MentorshipVoila(config=cfg)
    app.initialize([])
    base = f"http://{host}:{port}"
    print("Mentorship apps / mentorsprogrammets appar:", flush=True)
    print(f"  sign-up / ansökan:     {base}/voila/render/signup/index.ipynb", flush=True)
    print(f"  follow-up / uppföljning: {base}/voila/render/followup/index.ipynb", flush=True)
    print(f"  coordinator / samordning (staff only): {base}/voila/render/coordinator/index.ipynb?token={token}",
          flush=True)
    print(f"  kernels: pool {pool if preheat else 0} for the sign-up, cap {max_kernels}, idle ones culled after "
          f"{cull_idle} s. Stop with Ctrl+C.", flush=True)
    sys.stdout.flush()
    start_retention_schedule()  # the retention purge now, then daily while the server runs
    app.start()
    return 0
