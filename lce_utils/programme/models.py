"""SQLAlchemy models of the programme register (tables prefixed programme_, so it may share a database): people,
their participations (entry with the Annex I data, exit), the attempts to collect special-category data, results
at exit and at six months, attendance and attestations, SCB exports and the audit log.

Columns ending in _token hold Fernet tokens (crypto.py); pnr_lookup is a keyed hash, never the number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from lce_utils.mentorship.models import parent, primary_key, stamped, utcnow


class Base(DeclarativeBase):
    """Declarative base of the programme register."""


class Person(Base):
    __tablename__ = "programme_people"
    __table_args__ = (Index("uq_programme_people_code_hash", "code_hash", unique=True),)
    id: Mapped[int] = primary_key()
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    pnr_token: Mapped[str | None] = mapped_column(Text)
    pnr_lookup: Mapped[str | None] = mapped_column(String(64), unique=True)
    coordination_number: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # protected identity (skyddad identitet): no number is stored; SCB gets these people on its special form
    protected_identity: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    birth_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    gender: Mapped[str] = mapped_column(String(16), nullable=False)
    # one person across the parts
    student_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    mentorship_email: Mapped[str | None] = mapped_column(String(254))
    institution: Mapped[str | None] = mapped_column(String(160))
    # the participant page's personal code, as a SHA-256 hash (the code itself is shown once, to staff)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = stamped()
    participations: Mapped[list[Participation]] = relationship(back_populates="person", cascade="all, delete-orphan",
                                                               order_by="Participation.entry_date")


class Participation(Base):
    __tablename__ = "programme_participations"
    id: Mapped[int] = primary_key()
    person_id: Mapped[int] = parent("programme_people")
    entry_date: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    exit_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    exit_reason: Mapped[str | None] = mapped_column(String(32))
    # Annex I data at entry (Regulation (EU) 2021/1057)
    labour_status: Mapped[str] = mapped_column(String(32), nullable=False)
    education: Mapped[str] = mapped_column(String(16), nullable=False)
    third_country_national: Mapped[bool | None] = mapped_column(Boolean)
    foreign_background: Mapped[bool | None] = mapped_column(Boolean)
    homeless: Mapped[bool | None] = mapped_column(Boolean)
    rural: Mapped[bool | None] = mapped_column(Boolean)
    # special categories (GDPR art. 9): "yes"/"no" encrypted; blank when declined or not asked
    disability_token: Mapped[str | None] = mapped_column(Text)
    minority_token: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = stamped()
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)
    person: Mapped[Person] = relationship(back_populates="participations")
    attempts: Mapped[list[CollectionAttempt]] = relationship(cascade="all, delete-orphan",
                                                             order_by="CollectionAttempt.id")
    results: Mapped[list[Result]] = relationship(cascade="all, delete-orphan", order_by="Result.id")
    attendance: Mapped[list[Attendance]] = relationship(cascade="all, delete-orphan", order_by="Attendance.id")
    attestations: Mapped[list[Attestation]] = relationship(cascade="all, delete-orphan",
                                                           order_by="Attestation.id")


class CollectionAttempt(Base):
    """One attempt to collect a special category: answered, or declined by the participant."""
    __tablename__ = "programme_collection_attempts"
    id: Mapped[int] = primary_key()
    participation_id: Mapped[int] = parent("programme_participations")
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    method: Mapped[str] = mapped_column(String(32), nullable=False, default="staff")
    attempted_at: Mapped[dt.datetime] = stamped()


class Result(Base):
    """Common result indicators of one participation, at exit (within four weeks) or about six months later."""
    __tablename__ = "programme_results"
    __table_args__ = (UniqueConstraint("participation_id", "stage"),)
    id: Mapped[int] = primary_key()
    participation_id: Mapped[int] = parent("programme_participations")
    stage: Mapped[str] = mapped_column(String(16), nullable=False)
    recorded_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    job_searching: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    in_education: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    qualification: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    employed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Attendance(Base):
    """Hours one participation spent on one activity in one month (entered, imported, or a course's expected time)."""
    __tablename__ = "programme_attendance"
    __table_args__ = (UniqueConstraint("participation_id", "activity", "month"),)
    id: Mapped[int] = primary_key()
    participation_id: Mapped[int] = parent("programme_participations")
    activity: Mapped[str] = mapped_column(String(80), nullable=False)
    month: Mapped[str] = mapped_column(String(7), nullable=False)
    hours: Mapped[float] = mapped_column(Float, nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="entered")


class Attestation(Base):
    """A participant's attestation of their hours in one month, with when and how it was given."""
    __tablename__ = "programme_attestations"
    id: Mapped[int] = primary_key()
    participation_id: Mapped[int] = parent("programme_participations")
    month: Mapped[str] = mapped_column(String(7), nullable=False)
    hours: Mapped[float] = mapped_column(Float, nullable=False)
    method: Mapped[str] = mapped_column(String(32), nullable=False)
    attested_at: Mapped[dt.datetime] = stamped()


class ScbExport(Base):
    """One monthly file written for SCB; a month exported again is a correction (version 2, 3, ...)."""
    __tablename__ = "programme_scb_exports"
    id: Mapped[int] = primary_key()
    month: Mapped[str] = mapped_column(String(7), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    rows: Mapped[int] = mapped_column(Integer, nullable=False)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    reason: Mapped[str] = mapped_column(String(200), nullable=False)
    exported_at: Mapped[dt.datetime] = stamped()


class Setting(Base):
    """The register's own settings, e.g. the fingerprint of the key its values are encrypted with."""
    __tablename__ = "programme_settings"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), nullable=False)


class AuditEvent(Base):
    """What was done to the register, by whom, with counts and never a person's data."""
    __tablename__ = "programme_audit_events"
    id: Mapped[int] = primary_key()
    at: Mapped[dt.datetime] = stamped()
    actor: Mapped[str] = mapped_column(String(120), nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)


class DirectoryEntry(Base):
    """A participant's consent to the network directory with what it lists (field, municipality, skills), recorded
    by staff: when, which text, by whom; revoked_at set when withdrawn. Erasure of the person deletes it."""
    __tablename__ = "programme_directory_entries"
    id: Mapped[int] = primary_key()
    person_id: Mapped[int] = mapped_column(ForeignKey("programme_people.id", ondelete="CASCADE"), nullable=False,
                                           unique=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)  # quoted to the programme office
    field: Mapped[str] = mapped_column(String(32), nullable=False)
    municipality: Mapped[str] = mapped_column(String(40), nullable=False)
    skills_offered: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    skills_wanted: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    text_version: Mapped[str] = mapped_column(String(32), nullable=False)
    surface: Mapped[str] = mapped_column(String(64), nullable=False)  # "cli:<login>", "staff app"
    given_at: Mapped[dt.datetime] = stamped()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(64))
