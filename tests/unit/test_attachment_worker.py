"""The extraction worker process: real children, real limits, the targets of issue 15."""

import threading
import time
from pathlib import Path

import pytest

from hindsight.service.attachments import sniff, worker
from tests import files

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    made = {
        "pdf": files.shared_stream_pdf(pages=60, operators=20_000),
        "docx": files.lying_docx(680 * MIB, claimed=1_000, words=False),
        "slow_pdf": files.shared_stream_pdf(pages=60, operators=20_000, shared=False),
    }
    paths = {name: folder / name for name in made}
    for name, data in made.items():
        paths[name].write_bytes(data)
    return paths


def test_the_shared_stream_pdf_costs_under_the_targets(hostile: dict[str, Path]) -> None:
    assert hostile["pdf"].stat().st_size < 12_000
    outcome = worker.run(hostile["pdf"], sniff.PDF, worker.Limits())
    assert outcome.text is not None and "quoll" in outcome.text
    assert outcome.cpu_seconds < 10 and outcome.peak_rss_bytes < 300 * MIB


def test_the_lying_docx_costs_under_the_targets(hostile: dict[str, Path]) -> None:
    outcome = worker.run(hostile["docx"], sniff.DOCX, worker.Limits())
    assert outcome.text is None and "inflates past 64 MiB" in (outcome.reason or "")
    assert outcome.cpu_seconds < 10 and outcome.peak_rss_bytes < 300 * MIB


def test_past_its_cpu_limit_the_child_is_stopped_and_says_why(hostile: dict[str, Path]) -> None:
    outcome = worker.run(hostile["slow_pdf"], sniff.PDF, worker.Limits(cpu_seconds=1))
    assert outcome.text is None
    assert outcome.reason == "reading its text took more than 1 s of CPU"
    assert outcome.cpu_seconds < 2.5


def test_past_its_wall_clock_limit_the_child_is_killed(hostile: dict[str, Path]) -> None:
    outcome = worker.run(hostile["slow_pdf"], sniff.PDF, worker.Limits(wall_seconds=0.5))
    assert outcome.text is None
    assert outcome.reason == "reading its text took longer than 0.5 s"


def test_a_child_without_the_memory_it_needs_fails_alone(hostile: dict[str, Path]) -> None:
    # 16 MiB of address space is not enough for the interpreter and pypdf to load.
    outcome = worker.run(hostile["pdf"], sniff.PDF, worker.Limits(memory_bytes=16 * MIB))
    assert outcome.text is None
    assert outcome.reason == "its text cannot be read (the reader stopped)"


def test_a_stopping_server_kills_the_child_at_once(hostile: dict[str, Path]) -> None:
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(worker.Cancelled):
        worker.run(hostile["slow_pdf"], sniff.PDF, worker.Limits(), cancel=cancel)
    assert time.monotonic() - started < 2
