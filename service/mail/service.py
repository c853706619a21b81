"""Mailing a notification: plain text and HTML, with an unsubscribe link when it comes from
a subscription, holding only what the recipient may see when it is sent."""

import html
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import Engine, select, update

from hindsight.service.columns import utcnow
from hindsight.service.db import session_scope
from hindsight.service.events import items
from hindsight.service.mail import smtp
from hindsight.service.notifications.models import Notification
from hindsight.service.subscriptions import service as subscriptions_service
from hindsight.service.users import service as users_service


def _message(sender: str, to: str, note: Notification, unsubscribe: str | None) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, note.subject
    message["Message-ID"] = make_msgid(domain="hindsight")
    text = [note.body]
    if note.link:
        text += ["", f"Open it: {note.link}"]
    if unsubscribe:
        # RFC 8058: mail clients offer one-click unsubscribing with these two headers.
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        text += ["", f"Unsubscribe: {unsubscribe}"]
    message.set_content("\n".join(text))
    body = "".join(f"<p>{html.escape(p)}</p>" for p in note.body.split("\n\n"))
    if note.link:
        body += f'<p><a href="{html.escape(note.link)}">Open it in Hindsight</a></p>'
    if unsubscribe:
        body += f'<p style="color:#666"><a href="{html.escape(unsubscribe)}">Unsubscribe</a></p>'
    message.add_alternative(f"<!doctype html><html><body>{body}</body></html>", subtype="html")
    return message


def send_notification(
    engine: Engine, target: smtp.SmtpTarget, *, sender: str, base_url: str, key: str
) -> bool:
    """Mail the notification `key` to its recipient unless it went already, its recipient
    is gone or deactivated, or its item is no longer visible to them. True when sent."""
    with session_scope(engine, write=False) as db:
        note = db.execute(select(Notification).where(Notification.key == key)).scalar_one_or_none()
        if note is None or note.emailed_at is not None:
            return False
        who = users_service.principal_of(db, note.user_id)
        if who is None or not who.email:
            return False
        item = (note.item_type, note.item_id)
        if (
            item[0] is not None
            and item[1] is not None
            and not items.is_visible(db, who, item[0], item[1])
        ):
            return False
        unsubscribe = None
        if note.subscription_id is not None:
            unsubscribe = subscriptions_service.unsubscribe_url(db, base_url, note.subscription_id)
        message = _message(sender, who.email, note, unsubscribe)
    smtp.send(target, message)
    with session_scope(engine) as db:
        db.execute(
            update(Notification).where(Notification.key == key).values(emailed_at=utcnow())  # type: ignore[arg-type]
        )
        db.commit()
    return True
