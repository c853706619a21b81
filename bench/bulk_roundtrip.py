"""Export N lessons from one Hindsight and import them into another, over HTTP, timed.

    python bench/bulk_roundtrip.py --lessons 20000
    python bench/bulk_roundtrip.py --lessons 20000 \
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Writes N recombined NASA lessons (10 per published asset) into a fresh database and serves
it; starts a second server on a second, empty database; exports assets and lessons (JSON
lines) from the first into files, imports them into the second (assets into one team), then
imports the same files again, which must change nothing. Prints each step's rate.
"""

import argparse
import sys
import tempfile
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

NDJSON = {**ADMIN_HEADERS, "Content-Type": "application/x-ndjson"}


def export_to(client: httpx.Client, what: str, path: Path) -> float:
    started = time.perf_counter()
    with (
        path.open("wb") as out,
        client.stream("GET", "/v1/export", params={"type": what}, headers=ADMIN_HEADERS) as got,
    ):
        assert got.status_code == 200
        for chunk in got.iter_bytes():
            out.write(chunk)
    return time.perf_counter() - started


def import_from(client: httpx.Client, what: str, path: Path, team_id: int) -> tuple[dict, float]:
    params = {"type": what, **({"owning_team_id": team_id} if what == "assets" else {})}
    started = time.perf_counter()
    with path.open("rb") as body:
        response = client.post("/v1/import", params=params, content=body, headers=NDJSON)
    assert response.status_code == 200, response.text
    return response.json(), time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lessons", type=int, default=20_000)
    ap.add_argument("--postgres-url", default=None)
    args = ap.parse_args()
    kind = "postgres" if args.postgres_url else "sqlite"
    with (
        tempfile.TemporaryDirectory() as tmp,
        database(kind, Path(tmp) / "a", args.postgres_url) as url_a,
        database(kind, Path(tmp) / "b", args.postgres_url) as url_b,
    ):
        (Path(tmp) / "a").mkdir()
        (Path(tmp) / "b").mkdir()
        migrations.upgrade(url_a)
        write_rows(url_a, make_docs(args.lessons))
        engine = create_engine(url_a)
        with engine.begin() as conn:  # the source's index plays no part here
            conn.execute(delete(OutboxEntry))
        engine.dispose()
        print(f"{kind}, {args.lessons:,} lessons", flush=True)
        files = {what: Path(tmp) / f"{what}.jsonl" for what in ("assets", "lessons")}
        with (
            server_process(Path(tmp) / "a", url_a) as (base_a, _),
            httpx.Client(base_url=base_a, timeout=3600) as source,
        ):
            for what, path in files.items():
                seconds = export_to(source, what, path)
                lines = sum(1 for _ in path.open("rb"))
                size = path.stat().st_size / 2**20
                print(f"  export {what}: {lines:,} lines, {size:,.1f} MiB in {seconds:.1f} s")
        with (
            server_process(Path(tmp) / "b", url_b) as (base_b, _),
            httpx.Client(base_url=base_b, timeout=3600) as target,
        ):
            team = target.post("/v1/teams", json={"name": "Imported"}, headers=ADMIN_HEADERS)
            for attempt in ("first", "again"):
                for what, path in files.items():
                    report, seconds = import_from(target, what, path, team.json()["id"])
                    done = report["created"] + report["updated"] + report["unchanged"]
                    print(
                        f"  import {what} ({attempt}): created {report['created']:,}, updated "
                        f"{report['updated']:,}, unchanged {report['unchanged']:,}, rejected "
                        f"{report['rejected_count']:,} in {seconds:.1f} s "
                        f"({done / seconds:,.0f} lines/s)",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
