"""Outgoing e-mail for the mentorship store (confirmation codes), configured by LCE_SMTP_* variables."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from lce_utils import settings
from lce_utils.errors import DataError


@dataclass(frozen=True)
class SmtpSettings:
    """Where and as whom to send mail."""

    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    security: str = "starttls"  # "starttls", "ssl" or "none" (only for a server on this machine)
    timeout: float = 15.0


def smtp_settings(env: Mapping[str, str] | None = None) -> SmtpSettings | None:
    """The settings from LCE_SMTP_HOST, _PORT, _FROM, _USER, _PASSWORD, _SECURITY; None when no host is set."""
    host = settings.SMTP_HOST(env)
    if not host:
        return None
    security = settings.SMTP_SECURITY(env)
    raw_port = settings.SMTP_PORT(env) or {"ssl": "465", "starttls": "587", "none": "25"}[security]
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        raise DataError(f"LCE_SMTP_PORT: expected a port number from 1 to 65535, got {raw_port!r}")
    sender = settings.SMTP_FROM(env)
    if "@" not in sender:
        raise DataError("LCE_SMTP_FROM: the sender's e-mail address is needed when LCE_SMTP_HOST is set, "
                        f"got {sender!r}")
    return SmtpSettings(host=host, port=int(raw_port), sender=sender, user=settings.SMTP_USER(env),
                        password=settings.SMTP_PASSWORD(env), security=security)


def send_mail(settings: SmtpSettings, to: str, subject: str, body: str) -> None:
    """Send one plain-text message (UTF-8); raises OSError or smtplib.SMTPException when it cannot be sent."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.sender, to, subject
    msg["Date"], msg["Message-ID"] = formatdate(localtime=False), make_msgid(domain=settings.sender.split("@")[-1])
    msg.set_content(body)
    if settings.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.user:
            client.login(settings.user, settings.password or "")
        client.send_message(msg)
