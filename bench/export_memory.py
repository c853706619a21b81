"""Peak memory of the server while it streams an export of N lessons.

    python bench/export_memory.py --lessons 100000
    python bench/export_memory.py --lessons 100000 \
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Writes N recombined NASA lessons (10 per published asset) straight into a fresh database,
as bench/search_http.py does, without outbox rows (the index plays no part in an export, and
a server draining 110,000 documents would measure the indexer instead). Starts
`hindsight serve`, warms it up with a few small requests, then streams
`GET /v1/export?type=lessons` (JSON lines, then CSV) as an admin, who sees every lesson,
while a thread samples the server's VmRSS from /proc/<pid>/status every 10 ms. Prints the
resident memory before, the highest sample during each export, and the kernel's own
high-water mark (VmHWM) before and after.
"""

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, delete

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_http import database, write_rows
from bench.search_speed import make_docs
from bench.server import ADMIN_HEADERS, server_process
from hindsight.service import migrations
from hindsight.service.outbox.models import OutboxEntry

MIB = 1024 * 1024


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (the most it has ever been resident), in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            found[name] = int(value.split()[0])
    return found


class Sampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_kib = 0
        self.samples = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.peak_kib = max(self.peak_kib, memory_kib(self.pid)["VmRSS"])
            self.samples += 1
            time.sleep(self.every)

    def stop(self) -> int:
        self.stopping.set()
        self.join()
        return self.peak_kib


def stream_export(client: httpx.Client, pid: int, fmt: str) -> None:
    before = memory_kib(pid)
    sampler = Sampler(pid)
    sampler.start()
    lines = size = 0
    started = time.perf_counter()
    with client.stream(
        "GET", "/v1/export", params={"type": "lessons", "format": fmt}, headers=ADMIN_HEADERS
    ) as response:
        assert response.status_code == 200, response.read()
        for chunk in response.iter_bytes():
            size += len(chunk)
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    after = memory_kib(pid)
    print(
        f"  {fmt:5}: {lines:,} lines, {size / MIB:,.1f} MiB in {seconds:.1f} s "
        f"({lines / seconds:,.0f} lines/s); server RSS before {before['VmRSS'] / 1024:.1f} MiB, "
        f"peak during {peak / 1024:.1f} MiB (+{(peak - before['VmRSS']) / 1024:.1f}), "
        f"{sampler.samples} samples; VmHWM {before['VmHWM'] / 1024:.1f} -> "
        f"{after['VmHWM'] / 1024:.1f} MiB",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lessons", type=int, default=100_000)
    ap.add_argument("--postgres-url", default=None)
    args = ap.parse_args()
    docs = make_docs(args.lessons)
    kind = "postgres" if args.postgres_url else "sqlite"
    with (
        tempfile.TemporaryDirectory() as tmp,
        database(kind, Path(tmp), args.postgres_url) as url,
    ):
        migrations.upgrade(url)
        seconds = write_rows(url, docs)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(delete(OutboxEntry))
        engine.dispose()
        del docs
        print(f"{kind}, {args.lessons:,} lessons written in {seconds:.1f} s", flush=True)
        with (
            server_process(Path(tmp), url) as (base, server),
            httpx.Client(base_url=base, timeout=600) as client,
        ):
            for _ in range(5):  # warm up: imports, the first connections, the first pages
                client.get("/v1/lessons", params={"limit": 100}, headers=ADMIN_HEADERS)
                client.get("/v1/export", params={"type": "assets"}, headers=ADMIN_HEADERS)
            for fmt in ("jsonl", "csv"):
                stream_export(client, server.pid, fmt)


if __name__ == "__main__":
    main()
