"""POST /v1/import: JSON lines matched by external_id, idempotent, with per-line errors; an
export of one Hindsight imports into another (a second app on its own database). Both
databases."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hindsight.service.app import create_app
from hindsight.service.settings import Settings
from tests import databases
from tests.factories import Api, if_match, lesson, make_asset
from tests.search_helpers import index_now

NDJSON = {"Content-Type": "application/x-ndjson"}
# Fields that name things of the deployment an item lives in, or its bookkeeping there.
LOCAL = {"id", "asset_id", "lesson_ids", "owning_team_id", "team_ids", "project_id", "version",
         "updated_at", "body_html", "asset_external_id", "external_id"}  # fmt: skip


def export_text(api: Api, what: str) -> str:
    response = api.client.get("/v1/export", params={"type": what}, headers=api.admin_headers)
    assert response.status_code == 200, response.text
    return response.text


def run_import(api: Api, what: str, body: str | bytes, **params) -> dict:
    response = api.client.post(
        "/v1/import",
        params={"type": what, **params},
        content=body,
        headers={**api.admin_headers, **NDJSON},
    )
    assert response.status_code == 200, response.text
    return response.json()


def counts(report: dict) -> tuple[int, int, int, int]:
    return report["created"], report["updated"], report["unchanged"], report["rejected_count"]


def _portable(item: dict) -> dict:
    kept = {k: v for k, v in item.items() if k not in LOCAL}
    if "lessons" in kept:
        kept["lessons"] = [_portable(embedded) for embedded in kept["lessons"]]
    return kept


def portable(text: str) -> list[dict]:
    """The lines (and the lessons embedded in them) without what only makes sense inside
    one deployment."""
    return [_portable(json.loads(line)) for line in text.splitlines()]


@pytest.fixture
def second_api(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[Api]:
    """Another Hindsight: its own database (of the same kind), data folder and app."""
    folder = tmp_path / "second"
    folder.mkdir()
    if database_url.startswith("sqlite"):
        template = request.getfixturevalue("_sqlite_template")
        urls = iter([databases.sqlite_database(template, folder)])
        context = None
    else:
        context = databases.postgres_database(request.getfixturevalue("_postgres_template"))
        urls = iter([context.__enter__()])
    try:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=next(urls),
            data_dir=folder,
            index_dir=folder / "index",
            admin_token="second-admin-key-0123456789abcdef",
            index_poll_seconds=3600,
        )
        assert settings.database_url != database_url
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            api = Api(client)
            api.admin_headers = {
                "Authorization": f"Bearer {settings.admin_token.get_secret_value()}"
            }  # type: ignore[union-attr]
            yield api
    finally:
        if context is not None:
            context.__exit__(None, None, None)


@pytest.fixture
def source(api: Api) -> dict:
    """Two published assets with lessons, one restricted, plus a draft, in the first app."""
    team = api.make_team()
    admin = api.admin_headers
    first = make_asset(api, admin, owning_team_id=team["id"], status="published",
                       title="Discharge pilot", lessons=[lesson(title="Shared form"),
                       lesson(title="Huddles", polarity="success_factor", five_whys=[],
                              root_cause=None)])  # fmt: skip
    second = make_asset(api, admin, owning_team_id=team["id"], status="published",
                        visibility="restricted", kind="story", title="Night shift story",
                        details={"narrative": "It was 3am", "moral": "Hand over early"},
                        lessons=[lesson(title="Handover")])  # fmt: skip
    make_asset(api, admin, owning_team_id=team["id"], title="Draft notes")
    return {"team": team, "assets": [first, second]}


def test_an_export_imports_into_another_hindsight_and_again_changes_nothing(
    api: Api, second_api: Api, source: dict
) -> None:
    assets, lessons = export_text(api, "assets"), export_text(api, "lessons")
    target_team = second_api.make_team("Imported")
    report = run_import(
        second_api, "assets", assets, owning_team_id=target_team["id"], keep_ids="false"
    )
    assert counts(report) == (3, 0, 0, 0)
    # The assets export embeds their lessons, so the lessons file finds them all there.
    report = run_import(second_api, "lessons", lessons)
    assert counts(report) == (0, 0, 3, 0)

    copied_assets, copied_lessons = (
        export_text(second_api, "assets"),
        export_text(second_api, "lessons"),
    )
    assert portable(copied_assets) == portable(assets)
    assert portable(copied_lessons) == portable(lessons)
    for line in map(json.loads, copied_assets.splitlines()):
        assert line["owning_team_id"] == target_team["id"]
        assert line["team_ids"] == [] and line["version"] == 1
    # The external ids carry over, so the copy's own export names the same items.
    assert [json.loads(x)["external_id"] for x in copied_lessons.splitlines()] == [
        json.loads(x)["external_id"] for x in lessons.splitlines()
    ]

    again = run_import(
        second_api, "assets", assets, owning_team_id=target_team["id"], keep_ids="false"
    )
    assert counts(again) == (0, 0, 3, 0)
    assert counts(run_import(second_api, "lessons", lessons)) == (0, 0, 3, 0)
    assert export_text(second_api, "assets") == copied_assets  # no version moved
    assert export_text(second_api, "lessons") == copied_lessons


def test_imported_items_are_searchable_and_keep_their_visibility(
    api: Api, second_api: Api, source: dict
) -> None:
    team = second_api.make_team()
    run_import(
        second_api,
        "assets",
        export_text(api, "assets"),
        owning_team_id=team["id"],
        keep_ids="false",
    )
    run_import(second_api, "lessons", export_text(api, "lessons"))
    index_now(second_api)
    member = second_api.make_user("reader", [team["id"]])
    outsider = second_api.make_user("reader", [second_api.make_team()["id"]])

    def titles(who, q: str) -> set[str]:
        found = second_api.client.get("/v1/search", params={"q": q}, headers=who.headers)
        return {item["title"] for item in found.json()["items"]}

    assert titles(member, "handover") == {"Handover"}
    assert titles(member, "shift") == {"Night shift story"}
    assert titles(outsider, "handover OR shift") == set()  # restricted to the owning team
    assert "Shared form" in titles(outsider, "referral")


def test_exporting_and_importing_into_the_same_hindsight_changes_nothing(
    api: Api, source: dict
) -> None:
    for what in ("assets", "lessons"):
        text = export_text(api, what)
        assert counts(run_import(api, what, text)) == (0, 0, len(text.splitlines()), 0)
        assert export_text(api, what) == text


def test_a_real_change_updates_once_with_a_new_version_and_history(
    api: Api, second_api: Api, source: dict
) -> None:
    team = second_api.make_team()
    assets = export_text(api, "assets")
    run_import(second_api, "assets", assets, owning_team_id=team["id"], keep_ids="false")
    run_import(second_api, "lessons", export_text(api, "lessons"))
    index_now(second_api)
    first = source["assets"][0]
    edited = api.client.patch(
        f"/v1/assets/{first['id']}",
        json={"title": "Discharge pilot, revised", "tags": ["revised"]},
        headers=if_match(api.admin_headers, 1),
    )
    assert edited.status_code == 200, edited.text
    changed = export_text(api, "assets")
    report = run_import(second_api, "assets", changed, owning_team_id=team["id"], keep_ids="false")
    assert counts(report) == (0, 1, 2, 0)
    foreign = {"owning_team_id": team["id"], "keep_ids": "false"}
    assert counts(run_import(second_api, "assets", changed, **foreign)) == (0, 0, 3, 0)
    copy = next(
        line
        for line in map(json.loads, export_text(second_api, "assets").splitlines())
        if line["title"] == "Discharge pilot, revised"
    )
    assert copy["version"] == 2 and copy["tags"] == ["revised"]
    versions = second_api.client.get(
        f"/v1/assets/{copy['id']}/versions", headers=second_api.admin_headers
    ).json()
    assert versions["items"][0]["changed_fields"] == ["tags", "title"]
    by_tag = second_api.client.get(
        "/v1/assets", params={"tag": "revised"}, headers=second_api.admin_headers
    )
    assert [a["id"] for a in by_tag.json()["items"]] == [copy["id"]]
    index_now(second_api)
    found = second_api.client.get(
        "/v1/search", params={"q": "revised", "type": "asset"}, headers=second_api.admin_headers
    )
    assert [item["id"] for item in found.json()["items"]] == [copy["id"]]


def test_bad_lines_are_reported_and_the_others_imported(api: Api) -> None:
    team = api.make_team()
    good = {"external_id": "ext-1", "kind": "story", "title": "Good",
            "owning_team_id": team["id"], "details": {"narrative": "n", "moral": "m"}}  # fmt: skip
    lines = [
        json.dumps(good),
        "{not json",
        "",  # blank lines are skipped, but still counted for line numbers
        json.dumps({**good, "external_id": "ext-2", "colour": "red"}),
        json.dumps({**good, "external_id": "ext-3", "details": {"narrative": "n"}}),
        json.dumps({**good, "external_id": "ext-4", "owning_team_id": 999_999}),
        json.dumps([1, 2]),
        json.dumps({**good, "external_id": "ext-5", "title": "Also good"}),
    ]
    report = run_import(api, "assets", "\n".join(lines) + "\n")
    assert counts(report) == (2, 0, 0, 5)
    reasons = {r["line"]: r["reason"] for r in report["rejected"]}
    assert sorted(reasons) == [2, 4, 5, 6, 7]
    assert "not valid JSON" in reasons[2]
    assert "colour" in reasons[4]
    assert "details.story.moral" in reasons[5]
    assert "no such team: 999999" in reasons[6] and "?owning_team_id=" in reasons[6]
    assert "one JSON object" in reasons[7]


def test_lessons_need_their_asset_and_a_consistent_state(api: Api, source: dict) -> None:
    asset_ext = json.loads(export_text(api, "assets").splitlines()[0])["external_id"]
    base = {"title": "T", "lesson": "L", "polarity": "barrier", "asset_external_id": asset_ext}
    lines = [
        {**base, "external_id": "l-1"},
        {**base, "external_id": "l-2", "asset_external_id": "nowhere"},
        {**base, "external_id": "l-3", "status": "learned"},
        {**base, "external_id": "l-4", "status": "learned", "evidence_of_change": "new form"},
    ]
    report = run_import(api, "lessons", "\n".join(map(json.dumps, lines)))
    assert counts(report) == (2, 0, 0, 2)
    reasons = {r["line"]: r["reason"] for r in report["rejected"]}
    assert "import the assets first" in reasons[2]
    assert "evidence_of_change" in reasons[3]
    learned = api.client.get(
        "/v1/lessons", params={"status": "learned"}, headers=api.admin_headers
    ).json()["items"]
    assert [item["title"] for item in learned] == ["T"] and learned[0]["learned_at"]


def test_a_multipart_file_imports_too(api: Api, source: dict) -> None:
    text = export_text(api, "lessons")
    response = api.client.post(
        "/v1/import",
        params={"type": "lessons"},
        files={"file": ("lessons.jsonl", text.encode(), "application/x-ndjson")},
        headers=api.admin_headers,
    )
    assert response.status_code == 200, response.text
    assert counts(response.json()) == (0, 0, 3, 0)


def test_only_admins_import_and_bodies_must_be_json_lines(api: Api) -> None:
    reviewer = api.make_user("reviewer", [api.make_team()["id"]])
    refused = api.client.post(
        "/v1/import", params={"type": "assets"}, content="", headers={**reviewer.headers, **NDJSON}
    )
    assert refused.status_code == 403
    as_json = api.client.post(
        "/v1/import", params={"type": "assets"}, json=[{}], headers=api.admin_headers
    )
    assert as_json.status_code == 415
    no_type = api.client.post("/v1/import", content="", headers={**api.admin_headers, **NDJSON})
    assert no_type.status_code == 422
    nobody = api.client.post(
        "/v1/import", params={"type": "assets", "owning_team_id": 999_999}, content="{}",
        headers={**api.admin_headers, **NDJSON},
    )  # fmt: skip
    assert nobody.status_code == 422
    assert counts(run_import(api, "assets", "")) == (0, 0, 0, 0)


def test_a_body_over_the_upload_limit_is_413(settings: Settings) -> None:
    limited = settings.model_copy(update={"max_upload_bytes": 4096, "max_import_bytes": 4096})
    with TestClient(create_app(limited), raise_server_exceptions=False) as client:
        api = Api(client)
        response = api.client.post(
            "/v1/import",
            params={"type": "assets"},
            content=b"{}\n" * 2000,
            headers={**api.admin_headers, **NDJSON},
        )
        multipart = api.client.post(
            "/v1/import",
            params={"type": "assets"},
            files={"file": ("a.jsonl", b"{}\n" * 2000)},
            headers=api.admin_headers,
        )
    assert response.status_code == 413
    assert multipart.status_code == 413
    assert list((limited.data_dir / "imports").rglob("*.part")) == []
