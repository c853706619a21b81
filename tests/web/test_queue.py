"""Review: the reviewers' queue of reports in review, publishing one or sending it back with
a comment its author reads in the report's history (who changed what, and when)."""

from fastapi.testclient import TestClient

from tests.factories import Api, retrospect
from tests.pages import csrf_of, make_person, signed_in


def _in_review(api: Api, team_id: int, author) -> dict:
    created = api.client.post(
        "/v1/assets",
        json=retrospect(owning_team_id=team_id, title="Discharge pilot retrospect"),
        headers=author.caller.headers,
    ).json()
    moved = api.client.post(
        f"/v1/assets/{created['id']}/transitions",
        json={"to": "in_review"},
        headers=author.caller.headers | {"If-Match": f'"{created["version"]}"'},
    )
    assert moved.status_code == 200, moved.text
    return moved.json()


def _decide(client: TestClient, asset_id: int, **data: str):
    page = client.get(f"/assets/{asset_id}/history")
    return client.post(
        f"/assets/{asset_id}/review",
        data={"csrf_token": csrf_of(page.text), **data},
        follow_redirects=False,
    )


def test_queue_lists_reports_in_review_for_reviewers_only(api: Api) -> None:
    team = api.make_team()
    author = make_person(api, "contributor", [team["id"]])
    asset = _in_review(api, team["id"], author)
    reviewer = signed_in(TestClient(api.client.app), make_person(api, "reviewer", [team["id"]]))
    queue = reviewer.get("/queue")
    assert queue.status_code == 200 and f'href="/assets/{asset["id"]}/history"' in queue.text
    assert 'href="/queue"' in queue.text  # the navigation offers it to reviewers
    writer = signed_in(TestClient(api.client.app), author)
    assert writer.get("/queue").status_code == 403
    assert 'href="/queue"' not in writer.get("/").text


def test_sent_back_with_a_comment_the_author_reads_in_the_history(api: Api) -> None:
    team = api.make_team()
    author = make_person(api, "contributor", [team["id"]])
    asset = _in_review(api, team["id"], author)
    reviewer = signed_in(TestClient(api.client.app), make_person(api, "reviewer", [team["id"]]))
    no_comment = _decide(reviewer, asset["id"], decision="send_back", version=str(asset["version"]))
    assert no_comment.status_code == 422 and 'id="comment-error"' in no_comment.text
    # The choice made stays chosen, so adding the comment is all that is left to do.
    assert 'value="send_back" checked' in no_comment.text
    sent = _decide(
        reviewer,
        asset["id"],
        decision="send_back",
        comment="Name the social care lead",
        version=str(asset["version"]),
    )
    assert sent.status_code == 303
    writer = signed_in(TestClient(api.client.app), author)
    history = writer.get(f"/assets/{asset['id']}/history")
    assert "Name the social care lead" in history.text
    assert "Send for review" in history.text  # the author may send it again
    names = history.text.count("Moved to")
    assert names == 2  # to in review, then back to draft
    stale = _decide(reviewer, asset["id"], decision="publish", version=str(asset["version"]))
    assert stale.status_code == 412 and "Someone else changed this report" in stale.text


def test_publish_from_the_queue(api: Api) -> None:
    team = api.make_team()
    author = make_person(api, "contributor", [team["id"]])
    asset = _in_review(api, team["id"], author)
    reviewer = signed_in(TestClient(api.client.app), make_person(api, "reviewer", [team["id"]]))
    published = _decide(reviewer, asset["id"], decision="publish", version=str(asset["version"]))
    assert published.status_code == 303
    read = api.client.get(f"/v1/assets/{asset['id']}", headers=api.admin_headers).json()
    assert read["status"] == "published"
    assert "The report is published" in reviewer.get(published.headers["location"]).text
    assert f"/assets/{asset['id']}/history" not in reviewer.get("/queue").text


def test_a_decision_without_the_csrf_token_is_refused(api: Api) -> None:
    team = api.make_team()
    author = make_person(api, "contributor", [team["id"]])
    asset = _in_review(api, team["id"], author)
    reviewer = signed_in(TestClient(api.client.app), make_person(api, "reviewer", [team["id"]]))
    refused = reviewer.post(f"/assets/{asset['id']}/review", data={"decision": "publish"})
    assert refused.status_code == 403
    read = api.client.get(f"/v1/assets/{asset['id']}", headers=api.admin_headers).json()
    assert read["status"] == "in_review"
