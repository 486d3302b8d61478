"""The case store: cases written by participants, from submission through review to publication or withdrawal.

The one owner of the store's schema (table knowledge_cases, its own alembic version table, so it may share a
database with the other parts). LCE_KNOWLEDGE_DB names it (any SQLAlchemy URL; default var/knowledge.db). A case
is stored as the executed notebook that passed the checks (lce_utils.knowledge.case_checks), so what staff review
is exactly what is published. The author gets a token once; only its hash is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, Integer, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from lce_utils import database, settings
from lce_utils.errors import DataError, UsageError
from lce_utils.messages import both, pair, t

ENV_VAR = settings.KNOWLEDGE_DB.name
MIGRATIONS = Path(__file__).parent / "migrations"
QUEUED, PUBLISHED, REJECTED, WITHDRAWN = "queued", "published", "rejected", "withdrawn"
STATUS_TEXT = {status: pair(f"knowledge_status_{status}") for status in (QUEUED, PUBLISHED, REJECTED, WITHDRAWN)}


class Base(DeclarativeBase):
    """Declarative base of the case store."""


class Case(Base):
    """One submitted case: its front matter, the executed notebook that passed the checks, its review state."""

    __tablename__ = "knowledge_cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    title_sv: Mapped[str] = mapped_column(String(200), nullable=False)
    title_en: Mapped[str] = mapped_column(String(200), nullable=False)
    authors: Mapped[list[dict[str, str]]] = mapped_column(JSON, nullable=False)  # [{"name", "email"}]
    organisation: Mapped[str] = mapped_column(String(200), nullable=False)
    art_form: Mapped[str] = mapped_column(String(120), nullable=False)
    licence: Mapped[str] = mapped_column(String(40), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=QUEUED)
    reason: Mapped[str | None] = mapped_column(Text)
    notebook: Mapped[str] = mapped_column(Text, nullable=False)  # executed, as checked (nbformat JSON)
    disclosure: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)  # auditor tables it shows
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


@dataclass(frozen=True)
class CaseInfo:
    """A case as the commands and the site see it (no token, no e-mail addresses unless asked for)."""

    id: int
    title: dict[str, str]
    authors: list[str]
    organisation: str
    art_form: str
    licence: str
    status: str
    reason: str | None
    submitted_at: str
    notebook: str
    disclosure: list[dict[str, Any]]

    @property
    def page(self) -> str:
        """The case's page on the report site."""
        return f"case-{self.id}.html"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def default_url() -> str:
    """The store's URL: LCE_KNOWLEDGE_DB, or SQLite in var/knowledge.db."""
    return settings.KNOWLEDGE_DB()


def normalise_url(url: str | None, root: Path | None = None) -> str:
    """url (or the default) as the one database it names (lce_utils.database.normalise_url)."""
    return database.normalise_url(url or default_url(), root, what="case store", env_var=ENV_VAR,
                                  example="sqlite:///var/knowledge.db")


def get_engine(url: str | None = None) -> Engine:
    """The store's engine, created and migrated once."""
    return database.engine_for(normalise_url(url), MIGRATIONS, "case store")


def exists(url: str | None, root: Path | None = None) -> bool:
    """Whether the store holds anything to read: False for an SQLite file that was never created."""
    url = normalise_url(url, root)
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///").split("?")[0]).is_file()
    return True


def hash_token(token: str) -> str:
    """What is stored of an author's token."""
    return hashlib.sha256(token.strip().encode()).hexdigest()


def _info(case: Case) -> CaseInfo:
    return CaseInfo(id=case.id, title={"sv": case.title_sv, "en": case.title_en},
                    authors=[a["name"] for a in case.authors], organisation=case.organisation,
                    art_form=case.art_form, licence=case.licence, status=case.status, reason=case.reason,
                    submitted_at=case.submitted_at.isoformat(), notebook=case.notebook,
                    disclosure=list(case.disclosure))


def new_token() -> str:
    """An author's token. Never one starting with "-": `lce knowledge status -x…` would read it as an option."""
    while (token := secrets.token_urlsafe(18)).startswith("-"):
        pass
    return token


def queue(front: dict[str, Any], notebook: str, disclosure: list[dict[str, Any]], content_hash: str,
          url: str | None = None) -> tuple[int, str]:
    """Store a checked case as waiting for review; (its id, the author's token, shown once)."""
    token = new_token()

    def add(session: Session) -> int:
        case = Case(token_hash=hash_token(token), title_sv=front["title_sv"], title_en=front["title_en"],
                    authors=[{"name": a["name"], "email": a["email"]} for a in front["authors"]],
                    organisation=front["organisation"], art_form=front["art_form"], licence=front["licence"],
                    status=QUEUED, notebook=notebook, disclosure=disclosure, content_hash=content_hash,
                    submitted_at=_now())
        session.add(case)
        session.flush()
        return case.id

    return database.run_transaction(get_engine(url), add), token


def _get(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise UsageError(both("knowledge_err_no_case", id=case_id))
    return case


def _by_token(session: Session, token: str) -> Case:
    case = session.scalars(select(Case).where(Case.token_hash == hash_token(token))).first()
    if case is None:
        raise DataError(both("knowledge_err_no_token"))
    return case


def decide(case_id: int, status: str, reason: str | None = None, url: str | None = None) -> CaseInfo:
    """Publish or reject a case waiting for review (a rejection needs a reason, which the author sees)."""
    if status == REJECTED and not (reason or "").strip():
        raise UsageError(both("knowledge_err_reason"))

    def change(session: Session) -> CaseInfo:
        case = _get(session, case_id)
        if case.status not in (QUEUED,):
            sv, en = STATUS_TEXT[case.status]
            raise UsageError(f"{t('knowledge_err_not_queued', 'sv', id=case_id, status=sv)} / "
                             f"{t('knowledge_err_not_queued', 'en', id=case_id, status=en)}")
        case.status, case.reason, case.decided_at = status, (reason or "").strip() or None, _now()
        return _info(case)

    return database.run_transaction(get_engine(url), change)


def withdraw(token: str, url: str | None = None) -> CaseInfo:
    """The author withdraws a case (waiting or published): it leaves the site on the next build."""
    def change(session: Session) -> CaseInfo:
        case = _by_token(session, token)
        if case.status != WITHDRAWN:
            case.status, case.withdrawn_at = WITHDRAWN, _now()
        return _info(case)

    return database.run_transaction(get_engine(url), change)


def status(token: str, url: str | None = None) -> CaseInfo:
    """The case a token belongs to, with its state and a rejection's reason."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        return _info(_by_token(session, token))


def listed(state: str | None = QUEUED, url: str | None = None) -> list[CaseInfo]:
    """Cases in one state (all with None), oldest first."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        query = select(Case).order_by(Case.id)
        if state is not None:
            query = query.where(Case.status == state)
        return [_info(c) for c in session.scalars(query)]


def published(url: str | None = None, root: Path | None = None) -> list[CaseInfo]:
    """The published cases (none when the store was never created), oldest first."""
    if not exists(url, root):
        return []
    return listed(PUBLISHED, normalise_url(url, root))


def find_content(content_hash: str, url: str | None = None) -> CaseInfo | None:
    """A case submitted with this exact notebook that is not withdrawn or rejected (to publish an example once)."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        case = session.scalars(select(Case).where(Case.content_hash == content_hash,
                                                  Case.status.in_([QUEUED, PUBLISHED]))).first()
        return _info(case) if case else None
