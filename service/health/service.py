"""Checks behind `GET /healthz`. Each returns "ok" or a short reason; none raises."""

import os
import re
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from hindsight.schemas.health import Health
from hindsight.service import migrations
from hindsight.service.db import session_scope
from hindsight.service.outbox import service as outbox_service
from hindsight.service.settings import Settings


def _check_index_dir(index_dir: Path) -> str:
    if not index_dir.is_dir():
        return f"index folder {index_dir} is missing"
    if not os.access(index_dir, os.W_OK):
        return f"index folder {index_dir} is not writable"
    return "ok"


def _driver_message(exc: Exception) -> str:
    """The driver's own first line (e.g. "connection refused"), not SQLAlchemy's wrapping."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    first = str(cause).strip().splitlines()
    return first[0] if first else type(cause).__name__


def check(
    engine: Engine,
    settings: Settings,
    indexer_error: str | None = None,
    index_report: str = "ok",
) -> Health:
    """`index_report`: what the search side says of itself ("rebuilding 1,200/5,000")."""
    database, pending = "ok", None
    try:
        with session_scope(engine, write=False) as db:
            db.execute(text("SELECT 1"))
            problem = migrations.schema_problem(db.connection())
            if problem:
                database = f"error: {problem}"
            else:
                pending = outbox_service.pending_count(db)
    except OperationalError as exc:
        database = (
            f"error: not usable ({_driver_message(exc)}): check HINDSIGHT_DATABASE_URL and "
            "that the database server is running"
        )
    except Exception as exc:  # anything else still means "not usable"; say it, don't crash
        database = f"error: {type(exc).__name__}: {_driver_message(exc)}"
    if index_report != "ok":
        index = index_report
    elif settings.search_backend == "postgres":
        index = database
    else:
        index = _check_index_dir(settings.index_dir)
    if index == "ok" and indexer_error:
        index = f"indexing failing: {indexer_error}"
    status = "ok" if database == "ok" and index == "ok" else "unavailable"
    return Health(status=status, database=database, index=index, outbox_pending=pending)


# What anyone may learn: whether each part works, never why (a path or an exception's text
# tells an attacker about the machine). `outbox_pending` stays: API.md's answer carries it,
# and a load balancer or a monitor reads it without a token.
STATUS_WORDS = ("ok", "rebuilding", "unavailable")
PUBLIC_PARTS = ("status", "database", "index")
PUBLIC_COUNTS = ("outbox_pending",)


def _word(value: object) -> str:
    first = re.match(r"[a-z]*", str(value))
    word = first.group(0) if first else ""
    return word if word in STATUS_WORDS else "unavailable"


def for_anyone(health: Health) -> Health:
    """`health` reduced to status words: every part beyond PUBLIC_PARTS is left out (None),
    however many details later checks add."""
    shown = {name: None for name in type(health).model_fields}
    shown.update({name: _word(getattr(health, name)) for name in PUBLIC_PARTS})
    shown.update({name: getattr(health, name) for name in PUBLIC_COUNTS})
    # Not validated: a detail field added later may not be nullable, and must still be hidden.
    return Health.model_construct(**shown)
