"""The background worker of a Hindsight process: the job runner with every handler.

`serve` starts it in each process by default (a thread pool beside the indexer);
`hindsight worker` runs it alone, and `serve --no-worker` leaves it to such a process.
"""

from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from hindsight.search.base import SearchBackend
from hindsight.service import sweeps
from hindsight.service.events import service as events
from hindsight.service.jobs import queue
from hindsight.service.jobs.runner import Claimed, Handler, Runner
from hindsight.service.settings import Settings
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


def handlers(
    engine: Engine, settings: Settings, backend: SearchBackend | None
) -> dict[str, Handler]:
    allow_private = settings.webhooks_allow_private

    def fan_out(job: Claimed) -> None:
        delivery.fan_out(engine, settings.public_url, job)

    def deliver(job: Claimed) -> None:
        delivery.attempt(engine, job, allow_private=allow_private)

    def daily(job: Claimed) -> None:
        sweeps.daily(engine, datetime.fromisoformat(job.payload["day"]).date())

    return {
        events.JOB_KIND: fan_out,
        webhooks_service.DELIVER: deliver,
        DAILY_SWEEP: daily,
    }


def make_runner(engine: Engine, settings: Settings, backend: SearchBackend | None) -> Runner:
    return Runner(
        engine,
        handlers(engine, settings, backend),
        lock_path=settings.data_dir / "jobs.lock",
        threads=settings.jobs_threads,
        poll_seconds=settings.jobs_poll_seconds,
        lease=timedelta(seconds=settings.jobs_lease_seconds),
        periodic=[schedule_daily],
    )
