"""`lce mentorship serve` and `lce programme serve`: Voilà with one folder of apps on 127.0.0.1.

One server for every served folder: an `AppSite` names the folder, its public notebooks, its preheated pools, its
token (file and variable), its store and what the log-in page says; `MENTORSHIP` is the mentorship apps',
`lce_utils.programme.serve.PROGRAMME` the programme register's. Nothing else differs between them.

Preheated kernels for the sign-up and follow-up, idle kernels culled, a hard cap on live kernels (Voilà has none:
voila#617) and admission of visitors (`kernels.py`), access decided by the notebook file a request runs
(`access.py`: everything but the public apps needs the coordinator's token), a bilingual log-in, logout and busy
page (`pages.py`), no kernel stderr or traceback on the websocket, tokens kept out of the logs, no JupyterLab
extension that errors inside Voilà, and a template without the CDN stylesheet or MathJax."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import User
from jupyter_server.auth.login import LoginFormHandler
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.utils import ensure_async, url_path_join
from tornado import web
from tornado.log import access_log, app_log, gen_log
from traitlets.config import Config
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler
from voila.static_file_handler import AllowListFileHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.voila_identity_provider import VoilaIdentityProvider

from lce_utils import settings
from lce_utils.mentorship.access import (
    PUBLIC_NOTEBOOKS,
    STATIC_PREFIXES,
    AccessPolicy,
    GuessLimit,
    check_token,
    client_address,
    redact,
    tokens_match,
)
from lce_utils.mentorship.kernels import CURRENT_TICKET, CappedKernelManager, Ticket
from lce_utils.mentorship.pages import (
    MENTORSHIP_AUDIENCE,
    MENTORSHIP_INVITATION,
    busy_page,
    error_page,
    login_page,
    logout_page,
)
from lce_utils.mentorship.rendering import install as install_steady_rendering
from lce_utils.messages import both
from lce_utils.paths import MENTORSHIP_APPS, VAR
from lce_utils.settings import Setting

SIGNUP_URL = "voila/render/signup/index.ipynb"
CLIENT_HEADER = "X-LCE-Client"  # set by the server (any value a visitor sends is replaced), see AppSite.client_env
TEMPLATE_ROOT = MENTORSHIP_APPS / "voila-template"  # holds voila/templates/lce
# (jupyterlab_pygments colours code cells, and the apps show none: sources are stripped; 3 scripts fewer)
ALLOWED_EXTENSIONS = {"@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8"}
# Voilà's MathJax URL with the lce template: a stub that loads no MathJax (static/lce-no-mathjax.js says why)
NO_MATHJAX = "voila/templates/lce/static/lce-no-mathjax.js"
RETRY_AFTER = 10  # seconds, for the busy page
# Seconds a rendering cell's outputs may take to arrive after its reply (nbclient's default, 4 s, dropped the form
# of pages rendered while others loaded: see rendering.py); if even this runs out the page ends with a message.
IOPUB_TIMEOUT = 120
# Seconds a pool refill may wait for arriving visitors' pages (kernels.CappedKernelManager.refill_wait).
REFILL_WAIT = 15.0  # (0: refill at once; five visitors then waited 6.6 s instead of 0.7 s: mentorship/README.md)
TOKEN_FILE = VAR / "mentorship-token"
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # (IPython colours its tracebacks)
__all__ = ["MENTORSHIP", "AppSite", "CappedKernelManager", "MentorshipVoila", "build_config", "denied_extensions",
           "serve"]


LOGIN_LINE = "    " + both("serve_login", where="{where}", base="{base}")  # filled in at start
KERNEL_LINE = ("  kernels: {pools}cap {max_kernels}, pages that do not connect stopped after {connect_timeout} s "
               "(at most {max_pending} waiting, {per_client} per client), at most {live_per_client} per client in "
               "all, idle ones after {cull_idle} s. Stop with Ctrl+C.")


@dataclass(frozen=True)
class AppSite:
    """One folder of Voilà apps behind the server: everything that differs between the served folders."""

    name: str  # in messages: "mentorship", "programme"
    root: Path
    public: tuple[str, ...]  # notebooks (relative to root) anyone may open; everything else needs the token
    pools: tuple[tuple[str, int | None], ...]  # preheated notebooks and their pool size (None: the --pool size)
    preheat_denylist: tuple[str, ...]
    token_file: Path
    token_setting: Setting[str | None]  # the staff's token (else one is generated into token_file)
    db_setting: Setting[str]  # the store the server and its kernels use
    proxies_setting: Setting[frozenset[str]]  # reverse proxies whose X-Forwarded-For is believed
    audience: tuple[str, str]  # the log-in page: who the pages behind the token are for (Swedish, English)
    invitation: tuple[str, str, str]  # the log-in page: a public notebook and a line (sv, en) with {link}...{end}
    urls: tuple[str, ...]  # the lines printed at start, with {base}, {where} (the token), {pool}, ... (serve)
    prepare_store: Callable[[], object]  # create and migrate the store (before any kernel starts)
    on_start: Callable[[], object] | None = None  # e.g. the retention schedule
    # Whether a page's kernel is told its visitor's address (env HTTP_X_LCE_CLIENT): for per-client limits kept by
    # the app itself (the attestation page's code guesses). Such notebooks must not be preheated.
    client_env: bool = False
    cookie_name: str = ""  # "" is Jupyter's default (username-<host>)


def _mentorship_store() -> object:
    from lce_utils.mentorship.store import get_engine

    return get_engine()


def _mentorship_retention() -> object:
    from lce_utils.mentorship.retention import start_retention_schedule

    return start_retention_schedule()  # the retention purge now, then daily while the server runs


MENTORSHIP = AppSite(
    name="mentorship", root=MENTORSHIP_APPS, public=PUBLIC_NOTEBOOKS,
    pools=(("signup/index.ipynb", None), ("followup/index.ipynb", 1)), preheat_denylist=("coordinator",),
    token_file=TOKEN_FILE, token_setting=settings.MENTORSHIP_TOKEN, db_setting=settings.MENTORSHIP_DB,
    proxies_setting=settings.MENTORSHIP_TRUSTED_PROXIES,
    audience=MENTORSHIP_AUDIENCE, invitation=(SIGNUP_URL, *MENTORSHIP_INVITATION),
    urls=(both("serve_mentorship") + ":",
          f"  {both('serve_signup')}: {{base}}/voila/render/signup/index.ipynb",
          f"  {both('serve_followup')}: {{base}}/voila/render/followup/index.ipynb",
          f"  {both('serve_feedback')}: {{base}}/voila/render/feedback/index.ipynb?context=<lesson> (anonymous; no "
          "preheated pool: the page's context reaches its kernel when it starts)",
          f"  {both('serve_coordinator')}: {{base}}/voila/render/coordinator/index.ipynb",
          LOGIN_LINE,
          KERNEL_LINE.replace("{pools}", "pool {pool} for the sign-up, ")),
    prepare_store=_mentorship_store, on_start=_mentorship_retention)


class Visitor(User):
    """A visitor without the token: may use the public apps only."""


def is_staff(user: Any) -> bool:
    """Whether a request's user holds the coordinator's token (or its cookie)."""
    return user is not None and not isinstance(user, Visitor)


class RedactedLogMixin:
    """Log lines about a request never carry its token (Tornado logs the full URI on errors)."""

    request: Any

    def _request_summary(self) -> str:
        return f"{self.request.method} {redact(self.request.uri)} ({self.request.remote_ip})"

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, web.HTTPError):
            if value.log_message:
                message = value.log_message % value.args if value.args else value.log_message
                gen_log.warning("%d %s: %s", value.status_code, self._request_summary(), redact(message))
        else:
            app_log.error("Uncaught exception %s", self._request_summary(), exc_info=(typ, value, tb))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if isinstance(self, APIHandler):  # (JSON errors; they never carry a traceback either)
            return super().write_error(status_code, **kwargs)  # type: ignore[misc]
        self.set_header("Content-Type", "text/html; charset=UTF-8")  # type: ignore[attr-defined]
        self.finish(error_page(status_code))  # type: ignore[attr-defined]


def log_request(handler: web.RequestHandler) -> None:
    """Tornado's access log line, with any token in the URI redacted."""
    status = handler.get_status()
    level = logging.INFO if status < 400 else logging.WARNING if status < 500 else logging.ERROR
    request = handler.request
    access_log.log(level, "%d %s %s (%s) %.2fms", status, request.method, redact(request.uri or ""),
                   request.remote_ip, 1000.0 * request.request_time())


