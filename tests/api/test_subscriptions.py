"""Subscriptions, the inbox and email through a real SMTP server (aiosmtpd)."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlmodel import Session

from hindsight.service.app import create_app
from hindsight.service.notifications.models import Notification
from hindsight.service.settings import Settings
from hindsight.service.subscriptions import matching
from tests.factories import Api, Caller, lesson, make_asset
from tests.push_helpers import Mailbox, run_jobs, smtp_server
from tests.search_helpers import index_now


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def mail_api(settings: Settings, mailbox: Mailbox) -> Iterator[Api]:
    app = create_app(
        settings.model_copy(
            update={
                "smtp_url": SecretStr(mailbox.url),
                "public_url": "https://hindsight.example.org",
            }
        )
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client)


def subscribe(api: Api, who: Caller, **fields: object) -> dict:
    body = {"name": "Referral lessons", "q": "referral", **fields}
    response = api.client.post("/v1/subscriptions", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


def settle(api: Api) -> None:
    """Index what was written, then run the jobs it queued (match, notify, mail)."""
    index_now(api)
    run_jobs(api.client)


def inbox(api: Api, who: Caller) -> list[dict]:
    page = api.client.get("/v1/notifications", headers=who.headers)
    assert page.status_code == 200, page.text
    return page.json()["items"]


def test_a_match_is_notified_and_mailed_with_an_unsubscribe_link(
    mail_api: Api, mailbox: Mailbox
) -> None:
    api = mail_api
    team = api.make_team()
    reader = api.make_user("reader", [team["id"]])
    reviewer = api.make_user("reviewer", [team["id"]])
    sub = subscribe(api, reader, filters={"type": "lesson"})
    asset = make_asset(
        api,
        reviewer,
        status="published",
        title="Discharge retrospect",
        lessons=[lesson(title="One referral form")],
    )
    make_asset(
        api,
        reviewer,
        status="published",
        title="Unrelated",
        summary="nothing",
        body="catering",
        lessons=[
            lesson(
                title="Menus",
                lesson="Order food early",
                observation="late lunches",
                five_whys=[{"question": "Why late?", "answer": "No plan"}],
                applicability={"phases": ["planning"], "topics": ["Catering"]},
                root_cause={"description": "no plan", "category": "process"},
            )
        ],
    )
    settle(api)
    notes = inbox(api, reader)
    assert [n["kind"] for n in notes] == ["subscription"], [n["subject"] for n in notes]
    [note] = notes
    lesson_id = asset["lesson_ids"][0]
    assert note["link"] == f"https://hindsight.example.org/v1/lessons/{lesson_id}"
    assert "One referral form" in note["subject"] and note["read_at"] is None
    [mail] = mailbox.wait_for(1)
    assert mail["To"] == api.client.get("/v1/users/me", headers=reader.headers).json()["email"]
    assert mail["Subject"] == note["subject"]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert note["link"] in text and note["link"] in html
    link = mail["List-Unsubscribe"].strip("<>")
    assert link in text
    path = link.removeprefix("https://hindsight.example.org")
    page = api.client.get(path)
    assert page.status_code == 200 and "<form" in page.text
    assert (
        api.client.get(f"/v1/subscriptions/{sub['id']}", headers=reader.headers).status_code == 200
    )
    wrong = api.client.post(path.replace("token=", "token=x"))
    assert wrong.status_code == 404
    done = api.client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Unsubscribed" in done.text
    assert (
        api.client.get(f"/v1/subscriptions/{sub['id']}", headers=reader.headers).status_code == 404
    )
    read = api.client.post(f"/v1/notifications/{note['id']}/read", headers=reader.headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None


def test_a_restricted_item_never_reaches_a_subscriber_outside_its_teams(
    mail_api: Api, mailbox: Mailbox
) -> None:
    api = mail_api
    team, other = api.make_team(), api.make_team()
    insider = api.make_user("reader", [team["id"]])
    outsider = api.make_user("reader", [other["id"]])
    reviewer = api.make_user("reviewer", [team["id"]])
    subscribe(api, insider)
    subscribe(api, outsider)
    make_asset(
        api,
        reviewer,
        status="published",
        visibility="restricted",
        title="Safeguarding referral review",
        lessons=[lesson()],
    )
    settle(api)
    assert len(inbox(api, insider)) == 2  # the asset and its lesson
    assert inbox(api, outsider) == []
    # Not only hidden from the inbox: never created (the match ran with the outsider's scope).
    with Session(api.client.app.state.engine) as db:
        made = db.execute(select(Notification.id).where(Notification.user_id == outsider.id))
        assert made.all() == []
    mails = mailbox.wait_for(2)
    me = api.client.get("/v1/users/me", headers=outsider.headers).json()["email"]
    assert all(m["To"] != me for m in mails)


def test_a_notification_is_created_once_however_often_matching_runs(mail_api: Api) -> None:
    api = mail_api
    team = api.make_team()
    reader = api.make_user("reader", [team["id"]])
    reviewer = api.make_user("reviewer", [team["id"]])
    subscribe(api, reader)
    asset = make_asset(api, reviewer, status="published", lessons=[lesson()])
    settle(api)
    app = api.client.app
    job = type("Job", (), {})
    for _ in range(2):  # a second replica, or a restart, matching the same item again
        job = matching.Claimed(0, matching.MATCH, {"item_type": "asset", "item_id": asset["id"]}, 1)
        matching.match(app.state.engine, app.state.search.backend, "http://h", job)
    run_jobs(api.client)
    assert len(inbox(api, reader)) == 2


def test_a_daily_digest_holds_the_matches_once(mail_api: Api, mailbox: Mailbox) -> None:
    api = mail_api
    team = api.make_team()
    reader = api.make_user("reader", [team["id"]])
    reviewer = api.make_user("reviewer", [team["id"]])
    sub = subscribe(api, reader, frequency="daily", filters={"type": "lesson"})
    make_asset(api, reviewer, status="published", lessons=[lesson(), lesson(title="Referral 2")])
    settle(api)
    assert inbox(api, reader) == []  # a digest subscription sends nothing at once
    preview = api.client.get(f"/v1/subscriptions/{sub['id']}/preview", headers=reader.headers)
    assert preview.status_code == 200
    assert sorted(i["title"] for i in preview.json()["items"]) == [
        "Referral 2",
        "Shared referral form",
    ]
    app = api.client.app
    today = datetime.now(UTC).date()
    assert matching.send_digests(app.state.engine, "http://h", today) == 1
    assert matching.send_digests(app.state.engine, "http://h", today) == 0
    run_jobs(api.client)
    [digest] = inbox(api, reader)
    assert digest["kind"] == "digest" and "2 new items" in digest["subject"]
    assert "Referral 2" in digest["body"]
    [mail] = mailbox.wait_for(1)
    assert mail["Subject"] == digest["subject"]
    after = api.client.get(f"/v1/subscriptions/{sub['id']}/preview", headers=reader.headers)
    assert after.json()["items"] == []


def test_subscriptions_are_each_persons_own(api: Api) -> None:
    alice, bob = api.make_user("reader"), api.make_user("reader")
    sub = subscribe(api, alice)
    assert api.client.get(f"/v1/subscriptions/{sub['id']}", headers=bob.headers).status_code == 404
    assert (
        api.client.delete(f"/v1/subscriptions/{sub['id']}", headers=bob.headers).status_code == 404
    )
    listed = api.client.get("/v1/subscriptions", headers=bob.headers).json()
    assert listed["total"] == 0
    assert (
        api.client.delete(f"/v1/subscriptions/{sub['id']}", headers=alice.headers).status_code
        == 204
    )


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "frequency": "hourly"},
        {"name": "x", "filters": {"colour": "red"}},
        {"name": "x", "filters": {"polarity": "good"}},
        {"name": ""},
        {"name": "x", "q": "a" * 2001},
    ],
)
def test_bad_subscriptions_are_a_422(api: Api, body: dict) -> None:
    who = api.make_user("reader")
    response = api.client.post("/v1/subscriptions", json=body, headers=who.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"
