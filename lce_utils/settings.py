"""LCE's settings: every `LCE_*` environment variable, its default, its type and what it does, defined once here.

Modules read a setting by calling it (`settings.MENTORSHIP_DB()`), never `os.environ` themselves: the value is
resolved at that moment from the environment (a server sets the store for the kernels it starts, a test sets a
variable with monkeypatch) and from `lce_utils.paths` as it is then (defaults under `var/` follow `paths.VAR`).
A value that is set but wrong raises `DataError` naming the variable and what was expected, when that setting is
used (a wrong SMTP port must not stop the lab notebooks). README's "Settings" table is generated from `ALL`
(`lce settings --markdown`; a test keeps them equal).

Variables LCE's own processes hand to their children (the grading sandbox's, the test flag) are not settings:
they are listed in `INTERNAL` so that the check that every `LCE_*` name is defined here knows them."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from lce_utils import paths
from lce_utils.errors import DataError
from lce_utils.messages import both

T = TypeVar("T")
Env = Mapping[str, str]


def _text(name: str, raw: str) -> str:
    return raw


def _optional(name: str, raw: str) -> str | None:
    return raw or None


def _path(name: str, raw: str) -> Path:
    """A path; a relative one is relative to the repository (not to the folder a command or kernel runs in)."""
    path = Path(raw).expanduser()
    return path if path.is_absolute() else paths.ROOT / path


def _whole(unit: str) -> Callable[[str, str], int]:
    """A whole number of unit ("days" or "years": the catalogue words the error for each)."""
    def parse(name: str, raw: str) -> int:
        if not raw.isdigit():
            raise DataError(f"{name}: " + both(f"setting_whole_{unit}", raw=repr(raw)))
        return int(raw)
    return parse


def _flag(name: str, raw: str) -> bool:
    value = raw.lower()
    if value in {"", "0", "false", "no"}:
        return False
    if value in {"1", "true", "yes"}:
        return True
    raise DataError(f"{name}: " + both("setting_flag", raw=repr(raw)))


def _choice(*allowed: str) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        value = raw.lower()
        if value not in allowed:
            raise DataError(f"{name}: " + both("setting_choice", allowed=", ".join(allowed), raw=repr(raw)))
        return value
    return parse


def _date(name: str, raw: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise DataError(f"{name}: " + both("setting_date", raw=repr(raw))) from None


def _names(name: str, raw: str) -> frozenset[str]:
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One environment variable: `default` is what applies when it is unset or blank ("" = nothing; `{var}` is
    the repository's var/ folder, `{root}` the repository), `parse` turns the text into the value."""

    name: str
    default: str
    part: str
    help: str
    parse: Callable[[str, str], T]
    secret: bool = False

    def __call__(self, env: Env | None = None) -> T:
        raw = self.raw(env)
        if not raw:
            raw = self.default.format(var=paths.VAR, root=paths.ROOT)
        return self.parse(self.name, raw)

    def raw(self, env: Env | None = None) -> str:
        """The text set in the environment (blank when unset)."""
        return (os.environ if env is None else env).get(self.name, "").strip()

    def is_set(self, env: Env | None = None) -> bool:
        return bool(self.raw(env))


# ---- the settings, by part ---------------------------------------------------------------------------------------

ROOT = Setting("LCE_ROOT", "", "all", "The LCE checkout, when a command runs outside it (read by lce_utils.paths "
               "at start).", _optional)
PRIVACY_KEY = Setting("LCE_PRIVACY_KEY", "", "reports, labs",
                      "Secret that orders the complementary cells disclosure control hides, so nobody can replay "
                      "the choice; set it (outside git) before publishing.", _optional, secret=True)

MENTORSHIP_DB = Setting("LCE_MENTORSHIP_DB", "sqlite:///{var}/mentorship.db", "mentorship",
                        "The mentorship store (any SQLAlchemy URL; a relative SQLite path is relative to the "
                        "repository).", _text)
MENTORSHIP_TOKEN = Setting("LCE_MENTORSHIP_TOKEN", "", "mentorship",
                           "The coordinator's token for `lce mentorship serve` (at least 24 characters); unset: "
                           "one is generated into var/mentorship-token.", _optional, secret=True)
