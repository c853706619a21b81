"""The sync client over FastAPI's TestClient and the async one over httpx.ASGITransport,
against the real app on both databases."""

import asyncio

import httpx
import pytest

from hindsight.clients import (
    AsyncHindsightClient,
    ConflictError,
    HindsightClient,
    NotFoundError,
    PreconditionError,
    UnsupportedMediaTypeError,
    ValidationError,
)
from hindsight.schemas.assets import AssetRead
from hindsight.schemas.lessons import LessonRead
from tests.factories import ADMIN_TOKEN, Api, lesson, retrospect
from tests.files import pdf
from tests.search_helpers import index_now


def _contributor(api: Api) -> tuple[HindsightClient, int]:
    team = api.make_team()
    caller = api.make_user(role="contributor", team_ids=[team["id"]])
    return HindsightClient(token=caller.token, http=api.client), team["id"]


def test_capture_read_update_and_search_through_the_sync_client(api):
    hindsight, team_id = _contributor(api)
    project = hindsight.create_project({"name": "Ward discharge", "organisation_type": "nhs_trust"})
    body = retrospect(project_id=project.id, lessons=[lesson(), lesson(title="Daily huddles")])
    asset = hindsight.create_asset(body)
    assert isinstance(asset, AssetRead) and asset.owning_team_id == team_id
    assert len(asset.lesson_ids) == 2

    first = hindsight.get_lesson(asset.lesson_ids[0])
    assert isinstance(first, LessonRead) and first.root_cause is not None
    changed = hindsight.update_lesson(first.id, {"recommendation": "Agree it early"}, first.version)
    assert changed.version == first.version + 1
    with pytest.raises(PreconditionError):
        hindsight.update_lesson(first.id, {"recommendation": "stale"}, first.version)

    submitted = hindsight.transition_asset(asset.id, "in_review", asset.version, "ready")
    assert submitted.status == "in_review"
    with pytest.raises(ConflictError) as refused:
        hindsight.transition_asset(asset.id, "archived", submitted.version)
    assert refused.value.code == "invalid_transition"

    versions = hindsight.lesson_versions(first.id)
    assert versions.total >= 1
    index_now(api)
    found = hindsight.search("referral form", type="lesson")
    assert found.total >= 1 and "<mark>" in found.items[0].snippet


def test_errors_arrive_as_the_documented_exceptions(api):
    hindsight, _ = _contributor(api)
    with pytest.raises(NotFoundError):
        hindsight.get_asset(999_999)
    with pytest.raises(ValidationError) as invalid:
        hindsight.create_asset(retrospect(kind="research_summary", details={"question": "q"}))
    assert invalid.value.status_code == 422 and invalid.value.details


def test_paginate_walks_every_page(api):
    admin = HindsightClient(token=ADMIN_TOKEN, http=api.client)
    for n in range(7):
        admin.create_team({"name": f"Paging team {n}"})
    names = [team.name for team in admin.paginate(admin.list_teams)]
    assert sum(name.startswith("Paging team") for name in names) == 7
    assert len(names) == admin.list_teams(limit=1).total


def test_a_retried_create_replays_instead_of_creating_twice(api):
    """The transport fails after the server answered: the retry's Idempotency-Key replays."""
    admin = HindsightClient(token=ADMIN_TOKEN, http=api.client)
    calls = []
    real_request = api.client.request

    def flaky(method, url, **kwargs):
        response = real_request(method, url, **kwargs)
        calls.append(kwargs["headers"].get("Idempotency-Key"))
        if len(calls) == 1:
            raise httpx.ReadTimeout("answer lost on the way back")
        return response

    api.client.request = flaky  # type: ignore[method-assign]
    try:
        team = admin.create_team({"name": "Created once"})
    finally:
        api.client.request = real_request  # type: ignore[method-assign]
    assert len(calls) == 2 and calls[0] == calls[1]
    same = [t for t in admin.paginate(admin.list_teams) if t.name == "Created once"]
    assert [t.id for t in same] == [team.id]


def test_the_async_client_speaks_the_same_api(api):
    team = api.make_team()
    caller = api.make_user(role="contributor", team_ids=[team["id"]])

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=api.client.app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://hindsight") as http,
            AsyncHindsightClient(token=caller.token, http=http) as hindsight,
        ):
            me = await hindsight.me()
            assert me.id == caller.id
            asset = await hindsight.create_asset(retrospect(lessons=[lesson()]))
            fetched = await hindsight.get_asset(asset.id)
            assert fetched.title == asset.title
            titles = [a.title async for a in hindsight.paginate(hindsight.list_assets)]
            assert asset.title in titles
            with pytest.raises(NotFoundError):
                await hindsight.get_lesson(999_999)

    asyncio.run(scenario())