class LoginHandler(RedactedLogMixin, LoginFormHandler):
    """The coordinator's log-in form, in Swedish and English, without anything from the network."""

    def _render(self, message: Any = None) -> None:
        site: AppSite = self.settings["lce_site"]
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.write(login_page(action=url_path_join(self.base_url, "login"),
                              next_url=self.get_argument("next", default=self.base_url),
                              xsrf_html=self.xsrf_form_html(), failed=message is not None,
                              signup_url=url_path_join(self.base_url, site.invitation[0]),
                              audience=site.audience, invitation=site.invitation[1:]))


class LogoutHandler(RedactedLogMixin, JupyterHandler):
    """Clear the login cookie and say so."""

    @allow_unauthenticated
    def get(self) -> None:
        self.identity_provider.clear_login_cookie(self)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.write(logout_page(login_url=url_path_join(self.base_url, "login")))


class MentorshipIdentityProvider(VoilaIdentityProvider):
    """Staff hold the token (or its cookie); anyone else is a Visitor, and only where `AccessPolicy` allows it."""

    async def get_user(self, handler: web.RequestHandler) -> User | None:
        user = await ensure_async(super().get_user(handler))
        if user is not None:
            return user
        path = handler.request.path
        if path.rstrip("/").endswith(("/login", "/logout")):
            return None  # (the log-in page must not see a visitor as logged in, or it would send them back)
        policy: AccessPolicy = handler.settings["lce_policy"]
        kernel_paths = getattr(handler.settings.get("kernel_manager"), "kernel_paths", {})
        if policy.anonymous_may(path, kernel_paths.get):
            return Visitor(username="visitor", name="visitor")
        return None

    _guesses: GuessLimit | None = None

    def _accepts(self, handler: web.RequestHandler, given: str | None) -> bool:
        """Whether a presented token is right, counting wrong ones per address (too many: all refused)."""
        if not given:
            return False
        if self._guesses is None:
            self._guesses = GuessLimit()
        client = client_address(handler.request.remote_ip or "", handler.request.headers,
                                handler.settings.get("lce_trusted_proxies", frozenset()))
        if self._guesses.blocked(client):
            self.log.warning("Refused a token from %s: too many wrong tokens from that address", client)
            return False
        if tokens_match(given, self.token):
            return True
        self._guesses.failed(client)
        return False

    async def get_user_token(self, handler: web.RequestHandler) -> User | None:
        if not self._accepts(handler, self.get_token(handler)):
            return None
        user = await ensure_async(self.get_user_cookie(handler))
        return user if is_staff(user) else self.generate_anonymous_user(handler)

    def process_login_form(self, handler: web.RequestHandler) -> User | None:
        if self._accepts(handler, handler.get_argument("password", default="")):
            return self.generate_anonymous_user(handler)
        return None

    def get_handlers(self) -> list[tuple[str, object]]:
        return [(r"/login", LoginHandler), (r"/logout", LogoutHandler)]


