"""Email over SMTP (the standard library's client), configured by the environment.

No CHIBO_SMTP_HOST: email is off (the admin page says so) and nothing is queued. Each email is a
row (`EmailDelivery`) handed to a job; a refused or unreachable server is retried with growing
delays, and after the last attempt the row says `failed` with the error, for the administrator.
Nothing of this reaches a request: the job runs apart, and its errors stay in the row and the log.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from flask_babel import gettext as _
from huey.exceptions import RetryTask
from sqlalchemy import select

from core.extensions import db
from core.timeutil import utcnow
from jobs import enqueue, job
from notifications.models import EmailDelivery

log = logging.getLogger(__name__)

ATTEMPTS = 5
# Seconds before attempt 2, 3, 4, 5: a server restarting is back within the first, an outage
# of an hour is covered by the last.
BACKOFF = (30, 120, 600, 3600)
TIMEOUT = 20


def enabled() -> bool:
    return bool(current_app.config["CHIBO_SMTP_HOST"])


def sender() -> str:
    config = current_app.config
    return config["CHIBO_SMTP_SENDER"] or config["CHIBO_SMTP_USER"] or "chibo@localhost"


def compose_body(text) -> str:
    lines = [text.headline, ""]
    lines += [f"{label}: {value}" for label, value in text.lines]
    if text.video_url:
        lines.append(f"{_('Video link')}: {text.video_url}")
    lines += ["", f"{_('Open the meeting')}: {text.room_url}", ""]
    lines.append(_("You receive this because you are a member of the cell or oversee it."))
    lines.append(_("Change your channels on your handbook page (/me)."))
    return "\n".join(lines)


def queue(user_id: int | None, address: str, text) -> EmailDelivery | None:
    """Record an email and queue its delivery (call inside the reader's locale)."""
    if not enabled():
        return None
    row = EmailDelivery(
        user_id=user_id, address=address, subject=text.headline[:300], body=compose_body(text)
    )
    db.session.add(row)
    db.session.commit()
    enqueue("send_email", row.id)
    return row


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port = config["CHIBO_SMTP_HOST"], int(config["CHIBO_SMTP_PORT"])
    security = config["CHIBO_SMTP_SECURITY"]
    if security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=TIMEOUT, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, port, timeout=TIMEOUT)
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
    if config["CHIBO_SMTP_USER"]:
        client.login(config["CHIBO_SMTP_USER"], config["CHIBO_SMTP_PASSWORD"] or "")
    return client


def _message(row: EmailDelivery) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("chibo", sender()))
    message["To"] = row.address
    message["Subject"] = row.subject
    message["Message-ID"] = make_msgid(domain="chibo")
    message.set_content(row.body)
    return message


@job("send_email", retries=ATTEMPTS - 1)
def send_email(delivery_id: int, task=None) -> None:
    row = db.session.get(EmailDelivery, delivery_id)
    if row is None or row.status == "sent":
        return
    row.attempts += 1
    try:
        with _connect() as client:
            client.send_message(_message(row))
    except (OSError, smtplib.SMTPException) as exc:
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= ATTEMPTS:
            row.status = "failed"
            db.session.commit()
            log.error("email %s failed after %s attempts: %s", row.id, row.attempts, exc)
            return
        db.session.commit()
        delay = BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
        raise RetryTask(f"email {row.id}: {exc}", delay=delay) from None
    row.status, row.sent_at = "sent", utcnow()
    db.session.commit()


def failures(limit: int = 50) -> list[EmailDelivery]:
    return list(
        db.session.scalars(
            select(EmailDelivery)
            .where(EmailDelivery.status == "failed")
            .order_by(EmailDelivery.created_at.desc())
            .limit(limit)
        )
    )


def status() -> dict:
    """For the administrator's page: on or off, and the failed deliveries."""
    return {
        "enabled": enabled(),
        "host": current_app.config["CHIBO_SMTP_HOST"],
        "failures": failures(),
    }
