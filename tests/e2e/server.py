"""Run `hindsight serve` as a real process on a free port, as a person would."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.factories import ADMIN_TOKEN


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(
        self, database_url: str, data_dir: Path, *, extra_env: dict[str, str] | None = None
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / f"server-{self.port}.log"
        self.env = {
            **os.environ,
            "HINDSIGHT_DATABASE_URL": database_url,
            "HINDSIGHT_DATA_DIR": str(data_dir),
            "HINDSIGHT_INDEX_DIR": str(data_dir / "index"),
            "HINDSIGHT_ADMIN_TOKEN": ADMIN_TOKEN,
            **(extra_env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *args: str) -> "Server":
        command = [
            sys.executable,
            "-m",
            "hindsight.service.cli",
            "serve",
            "--port",
            str(self.port),
            *args,
        ]
        with self.log_path.open("ab") as log:
            # Its own process group, so that kill() reaches uvicorn's worker processes too.
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        # Generous: on a shared two-core machine under load a start has taken over 30 seconds.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        # A server that is late must not outlive the test that gave up on it.
        self.kill()
        raise RuntimeError(f"server did not become healthy:\n{self.log()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is None:
            return
        # The whole group: the parent may be gone while its workers still run.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=20)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")
