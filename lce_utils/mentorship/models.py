"""SQLAlchemy models: people, applications, consents, matching runs, matches, exclusions, sessions, feedback,
e-mail confirmations, the registry of export files, the audit log, consents to the network directory and the
anonymous feedback on lessons and sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def primary_key() -> Any:
    """The integer id every table is keyed by."""
    return mapped_column(Integer, primary_key=True)


def stamped() -> Any:
    """A required time, now (naive UTC) unless given."""
    return mapped_column(DateTime, default=utcnow, nullable=False)


def parent(table: str) -> Any:
    """A required, indexed reference to a row of table, deleted with it."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=False, index=True)


def utcnow() -> dt.datetime:
    """Now in UTC, without tzinfo (stored the same way on SQLite and PostgreSQL)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of the mentorship store."""


class Person(Base):
    __tablename__ = "people"
    id: Mapped[int] = primary_key()
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    organisation: Mapped[str | None] = mapped_column(String(160))
    created_at: Mapped[dt.datetime] = stamped()
    updated_at: Mapped[dt.datetime] = stamped()
    applications: Mapped[list[Application]] = relationship(back_populates="person", cascade="all, delete-orphan",
                                                           passive_deletes=True)


class Application(Base):
    __tablename__ = "applications"
    id: Mapped[int] = primary_key()
    person_id: Mapped[int] = parent("people")
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    field: Mapped[str] = mapped_column(String(32), nullable=False)
    skills_offered: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    skills_wanted: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    goals: Mapped[str] = mapped_column(Text, nullable=False)
    languages: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    availability: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    municipality: Mapped[str] = mapped_column(String(40), nullable=False)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False, index=True)
    # "active" (matched) or "pending" (a stored e-mail sent with another name: waits for the coordinator or a code)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active", server_default="active",
                                        index=True)
    flag: Mapped[str | None] = mapped_column(String(32))  # why it is pending, e.g. "name_differs"
    # What the form said when it differs from the stored person (never copied onto the person silently).
    submitted_name: Mapped[str | None] = mapped_column(String(120))
    submitted_organisation: Mapped[str | None] = mapped_column(String(160))
    person: Mapped[Person] = relationship(back_populates="applications")
    consents: Mapped[list[Consent]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    # Convenience for the apps and matching: the person's fields on the application.
    @property
    def name(self) -> str:
        return self.person.name

    @property
    def email(self) -> str:
        return self.person.email

    @property
    def organisation(self) -> str | None:
        return self.person.organisation

    def as_dict(self) -> dict[str, Any]:
        """The application with its person's name, e-mail and organisation, as plain values."""
        return {
            "id": self.id, "name": self.person.name, "email": self.person.email,
            "organisation": self.person.organisation, "role": self.role, "field": self.field,
            "skills_offered": list(self.skills_offered), "skills_wanted": list(self.skills_wanted),
            "goals": self.goals, "languages": list(self.languages), "availability": list(self.availability),
            "municipality": self.municipality, "capacity": self.capacity,
            "created_at": self.created_at.isoformat(timespec="seconds"),
        }


class Consent(Base):
    __tablename__ = "consents"
    id: Mapped[int] = primary_key()
    person_id: Mapped[int] = parent("people")
    application_id: Mapped[int] = parent("applications")
    purpose: Mapped[bool] = mapped_column(Boolean, nullable=False)
    contact: Mapped[bool] = mapped_column(Boolean, nullable=False)
    notice_version: Mapped[str] = mapped_column(String(32), nullable=False)
    given_at: Mapped[dt.datetime] = stamped()


class MatchRun(Base):
    __tablename__ = "match_runs"
    id: Mapped[int] = primary_key()
    created_at: Mapped[dt.datetime] = stamped()
    params: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    total_score: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)