def test_files_and_bulk_through_the_client(api):
    admin = HindsightClient(token=ADMIN_TOKEN, http=api.client)
    hindsight, team_id = _contributor(api)
    asset = hindsight.create_asset(retrospect(lessons=[lesson()]))
    attached = hindsight.upload_attachment(asset.id, "notes.pdf", pdf("cryostat torque notes"))
    assert attached.content_type == "application/pdf" and attached.text_status == "pending"
    index_now(api)
    listed = hindsight.list_attachments(asset.id)
    assert listed.total == 1 and listed.items[0].has_text
    assert hindsight.download_attachment(attached.id).startswith(b"%PDF")
    with pytest.raises(UnsupportedMediaTypeError):
        hindsight.upload_attachment(asset.id, "run.pdf", b"\x7fELF\x02\x01\x01" + bytes(64))

    lines = list(admin.iter_export("lessons"))
    assert len(lines) == 1 and '"external_id"' in lines[0]
    assets = admin.export("assets")
    report = admin.import_lines("assets", assets, owning_team_id=team_id)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    again = admin.import_lines("lessons", "\n".join(lines).encode())
    assert again.unchanged == 1 and again.rejected_count == 0
    # keep_ids=False (a file from elsewhere) reaches the server, which wants a team for it.
    with pytest.raises(ValidationError) as refused:
        admin.import_lines("assets", assets, keep_ids=False)
    assert "owning_team_id" in str(refused.value)
    moved = admin.import_lines("assets", assets, owning_team_id=team_id, keep_ids=False)
    assert moved.rejected_count == 0

    hindsight.delete_attachment(attached.id, hindsight.get_asset(asset.id).version)
    with pytest.raises(NotFoundError):
        hindsight.download_attachment(attached.id)


def test_the_async_client_streams_an_export(api):
    team = api.make_team()
    caller = api.make_user(role="reviewer", team_ids=[team["id"]])

    async def scenario() -> list[str]:
        transport = httpx.ASGITransport(app=api.client.app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://hindsight") as http,
            AsyncHindsightClient(token=caller.token, http=http) as hindsight,
        ):
            await hindsight.create_asset(retrospect(lessons=[lesson()]))
            return [line async for line in hindsight.iter_export("lessons", "csv")]

    rows = asyncio.run(scenario())
    assert rows[0].startswith("id,") and len(rows) == 2


def test_the_learning_loop_through_the_client(api):
    hindsight, team_id = _contributor(api)
    reviewer = api.make_user(role="reviewer", team_ids=[team_id])
    publisher = HindsightClient(token=reviewer.token, http=api.client)
    project = hindsight.create_project({"name": "Ward handover", "organisation_type": "nhs_trust"})
    asset = publisher.create_asset(
        retrospect(
            status="published",
            lessons=[
                lesson(title="Handover checklist", lesson="A handover checklist stops misses")
            ],
        )
    )
    first = hindsight.get_lesson(asset.lesson_ids[0])
    action = hindsight.create_action(
        {"lesson_id": first.id, "title": "Write the checklist", "owner_name": "Priya Shah",
         "due_date": "2030-01-31"}
    )  # fmt: skip
    planned = hindsight.transition_lesson(first.id, {"to": "action_planned"}, first.version)
    assert planned.status == "action_planned"
    with pytest.raises(ValidationError) as no_evidence:
        hindsight.update_action(action.id, {"status": "done"}, action.version)
    assert "evidence" in no_evidence.value.message
    hindsight.update_action(
        action.id, {"status": "done", "evidence": "Checklist live on both wards"}, action.version
    )
    assert hindsight.list_actions(lesson_id=first.id, status="done").total == 1

    index_now(api)
    brief = (
        "We are moving ward handover to an electronic record across two hospital sites. "
        "Nurses hand over three times a day and tasks get missed at each handover. We want a "
        "checklist that every shift uses, and a way to see what was missed."
    )
    check = hindsight.run_due_diligence(
        {"title": "Electronic handover", "description": brief, "project_id": project.id}
    )
    assert first.id in [found.lesson.id for found in check.results.lessons]
    recorded = hindsight.record_decisions(
        check.id, [{"lesson_id": first.id, "decision": "apply", "note": "use the checklist"}]
    )
    application = recorded.items[0]
    assert hindsight.list_due_diligence(project_id=project.id).total == 1
    helped = hindsight.update_application(
        application.id, {"outcome": "helped", "outcome_note": "no misses"}, application.version
    )
    assert helped.outcome == "helped"
    metrics = hindsight.learning_metrics(team_id=team_id)
    assert metrics.model_dump()  # counted over what this caller may see