class FilteredConnection(ZMQChannelsWebsocketConnection):
    """The kernel websocket without internals: no stderr stream, no error message, nothing with a traceback.

    What is held back goes to the server log instead (operators keep the traceback, visitors never see it)."""

    def handle_outgoing_message(self, stream: Any, outgoing_msg: list[Any]) -> None:
        try:
            _, parts = self.session.feed_identities(outgoing_msg)
            # (read without checking the signature: the base class checks it, and a second check would see
            # a replay)
            header, metadata, content = (self.session.unpack(_bytes(parts[i])) for i in (1, 3, 4))
            msg = {"header": header, "msg_type": header.get("msg_type"), "metadata": metadata, "content": content}
        except Exception:  # noqa: BLE001 (a message the server cannot read is not forwarded either)
            self.log.warning("Dropped an unreadable message from kernel %s", self.kernel_id)
            return
        reason = withheld(msg)
        if reason:
            self.log.warning("Kept from the browser (%s), kernel %s: %s", reason, self.kernel_id,
                             ANSI.sub("", _text_of(msg))[:4000])
            return
        super().handle_outgoing_message(stream, outgoing_msg)


def _bytes(part: Any) -> bytes:
    return part.bytes if hasattr(part, "bytes") else bytes(part)


def _text_of(msg: dict) -> str:
    content = msg.get("content") or {}
    if msg.get("msg_type") == "stream":
        return str(content.get("text", ""))
    if msg.get("msg_type") == "error":
        return "\n".join(content.get("traceback") or [content.get("evalue", "")])
    return json.dumps(content, default=str)


