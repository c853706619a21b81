"""Whoosh's merges stay small: many one-document commits are merged tier by tier, and a
large segment (from a rebuild or a backlog) is never rewritten by a later small commit."""

from dataclasses import replace
from pathlib import Path

from hindsight.search import whoosh_backend
from hindsight.search.whoosh_backend import MERGE_AT, WhooshBackend, _tier
from tests.unit.search.corpus import DOCS


def _segments(backend: WhooshBackend) -> list[tuple[str, int]]:
    return [(s.segid, s.doc_count_all()) for s in backend._index._segments()]


def test_tiers_are_factors_of_merge_at() -> None:
    assert [_tier(n) for n in (1, MERGE_AT - 1, MERGE_AT, MERGE_AT**2, MERGE_AT**3 - 1)] == [
        0,
        0,
        1,
        2,
        2,
    ]


def test_small_commits_are_merged_and_a_large_segment_is_left_alone(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(whoosh_backend, "MAX_MERGED", 100)
    backend = WhooshBackend(tmp_path / "index")
    base = DOCS[0]
    backend.upsert([replace(base, id=1000 + n) for n in range(200)])  # the "backlog"
    [(large, size)] = _segments(backend)
    assert size == 200
    for n in range(3 * MERGE_AT**2):
        backend.upsert([replace(base, id=n + 1)])
        segments = _segments(backend)
        assert (large, 200) in segments
        assert len(segments) <= 1 + 2 * MERGE_AT
    assert backend.count() == 200 + 3 * MERGE_AT**2
    backend.close()
