"""The pages over the same services as the API: what they show, what they hide from whom,
and how they answer bad addresses and forms (the browser tests drive the same pages)."""

import re

from tests.factories import Api, if_match, lesson, make_asset, make_project
from tests.pages import make_person, post_form, signed_in
from tests.search_helpers import index_now


def _two_teams(api: Api):
    team_a, team_b = api.make_team("Team A"), api.make_team("Team B")
    alice = make_person(api, "contributor", [team_a["id"]])
    bob = make_person(api, "contributor", [team_b["id"]])
    return team_a, team_b, alice, bob


def test_search_page_marks_matches_and_escapes_what_people_wrote(api: Api) -> None:
    team_a, _, alice, _ = _two_teams(api)
    make_asset(
        api,
        alice.caller,
        owning_team_id=team_a["id"],
        title="<script>alert(1)</script> referral pathway",
        lessons=[lesson()],
    )
    index_now(api)
    page = signed_in(api.client, alice).get("/search", params={"q": "referral"})
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
    assert re.search(r"<mark>[Rr]eferral</mark>", page.text)
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_search_filters_live_in_the_address_and_facets_link_with_counts(api: Api) -> None:
    team_a, _, alice, _ = _two_teams(api)
    make_asset(
        api,
        alice.caller,
        owning_team_id=team_a["id"],
        lessons=[
            lesson(),
            lesson(
                title="Huddles helped", polarity="success_factor", five_whys=[], root_cause=None
            ),
        ],
    )
    index_now(api)
    client = signed_in(api.client, alice)
    page = client.get("/search", params={"q": "referral", "type": "lesson"})
    assert re.search(r'href="/search\?q=referral&amp;type=lesson&amp;polarity=barrier"', page.text)
    assert re.search(
        r"Barrier<span class=\"visually-hidden\">,</span> <span class=\"facet__count\">\(1",
        page.text,
    )
    barrier = client.get(
        "/search", params={"q": "referral", "type": "lesson", "polarity": "barrier"}
    )
    assert "Shared referral form" in barrier.text and "Huddles helped" not in barrier.text
    assert "Remove filter" in barrier.text
    newest = client.get("/search", params={"q": "referral", "sort": "newest"})
    assert newest.status_code == 200 and "<strong>Newest</strong>" in newest.text
    bogus = client.get("/search", params={"q": "referral", "polarity": "sideways"})
    assert bogus.status_code == 200 and "There is no lesson “sideways”" in bogus.text


def test_a_query_the_engine_refuses_is_explained_on_the_page(api: Api) -> None:
    _, _, alice, _ = _two_teams(api)
    page = signed_in(api.client, alice).get("/search", params={"q": "x" * 2001})
    assert page.status_code == 400  # the API's invalid_query, shown on the page
    assert "There is a problem" in page.text and "2000" in page.text


def test_restricted_items_are_404_pages_and_absent_from_search_for_other_teams(
    api: Api,
) -> None:
    team_a, _, alice, bob = _two_teams(api)
    project = make_project(api, alice.caller, owning_team_id=team_a["id"], visibility="restricted")
    asset = make_asset(
        api,
        alice.caller,
        owning_team_id=team_a["id"],
        project_id=project["id"],
        visibility="restricted",
        title="Confidential staffing retrospect",
        lessons=[lesson(title="Confidential staffing lesson")],
    )
    index_now(api)
    lesson_id = asset["lesson_ids"][0]
    paths = (f"/assets/{asset['id']}", f"/lessons/{lesson_id}", f"/projects/{project['id']}")
    client = signed_in(api.client, bob)
    for path in paths:
        page = client.get(path)
        assert page.status_code == 404 and "Page not found" in page.text
        assert "Confidential" not in page.text
    found = client.get("/search", params={"q": "confidential staffing"})
    assert "Confidential" not in found.text and "No results" in found.text
    client.cookies.clear()
    owner = signed_in(api.client, alice)
    assert all(owner.get(path).status_code == 200 for path in paths)
    assert "Confidential staffing lesson" in owner.get("/search?q=confidential").text


def test_item_pages_show_the_lesson_its_whys_actions_and_where_it_came_from(api: Api) -> None:
    team_a, _, alice, _ = _two_teams(api)
    project = make_project(
        api,
        alice.caller,
        owning_team_id=team_a["id"],
        contacts=[{"name": "Priya Shah", "role": "discharge lead", "email": "p@example.org"}],
    )
    asset = make_asset(
        api, alice.caller, owning_team_id=team_a["id"], project_id=project["id"], lessons=[lesson()]
    )
    lesson_id = asset["lesson_ids"][0]
    action = {
        "lesson_id": lesson_id,
        "title": "Agree the form",
        "owner_name": "Alice",
        "due_date": "2027-01-31",
    }
    assert (
        api.client.post("/v1/actions", json=action, headers=alice.caller.headers).status_code == 201
    )
    moved = api.client.post(
        f"/v1/lessons/{lesson_id}/transitions",
        json={"to": "not_actioned", "reason": "The trust adopted a regional form instead"},
        headers=if_match(alice.caller, 1),
    )
    assert moved.status_code == 200, moved.text
    index_now(api)
    client = signed_in(api.client, alice)
    page = client.get(f"/lessons/{lesson_id}").text
    # The lifecycle's history: the move, with who made it and why.
    history = page[page.index("<caption>History</caption>") :]
    assert re.search(r"<td>Not actioned</td><td>User \d+</td>", history)
    assert "The trust adopted a regional form instead" in history
    for shown in (
        "Why were referrals late?",
        "Root cause: Process",
        "Agree one referral form across organisations before go-live",
        "Agree the form",
        "31 January 2027",
        f'href="/assets/{asset["id"]}"',
        f'href="/projects/{project["id"]}"',
    ):
        assert shown in page, shown
    # The same person named by the asset and the project is listed once.
    assert page.count("<strong>Priya Shah</strong>") == 1
    asset_page = client.get(f"/assets/{asset['id']}").text
    assert (
        f'href="/lessons/{lesson_id}"' in asset_page
        and "Daily huddles with social care" in asset_page
    )
    project_page = client.get(f"/projects/{project['id']}").text
    assert f'href="/assets/{asset["id"]}"' in project_page