def withheld(msg: dict) -> str | None:
    """Why a kernel message must not reach the browser (None if it may)."""
    kind = msg.get("msg_type") or (msg.get("header") or {}).get("msg_type")
    content = msg.get("content") or {}
    if kind == "stream" and content.get("name") != "stdout":
        return "stderr"
    if kind == "error":
        return "error"
    if isinstance(content, dict) and (content.get("traceback") or content.get("status") == "error"):
        return "traceback"
    text = json.dumps([content, msg.get("metadata")], default=str)
    if "Traceback" in text:
        return "traceback"
    return None


class PolicyGuard(RedactedLogMixin):
    """For Voilà's handlers without authentication of their own: only what `AccessPolicy` allows anyone."""

    request: Any
    settings: dict

    def prepare(self) -> None:
        policy: AccessPolicy = self.settings["lce_policy"]
        kernel_paths = getattr(self.settings.get("kernel_manager"), "kernel_paths", {})
        if not policy.anonymous_may(self.request.path, kernel_paths.get):
            raise web.HTTPError(403)


class NotFoundHandler(RedactedLogMixin, JupyterHandler):
    """Any other path: the log-in page (or 403) for visitors, 404 for staff; never a hint what exists."""

    def get(self, *args: Any, **kwargs: Any) -> None:
        raise web.HTTPError(404)

    post = put = patch = delete = head = options = get


class GuardedRequestInfoHandler(PolicyGuard, RequestInfoSocketHandler):
    """Voilà's request-info socket of a preheated kernel: public kernels only."""


class GuardedFileHandler(PolicyGuard, AllowListFileHandler):
    """Voilà's /voila/files: nothing under the apps' folder is served raw (the apps need no file from it)."""


class BrowserSign(RedactedLogMixin):
    """On the page's assets: a browser at this address is loading its page (see `CappedKernelManager.saw_browser`)."""

    request: Any
    settings: dict

    def prepare(self) -> Any:
        manager = self.settings.get("kernel_manager")
        if manager is not None and hasattr(manager, "saw_browser"):
            manager.saw_browser(client_address(self.request.remote_ip or "", self.request.headers,
                                               self.settings.get("lce_trusted_proxies", frozenset())))
        return super().prepare()  # type: ignore[misc]


class HealthHandler(web.RequestHandler):
    """GET /lce/health: live kernels by state and app, and whether the preheated pools are full (no personal
    data, no client addresses)."""

    def get(self) -> None:
        manager = self.settings["kernel_manager"]
        pools = getattr(manager, "_pools", {})
        ready = {name: sum(1 for task in pool if task.done() and not task.exception()) for name, pool in
                 pools.items()}
        rendered = {name: sum(1 for task in pool if _ready(task)) for name, pool in pools.items()}
        counts = manager.counts() if hasattr(manager, "counts") else {"kernels": len(manager.list_kernel_ids())}
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({**counts, "pools": ready, "rendered": rendered}))


