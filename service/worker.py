"""The background worker of a Hindsight process: the job runner with every handler.

`serve` starts it in each process by default (a thread pool beside the indexer);
`hindsight worker` runs it alone, and `serve --no-worker` leaves it to such a process.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from hindsight.search.base import SearchBackend
from hindsight.service import sweeps
from hindsight.service.db import session_scope
from hindsight.service.events import service as events
from hindsight.service.jobs import queue
from hindsight.service.jobs.runner import Claimed, Handler, Runner
from hindsight.service.mail import service as mail_service
from hindsight.service.mail import smtp
from hindsight.service.notifications import service as notifications_service
from hindsight.service.settings import Settings
from hindsight.service.subscriptions import matching
from hindsight.service.webhooks import delivery
from hindsight.service.webhooks import service as webhooks_service

DAILY_SWEEP = "sweep.daily"


def schedule_daily(db: Session, now: datetime) -> None:
    """The day's sweep, queued once per day whichever replica asks first."""
    queue.enqueue(
        db,
        DAILY_SWEEP,
        {"day": now.date().isoformat()},
        key=f"{DAILY_SWEEP}:{now.date().isoformat()}",
    )


# The index is asked for at each match, not once: while it is rebuilt the getter raises
# IndexUnavailable, and the runner retries the match later instead of the server not starting.
BackendGetter = Callable[[], SearchBackend]


def handlers(
    engine: Engine, settings: Settings, backend: BackendGetter | None
) -> dict[str, Handler]:
    allow_private = settings.webhooks_allow_private
    base_url = settings.public_url
    smtp_url = settings.smtp_url.get_secret_value() if settings.smtp_url else None
    # A bad URL stops the start with what to fix, not every email with the same error.
    smtp_target = smtp.parse_url(smtp_url) if smtp_url else None

    def fan_out(job: Claimed) -> None:
        with session_scope(engine) as db:
            delivery.fan_out(db, base_url, job)
            matching.queue_matches(db, job)
            db.commit()

    def match(job: Claimed) -> None:
        if backend is not None:
            matching.match(engine, backend(), base_url, job)

    def mail(job: Claimed) -> None:
        if smtp_target is not None:
            mail_service.send_notification(
                engine,
                smtp_target,
                sender=settings.mail_from,
                base_url=base_url,
                key=job.payload["key"],
            )

    http = delivery.client()

    def deliver(job: Claimed) -> None:
        delivery.attempt(engine, http, job, allow_private=allow_private)

    def daily(job: Claimed) -> None:
        day = datetime.fromisoformat(job.payload["day"]).date()
        sweeps.daily(engine, day)
        matching.send_digests(engine, base_url, day)

    return {
        events.JOB_KIND: fan_out,
        webhooks_service.DELIVER: deliver,
        DAILY_SWEEP: daily,
        matching.MATCH: match,
        notifications_service.MAIL: mail,
    }


def make_runner(engine: Engine, settings: Settings, backend: BackendGetter | None) -> Runner:
    return Runner(
        engine,
        handlers(engine, settings, backend),
        lock_path=settings.data_dir / "jobs.lock",
        threads=settings.jobs_threads,
        poll_seconds=settings.jobs_poll_seconds,
        lease=timedelta(seconds=settings.jobs_lease_seconds),
        periodic=[schedule_daily],
    )
