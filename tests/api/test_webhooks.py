"""Webhooks through the app: the admin resource, the address guard, signed deliveries to a
real receiver, retries, 410, redelivery and scope (a restricted item never leaves its teams)."""

import base64
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook as Verifier

from hindsight.service.app import create_app
from hindsight.service.settings import Settings
from hindsight.service.worker import make_runner
from tests.factories import Api, Caller, if_match, lesson, make_asset
from tests.push_helpers import Receiver, receiver, run_jobs


@pytest.fixture
def hooks_api(settings: Settings) -> Iterator[Api]:
    """The app with private addresses allowed, so hooks can reach a receiver on 127.0.0.1."""
    app = create_app(settings.model_copy(update={"webhooks_allow_private": True}))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client)


@pytest.fixture
def inbox() -> Iterator[Receiver]:
    with receiver() as got:
        yield got


def make_hook(api: Api, url: str, events: list[str], **fields: object) -> dict:
    body = {"url": url, "events": events, **fields}
    response = api.client.post("/v1/webhooks", json=body, headers=api.admin_headers)
    assert response.status_code == 201, response.text
    return response.json()


def publish(api: Api, reviewer: Caller, **fields: object) -> dict:
    return make_asset(api, reviewer, status="published", **fields)


def deliveries(api: Api, hook_id: int) -> list[dict]:
    page = api.client.get(f"/v1/webhooks/{hook_id}/deliveries", headers=api.admin_headers)
    assert page.status_code == 200, page.text
    return page.json()["items"]


def test_the_secret_is_shown_once_and_the_hook_can_change(hooks_api: Api, inbox: Receiver) -> None:
    api = hooks_api
    hook = make_hook(api, inbox.url, ["asset.published"], description="intranet")
    assert hook["secret"].startswith("whsec_")
    assert 24 <= len(base64.b64decode(hook["secret"].removeprefix("whsec_"))) <= 64
    got = api.client.get(f"/v1/webhooks/{hook['id']}", headers=api.admin_headers)
    assert "secret" not in got.json() and got.headers["ETag"] == '"1"'
    listed = api.client.get("/v1/webhooks", headers=api.admin_headers).json()
    assert [h["id"] for h in listed["items"]] == [hook["id"]]
    assert "secret" not in listed["items"][0]
    stale = api.client.patch(
        f"/v1/webhooks/{hook['id']}", json={"active": False}, headers=if_match(api.admin_headers, 7)
    )
    assert stale.status_code == 412
    changed = api.client.patch(
        f"/v1/webhooks/{hook['id']}", json={"active": False}, headers=if_match(api.admin_headers, 1)
    )
    assert changed.status_code == 200 and changed.json()["active"] is False
    gone = api.client.delete(f"/v1/webhooks/{hook['id']}", headers=if_match(api.admin_headers, 2))
    assert gone.status_code == 204
    assert (
        api.client.get(f"/v1/webhooks/{hook['id']}", headers=api.admin_headers).status_code == 404
    )


