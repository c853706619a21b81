"""The two hostile files of issue 15: what reading them costs, and what searches feel meanwhile.

    python bench/hostile_files.py [--searches-before 200]

Files (built by tests/files.py): a ~10 KB PDF of 60 pages sharing one stream of 20,000
operators, and a ~2.8 MB DOCX whose zip directory claims 1,000 bytes for a part that
inflates to 680 MB.

1. Each file through `worker.run`, the function the server's text worker calls: the child's
   CPU seconds (user + system, from wait4), its peak RSS (VmHWM) and the wall time.
2. A real `hindsight serve` with a few published assets: plain searches one after another,
   first with nothing else running (the baseline), then while the server's worker reads each
   file just uploaded, until its `text_status` leaves `pending`; p50, p95 and max latency.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile
from bench.server import ADMIN_HEADERS, running_server
from hindsight.service.attachments import sniff, worker
from tests import files

MIB = 1024 * 1024


def hostile_files() -> dict[str, tuple[bytes, str]]:
    return {
        "shared-stream.pdf": (files.shared_stream_pdf(pages=60, operators=20_000), sniff.PDF),
        "lying.docx": (files.lying_docx(680 * MIB, claimed=1_000, words=False), sniff.DOCX),
    }


def direct(folder: Path) -> None:
    print("worker.run, default limits (10 s CPU, 512 MiB address space, 60 s wall)")
    print(f"{'file':20} {'bytes':>9} {'CPU s':>7} {'peak RSS MiB':>13} {'wall s':>7}  result")
    for name, (data, content_type) in hostile_files().items():
        path = folder / name
        path.write_bytes(data)
        started = time.monotonic()
        outcome = worker.run(path, content_type, worker.Limits())
        wall = time.monotonic() - started
        result = f"{len(outcome.text)} chars" if outcome.text else f"skipped: {outcome.reason}"
        print(
            f"{name:20} {len(data):>9} {outcome.cpu_seconds:>7.2f} "
            f"{outcome.peak_rss_bytes / MIB:>13.1f} {wall:>7.2f}  {result}"
        )


def _timed_search(http: httpx.Client) -> float:
    started = time.perf_counter()
    response = http.get("/v1/search", params={"q": "ventilator rota"})
    assert response.status_code == 200, response.text
    return (time.perf_counter() - started) * 1000


def _summary(label: str, times: list[float]) -> None:
    print(
        f"{label:34} n={len(times):>4}  p50 {statistics.median(times):6.1f} ms  "
        f"p95 {percentile(times, 95):6.1f} ms  max {max(times):6.1f} ms  "
        f"over 100 ms: {sum(t > 100 for t in times)}"
    )


def live(folder: Path, searches_before: int) -> None:
    with (
        running_server(folder) as base,
        httpx.Client(base_url=base, headers=ADMIN_HEADERS, timeout=30) as http,
    ):
        team = http.post("/v1/teams", json={"name": "Bench"}).json()
        asset_id = 0
        for n in range(20):
            created = http.post(
                "/v1/assets",
                json={
                    "kind": "retrospect",
                    "title": f"Ventilator rota retrospect {n}",
                    "summary": "What the ward learned about the ventilator rota.",
                    "owning_team_id": team["id"],
                    "status": "published",
                    "details": {
                        "objectives": "-",
                        "what_went_well": [],
                        "what_went_wrong": [],
                        "what_to_improve": [],
                    },
                },
            )
            assert created.status_code == 201, created.text
            asset_id = created.json()["id"]
        time.sleep(1)  # let the indexer drain
        print("\nplain search over HTTP, one at a time")
        _summary(
            "baseline (nothing being read)", [_timed_search(http) for _ in range(searches_before)]
        )
        for name, (data, _content_type) in hostile_files().items():
            started = time.monotonic()
            uploaded = http.post(f"/v1/assets/{asset_id}/attachments", files={"file": (name, data)})
            assert uploaded.status_code == 201, uploaded.text
            answered = time.monotonic() - started
            attachment_id = uploaded.json()["id"]
            times: list[float] = []
            status = "pending"
            while status == "pending":
                times.append(_timed_search(http))
                items = http.get(f"/v1/assets/{asset_id}/attachments?limit=100").json()["items"]
                status = next(i for i in items if i["id"] == attachment_id)["text_status"]
            read_in = time.monotonic() - started
            print(
                f"{name}: upload answered in {answered * 1000:.0f} ms "
                f"({uploaded.json()['text_status']}), text {status} after {read_in:.1f} s"
            )
            _summary(f"  while reading {name}", times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches-before", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        direct(Path(folder))
        live(Path(folder) / "server", args.searches_before)


if __name__ == "__main__":
    main()