MENTORSHIP_TRUSTED_PROXIES = Setting("LCE_MENTORSHIP_TRUSTED_PROXIES", "", "mentorship",
                                     "Comma-separated addresses of reverse proxies whose X-Forwarded-For is "
                                     "believed (per-client limits).", _names)
MENTORSHIP_EXPORTS = Setting("LCE_MENTORSHIP_EXPORTS", "{var}/mentorship-exports", "mentorship",
                             "Where the coordinator's exports are written (registered, so erasure and purge "
                             "reach them).", _path)
MENTORSHIP_RETENTION_DAYS = Setting("LCE_MENTORSHIP_RETENTION_DAYS", "365", "mentorship",
                                    "Days applications are kept before the retention purge.", _whole("days"))
MENTORSHIP_EXPORT_RETENTION_DAYS = Setting("LCE_MENTORSHIP_EXPORT_RETENTION_DAYS", "30", "mentorship",
                                           "Days export files are kept before the retention purge.",
                                           _whole("days"))
MENTORSHIP_ACTOR = Setting("LCE_MENTORSHIP_ACTOR", "", "mentorship",
                           "Who the audit log records for CLI actions (default: the login name).", _optional)
MENTORSHIP_ALLOW_HOSTED = Setting("LCE_MENTORSHIP_ALLOW_HOSTED", "0", "mentorship",
                                  "1 lets the apps store personal data on Binder or an unconfigured JupyterHub.",
                                  _flag)
SMTP_HOST = Setting("LCE_SMTP_HOST", "", "mentorship", "Mail server for confirmation codes; unset: no mail is "
                    "sent (a sign-up with a known address waits for the coordinator).", _text)
SMTP_PORT = Setting("LCE_SMTP_PORT", "", "mentorship", "Its port (default 587, 465 with ssl, 25 with none).",
                    _text)
SMTP_SECURITY = Setting("LCE_SMTP_SECURITY", "starttls", "mentorship",
                        "starttls, ssl, or none (only for a server on this machine).",
                        _choice("starttls", "ssl", "none"))
SMTP_FROM = Setting("LCE_SMTP_FROM", "", "mentorship", "The sender's address (needed with LCE_SMTP_HOST).", _text)
SMTP_USER = Setting("LCE_SMTP_USER", "", "mentorship", "Log-in name at the mail server, if it needs one.",
                    _optional)
SMTP_PASSWORD = Setting("LCE_SMTP_PASSWORD", "", "mentorship", "Its password.", _optional, secret=True)

PROGRAMME_DB = Setting("LCE_PROGRAMME_DB", "sqlite:///{var}/programme.db", "programme",
                       "The participant register (any SQLAlchemy URL).", _text)
PROGRAMME_KEY = Setting("LCE_PROGRAMME_KEY", "", "programme",
                        "The register's encryption key (Fernet); unset: the key file.", _optional, secret=True)
PROGRAMME_KEY_FILE = Setting("LCE_PROGRAMME_KEY_FILE", "{var}/programme.key", "programme",
                             "The key file (created once, mode 0600; keep it outside the database's backups).",
                             _path)
PROGRAMME_LAST_PAYMENT = Setting("LCE_PROGRAMME_LAST_PAYMENT", "", "programme",
                                 "Date of the last payment to the project (YYYY-MM-DD); the retention period "
                                 "runs until then.", _date)
PROGRAMME_RETENTION_YEARS = Setting("LCE_PROGRAMME_RETENTION_YEARS", "5", "programme",
                                    "Years records are kept after the year of the last payment.", _whole("years"))
PROGRAMME_TOKEN = Setting("LCE_PROGRAMME_TOKEN", "", "programme",
                          "The programme staff's token for `lce programme serve` (at least 24 characters; never the "
                          "coordinator's); unset: one is generated into var/programme-token.", _optional, secret=True)
PROGRAMME_TRUSTED_PROXIES = Setting("LCE_PROGRAMME_TRUSTED_PROXIES", "", "programme",
                                    "Comma-separated addresses of reverse proxies whose X-Forwarded-For is "
                                    "believed (per-client limits, wrong personal codes).", _names)

LABS_CACHE = Setting("LCE_LABS_CACHE", "{var}/labs/cache", "labs",
                     "The labs' validated, pseudonymised Parquet cache.", _path)
