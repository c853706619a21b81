"""`/v1/search`, suggestions and related lessons through the real app, index and database."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from hindsight.service.search.models import SearchLogEntry
from tests.factories import Api, Caller, if_match, lesson, make_asset
from tests.search_helpers import index_now


def _publish(api: Api, asset: dict[str, Any]) -> dict[str, Any]:
    for to in ("in_review", "published"):
        response = api.client.post(
            f"/v1/assets/{asset['id']}/transitions",
            json={"to": to, "comment": "checked"},
            headers=if_match(api.admin_headers, asset["version"]),
        )
        assert response.status_code == 200, response.text
        asset = response.json()
    return asset


def _search(api: Api, caller: Caller | dict[str, str], **params: Any) -> dict[str, Any]:
    headers = caller.headers if isinstance(caller, Caller) else caller
    response = api.client.get("/v1/search", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _team_member(api: Api, role: str = "contributor") -> Caller:
    team = api.make_team()
    return api.make_user(role=role, team_ids=[team["id"]])


def _ventilator_asset(api: Api, owner: Caller, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Ventilator supplier rework retrospect",
        "lessons": [
            lesson(
                title="Inspect supplier welds before acceptance",
                lesson="Rework by the supplier slipped the ventilator rollout by six weeks",
                recommendation="Witness the first article inspection at the supplier's site",
                tags=["procurement"],
            ),
            lesson(
                title="Shift handover of infusion pumps",
                lesson="Night staff did not know which pumps were quarantined",
                polarity="success_factor",
                five_whys=[],
                root_cause=None,
            ),
        ],
    }
    body.update(fields)
    return make_asset(api, owner, **body)


def test_a_published_lesson_is_found_with_a_marked_snippet_and_facets(api):
    owner = _team_member(api)
    _publish(api, _ventilator_asset(api, owner))
    index_now(api)
    reader = api.make_user()
    page = _search(api, reader, q="supplier rework")
    assert page["total"] >= 1
    top = page["items"][0]
    assert top["type"] in {"lesson", "asset"}
    assert "<mark>" in top["snippet"]
    assert page["facets"]["type"]["lesson"] >= 1
    assert sum(page["facets"]["type"].values()) == page["total"]
    lessons = _search(api, reader, q="supplier rework", type="lesson")
    assert {i["type"] for i in lessons["items"]} == {"lesson"}
    assert lessons["total"] == page["facets"]["type"]["lesson"]


def test_stemming_finds_other_forms_of_a_word(api):
    owner = _team_member(api)
    _publish(api, _ventilator_asset(api, owner))
    index_now(api)
    page = _search(api, api.make_user(), q="inspecting welded", type="lesson")
    assert [i["title"] for i in page["items"]][:1] == ["Inspect supplier welds before acceptance"]


def test_a_misspelt_word_still_finds_the_lesson_and_suggests_the_correction(api):
    owner = _team_member(api)
    _publish(api, _ventilator_asset(api, owner))
    index_now(api)
    page = _search(api, api.make_user(), q="ventilater", type="lesson")
    assert page["total"] >= 1
    assert page["suggestion"] == "ventilator"


def test_drafts_and_restricted_items_never_show_not_even_as_counts(api):
    owner = _team_member(api)
    _ventilator_asset(api, owner)  # a draft
    restricted = _ventilator_asset(api, owner, visibility="restricted", title="Restricted review")
    _publish(api, restricted)
    index_now(api)
    outsider = _team_member(api, role="reader")
    page = _search(api, outsider, q="ventilator")
    assert page["total"] == 0
    assert all(counts == {} for counts in page["facets"].values())
    assert _search(api, outsider, q="ventilater")["suggestion"] is None
    mine = _search(api, owner, q="ventilator")
    # The draft asset and one lesson of each asset name the ventilator.
    assert mine["total"] == 3
    assert _search(api, api.admin_headers, q="ventilator")["total"] == 3


def test_filters_narrow_hits_and_facets_alike(api):
    owner = _team_member(api)
    _publish(api, _ventilator_asset(api, owner))
    index_now(api)
    reader = api.make_user()
    page = _search(api, reader, q="pumps OR supplier", type="lesson", polarity="success_factor")
    assert [i["title"] for i in page["items"]] == ["Shift handover of infusion pumps"]
    assert page["facets"]["polarity"] == {"success_factor": 1}
    tagged = _search(api, reader, tag=" Procurement ", type="lesson")
    assert [i["title"] for i in tagged["items"]] == ["Inspect supplier welds before acceptance"]


def test_sort_newest_orders_by_date_without_scores(api):
    owner = _team_member(api)
    first = _publish(api, _ventilator_asset(api, owner, title="Older retrospect"))
    second = _publish(api, _ventilator_asset(api, owner, title="Newer retrospect"))
    index_now(api)
    page = _search(api, api.make_user(), q="retrospect", type="asset", sort="newest")
    assert [i["id"] for i in page["items"]] == [second["id"], first["id"]]
    assert all(i["score"] is None for i in page["items"])


def test_malformed_queries_are_read_leniently_or_refused_never_500(api):
    reader = api.make_user()
    for q in ['"unclosed phrase', "title:", "AND OR NOT", "((", "*", "tag:", "a" * 300, "-"]:
        response = api.client.get("/v1/search", params={"q": q}, headers=reader.headers)
        assert response.status_code in {200, 400}, (q, response.text)
        if response.status_code == 400:
            assert response.json()["error"]["code"] == "invalid_query"


def test_bad_parameters_are_422_naming_them(api):
    reader = api.make_user()
    cases = [
        ({"type": "banana"}, "type"),
        ({"limit": 101}, "limit"),
        ({"offset": 10_001}, "offset"),
        ({"created_from": "2026-01-02T00:00:00"}, "created_from"),
        ({"created_to": "0383-06-03T08:37:26Z"}, "created_to"),
        ({"created_from": "9999-01-01T00:00:00Z"}, "created_from"),
    ]
    for params, field in cases:
        response = api.client.get("/v1/search", params=params, headers=reader.headers)
        assert response.status_code == 422, (params, response.text)
        assert field in response.text


def test_deleting_a_draft_removes_it_from_the_index(api):
    owner = _team_member(api)
    draft = _ventilator_asset(api, owner)
    index_now(api)
    assert _search(api, owner, q="ventilator", type="asset")["total"] == 1
    response = api.client.delete(f"/v1/assets/{draft['id']}", headers=if_match(owner, 1))
    assert response.status_code == 204, response.text
    index_now(api)
    assert _search(api, owner, q="ventilator")["total"] == 0


def test_suggestions_complete_from_visible_titles_and_words(api):
    owner = _team_member(api)
    _publish(api, _ventilator_asset(api, owner))
    _ventilator_asset(api, owner, title="Quarantine secret draft")
    index_now(api)
    reader = api.make_user()
    response = api.client.get("/v1/search/suggest", params={"q": "venti"}, headers=reader.headers)
    assert response.status_code == 200, response.text
    suggestions = response.json()["suggestions"]
    assert "Ventilator supplier rework retrospect" in suggestions
    hidden = api.client.get(
        "/v1/search/suggest", params={"q": "quarantine s"}, headers=reader.headers
    )
    assert all("secret" not in s.lower() for s in hidden.json()["suggestions"])


def test_related_lessons_are_visible_ones_like_this_one(api):
    owner = _team_member(api)
    asset = _publish(api, _ventilator_asset(api, owner))
    other = _publish(
        api,
        _ventilator_asset(
            api,
            owner,
            title="Second supplier review",
            lessons=[
                lesson(
                    title="Supplier welds failed inspection again",
                    lesson="Weld rework at the supplier delayed delivery",
                )
            ],
        ),
    )
    hidden = _ventilator_asset(
        api,
        owner,
        title="Hidden",
        lessons=[lesson(title="Supplier weld rework hidden", lesson="Weld rework at the supplier")],
    )
    index_now(api)
    reader = api.make_user()
    first_lesson = asset["lesson_ids"][0]
    response = api.client.get(f"/v1/lessons/{first_lesson}/related", headers=reader.headers)
    assert response.status_code == 200, response.text
    ids = [i["id"] for i in response.json()["items"]]
    assert other["lesson_ids"][0] in ids
    assert first_lesson not in ids
    assert hidden["lesson_ids"][0] not in ids
    response = api.client.get(
        f"/v1/lessons/{hidden['lesson_ids'][0]}/related", headers=reader.headers
    )
    assert response.status_code == 404


def test_every_search_is_logged_with_filters_count_and_team(api):
    member = _team_member(api, role="reader")
    _search(api, member, q="nothing like this exists", type="lesson")
    index_now(api)
    with Session(api.client.app.state.engine) as db:
        entries = db.execute(select(SearchLogEntry)).scalars().all()
    assert [(e.query, e.filters, e.result_count, e.team_ids) for e in entries] == [
        ("nothing like this exists", {"type": "lesson"}, 0, member.team_ids)
    ]
    assert entries[0].user_id == member.id


def test_a_pasted_page_of_prose_up_to_the_limit_is_searched_not_refused(api):
    reader = api.make_user()
    words = ("pump seal weld ward team lost days valve rework shift " * 60).split()
    prose = ""
    for word in words:
        if len(prose) + len(word) + 1 > 2000:
            break
        prose += word + " "
    response = api.client.get("/v1/search", params={"q": prose}, headers=reader.headers)
    assert response.status_code == 200, response.text
