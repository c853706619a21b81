"""The review workflow: allowed moves with their roles, refused ones, and their history."""

import pytest

from tests.factories import Api, Caller, if_match, lesson, make_asset


def move(api: Api, caller: Caller, asset_id: int, version: int, to: str, comment: str = ""):
    return api.client.post(
        f"/v1/assets/{asset_id}/transitions",
        json={"to": to, "comment": comment},
        headers=if_match(caller, version),
    )


@pytest.fixture
def people(api: Api) -> dict[str, Caller]:
    team, other = api.make_team(), api.make_team()
    return {
        "author": api.make_user("contributor", [team["id"]]),
        "outsider": api.make_user("contributor", [other["id"]]),
        "reviewer": api.make_user("reviewer", [other["id"]]),
        "reader": api.make_user("reader", [team["id"]]),
    }


def test_draft_to_published_to_archived(api: Api, people: dict[str, Caller]) -> None:
    author, reviewer = people["author"], people["reviewer"]
    asset = make_asset(api, author)
    sent = move(api, author, asset["id"], 1, "in_review", "ready for review")
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "in_review" and sent.headers["ETag"] == '"2"'
    published = move(api, reviewer, asset["id"], 2, "published", "clear and useful")
    assert published.json()["status"] == "published"
    assert published.json()["published_at"] is not None
    archived = move(api, reviewer, asset["id"], 3, "archived", "superseded")
    assert archived.json()["status"] == "archived"
    versions = api.client.get(f"/v1/assets/{asset['id']}/versions", headers=author.headers).json()
    assert [v["version"] for v in versions["items"]] == [3, 2, 1]
    assert [v["comment"] for v in versions["items"]] == [
        "superseded",
        "clear and useful",
        "ready for review",
    ]
    assert versions["items"][1]["changed_fields"] == ["status", "published_at"]
    assert versions["items"][2]["snapshot"]["status"] == "draft"
    assert versions["items"][0]["changed_by"]["user_id"] == reviewer.id


def test_reviewer_sends_back_to_draft_with_a_comment(api: Api, people: dict[str, Caller]) -> None:
    author, reviewer = people["author"], people["reviewer"]
    asset = make_asset(api, author)
    move(api, author, asset["id"], 1, "in_review")
    no_comment = move(api, reviewer, asset["id"], 2, "draft")
    assert no_comment.status_code == 422
    assert no_comment.json()["error"]["details"][0]["field"] == "body.comment"
    back = move(api, reviewer, asset["id"], 2, "draft", "add the team context")
    assert back.status_code == 200 and back.json()["status"] == "draft"


@pytest.mark.parametrize(
    ("path", "to", "allowed"),
    [
        ([], "published", "in_review"),
        ([], "archived", "in_review"),
        (["in_review"], "archived", "published or draft"),
        (["in_review", "published"], "draft", "archived"),
        (["in_review", "published"], "in_review", "archived"),
    ],
)
def test_other_moves_are_invalid_transitions(
    api: Api, people: dict[str, Caller], path: list[str], to: str, allowed: str
) -> None:
    author, reviewer = people["author"], people["reviewer"]
    asset = make_asset(api, author)
    version = 1
    for step in path:
        assert (
            move(
                api, reviewer if step != "in_review" else author, asset["id"], version, step
            ).status_code
            == 200
        )
        version += 1
    refused = move(api, reviewer, asset["id"], version, to)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "invalid_transition"
    assert f"can move to {allowed}" in error["message"]


def test_archived_is_final(api: Api, people: dict[str, Caller]) -> None:
    reviewer = people["reviewer"]
    asset = make_asset(
        api, api.admin_headers, owning_team_id=people["author"].team_ids[0], status="published"
    )
    move(api, reviewer, asset["id"], 1, "archived")
    refused = move(api, reviewer, asset["id"], 2, "published")
    assert refused.status_code == 409
    assert "final" in refused.json()["error"]["message"]
    edit = api.client.patch(
        f"/v1/assets/{asset['id']}", json={"title": "x"}, headers=if_match(reviewer, 2)
    )
    assert edit.status_code == 409


def test_roles_are_checked(api: Api, people: dict[str, Caller]) -> None:
    author, outsider, reviewer, reader = (
        people["author"], people["outsider"], people["reviewer"], people["reader"]
    )  # fmt: skip
    asset = make_asset(api, author, visibility="public")
    # readers never move assets; contributors of other teams cannot send a draft
    assert move(api, reader, asset["id"], 1, "in_review").status_code == 403
    assert move(api, outsider, asset["id"], 1, "in_review").status_code == 404  # draft: hidden
    # a reviewer of another team is not a contributor of the owning team
    assert move(api, reviewer, asset["id"], 1, "in_review").status_code == 403
    assert move(api, author, asset["id"], 1, "in_review").status_code == 200
    # only reviewers publish, not even the author
    assert move(api, author, asset["id"], 2, "published").status_code == 403
    assert move(api, reviewer, asset["id"], 2, "published").status_code == 200


def test_transition_needs_current_version(api: Api, people: dict[str, Caller]) -> None:
    author = people["author"]
    asset = make_asset(api, author)
    url = f"/v1/assets/{asset['id']}/transitions"
    assert api.client.post(url, json={"to": "in_review"}, headers=author.headers).status_code == 428
    assert move(api, author, asset["id"], 5, "in_review").status_code == 412
    assert move(api, author, asset["id"], 1, "bogus").status_code == 422


def test_publishing_makes_lessons_visible_to_everyone(api: Api, people: dict[str, Caller]) -> None:
    author, reviewer, outsider = people["author"], people["reviewer"], people["outsider"]
    asset = make_asset(api, author, lessons=[lesson()])
    lesson_url = f"/v1/lessons/{asset['lesson_ids'][0]}"
    assert api.client.get(lesson_url, headers=outsider.headers).status_code == 404
    move(api, author, asset["id"], 1, "in_review")
    move(api, reviewer, asset["id"], 2, "published")
    assert api.client.get(lesson_url, headers=outsider.headers).status_code == 200


def test_versions_of_hidden_asset_are_404(api: Api, people: dict[str, Caller]) -> None:
    asset = make_asset(api, people["author"])
    url = f"/v1/assets/{asset['id']}/versions"
    assert api.client.get(url, headers=people["outsider"].headers).status_code == 404
    assert api.client.get(url, headers=people["author"].headers).json()["total"] == 0
