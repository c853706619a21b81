"""The job runner on a real database: claims, leases, retries, keys and the SQLite lock."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, update

from hindsight.service import migrations
from hindsight.service.columns import utcnow
from hindsight.service.db import make_engine, session_scope
from hindsight.service.jobs import queue
from hindsight.service.jobs.models import Job
from hindsight.service.jobs.runner import Claimed, RetryLater, Runner, backoff, claim, run_one
from hindsight.service.settings import Settings


@pytest.fixture
def engine(settings: Settings) -> Engine:
    built = make_engine(settings)
    yield built
    built.dispose()


def _queue(engine: Engine, kind: str = "k", **kwargs: object) -> None:
    with session_scope(engine) as db:
        queue.enqueue(db, kind, {"n": 1}, **kwargs)  # type: ignore[arg-type]
        db.commit()


def _job(engine: Engine) -> Job:
    with session_scope(engine, write=False) as db:
        return db.execute(select(Job)).scalar_one()


def test_a_keyed_job_is_queued_once(engine: Engine) -> None:
    for _ in range(3):
        _queue(engine, key="sweep:2026-12-03")
    with session_scope(engine, write=False) as db:
        assert len(db.execute(select(Job)).all()) == 1


def test_a_claimed_job_is_not_claimed_again_until_its_lease_ends(engine: Engine) -> None:
    _queue(engine)
    [first] = claim(engine, "a", 10, timedelta(seconds=60))
    assert claim(engine, "b", 10, timedelta(seconds=60)) == []
    with session_scope(engine) as db:  # the lease ran out: its runner died
        db.execute(update(Job).values(lease_until=utcnow() - timedelta(seconds=1)))
        db.commit()
    [again] = claim(engine, "b", 10, timedelta(seconds=60))
    assert again.id == first.id and again.attempts == 2
    run_one(engine, {"k": lambda job: None}, first, "a")  # the dead runner's late answer
    assert _job(engine).status == "running"  # ignored: "b" holds the job now
    run_one(engine, {"k": lambda job: None}, again, "b")
    assert _job(engine).status == "done"


def test_a_failing_job_is_retried_with_backoff_then_failed(engine: Engine) -> None:
    _queue(engine)

    def broken(job: Claimed) -> None:
        raise OSError("disk full")

    [job] = claim(engine, "a", 1, timedelta(seconds=60))
    before = utcnow()
    run_one(engine, {"k": broken}, job, "a")
    row = _job(engine)
    assert row.status == "pending" and row.last_error == "OSError: disk full"
    assert row.run_at >= before + timedelta(seconds=4)
    assert backoff(1) == timedelta(seconds=5) and backoff(2) == timedelta(seconds=10)
    assert backoff(30) == timedelta(hours=1)
    with session_scope(engine) as db:
        db.execute(update(Job).values(attempts=9, run_at=utcnow()))
        db.commit()
    [job] = claim(engine, "a", 1, timedelta(seconds=60))
    run_one(engine, {"k": broken}, job, "a")
    assert _job(engine).status == "failed"


def test_retry_later_and_unknown_kinds(engine: Engine) -> None:
    _queue(engine)
    _queue(engine, kind="nobody")
    later = utcnow() + timedelta(minutes=5)

    def wait(job: Claimed) -> None:
        raise RetryLater("not yet", at=later)

    for job in claim(engine, "a", 10, timedelta(seconds=60)):
        run_one(engine, {"k": wait}, job, "a")
    with session_scope(engine, write=False) as db:
        rows = {row.kind: row for row in db.execute(select(Job)).scalars()}
    assert rows["k"].status == "pending" and rows["k"].run_at == later
    assert rows["nobody"].status == "failed"
    assert "no handler" in (rows["nobody"].last_error or "")


# PostgreSQL runners share the queue (FOR UPDATE SKIP LOCKED); the lock is SQLite's.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_sqlite_one_process_runs_jobs_and_takes_back_what_a_dead_one_left(
    engine: Engine, settings: Settings
) -> None:
    _queue(engine)
    claim(engine, "dead", 1, timedelta(hours=1))  # claimed by a process that was killed
    ran: list[int] = []
    first = Runner(
        engine,
        {"k": lambda job: ran.append(job.id)},
        lock_path=settings.data_dir / "jobs.lock",
        poll_seconds=0.05,
    )
    second = Runner(
        engine,
        {"k": lambda job: ran.append(job.id)},
        lock_path=settings.data_dir / "jobs.lock",
        poll_seconds=0.05,
    )
    first.start()
    second.start()
    try:
        deadline = utcnow() + timedelta(seconds=10)
        while not ran and utcnow() < deadline:
            first._stop.wait(0.05)
        assert ran == [_job(engine).id]
        assert [first.is_runner, second.is_runner].count(True) == 1
    finally:
        first.stop()
        second.stop()
    assert _job(engine).status == "done"


def test_a_runner_started_before_its_tables_exist_waits_and_then_runs(tmp_path) -> None:
    # A service started on a database that is migrated a moment later (or that comes back
    # after an outage) must heal by itself: its runner thread keeps trying, it does not die.
    url = f"sqlite:///{tmp_path / 'late.db'}"
    bare = make_engine(Settings(_env_file=None, database_url=url, data_dir=tmp_path))  # type: ignore[call-arg]
    ran: list[int] = []
    runner = Runner(
        bare,
        {"k": lambda job: ran.append(job.id)},
        lock_path=tmp_path / "jobs.lock",
        poll_seconds=0.05,
    )
    runner.start()
    try:
        deadline = utcnow() + timedelta(seconds=10)
        while runner.last_error is None and utcnow() < deadline:
            runner._stop.wait(0.05)
        assert runner.last_error is not None and "jobs" in runner.last_error
        assert runner._thread is not None and runner._thread.is_alive()
        migrations.upgrade(url)
        _queue(bare)
        runner.wake()
        deadline = utcnow() + timedelta(seconds=20)
        while not ran and utcnow() < deadline:
            runner._stop.wait(0.05)
        assert ran and runner.is_runner
    finally:
        runner.stop()
        bare.dispose()
