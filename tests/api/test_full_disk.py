"""A full disk, for real: the database, the attachments and the index on a 4 MiB tmpfs.

Writes answer 507 in the error shape and nothing unacknowledged is stored; once space
returns, writes succeed again and the index writer catches up without a restart.
"""

import contextlib
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hindsight.service.app import create_app
from hindsight.service.settings import Settings
from tests.factories import ADMIN_TOKEN, Api, retrospect


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(folder: Path) -> Path:
    """Take every free byte, as a runaway log would."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 512, 1):  # down to the last byte
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    return filler


def _searchable(api: Api, word: str) -> int:
    response = api.client.get("/v1/search", params={"q": word}, headers=api.admin_headers)
    assert response.status_code == 200, response.text
    return sum(1 for item in response.json()["items"] if item["type"] == "asset")


@pytest.mark.parametrize("backend", ["tantivy", "whoosh"])
def test_a_full_disk_is_507_and_everything_recovers(
    small_disk: Path, _sqlite_template: Path, backend: str
) -> None:
    database = small_disk / "hindsight.db"
    database.write_bytes(_sqlite_template.read_bytes())
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{database}",
        data_dir=small_disk / "data",
        index_dir=small_disk / "index",
        admin_token=ADMIN_TOKEN,
        index_poll_seconds=0.05,
        search_backend=backend,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        api = Api(client)
        team = api.make_team()
        body = retrospect(owning_team_id=team["id"], title="Wombat burrow retrospect")
        first = client.post("/v1/assets", json=body, headers=api.admin_headers)
        assert first.status_code == 201, first.text
        filler = _fill(small_disk)

        acknowledged, refused = [first.json()["id"]], 0
        for _ in range(20):
            body = retrospect(
                owning_team_id=team["id"], title="Wombat retrospect", summary=uuid.uuid4().hex * 40
            )
            response = client.post("/v1/assets", json=body, headers=api.admin_headers)
            assert response.status_code in (201, 507), response.text
            if response.status_code == 201:
                acknowledged.append(response.json()["id"])
                continue
            refused += 1
            error = response.json()["error"]
            assert error["code"] == "insufficient_storage"
            assert "nothing of this request was stored" in error["message"]
        assert refused > 0, "the disk never filled"
        # An attachment's bytes on the full disk: refused the same way.
        upload = client.post(
            f"/v1/assets/{acknowledged[0]}/attachments",
            files={"file": ("n.txt", os.urandom(1024).hex().encode(), "text/plain")},
            headers=api.admin_headers,
        )
        assert upload.status_code == 507, upload.text

        filler.unlink()
        listed = client.get("/v1/assets?limit=100", headers=api.admin_headers).json()
        assert sorted(item["id"] for item in listed["items"]) == sorted(acknowledged)
        again = client.post("/v1/assets", json=retrospect(owning_team_id=team["id"],
                            title="Wombat after"), headers=api.admin_headers)  # fmt: skip
        assert again.status_code == 201, again.text
        acknowledged.append(again.json()["id"])
        # The index writer failed meanwhile; it catches up on its own, no restart.
        deadline = time.monotonic() + 40
        while _searchable(api, "wombat") < len(acknowledged):
            assert time.monotonic() < deadline, client.get("/healthz", headers=api.admin_headers)
            time.sleep(0.2)
        health = client.get("/healthz", headers=api.admin_headers).json()
        assert health["index"] == "ok" and health["outbox_pending"] == 0
