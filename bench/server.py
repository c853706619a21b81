"""A real `hindsight serve` for the benchmarks, and a team member to call it as."""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ADMIN = "bench-admin-key-0123456789abcdef"
ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited with {server.returncode}")
        try:
            # 503 is up too: a server rebuilding its index from the rows a bench wrote
            # answers it until it is done (wait_indexed waits for that).
            if httpx.get(f"{base}/healthz", timeout=1).status_code in (200, 503):
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("server did not come up")


@contextmanager
def server_process(
    data_dir: Path, database_url: str | None = None, **settings: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Serve on a free port with `data_dir` as HINDSIGHT_DATA_DIR; yields the base URL and
    the server process (one worker: the process that answers, e.g. to sample its memory).
    `settings` become HINDSIGHT_<NAME> variables (e.g. search_backend="whoosh")."""
    port = free_port()
    env = {
        **os.environ,
        "HINDSIGHT_DATA_DIR": str(data_dir),
        "HINDSIGHT_DATABASE_URL": database_url or f"sqlite:///{data_dir / 'h.db'}",
        "HINDSIGHT_INDEX_DIR": str(data_dir / "index"),
        "HINDSIGHT_ADMIN_TOKEN": ADMIN,
        "HINDSIGHT_LOG_LEVEL": "WARNING",
        **{f"HINDSIGHT_{k.upper()}": v for k, v in settings.items()},
    }
    # The console script beside this interpreter, so the venv's install is the one measured.
    hindsight = shutil.which("hindsight", path=str(Path(sys.executable).parent)) or "hindsight"
    server = subprocess.Popen([hindsight, "serve", "--port", str(port), "--migrate"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def running_server(
    data_dir: Path, database_url: str | None = None, **settings: str
) -> Iterator[str]:
    """`server_process`, for callers that need only the base URL."""
    with server_process(data_dir, database_url, **settings) as (base, _server):
        yield base


def team_member(client: httpx.Client, role: str = "contributor") -> tuple[dict[str, str], int]:
    """A new team and a user of `role` in it: (auth headers, team id)."""
    team = client.post("/v1/teams", json={"name": "Patient flow"}, headers=ADMIN_HEADERS).json()
    user = client.post(
        "/v1/users",
        json={
            "name": "Ana",
            "email": "ana@nhs.example",
            "role": role,
            "team_ids": [team["id"]],
        },
        headers=ADMIN_HEADERS,
    ).json()
    token = client.post(
        "/v1/tokens", json={"name": "bench", "user_id": user["id"]}, headers=ADMIN_HEADERS
    ).json()["token"]
    return {"Authorization": f"Bearer {token}"}, team["id"]