def _ready(item: Any) -> bool:
    """Whether a pool entry is a kernel whose notebook has been rendered completely, with its form."""
    if not item.done() or _no_kernel(item):
        return False
    task = item.result().get("task")
    return task is not None and task.done() and not _rendered_badly(item)


def _no_kernel(item: Any) -> bool:
    """Whether a finished pool entry got no kernel (e.g. at the cap)."""
    return item.done() and (item.cancelled() or item.exception() is not None)


def _rendered_badly(item: Any) -> bool:
    """Whether a pool entry's page ended with the message to reload instead of the form (rendering.py)."""
    return item.done() and not _no_kernel(item) and getattr(item.result().get("renderer"), "lce_failed", False)


_STOPPING: set[asyncio.Future] = set()  # kernels of failed preheated pages being stopped (kept until done)


class PooledVoilaHandler(RedactedLogMixin, TornadoVoilaHandler):
    """Serve a notebook: check again that the file it runs may be served to this user, admit the visitor (or
    answer with the busy page), and use a preheated kernel only when its notebook has finished rendering.

    Voilà 0.5 also hands out pool kernels that are still rendering; under load (many visitors at once) such
    pages never became interactive here. A fully rendered kernel is moved to the front of the pool, and entries
    that failed (e.g. at the kernel cap) are dropped so the pool can refill."""

    _lce_ticket: Ticket | None = None

    def get_generator(self, path: str | None = None):
        notebook = self.notebook_path or path or ""
        self._lce_notebook = notebook
        staff = is_staff(self.current_user)
        if not staff and not self.settings["lce_policy"].is_public_notebook(notebook):
            raise web.HTTPError(403, "not a public notebook: %s", notebook)
        manager = self.kernel_manager
        client = client_address(self.request.remote_ip or "", self.request.headers,
                                self.settings.get("lce_trusted_proxies", frozenset()))
        # (always replaced: a visitor's own X-LCE-Client header must never reach the kernel)
        self.request.headers[CLIENT_HEADER] = client
        if hasattr(manager, "admit"):
            self._lce_ticket = manager.admit(client, staff)
            CURRENT_TICKET.set(self._lce_ticket)
        return super().get_generator(path)

    def should_use_rendered_notebook(self, notebook_data, pool_size, template_name, theme,
                                     request_args) -> bool:
        if not super().should_use_rendered_notebook(notebook_data, pool_size, template_name, theme, request_args):
            return False
        pool = getattr(self.kernel_manager, "_pools", {}).get(getattr(self, "_lce_notebook", None))
        if not pool:
            return False
        badly = [item for item in pool if _rendered_badly(item)]
        pool[:] = [item for item in pool if not _no_kernel(item) and item not in badly]
        if badly:
            # A preheated page that ended with the message to reload is not given to a visitor: its kernel is
            # stopped and the pool refilled (entries with no kernel, e.g. at the cap, are only dropped, as before).
            for item in badly:
                stopping = asyncio.ensure_future(self.kernel_manager.shutdown_kernel(item.result()["kernel_id"]))
                _STOPPING.add(stopping)
                stopping.add_done_callback(_STOPPING.discard)
            self.kernel_manager.fill_if_needed(delay=None, notebook_name=self._lce_notebook)
        pool.sort(key=lambda item: not _ready(item))
        if not (pool and _ready(pool[0])):
            return False
        if self._lce_ticket is not None:
            # Voilà pops pool[0] right after this returns (no await in between): that kernel is this page's
            self.kernel_manager.assign(self._lce_ticket, pool[0].result()["kernel_id"])
        return True

    def on_finish(self) -> None:
        if self._lce_ticket is not None:
            self.kernel_manager.page_sent(self._lce_ticket)
        super().on_finish()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if status_code != 503:
            return super().write_error(status_code, **kwargs)
        self.clear()
        self.set_status(503)
        self.set_header("Retry-After", str(RETRY_AFTER))
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(busy_page(retry_after=RETRY_AFTER))


