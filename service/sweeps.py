"""The daily sweep: what is due because a day has passed rather than because something
changed. Each thing it sends has a unique key (item, kind, day), so a second replica, a
restart or a sweep run twice sends nothing twice."""

from datetime import date

from sqlalchemy import Engine

from hindsight.service.actions import service as actions_service
from hindsight.service.db import session_scope


def daily(engine: Engine, day: date) -> None:
    with session_scope(engine) as db:
        actions_service.emit_overdue(db, day)
        db.commit()