LABS_PSEUDONYM_KEY = Setting("LCE_LABS_PSEUDONYM_KEY", "", "labs",
                             "The pseudonym key; unset: the key file.", _optional, secret=True)
LABS_KEY_FILE = Setting("LCE_LABS_KEY_FILE", "{var}/labs/pseudonym.key", "labs",
                        "The pseudonym key file (the same key across runs makes periods comparable).", _path)

KNOWLEDGE_DB = Setting("LCE_KNOWLEDGE_DB", "sqlite:///{var}/knowledge.db", "knowledge",
                       "The store of contributed cases.", _text)
FEEDBACK_URL = Setting("LCE_FEEDBACK_URL", "", "courses",
                       "The public feedback form's address; set, each lesson's footer links to it.", _optional)

ALL: tuple[Setting, ...] = (
    ROOT, PRIVACY_KEY, MENTORSHIP_DB, MENTORSHIP_TOKEN, MENTORSHIP_TRUSTED_PROXIES, MENTORSHIP_EXPORTS,
    MENTORSHIP_RETENTION_DAYS, MENTORSHIP_EXPORT_RETENTION_DAYS, MENTORSHIP_ACTOR, MENTORSHIP_ALLOW_HOSTED,
    SMTP_HOST, SMTP_PORT, SMTP_SECURITY, SMTP_FROM, SMTP_USER, SMTP_PASSWORD,
    PROGRAMME_DB, PROGRAMME_KEY, PROGRAMME_KEY_FILE, PROGRAMME_LAST_PAYMENT, PROGRAMME_RETENTION_YEARS,
    PROGRAMME_TOKEN, PROGRAMME_TRUSTED_PROXIES,
    LABS_CACHE, LABS_PSEUDONYM_KEY, LABS_KEY_FILE, KNOWLEDGE_DB, FEEDBACK_URL,
)
# Handed from LCE's own processes to their children; not for people to set.
INTERNAL = {
    "LCE_SANDBOX": "the grading sandbox's settings, for each kernel launcher",
    "LCE_KERNEL_MEMORY_MB": "a sandboxed kernel's memory limit",
    "LCE_HANDED_IN": "the files a learner handed in, for the sandboxed kernel",
    "LCE_TEST": "set by the test suite (lessons write their files to a temp folder)",
}


def by_name(name: str) -> Setting:
    """The setting of one environment variable (KeyError if LCE has no such setting)."""
    for setting in ALL:
        if setting.name == name:
            return setting
    raise KeyError(name)


def table() -> str:
    """The settings as a Markdown table (README's "Settings" section)."""
    rows = ["| variable | part | default | what it does |", "|---|---|---|---|"]
    for s in ALL:
        default = s.default.replace("{var}", "var").replace("{root}", ".") if s.default else "(unset)"
        rows.append(f"| `{s.name}` | {s.part} | `{default}` | {s.help} |" if s.default else
                    f"| `{s.name}` | {s.part} | {default} | {s.help} |")
    return "\n".join(rows)


def describe(env: Env | None = None) -> list[tuple[str, str]]:
    """Each setting as it resolves now, for `lce settings` (secrets shown only as set or unset)."""
    out = []
    for s in ALL:
        if s.secret:
            out.append((s.name, "(set)" if s.is_set(env) else "(unset)"))
            continue
        try:
            value = s(env)
        except DataError as exc:
            out.append((s.name, f"ERROR: {exc}"))
            continue
        if isinstance(value, frozenset):
            value = ",".join(sorted(value))
        out.append((s.name, "" if value is None else str(value)))
    return out


def register(sub) -> None:
    """`lce settings`: every setting as it resolves now (secrets only as set or unset); --markdown: the table."""
    p = sub.add_parser("settings", help="show LCE's settings (LCE_* environment variables) as they resolve now",
                       description="Every LCE_* setting with the value it has now; secrets are shown only as set "
                       "or unset. --markdown prints the README's table of all settings.")
    p.add_argument("--markdown", action="store_true", help="print the table of settings and defaults")
    p.set_defaults(func=_command)


def _command(args) -> int:
    if args.markdown:
        print(table())
        return 0
    width = max(len(s.name) for s in ALL)
    for name, value in describe():
        print(f"{name:<{width}}  {value}")
    return 0
