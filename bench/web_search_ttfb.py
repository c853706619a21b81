"""Time to first byte of the search page (`/search?q=...`, signed in with a session), at
N lessons, against a real `hindsight serve`.

    python bench/web_search_ttfb.py --docs 100000
    python bench/web_search_ttfb.py --docs 100000 --backend postgres \
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

The lessons are bench/search_speed.py's (recombined NASA LLIS fields), written straight
into a fresh database as bench/search_http.py does, then indexed by the server's own indexer.
A contributor of another team (so the access filter is real) signs in through the sign-in
form; then each of the short queries (2-3 title words) is asked for as a browser would,
timed from sending the request to the first byte of the answer (the status line and
headers: the page is rendered whole before any byte leaves), and to its last byte.
"""

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile
from bench.search_http import PER_ASSET, database, settle, wait_indexed, write_rows
from bench.search_speed import make_docs, make_queries
from bench.server import ADMIN_HEADERS, running_server
from hindsight.service import migrations

PASSWORD = "a bench passphrase, long enough"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def signed_in_browser(base: str) -> httpx.Client:
    """A client holding the session cookie of a contributor of a team of their own."""
    with httpx.Client(base_url=base, headers=ADMIN_HEADERS, timeout=30) as admin:
        team = admin.post("/v1/teams", json={"name": "Web bench"}).json()
        admin.post(
            "/v1/users",
            json={
                "name": "Web Bench",
                "email": "web.bench@example.org",
                "role": "contributor",
                "team_ids": [team["id"]],
                "password": PASSWORD,
            },
        ).raise_for_status()
    browser = httpx.Client(base_url=base, timeout=120)
    form = browser.get("/sign-in")
    token = _CSRF.search(form.text)
    assert token, "the sign-in page has no CSRF token"
    answer = browser.post(
        "/sign-in",
        data={"csrf_token": token.group(1), "email": "web.bench@example.org", "password": PASSWORD},
    )
    assert answer.status_code == 303, answer.text
    return browser


def time_pages(browser: httpx.Client, queries: list[str]) -> tuple[list[float], list[float]]:
    """Milliseconds to the first byte and to the last, per query."""
    first, last = [], []
    for q in queries:
        started = time.perf_counter()
        with browser.stream("GET", "/search", params={"q": q}) as response:
            first.append((time.perf_counter() - started) * 1000)
            body = response.read()
        last.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, body[:500]
        assert b'class="results"' in body
    return first, last


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--backend", default="tantivy", choices=["tantivy", "whoosh", "postgres"])
    ap.add_argument("--postgres-url", default=None)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=10)
    args = ap.parse_args()
    docs = make_docs(args.docs)
    shorts, _ = make_queries(docs, args.queries + args.warmup, 0)
    with (
        tempfile.TemporaryDirectory() as tmp,
        database(args.backend, Path(tmp), args.postgres_url) as url,
    ):
        folder = Path(tmp)
        migrations.upgrade(url)
        write_rows(url, docs)
        with running_server(folder, url, search_backend=args.backend) as base:
            with httpx.Client(base_url=base, timeout=120) as client:
                wait_indexed(client)
            settle(folder, url)
            browser = signed_in_browser(base)
            try:
                time_pages(browser, shorts[: args.warmup])
                first, last = time_pages(browser, shorts[args.warmup :])
            finally:
                browser.close()
    items = len(docs) + len(docs) // PER_ASSET
    print(
        f"{args.backend}, {args.docs:,} lessons ({items:,} indexed items), "
        f"search page, {len(first)} queries:\n"
        f"  time to first byte p50 {percentile(first, 50):.1f} / p95 {percentile(first, 95):.1f} ms"
        f"\n  whole page         p50 {percentile(last, 50):.1f} / p95 {percentile(last, 95):.1f} ms"
    )


if __name__ == "__main__":
    main()
