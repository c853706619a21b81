"""Uploads and imports stream to disk from the thread pool: no file is made, written or
removed on the event loop, where a slow disk would hold up every other request."""

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from hindsight.service.attachments import receive
from hindsight.service.attachments.store import BlobStore
from tests.factories import Api, lesson, make_asset

NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture
def on_loop(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the file operations that ran on the event loop's thread."""
    found: list[str] = []

    def watched(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                asyncio.get_running_loop()
                found.append(name)
            except RuntimeError:
                pass  # a worker thread: as it should be
            return original(*args, **kwargs)

        return call

    monkeypatch.setattr(BlobStore, "new_temp", watched("new_temp", BlobStore.new_temp))
    monkeypatch.setattr(BlobStore, "discard", staticmethod(watched("discard", BlobStore.discard)))
    part = receive._Reader.on_part_data
    monkeypatch.setattr(receive._Reader, "on_part_data", watched("write", part))
    return found


def test_an_attachment_upload_touches_no_file_on_the_event_loop(api: Api, on_loop: list[str]):
    team = api.make_team()
    owner = api.make_user("contributor", [team["id"]])
    asset = make_asset(api, owner)
    response = api.client.post(
        f"/v1/assets/{asset['id']}/attachments",
        files={"file": ("notes.txt", b"Ward handover notes\n" * 5000, "text/plain")},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text
    assert on_loop == []


def test_an_import_and_a_refused_body_touch_no_file_on_the_event_loop(api: Api, on_loop: list[str]):
    team = api.make_team()
    line = json.dumps({**lesson(title="Spooled import"), "owning_team_id": team["id"]})
    response = api.client.post(
        "/v1/import",
        params={"type": "lessons"},
        content=line + "\n",
        headers={**api.admin_headers, **NDJSON},
    )
    assert response.status_code == 200, response.text
    # Not multipart after all: the upload's temp file is removed again, off the loop too.
    broken = api.client.post(
        "/v1/import",
        params={"type": "lessons"},
        content=b"--x\r\nContent-Disposition: form-data; name=file; filename=a\r\n\r\nabc",
        headers={**api.admin_headers, "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert broken.status_code == 400, broken.text
    assert on_loop == []