def test_a_bad_address_is_a_404_page(api: Api) -> None:
    _, _, alice, _ = _two_teams(api)
    client = signed_in(api.client, alice)
    for path in ("/lessons/abc", "/lessons/99999999999", "/assets/0", "/reviews/123456"):
        page = client.get(path)
        assert page.status_code == 404 and "Page not found" in page.text, path


def test_review_runs_for_any_role_and_decisions_need_a_contributor(api: Api) -> None:
    team_a, _, alice, _ = _two_teams(api)
    project = make_project(api, alice.caller, owning_team_id=team_a["id"])
    asset = make_asset(api, alice.caller, owning_team_id=team_a["id"], lessons=[lesson()])
    lesson_id = asset["lesson_ids"][0]
    index_now(api)
    form = {
        "title": "Referral pilot",
        "description": "We will agree one shared referral form across organisations.",
        "project_id": str(project["id"]),
    }
    reader = make_person(api, "reader", [team_a["id"]])
    client = signed_in(api.client, reader)
    ran = post_form(client, "/reviews", form, page="/reviews/new")
    assert ran.status_code == 303, ran.text
    review = ran.headers["location"]
    page = client.get(review)
    assert "Shared referral form" in page.text and "Why it is shown" in page.text
    assert "Save decisions" not in page.text
    refused = client.post(
        f"{review}/decisions",
        data={
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1),
            f"decision-{lesson_id}": "apply",
        },
    )
    assert refused.status_code == 403

    client.cookies.clear()
    client = signed_in(api.client, alice)
    nothing = post_form(client, f"{review}/decisions", {}, page=review)
    assert (
        nothing.status_code == 422 and "Choose a decision for at least one lesson" in nothing.text
    )
    note_only = post_form(client, f"{review}/decisions", {f"note-{lesson_id}": "why"}, page=review)
    assert note_only.status_code == 422 and f'href="#decision-{lesson_id}"' in note_only.text
    saved = post_form(
        client,
        f"{review}/decisions",
        {f"decision-{lesson_id}": "adapt", f"note-{lesson_id}": "Two forms, one field list"},
        page=review,
    )
    assert saved.status_code == 303
    assert "Your decisions are saved" in client.get(saved.headers["location"]).text
    recorded = api.client.get(
        "/v1/applications", params={"lesson_id": lesson_id}, headers=alice.caller.headers
    ).json()["items"]
    assert [(a["decision"], a["note"]) for a in recorded] == [
        ("adapt", "Two forms, one field list")
    ]


def test_review_form_errors_link_to_their_fields(api: Api) -> None:
    _, _, alice, _ = _two_teams(api)
    client = signed_in(api.client, alice)
    page = post_form(client, "/reviews", {"title": "", "description": ""}, page="/reviews/new")
    assert page.status_code == 422
    assert 'href="#title"' in page.text and 'href="#description"' in page.text
    assert 'aria-describedby="title-hint title-error"' in page.text
    assert page.text.count('aria-invalid="true"') == 2
    assert "<title>Error: Before you start a project" in page.text


def test_home_lists_the_persons_open_actions_and_team_drafts(api: Api) -> None:
    team_a, _, alice, bob = _two_teams(api)
    draft = make_asset(
        api,
        alice.caller,
        owning_team_id=team_a["id"],
        title="Half-written retrospect",
        lessons=[lesson()],
    )
    action = {
        "lesson_id": draft["lesson_ids"][0],
        "title": "Chase the form",
        "owner_name": "Alice",
        "owner_user_id": alice.id,
        "due_date": "2020-01-31",
    }
    assert (
        api.client.post("/v1/actions", json=action, headers=alice.caller.headers).status_code == 201
    )
    home = signed_in(api.client, alice).get("/").text
    assert "Half-written retrospect" in home and "Chase the form" in home and "Overdue" in home
    api.client.cookies.clear()
    other = signed_in(api.client, bob).get("/").text
    assert "Half-written retrospect" not in other and "Chase the form" not in other


def test_suggestions_answer_a_session_and_nobody_else(api: Api) -> None:
    team_a, _, alice, _ = _two_teams(api)
    make_asset(api, alice.caller, owning_team_id=team_a["id"], lessons=[lesson()])
    index_now(api)
    assert api.client.get("/search/suggest?q=refer", follow_redirects=False).status_code == 303
    answer = signed_in(api.client, alice).get("/search/suggest", params={"q": "refer"})
    assert answer.status_code == 200 and answer.json()["suggestions"]
