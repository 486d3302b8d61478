"""The audit log: who exported, erased, purged or decided what, and when; counts and file names, never a person."""

from __future__ import annotations

import getpass
import os
from typing import Any

from sqlalchemy.orm import Session

from lce_utils import settings
from lce_utils.mentorship.models import AuditEvent

COORDINATOR = "coordinator (token)"
RETENTION = "retention (automatic)"


def cli_actor() -> str:
    """The person running the CLI: LCE_MENTORSHIP_ACTOR, else the login name."""
    explicit = settings.MENTORSHIP_ACTOR()
    if explicit:
        return explicit[:120]
    try:
        return f"cli:{getpass.getuser()}"[:120]
    except (KeyError, OSError):  # no passwd entry (some containers)
        return f"cli:uid {os.getuid()}"


def record(session: Session, actor: str, action: str, **details: Any) -> AuditEvent:
    """Add one event to the audit log in the caller's transaction (details: counts and file names only)."""
    event = AuditEvent(actor=actor[:120], action=action, details=details)
    session.add(event)
    return event
