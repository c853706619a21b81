"""The Python client against a real uvicorn process: create, find, and a transport error."""

import asyncio
import time

import pytest
from typer.testing import CliRunner

from hindsight.clients import AsyncHindsightClient, HindsightClient, TransportError
from hindsight.clients.cli import marked
from hindsight.service.cli import app
from tests.e2e.server import Server, free_port
from tests.factories import ADMIN_TOKEN, lesson, retrospect


def test_the_client_captures_and_finds_a_lesson_on_a_real_server(server: Server) -> None:
    with HindsightClient(server.url, ADMIN_TOKEN) as admin:
        team = admin.create_team({"name": "Maternity"})
        user = admin.create_user(
            {"name": "Ade", "email": "ade@nhs.example", "role": "reviewer", "team_ids": [team.id]}
        )
        token = admin.create_token({"name": "e2e", "user_id": user.id}).token
    with HindsightClient(server.url, token) as hindsight:
        asset = hindsight.create_asset(
            retrospect(status="published", lessons=[lesson(title="Ventilator handover")])
        )
        deadline = time.monotonic() + 10
        while hindsight.search("ventilator handover").total == 0:
            assert time.monotonic() < deadline, "the lesson never became searchable"
            time.sleep(0.1)
        assert hindsight.get_asset(asset.id).status == "published"

    async def read_back() -> str:
        async with AsyncHindsightClient(server.url, token) as client:
            return (await client.get_lesson(asset.lesson_ids[0])).title

    assert asyncio.run(read_back()) == "Ventilator handover"

    runner = CliRunner()
    env = {"HINDSIGHT_URL": server.url, "HINDSIGHT_TOKEN": token}
    shown = runner.invoke(app, ["search", "ventilator handover"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "Ventilator handover" in shown.output and "found for" in shown.output
    as_json = runner.invoke(app, ["search", "ventilator", "--json", "--type", "lesson"], env=env)
    assert as_json.exit_code == 0, as_json.output
    assert '"total": 1' in as_json.output
    refused = runner.invoke(app, ["search", "x"], env={**env, "HINDSIGHT_TOKEN": "wrong"})
    assert refused.exit_code == 1 and "error 401" in refused.output

    target = server.log_path.parent / "lessons.csv"
    exported = runner.invoke(app, ["export", "--format", "csv", "-o", str(target)], env=env)
    assert exported.exit_code == 0, exported.output
    rows = target.read_text().splitlines()
    assert len(rows) == 2 and "Ventilator handover" in rows[1]
    assert not target.with_name("lessons.csv.partial").exists()

    assets = server.log_path.parent / "assets.jsonl"
    assert (
        runner.invoke(app, ["export", "--type", "assets", "-o", str(assets)], env=env).exit_code
        == 0
    )
    admin_env = {**env, "HINDSIGHT_TOKEN": ADMIN_TOKEN}
    sent = runner.invoke(app, ["import", str(assets)], env=admin_env)
    assert sent.exit_code == 0, sent.output
    assert "created 0, updated 0, unchanged 1, rejected 0" in sent.output
    not_admin = runner.invoke(app, ["import", str(assets)], env=env)
    assert not_admin.exit_code == 1 and "error 403" in not_admin.output

    brief = server.log_path.parent / "brief.md"
    brief.write_text(
        "# Ventilator fleet refresh\n\nWe replace the ventilators on two intensive care units. "
        "Night staff hand over patients on ventilators at 8pm and the last refresh lost alarm "
        "settings at handover; we want a ventilator handover checklist from day one.\n"
    )
    checked = runner.invoke(app, ["due-diligence", "--file", str(brief)], env=env)
    assert checked.exit_code == 0, checked.output
    assert "Lessons for 'Ventilator fleet refresh'" in checked.output
    assert "Ventilator handover" in checked.output
    as_json = runner.invoke(app, ["due-diligence", "-f", str(brief), "--json"], env=env)
    assert '"lessons"' in as_json.output
    missing = runner.invoke(app, ["due-diligence", "-f", str(brief) + ".nope"], env=env)
    assert missing.exit_code == 2 and "cannot read" in missing.output


def test_no_server_is_a_transport_error_after_the_retries() -> None:
    with (
        HindsightClient(f"http://127.0.0.1:{free_port()}", "x", retries=1) as hindsight,
        pytest.raises(TransportError),
    ):
        hindsight.health()


def test_snippets_show_marks_as_bold_text_in_the_terminal() -> None:
    shown = marked("the <mark>pump</mark> &amp; [valve]")
    assert shown == r"the [bold yellow]pump[/bold yellow] & \[valve]"
