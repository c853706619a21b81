"""Push figures against a real server, a real webhook receiver and a real SMTP server.

    python bench/push_latency.py --seconds 30 --rate 20
    python bench/push_latency.py --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

1. Latency: a reviewer publishes `--rate` assets a second for `--seconds` seconds; one
   webhook listens to `asset.published` and one reader has an immediate subscription that
   matches every asset, so each write makes one delivery and one email. Each is timed from
   the write's 201 to its arrival at the receiver (an HTTP server in this process) or at the
   SMTP server (aiosmtpd in this process): p50, p95 and max, and how many never came.
2. Cost: search throughput (two clients, short queries, as a reader of another team) with the
   job runner off and on (idle but polling), alternating runs on the same data.
"""

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psycopg
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import _conninfo, percentile
from bench.server import ADMIN_HEADERS, free_port, running_server, team_member

DETAILS = {"objectives": "-", "what_went_well": [], "what_went_wrong": [], "what_to_improve": []}
WORDS = ["referral", "discharge", "handover", "staffing", "supplier", "training", "budget"]


class Arrivals:
    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.lock = threading.Lock()

    def add(self, title: str) -> None:
        with self.lock:
            self.at.setdefault(title, time.monotonic())


def start_receiver(arrivals: Arrivals) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            arrivals.add(body["data"]["title"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hook"


def start_smtp(arrivals: Arrivals) -> tuple[Controller, str]:
    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            subject = str(message_from_bytes(envelope.content, policy=policy.default)["Subject"])
            arrivals.add(subject.rsplit(": ", 1)[-1])
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, f"smtp://127.0.0.1:{port}"


def _user(http: httpx.Client, role: str, team_id: int) -> dict[str, str]:
    n = uuid.uuid4().hex[:8]
    user = http.post(
        "/v1/users",
        headers=ADMIN_HEADERS,
        json={"name": f"U {n}", "email": f"u{n}@example.org", "role": role, "team_ids": [team_id]},
    ).json()
    token = http.post(
        "/v1/tokens", headers=ADMIN_HEADERS, json={"name": "bench", "user_id": user["id"]}
    ).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _summary(name: str, sent: dict[str, float], arrivals: Arrivals) -> None:
    waits = [arrivals.at[t] - at for t, at in sent.items() if t in arrivals.at]
    missing = len(sent) - len(waits)
    if not waits:
        print(f"{name}: none arrived of {len(sent)}")
        return
    print(
        f"{name}: {len(waits)} of {len(sent)} arrived; p50 {percentile(waits, 50):.2f} s, "
        f"p95 {percentile(waits, 95):.2f} s, max {max(waits):.2f} s; missing {missing}"
    )


def latency(folder: Path, database_url: str | None, seconds: float, rate: float) -> None:
    hooks, mails = Arrivals(), Arrivals()
    receiver, hook_url = start_receiver(hooks)
    smtp, smtp_url = start_smtp(mails)
    try:
        with running_server(
            folder, database_url, webhooks_allow_private="true", smtp_url=smtp_url
        ) as base:
            http = httpx.Client(base_url=base, timeout=30)
            reviewer, team_id = team_member(http, "reviewer")
            reader = _user(http, "reader", team_id)
            http.post(
                "/v1/webhooks",
                headers=ADMIN_HEADERS,
                json={"url": hook_url, "events": ["asset.published"]},
            ).raise_for_status()
            http.post(
                "/v1/subscriptions",
                headers=reader,
                json={"name": "everything", "q": "", "filters": {"type": "asset"}},
            ).raise_for_status()
            sent: dict[str, float] = {}
            lock = threading.Lock()

            def write(n: int) -> None:
                title = f"Bench retrospect {n} {uuid.uuid4().hex[:6]}"
                body = {
                    "kind": "retrospect",
                    "title": title,
                    "status": "published",
                    "summary": WORDS[n % len(WORDS)],
                    "details": DETAILS,
                }
                response = http.post("/v1/assets", json=body, headers=reviewer)
                if response.status_code == 201:
                    with lock:
                        sent[title] = time.monotonic()

            total = int(seconds * rate)
            started = time.monotonic()
            with ThreadPoolExecutor(8) as pool:
                for n in range(total):
                    time.sleep(max(0.0, started + n / rate - time.monotonic()))
                    pool.submit(write, n)
            took = time.monotonic() - started
            print(
                f"wrote {len(sent)} of {total} assets in {took:.1f} s "
                f"({len(sent) / took:.1f} a second)"
            )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and (
                len(hooks.at) < len(sent) or len(mails.at) < len(sent)
            ):
                time.sleep(0.2)
            _summary("webhook deliveries", sent, hooks)
            _summary("subscription emails", sent, mails)
    finally:
        receiver.shutdown()
        smtp.stop()


def _searches(base: str, headers: dict[str, str], seconds: float) -> float:
    done = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        nonlocal done
        with httpx.Client(base_url=base, timeout=30, headers=headers) as http:
            n = k
            while time.monotonic() < stop:
                http.get("/v1/search", params={"q": WORDS[n % len(WORDS)]}).raise_for_status()
                n += 1
                with lock:
                    done += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done / seconds


def cost(folder: Path, database_url: str | None, seconds: float, rounds: int) -> None:
    with running_server(folder, database_url, run_worker="false") as base:
        http = httpx.Client(base_url=base, timeout=30)
        writer, _ = team_member(http, "reviewer")
        other = http.post("/v1/teams", json={"name": "Elsewhere"}, headers=ADMIN_HEADERS).json()
        reader = _user(http, "reader", other["id"])
        for n in range(300):
            http.post(
                "/v1/assets",
                headers=writer,
                json={
                    "kind": "retrospect",
                    "title": f"Retrospect {n} {WORDS[n % 7]}",
                    "status": "published",
                    "summary": " ".join(WORDS[: n % 7 + 1]),
                    "details": DETAILS,
                },
            ).raise_for_status()
        time.sleep(2)
    rates: dict[str, list[float]] = {"off": [], "on": []}
    for _ in range(rounds):
        for mode in ("off", "on"):
            with running_server(folder, database_url, run_worker=str(mode == "on").lower()) as b:
                _searches(b, reader, 2)  # warm up
                rates[mode].append(_searches(b, reader, seconds))
    off, on = statistics.median(rates["off"]), statistics.median(rates["on"])
    print(f"search throughput, runner off: {off:.0f}/s {[round(r) for r in rates['off']]}")
    print(f"search throughput, runner on:  {on:.0f}/s {[round(r) for r in rates['on']]}")
    print(f"runner cost: {100 * (off - on) / off:+.1f}% of search throughput")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--search-seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--latency-only", action="store_true", help="skip the search cost")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for part in ("latency",) if args.latency_only else ("latency", "cost"):
            folder = Path(tmp) / part
            folder.mkdir()
            url = None
            if args.postgres_url:
                name = f"hs_push_{uuid.uuid4().hex[:8]}"
                with psycopg.connect(_conninfo(args.postgres_url), autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
                url = args.postgres_url.rsplit("/", 1)[0] + "/" + name
            try:
                if part == "latency":
                    latency(folder, url, args.seconds, args.rate)
                else:
                    cost(folder, url, args.search_seconds, args.rounds)
            finally:
                if url:
                    with psycopg.connect(_conninfo(args.postgres_url), autocommit=True) as conn:
                        conn.execute(
                            f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'
                        )  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
