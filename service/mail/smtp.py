"""Sending one message through the SMTP server of `HINDSIGHT_SMTP_URL`.

smtplib rather than aiosmtplib: mail goes out from the job runner's threads, which are
blocking code anyway, and the standard library needs no dependency. Each message opens its
own connection: a digest or a notification is rare enough, and a connection held open
between jobs would break on any server that times idle clients out.
"""

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

TIMEOUT = 30.0


class BadSmtpUrl(ValueError):
    pass


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    starttls: bool
    username: str | None
    password: str | None


def parse_url(url: str) -> SmtpTarget:
    """smtp://host:port, or smtp+starttls://user:pass@host:port (port 25 and 587 by default)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtp+starttls"):
        raise BadSmtpUrl("HINDSIGHT_SMTP_URL must start with smtp:// or smtp+starttls://")
    if not parts.hostname:
        raise BadSmtpUrl("HINDSIGHT_SMTP_URL names no host")
    starttls = parts.scheme == "smtp+starttls"
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (587 if starttls else 25),
        starttls=starttls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def send(target: SmtpTarget, message: EmailMessage) -> None:
    """Raises smtplib.SMTPException or OSError when the server refuses or cannot be reached
    (the job runner retries with backoff)."""
    with smtplib.SMTP(target.host, target.port, timeout=TIMEOUT) as smtp:
        if target.starttls:
            smtp.starttls()
        if target.username:
            smtp.login(target.username, target.password or "")
        smtp.send_message(message)