def test_only_admins_manage_webhooks(api: Api) -> None:
    reviewer = api.make_user("reviewer")
    response = api.client.get("/v1/webhooks", headers=reviewer.headers)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "ftp://example.org/hook",
        "file:///etc/passwd",
        "http:///no-host",
    ],
)
def test_private_and_non_http_urls_are_refused(api: Api, url: str) -> None:
    body = {"url": url, "events": ["ping"]}
    response = api.client.post("/v1/webhooks", json=body, headers=api.admin_headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"][0]["field"] == "body.url"


def test_a_url_changed_to_a_private_address_is_refused(api: Api) -> None:
    hook = make_hook(api, "https://93.184.215.14/hook", ["ping"])
    response = api.client.patch(
        f"/v1/webhooks/{hook['id']}",
        json={"url": "http://127.0.0.1/"},
        headers=if_match(api.admin_headers, 1),
    )
    assert response.status_code == 422


def test_unknown_events_are_a_422(api: Api) -> None:
    body = {"url": "https://93.184.215.14/hook", "events": ["lesson.deleted"]}
    response = api.client.post("/v1/webhooks", json=body, headers=api.admin_headers)
    assert response.status_code == 422


def test_a_published_asset_arrives_signed(hooks_api: Api, inbox: Receiver) -> None:
    api = hooks_api
    hook = make_hook(api, inbox.url, ["asset.published", "lesson.created"])
    team = api.make_team()
    reviewer = api.make_user("reviewer", [team["id"]])
    asset = publish(api, reviewer, lessons=[lesson()])
    run_jobs(api.client)
    got = inbox.wait_for(2)
    by_type = {r.json["type"]: r for r in got}
    assert set(by_type) == {"asset.published", "lesson.created"}
    arrived = by_type["asset.published"]
    payload = Verifier(hook["secret"]).verify(arrived.body, arrived.headers)
    assert payload["data"]["id"] == asset["id"]
    assert payload["data"]["title"] == asset["title"]
    assert payload["data"]["url"].endswith(f"/v1/assets/{asset['id']}")
    assert arrived.headers["webhook-id"].startswith("msg_")
    assert abs(int(arrived.headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 60
    with pytest.raises(Exception, match="signature"):
        Verifier("whsec_" + base64.b64encode(b"x" * 32).decode()).verify(
            arrived.body, arrived.headers
        )
    log = deliveries(api, hook["id"])
    assert {d["status"] for d in log} == {"delivered"}
    assert {d["attempts"] for d in log} == {1}


def test_a_failed_attempt_is_retried_on_schedule_with_the_same_id(
    hooks_api: Api, inbox: Receiver
) -> None:
    api = hooks_api
    hook = make_hook(api, inbox.url, ["asset.published"])
    reviewer = api.make_user("reviewer", [api.make_team()["id"]])
    inbox.answers = [500]
    publish(api, reviewer)
    run_jobs(api.client)
    first = inbox.wait_for(1)[0]
    [delivery] = deliveries(api, hook["id"])
    assert delivery["status"] == "pending" and delivery["attempts"] == 1
    assert delivery["last_status_code"] == 500
    retry_at = datetime.fromisoformat(delivery["next_attempt_at"])
    assert timedelta(seconds=3) < retry_at - datetime.now(UTC) < timedelta(seconds=6)
    assert run_jobs(api.client) == 0  # not due yet
    redo = api.client.post(
        f"/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver",
        headers=api.admin_headers,
    )
    assert redo.status_code == 409  # still pending: its retry is queued
    _wait_until(retry_at)
    run_jobs(api.client)
    second = inbox.wait_for(2)[1]
    assert second.headers["webhook-id"] == first.headers["webhook-id"]
    assert second.body == first.body
    [delivery] = deliveries(api, hook["id"])
    assert delivery["status"] == "delivered" and delivery["attempts"] == 2
    redo = api.client.post(
        f"/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver",
        headers=api.admin_headers,
    )
    assert redo.status_code == 202 and redo.json()["status"] == "pending"
    run_jobs(api.client)
    third = inbox.wait_for(3)[2]
    assert third.headers["webhook-id"] == first.headers["webhook-id"]


def _wait_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + 0.2)


def test_a_410_deactivates_the_hook(hooks_api: Api, inbox: Receiver) -> None:
    api = hooks_api
    hook = make_hook(api, inbox.url, ["asset.published"])
    reviewer = api.make_user("reviewer", [api.make_team()["id"]])
    inbox.answers = [410]
    publish(api, reviewer)
    run_jobs(api.client)
    inbox.wait_for(1)
    [delivery] = deliveries(api, hook["id"])
    assert delivery["status"] == "failed" and delivery["last_status_code"] == 410
    assert (
        api.client.get(f"/v1/webhooks/{hook['id']}", headers=api.admin_headers).json()["active"]
        is False
    )
    publish(api, reviewer)
    run_jobs(api.client)
    assert len(deliveries(api, hook["id"])) == 1  # an inactive hook gets nothing new


def test_a_ping_is_queued_by_test(hooks_api: Api, inbox: Receiver) -> None:
    api = hooks_api
    hook = make_hook(api, inbox.url, ["asset.published"])
    queued = api.client.post(f"/v1/webhooks/{hook['id']}/test", headers=api.admin_headers)
    assert queued.status_code == 202 and queued.json()["event"] == "ping"
    run_jobs(api.client)
    [ping] = inbox.wait_for(1)
    assert Verifier(hook["secret"]).verify(ping.body, ping.headers)["type"] == "ping"


def test_a_restricted_item_reaches_only_hooks_of_its_teams(hooks_api: Api, inbox: Receiver) -> None:
    api = hooks_api
    team, other = api.make_team(), api.make_team()
    ours = make_hook(api, inbox.url + "?ours", ["asset.published"], team_id=team["id"])
    theirs = make_hook(api, inbox.url + "?theirs", ["asset.published"], team_id=other["id"])
    everyone = make_hook(api, inbox.url + "?everyone", ["asset.published"])
    reviewer = api.make_user("reviewer", [team["id"]])
    secret = publish(
        api,
        reviewer,
        visibility="restricted",
        owning_team_id=team["id"],
        title="Restricted: the safeguarding review",
    )
    open_one = publish(api, reviewer, owning_team_id=team["id"], title="Open retrospect")
    run_jobs(api.client)
    inbox.wait_for(4)
    got = {(r.json["data"]["id"], hook_of(r, ours, theirs, everyone)) for r in inbox.requests}
    assert got == {
        (secret["id"], "ours"),
        (open_one["id"], "ours"),
        (open_one["id"], "theirs"),
        (open_one["id"], "everyone"),
    }
    assert all(
        "safeguarding" not in r.body.decode()
        for r in inbox.requests
        if hook_of(r, ours, theirs, everyone) != "ours"
    )
    assert len(deliveries(api, theirs["id"])) == 1
    assert len(deliveries(api, everyone["id"])) == 1


def hook_of(arrived, *hooks: dict) -> str:
    for name, hook in zip(("ours", "theirs", "everyone"), hooks, strict=True):
        try:
            Verifier(hook["secret"]).verify(arrived.body, arrived.headers)
        except Exception:
            continue
        return name
    raise AssertionError("no hook's secret verifies this request")


def test_the_address_is_checked_again_when_sending(
    hooks_api: Api, inbox: Receiver, settings: Settings
) -> None:
    """A hook made while private addresses were allowed (or whose name resolved elsewhere
    then) is refused at sending time by a runner that does not allow them."""
    api = hooks_api
    hook = make_hook(api, inbox.url, ["asset.published"])
    reviewer = api.make_user("reviewer", [api.make_team()["id"]])
    publish(api, reviewer)
    app = api.client.app
    strict = make_runner(app.state.engine, settings, lambda: app.state.search.backend)
    strict.run_until_idle()
    [delivery] = deliveries(api, hook["id"])
    assert delivery["status"] == "pending" and delivery["last_status_code"] is None
    assert "private" in delivery["last_error"]
    assert inbox.requests == []
