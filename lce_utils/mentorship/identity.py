"""Applications sent with an e-mail the store already holds: confirmed by a mailed code, or decided by the
coordinator. Nothing here changes a stored person unless the mailbox's owner or the coordinator says so."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import smtplib
import sys

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, joinedload

from lce_utils.errors import DataError
from lce_utils.mentorship import audit
from lce_utils.mentorship.mail import SmtpSettings, send_mail, smtp_settings
from lce_utils.mentorship.models import Application, Confirmation, utcnow
from lce_utils.mentorship.store import _delete_applications, reading, transaction
from lce_utils.mentorship.validation import ValidationError
from lce_utils.messages import both, t

CODE_DIGITS = 6
CODE_HOURS = 24
MAX_ATTEMPTS = 5
MAILS_PER_DAY = 3  # codes mailed to one address in 24 hours: sign-ups cannot be used to flood a mailbox
DECISIONS = ("update", "keep", "reject")
FLAGS = ("name_differs", "organisation_differs")


def _hash(application_id: int, code: str) -> str:
    return hashlib.sha256(f"{application_id}:{code}".encode()).hexdigest()


def confirmation_mail(name: str, code: str) -> tuple[str, str]:
    """The subject and body (Swedish, then English) of the mail carrying a confirmation code."""
    return t("code_mail_subject", "sv"), "\n\n".join(
        t("code_mail_body", lang, name=name, code=code, hours=CODE_HOURS) for lang in ("sv", "en"))


def send_confirmation(application_id: int, url: str | None = None, settings: SmtpSettings | None = None,
                      now: dt.datetime | None = None) -> bool:
    """Mail a new code for a pending application to the stored address; False when SMTP is not configured or
    the mail could not be sent (the application then waits for the coordinator)."""
    settings = settings or smtp_settings()
    if settings is None:
        return False
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    now = now or utcnow()

    def write(session: Session) -> tuple[str, str] | None:
        app = session.get(Application, application_id, options=[joinedload(Application.person)])
        if app is None or app.status != "pending":
            raise DataError(both("not_awaiting_confirmation", id=application_id))
        recent = session.scalar(select(func.count(Confirmation.id)).join(
            Application, Application.id == Confirmation.application_id).where(
            Application.person_id == app.person_id, Confirmation.created_at > now - dt.timedelta(days=1)))
        if (recent or 0) >= MAILS_PER_DAY:
            return None
        session.execute(delete(Confirmation).where(Confirmation.application_id == application_id))
        session.add(Confirmation(application_id=application_id, code_hash=_hash(application_id, code),
                                 expires_at=now + dt.timedelta(hours=CODE_HOURS), attempts=0, created_at=now))
        return app.person.email, app.submitted_name or app.person.name

    target = transaction(write, url)
    if target is None:
        return False
    to, name = target
    subject, body = confirmation_mail(name, code)
    try:
        send_mail(settings, to, subject, body)
    except (OSError, smtplib.SMTPException) as exc:
        # The server log gets the reason (no address); the application stays pending for the coordinator.
        print(f"lce mentorship: confirmation mail for application {application_id} not sent: "
              f"{type(exc).__name__}", file=sys.stderr)
        transaction(lambda s: s.execute(delete(Confirmation).where(Confirmation.application_id == application_id)),
                    url)
        return False
    return True


def _wrong_code() -> ValidationError:
    return ValidationError({"code": (t("err_code", "sv"), t("err_code", "en"))})


def confirm_application(application_id: int, code: str, url: str | None = None,
                        now: dt.datetime | None = None) -> Application:
    """Accept a pending application with the code mailed to the stored address: it becomes active and the
    person takes the name and organisation sent (the mailbox's owner sent them). ValidationError otherwise."""
    now = now or utcnow()
    code = "".join(str(code or "").split())

    def write(session: Session) -> Application | None:
        row = session.scalar(select(Confirmation).where(Confirmation.application_id == application_id))
        if row is None or row.expires_at < now or row.attempts >= MAX_ATTEMPTS:
            return None
        if not hmac.compare_digest(row.code_hash, _hash(application_id, code)):
            row.attempts += 1  # committed: the count of wrong tries survives
            return None
        app = session.get(Application, application_id, options=[joinedload(Application.person)])
        if app is None:  # (erased between the code's check and here)
            return None
        _accept(app, update_person=True, now=now)
        session.delete(row)
        audit.record(session, "applicant (e-mail code)", "confirm_application")
        return app

    app = transaction(write, url)
    if app is None:
        raise _wrong_code()
    return app


def _accept(app: Application, update_person: bool, now: dt.datetime) -> None:
    if update_person:
        if app.submitted_name:
            app.person.name = app.submitted_name
        if app.flag in FLAGS:
            app.person.organisation = app.submitted_organisation
        app.person.updated_at = now
    app.status, app.flag, app.submitted_name, app.submitted_organisation = "active", None, None, None


def flagged_applications(url: str | None = None) -> list[Application]:
    """Applications waiting for the coordinator (pending, or active with another organisation), oldest first."""
    with reading(url) as session:
        query = (select(Application).options(joinedload(Application.person))
                 .where(Application.flag.is_not(None)).order_by(Application.id))
        return list(session.scalars(query).unique())


def decide_application(application_id: int, decision: str, url: str | None = None,
                       actor: str | None = None) -> str:
    """The coordinator's decision on a flagged application: "update" (accept it and the details sent),
    "keep" (accept it, keep the stored details) or "reject" (delete it). Audited; returns the decision."""
    if decision not in DECISIONS:
        raise DataError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")

    def write(session: Session) -> str:
        app = session.get(Application, application_id, options=[joinedload(Application.person)])
        if app is None or app.flag is None:
            raise DataError(both("not_awaiting_decision", id=application_id))
        flag = app.flag
        if decision == "reject":
            _delete_applications(session, [app.id])
        else:
            _accept(app, update_person=decision == "update", now=utcnow())
            session.execute(delete(Confirmation).where(Confirmation.application_id == app.id))
        # (no application number: the applicant knows theirs, so it would point at them)
        audit.record(session, actor or audit.cli_actor(), f"{decision}_application", flag=flag)
        return decision

    return transaction(write, url)
