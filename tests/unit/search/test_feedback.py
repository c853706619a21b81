"""Pseudo-relevance feedback: prose queries are ranked again with the best hits' shared words."""

from pathlib import Path

import pytest

from hindsight.search.base import AccessScope, IndexDoc, SearchQuery
from hindsight.search.factory import open_backend
from hindsight.search.feedback import (
    PAIR_WEIGHT,
    WEIGHT,
    feedback_terms,
    proximity_pairs,
    wants_feedback,
)
from hindsight.search.query import parse

PROSE = "valve stuck closed during cryogenic loading test"
ADMIN = AccessScope(is_admin=True)


def _docs() -> list[IndexDoc]:
    best = [
        IndexDoc("lesson", n, f"Cryogenic valve stuck closed {n}",
                 lesson="The valve stuck closed during cryogenic loading; a helium purge freed it.")
        for n in (1, 2, 3)
    ]  # fmt: skip
    # Twins for the query (one word of it each, same length); only 4 shares the best hits'
    # other words, so feedback must rank it above 5 and change nothing else.
    twins = [
        IndexDoc("lesson", 4, "Pad report", lesson="A test of the helium purge line."),
        IndexDoc("lesson", 5, "Pad report", lesson="A test of the gravel paint line."),
    ]
    return best + twins


@pytest.fixture(params=["tantivy", "whoosh"])
def backend(request, tmp_path: Path):
    opened = open_backend(request.param, index_dir=tmp_path / "index")
    opened.upsert(_docs())
    yield opened
    opened.close()


def test_only_plain_prose_queries_get_feedback():
    assert wants_feedback(parse(PROSE))
    assert not wants_feedback(parse("valve stuck closed"))  # a few words name a thing
    assert not wants_feedback(parse(f"{PROSE} NOT helium"))
    assert not wants_feedback(parse(f'{PROSE} "helium purge"'))
    assert not wants_feedback(parse(""))
    assert not wants_feedback(parse(" ".join(f"word{n}" for n in range(41))))  # a page of prose


def test_feedback_words_are_those_the_best_hits_share_weighed_by_the_hits_scores():
    docs = [
        (10.0, ["The valve stuck; a helium purge freed the helium line."]),
        (5.0, ["Helium purge again, with the purge valve."]),
    ]
    words = dict(feedback_terms(docs, str.lower))
    assert max(words.values()) == pytest.approx(WEIGHT)
    assert words["helium"] == pytest.approx(WEIGHT)  # the most frequent, in both documents
    assert words["purge"] < words["helium"]
    assert words["valve"] < words["purge"]  # query words count too, by the same rule
    assert words["stuck"] < words["valve"]  # in the weaker document only
    assert not {"the", "with", "a"} & set(words)  # function words never
    assert feedback_terms([], str.lower) == ()


def test_a_word_repeated_in_a_document_is_damped_not_counted_linearly():
    words = dict(feedback_terms([(10.0, ["purge " * 8 + "helium"])], str.lower))
    assert words["purge"] == pytest.approx(WEIGHT)
    assert 3 < words["purge"] / words["helium"] < 4  # log(1 + 8) / log(1 + 1), not 8


def test_adjacent_query_words_make_the_pairs_function_words_left_out():
    node = parse("valve stuck closed during the cryogenic loading valve test")
    pairs = dict(proximity_pairs(node))  # type: ignore[arg-type]
    assert list(pairs) == [
        "valve stuck", "stuck closed", "closed cryogenic", "cryogenic loading",
        "loading valve", "valve test",
    ]  # fmt: skip
    assert set(pairs.values()) == {PAIR_WEIGHT}


def test_prose_ranks_its_words_side_by_side_above_the_same_words_apart(tmp_path: Path):
    for name in ("tantivy", "whoosh"):
        b = open_backend(name, index_dir=tmp_path / name)
        filler = "report from the pad crew"
        b.upsert([
            IndexDoc("lesson", 1, "Report", lesson=f"loading {filler} cryogenic {filler} valve"),
            IndexDoc("lesson", 2, "Report", lesson=f"cryogenic loading {filler} valve {filler}"),
        ])  # fmt: skip
        hits = b.search(
            SearchQuery(q="cryogenic loading of the helium valve at night", limit=5), ADMIN
        )
        b.close()
        assert [h.id for h in hits.hits] == [2, 1], name


def test_feedback_reorders_prose_hits_without_changing_what_matches(backend):
    query = SearchQuery(q=PROSE, limit=10)
    backend.uses_feedback = False
    before = backend.search(query, ADMIN)
    backend.uses_feedback = True
    after = backend.search(query, ADMIN)
    assert (after.total, after.facets) == (before.total, before.facets)
    assert {h.id for h in after.hits} == {h.id for h in before.hits}
    scores = {h.id: h.score for h in after.hits}
    plain = {h.id: h.score for h in before.hits}
    assert plain[4] == pytest.approx(plain[5])
    assert scores[4] > scores[5]
    assert [h.id for h in after.hits][:3] == [h.id for h in before.hits][:3]


def test_the_second_page_follows_the_first(backend):
    first = backend.search(SearchQuery(q=PROSE, limit=2), ADMIN).hits
    rest = backend.search(SearchQuery(q=PROSE, limit=10, offset=2), ADMIN).hits
    every = backend.search(SearchQuery(q=PROSE, limit=10), ADMIN).hits
    assert [h.id for h in first + rest] == [h.id for h in every]
