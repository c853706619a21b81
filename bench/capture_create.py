"""Latency of creating a retrospect with three lessons, over HTTP against a real server.

Starts `hindsight serve` on a free port with a throwaway data folder (SQLite by default;
pass --database-url for PostgreSQL), makes a team, a contributor and a token, then POSTs
the same realistic retrospect N times and prints p50/p95 in milliseconds.

    python bench/capture_create.py --n 200
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import running_server, team_member


def retrospect(project_id: int) -> dict[str, Any]:
    why = [
        {"question": "Why were discharges delayed?", "answer": "Referrals to social care waited"},
        {
            "question": "Why did referrals wait?",
            "answer": "They were re-keyed into a second system",
        },
        {"question": "Why re-keyed?", "answer": "Each organisation used its own form"},
    ]
    lessons = [
        {
            "title": "Agree one referral form before go-live",
            "observation": "Referrals waited up to two days while staff re-keyed them.",
            "five_whys": why,
            "root_cause": {"description": "No shared form agreed", "category": "process"},
            "lesson": "A shared referral form removes the biggest single delay.",
            "recommendation": "Agree the form with social care in the planning phase.",
            "polarity": "barrier",
            "impact": "high",
            "applicability": {
                "phases": ["planning"],
                "topics": ["discharge", "referrals"],
                "organisation_types": ["nhs_trust", "local_authority"],
            },
            "tags": ["discharge to assess"],
        },
        {
            "title": "Daily huddle with social care",
            "observation": "Ten-minute 8am huddles cleared most blockers the same day.",
            "lesson": "A short daily huddle with a named chair keeps decisions moving.",
            "recommendation": "Name the chair and keep it to ten minutes.",
            "polarity": "success_factor",
            "impact": "medium",
            "applicability": {"phases": ["delivery"], "topics": ["huddles"]},
        },
        {
            "title": "Measure from the first week",
            "observation": "Baseline data arrived in week four, too late to compare.",
            "five_whys": [{"question": "Why late?", "answer": "No analyst was booked"}],
            "root_cause": {"description": "Analyst time not planned", "category": "resources"},
            "lesson": "Book analyst time before the pilot starts.",
            "polarity": "barrier",
            "impact": "medium",
        },
    ]
    return {
        "kind": "retrospect",
        "title": "Discharge to assess pilot: stage 1 retrospect",
        "summary": "Two wards, ten weeks: what helped and what slowed discharges.",
        "body": "## Context\n\nTwo medical wards, **ten weeks**, one social-care partner.",
        "tags": ["discharge", "pilot"],
        "topics": ["patient flow"],
        "project_id": project_id,
        "details": {
            "objectives": "Cut delayed discharges on two wards by a third",
            "what_went_well": ["Daily huddles with social care"],
            "what_went_wrong": ["Referral forms re-keyed between systems"],
            "what_to_improve": ["One shared referral form"],
            "useful_contacts": [{"name": "Priya Shah", "role": "discharge lead"}],
        },
        "lessons": lessons,
    }


def setup(client: httpx.Client) -> tuple[dict[str, str], int]:
    headers, _team = team_member(client)
    project = client.post(
        "/v1/projects",
        json={"name": "Discharge to assess", "organisation_type": "nhs_trust"},
        headers=headers,
    ).json()
    return headers, project["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sample", type=Path, help="write one request and its response here")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_server(Path(tmp), args.database_url) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        headers, project_id = setup(client)
        body = retrospect(project_id)
        for _ in range(5):  # warm-up: connection, caches
            warm = client.post("/v1/assets", json=body, headers=headers)
            warm.raise_for_status()
        if args.sample:
            sample = {"request": body, "status": warm.status_code, "response": warm.json()}
            args.sample.write_text(json.dumps(sample, indent=2))
        timings = []
        for _ in range(args.n):
            started = time.perf_counter()
            response = client.post("/v1/assets", json=body, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 201, response.text
            assert len(response.json()["lesson_ids"]) == 3
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"create retrospect + 3 lessons, n={args.n}: "
          f"p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
