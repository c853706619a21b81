"""Push against a real server process: signed webhooks with retries, a delivery that
survives kill -9, the address guard, subscription email through a real SMTP server, and on
PostgreSQL two workers sharing the queue without delivering anything twice."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook as Verifier

from tests.e2e.server import Server
from tests.factories import ADMIN_TOKEN, bearer
from tests.push_helpers import Mailbox, Receiver, receiver, smtp_server

ADMIN = bearer(ADMIN_TOKEN)
PUSH_ENV = {"HINDSIGHT_WEBHOOKS_ALLOW_PRIVATE": "true", "HINDSIGHT_JOBS_LEASE_SECONDS": "5"}


def _url(database_url: str, tmp_path: Path) -> str:
    # A fresh, unmigrated SQLite file: `serve --migrate` brings it up to date.
    return f"sqlite:///{tmp_path}/push.db" if database_url.startswith("sqlite") else database_url


@pytest.fixture
def inbox() -> Iterator[Receiver]:
    with receiver() as got:
        yield got


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


def _reviewer(http: httpx.Client, team_name: str = "Push") -> tuple[dict, dict[str, str]]:
    team = http.post("/v1/teams", json={"name": team_name}, headers=ADMIN).json()
    n = team["id"]
    user = http.post(
        "/v1/users",
        json={
            "name": f"Rae {n}",
            "email": f"rae{n}@example.org",
            "role": "reviewer",
            "team_ids": [team["id"]],
        },
        headers=ADMIN,
    ).json()
    token = http.post("/v1/tokens", json={"name": "t", "user_id": user["id"]}, headers=ADMIN)
    return team, bearer(token.json()["token"])


def _publish(http: httpx.Client, headers: dict[str, str], title: str, **fields: object) -> dict:
    body = {
        "kind": "retrospect",
        "title": title,
        "status": "published",
        "details": {
            "objectives": "o",
            "what_went_well": [],
            "what_went_wrong": [],
            "what_to_improve": [],
        },
        **fields,
    }
    response = http.post("/v1/assets", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _hook(http: httpx.Client, url: str, events: list[str], **fields: object) -> dict:
    response = http.post(
        "/v1/webhooks", json={"url": url, "events": events, **fields}, headers=ADMIN
    )
    assert response.status_code == 201, response.text
    return response.json()


def _deliveries(http: httpx.Client, hook_id: int) -> list[dict]:
    return http.get(f"/v1/webhooks/{hook_id}/deliveries", headers=ADMIN).json()["items"]


def test_signed_delivery_with_a_retry_and_the_guard(
    database_url: str, tmp_path: Path, inbox: Receiver
) -> None:
    server = Server(_url(database_url, tmp_path), tmp_path, extra_env=PUSH_ENV).start("--migrate")
    try:
        http = httpx.Client(base_url=server.url, timeout=30)
        hook = _hook(http, inbox.url, ["asset.published"])
        _, headers = _reviewer(http)
        inbox.answers = [500]
        started = time.monotonic()
        asset = _publish(http, headers, "Signed and retried")
        first, second = inbox.wait_for(2, timeout=90)
        # The retry waits about 5 s (a loaded machine may add to it, never take from it).
        assert time.monotonic() - started > 4
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        payload = Verifier(hook["secret"]).verify(second.body, second.headers)
        assert payload["type"] == "asset.published" and payload["data"]["id"] == asset["id"]
        [log] = _deliveries(http, hook["id"])
        assert log["status"] == "delivered" and log["attempts"] == 2
    finally:
        server.kill()
    # Without the override, the same server refuses a loopback receiver.
    guarded = Server(_url(database_url, tmp_path), tmp_path).start()
    try:
        refused = httpx.post(
            f"{guarded.url}/v1/webhooks",
            headers=ADMIN,
            timeout=30,
            json={"url": inbox.url, "events": ["ping"]},
        )
        assert refused.status_code == 422
        assert "private" in refused.json()["error"]["message"]
    finally:
        guarded.kill()


def test_a_delivery_survives_kill_9_in_the_middle(
    database_url: str, tmp_path: Path, inbox: Receiver
) -> None:
    url = _url(database_url, tmp_path)
    server = Server(url, tmp_path, extra_env=PUSH_ENV).start("--migrate")
    try:
        http = httpx.Client(base_url=server.url, timeout=30)
        hook = _hook(http, inbox.url, ["asset.published"])
        _, headers = _reviewer(http)
        inbox.hold_first = True  # the receiver has the request, and answers nothing yet
        _publish(http, headers, "Delivered across a crash")
        [held] = inbox.wait_for(1)
        server.kill(signal.SIGKILL)  # mid-delivery: the job is claimed, its answer never recorded
        inbox.release.set()
    finally:
        server.kill()  # (a no-op after the kill -9 above)
    restarted = Server(url, tmp_path, extra_env=PUSH_ENV).start()
    try:
        again = inbox.wait_for(2, timeout=90)[1]
        assert again.headers["webhook-id"] == held.headers["webhook-id"]
        assert again.body == held.body
        Verifier(hook["secret"]).verify(again.body, again.headers)
        http = httpx.Client(base_url=restarted.url, timeout=30)
        deadline = time.monotonic() + 60
        while _deliveries(http, hook["id"])[0]["status"] != "delivered":
            assert time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        restarted.kill()


def test_subscription_email_holds_only_what_its_reader_may_see(
    database_url: str, tmp_path: Path, mailbox: Mailbox
) -> None:
    env = {**PUSH_ENV, "HINDSIGHT_SMTP_URL": mailbox.url}
    server = Server(_url(database_url, tmp_path), tmp_path, extra_env=env).start("--migrate")
    try:
        http = httpx.Client(base_url=server.url, timeout=30)
        _, headers = _reviewer(http, "Owners")
        _, outsider = _reviewer(http, "Others")
        subscribed = http.post(
            "/v1/subscriptions", headers=outsider, json={"name": "Cobalt", "q": "cobalt"}
        )
        assert subscribed.status_code == 201, subscribed.text
        _publish(http, headers, "Restricted cobalt review", visibility="restricted")
        _publish(http, headers, "Open cobalt review")
        [mail] = mailbox.wait_for(1, timeout=90)
        assert "Open cobalt review" in mail["Subject"]
        time.sleep(2)  # the restricted one would have arrived by now
        assert len(mailbox.messages) == 1
        assert all(
            "Restricted" not in m.get_body(("plain",)).get_content() for m in mailbox.messages
        )
        notes = http.get("/v1/notifications", headers=outsider).json()
        assert [n["subject"] for n in notes["items"]] == [mail["Subject"]]
    finally:
        server.kill()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_workers_on_postgresql_deliver_each_event_once(
    database_url: str, tmp_path: Path, inbox: Receiver
) -> None:
    server = Server(database_url, tmp_path, extra_env=PUSH_ENV).start("--migrate")
    worker_log = (tmp_path / "worker.log").open("ab")
    worker = subprocess.Popen(
        [sys.executable, "-m", "hindsight.service.cli", "worker"],
        env={**server.env},
        stdout=worker_log,
        stderr=worker_log,
        start_new_session=True,
    )
    try:
        # The worker must be claiming before the events come, or the server's own runner may
        # take them all while the worker is still importing (seen on a loaded machine).
        log_path = tmp_path / "worker.log"
        deadline = time.monotonic() + 90
        while b"Ctrl-C" not in log_path.read_bytes():  # its "running" line
            assert worker.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        http = httpx.Client(base_url=server.url, timeout=30)
        _hook(http, inbox.url, ["asset.published"])
        _, headers = _reviewer(http)
        for n in range(40):
            _publish(http, headers, f"Shared queue {n}")
        inbox.wait_for(40, timeout=180)
        time.sleep(2)  # any duplicate would have arrived by now
        ids = inbox.ids()
        assert len(ids) == 40 and len(set(ids)) == 40
        claimers = _claimers(database_url)
        assert len(claimers) == 2, claimers  # both processes took jobs
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        server.kill()


def _claimers(database_url: str) -> set[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT DISTINCT claimed_by FROM jobs WHERE kind = 'webhook.deliver'")
            )
            return {row[0].rsplit(":", 2)[1] for row in rows}
    finally:
        engine.dispose()