class Match(Base):
    __tablename__ = "matches"
    id: Mapped[int] = primary_key()
    run_id: Mapped[int] = parent("match_runs")
    a_application_id: Mapped[int] = parent("applications")
    b_application_id: Mapped[int] = parent("applications")
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # "mentoring" (a mentors b) or "mutual"
    score: Mapped[float] = mapped_column(Float, nullable=False)
    reasons: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    locked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    code: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = stamped()
    a: Mapped[Application] = relationship(foreign_keys=[a_application_id])
    b: Mapped[Application] = relationship(foreign_keys=[b_application_id])


class Exclusion(Base):
    __tablename__ = "exclusions"
    __table_args__ = (UniqueConstraint("low_application_id", "high_application_id"),)
    id: Mapped[int] = primary_key()
    low_application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                    nullable=False)
    high_application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                     nullable=False)
    created_at: Mapped[dt.datetime] = stamped()


class MentoringSession(Base):
    __tablename__ = "sessions"
    id: Mapped[int] = primary_key()
    match_id: Mapped[int] = parent("matches")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    held_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    format: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[dt.datetime] = stamped()


class Feedback(Base):
    __tablename__ = "feedback"
    id: Mapped[int] = primary_key()
    match_id: Mapped[int] = parent("matches")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    score: Mapped[int] = mapped_column(Integer, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = stamped()



class Confirmation(Base):
    """A one-time code mailed to a stored e-mail address to confirm a pending application (only its hash kept)."""
    __tablename__ = "confirmations"
    id: Mapped[int] = primary_key()
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), nullable=False,
                                                unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    created_at: Mapped[dt.datetime] = stamped()


class ExportFile(Base):
    """A file LCE wrote with personal data in it, so erasure can rewrite or delete it and purge can expire it."""
    __tablename__ = "export_files"
    id: Mapped[int] = primary_key()
    path: Mapped[str] = mapped_column(String(1024), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # "matches_csv", "matches_xlsx", "person_json"
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False, index=True)


class ExportFilePerson(Base):
    """Which people an export file holds."""
    __tablename__ = "export_file_people"
    __table_args__ = (UniqueConstraint("export_file_id", "person_id"),)
    id: Mapped[int] = primary_key()
    export_file_id: Mapped[int] = mapped_column(ForeignKey("export_files.id", ondelete="CASCADE"), nullable=False)
    person_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)


class AuditEvent(Base):
    """Who did what when (exports, erasures, purges, decisions on pending applications); never names or e-mails."""
    __tablename__ = "audit_log"
    id: Mapped[int] = primary_key()
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False, index=True)
    actor: Mapped[str] = mapped_column(String(120), nullable=False)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)


class DirectoryConsent(Base):
    """A person's consent to be listed in the network directory (lce_utils.knowledge.directory): when, which text,
    through which surface; revoked_at set when withdrawn (the next site build drops the entry). Erasure deletes it."""
    __tablename__ = "directory_consents"
    id: Mapped[int] = primary_key()
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), nullable=False, unique=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)  # quoted to the programme office
    text_version: Mapped[str] = mapped_column(String(32), nullable=False)
    surface: Mapped[str] = mapped_column(String(64), nullable=False)  # "signup-form", "cli:<login>"
    given_at: Mapped[dt.datetime] = stamped()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(64))


class LearnerFeedback(Base):
    """One anonymous answer of the feedback form: no person, no address, no time but the month; a random key (no
    ordered id) and, on SQLite, no rowid, so the order of the rows tells nothing about when each was sent."""
    __tablename__ = "learner_feedback"
    __table_args__ = {"sqlite_with_rowid": False}
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    context: Mapped[str] = mapped_column(String(160), nullable=False, index=True)
    month: Mapped[str] = mapped_column(String(7), nullable=False)  # YYYY-MM
    useful: Mapped[int] = mapped_column(Integer, nullable=False)  # 1-5
    hard: Mapped[int] = mapped_column(Integer, nullable=False)  # 1-5
    what_hard: Mapped[str | None] = mapped_column(Text)
    what_useful: Mapped[str | None] = mapped_column(Text)