class MentorshipVoila(Voila):
    """Voilà with the access policy, the health endpoint, the guarded handlers and redacted logs, serving the
    folder of `lce_site` (set it before `initialize`; `serve` does)."""

    lce_site: AppSite = MENTORSHIP

    def init_settings(self) -> dict:
        settings = super().init_settings()
        site = self.lce_site
        if Path(self.root_dir).resolve() != site.root.resolve():
            raise RuntimeError(f"the server's root {self.root_dir} is not the {site.name} apps' folder {site.root}")
        policy = AccessPolicy(Path(self.root_dir), public=site.public)
        self.kernel_manager.policy = policy
        if hasattr(self.kernel_manager, "gate_refills"):
            self.kernel_manager.gate_refills()
        proxies = site.proxies_setting()  # e.g. "127.0.0.1" behind nginx on the same machine
        if self.voila_configuration.template == "lce":
            settings.update(mathjax_url=url_path_join(self.base_url, NO_MATHJAX), mathjax_config="none")
        return {**settings, "lce_policy": policy, "log_function": log_request, "lce_site": site,
                "default_handler_class": NotFoundHandler, "lce_trusted_proxies": proxies}

    def init_handlers(self) -> list:
        replace = {TornadoVoilaHandler: PooledVoilaHandler, RequestInfoSocketHandler: GuardedRequestInfoHandler,
                   AllowListFileHandler: GuardedFileHandler}
        handlers: list = [(r"/lce/health", HealthHandler)]
        for spec in super().init_handlers():
            cls = spec[1] if len(spec) > 1 else None
            if cls in replace:
                cls = replace[cls]
            elif spec[0].startswith(STATIC_PREFIXES) and cls is not None:
                cls = type(cls.__name__, (BrowserSign, cls), {})
            elif isinstance(cls, type) and issubclass(cls, web.RequestHandler) and \
                    not issubclass(cls, RedactedLogMixin):
                cls = type(cls.__name__, (RedactedLogMixin, cls), {})
            handlers.append((spec[0], cls, *spec[2:]))
        return handlers


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
                 denylist: bool = True, connect_timeout: int = 45, max_pending: int = 12,
                 per_client: int = 8, live_per_client: int = 16, refill_wait: float = REFILL_WAIT,
                 site: AppSite = MENTORSHIP) -> Config:
    """The traitlets configuration of the Voilà server for site (flags exist so the benchmark can compare
    defaults)."""
    cfg = Config()
    cfg.Voila.ip = host
    cfg.Voila.port = port
    cfg.Voila.port_retries = 0
    cfg.Voila.open_browser = False
    cfg.Voila.root_dir = str(site.root)
    cfg.Voila.token = token
    cfg.Voila.identity_provider_class = MentorshipIdentityProvider
    if site.cookie_name:
        cfg.IdentityProvider.cookie_name = site.cookie_name
    if site.client_env:
        cfg.VoilaConfiguration.http_header_envs = [CLIENT_HEADER]
    cfg.VoilaConfiguration.strip_sources = True
    cfg.VoilaConfiguration.show_tracebacks = False
    cfg.VoilaConfiguration.allow_template_override = "NO"  # (?template=lab would bring back the CDN font)
    cfg.VoilaConfiguration.allow_theme_override = "NO"
    cfg.VoilaConfiguration.multi_kernel_manager_class = CappedKernelManager
    cfg.VoilaExecutor.iopub_timeout = IOPUB_TIMEOUT
    cfg.VoilaExecutor.raise_on_iopub_timeout = True
    cfg.Voila.kernel_websocket_connection_class = FilteredConnection
    if template:
        cfg.VoilaConfiguration.template = "lce"
    if denylist:
        cfg.VoilaConfiguration.extension_denylist = denied_extensions()
    cfg.CappedKernelManager.max_kernels = max_kernels
    cfg.CappedKernelManager.connect_timeout = connect_timeout
    cfg.CappedKernelManager.max_pending = max_pending
    cfg.CappedKernelManager.max_pending_per_client = per_client
    cfg.CappedKernelManager.max_live_per_client = live_per_client
    cfg.CappedKernelManager.refill_wait = refill_wait
    cfg.CappedKernelManager.cull_idle_timeout = cull_idle
    cfg.CappedKernelManager.cull_interval = max(10, min(60, cull_idle // 4 or 10))
    cfg.CappedKernelManager.cull_connected = True
    if preheat and pool > 0 and site.pools:
        cfg.VoilaConfiguration.preheat_kernel = True
        cfg.VoilaConfiguration.default_pool_size = 0
        cfg.VoilaKernelManager.kernel_pools_config = {
            "default": {"pool_size": 0},
            **{notebook: {"pool_size": pool if size is None else size} for notebook, size in site.pools},
        }
        cfg.VoilaKernelManager.preheat_denylist = list(site.preheat_denylist)
        cfg.VoilaKernelManager.fill_delay = 0.2
    return cfg


def write_token_file(path: Path, token: str) -> Path:
    """Write a generated token to a file only its owner can read; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token + "\n")
    return path


def serve(port: int = 8888, host: str = "127.0.0.1", token: str | None = None, pool: int = 5,
          max_kernels: int = 24, cull_idle: int = 900, db: str | None = None, preheat: bool = True,
          template: bool = True, denylist: bool = True, connect_timeout: int = 45, max_pending: int = 12,
          per_client: int = 8, live_per_client: int = 16, refill_wait: float = REFILL_WAIT,
          site: AppSite = MENTORSHIP) -> int:
    """Run the Voilà server of site until interrupted; prints the apps' URLs and where the staff's token is
    (never the token itself: stdout often ends up in a log)."""
    given = token or site.token_setting()
    if given:
        token, where = check_token(given, site.token_setting.name), "the token you set / den token du angav"
    else:
        token = secrets.token_urlsafe(32)
        where = f"the token in / token i {write_token_file(site.token_file, token)}"
    if db:
        os.environ[site.db_setting.name] = db
    site.prepare_store()  # create and migrate the store once, before any kernel starts
    if template:
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATE_ROOT),
                                                                  os.environ.get("JUPYTER_PATH", "")) if p)
    if pool >= max_kernels:
        raise ValueError(f"--pool ({pool}) must be smaller than --max-kernels ({max_kernels})")
    cfg = build_config(port=port, host=host, token=token, pool=pool, max_kernels=max_kernels, cull_idle=cull_idle,
                       preheat=preheat, template=template, denylist=denylist, connect_timeout=connect_timeout,
                       max_pending=max_pending, per_client=per_client, live_per_client=live_per_client,
                       refill_wait=refill_wait, site=site)
    install_steady_rendering()  # a page whose kernel fails to start ends with a message (rendering.py)
    app = MentorshipVoila(config=cfg)
    app.lce_site = site
    app.initialize([])
    base = f"http://{host}:{port}"
    values = {"base": base, "where": where, "pool": pool if preheat else 0, "max_kernels": max_kernels,
              "connect_timeout": connect_timeout, "max_pending": max_pending, "per_client": per_client,
              "live_per_client": live_per_client, "cull_idle": cull_idle}
    for line in site.urls:
        print(line.format(**values), flush=True)
    sizes = [pool if size is None else size for _, size in site.pools]
    pools = sum(sizes) if preheat and pool > 0 else 0
    if max_pending + pools >= max_kernels:
        # (unconnected pages count against the cap: only max_kernels - pool - max_pending is kept for connected
        # visitors; see kernels.py)
        print(f"  --max-pending {max_pending} + pools {pools} >= --max-kernels {max_kernels}: "
              + both("serve_pending_fill"), flush=True)
    sys.stdout.flush()
    if site.on_start is not None:
        site.on_start()
    app.start()
    return 0
