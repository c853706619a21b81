from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import Server


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    if database_url.startswith("sqlite"):
        # A fresh, unmigrated file: `serve` must bring it up to date by itself.
        database_url = f"sqlite:///{tmp_path}/fresh.db"
    running = Server(database_url, tmp_path).start("--migrate")
    yield running
    running.kill()
