"""PostgreSQL's relevance order (search/pg_rank.py) and one-pass facets (search/pg_facets.py):
the order stays BM25's when the answer is too big to rank every match, every page cuts the
same order, and the counts stay exact."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from hindsight.search import pg_rank
from hindsight.search.base import AccessScope, DocFreqs, IndexDoc, SearchQuery
from hindsight.search.factory import open_backend
from hindsight.search.pg_facets import read_facets
from hindsight.search.pg_rank import query_terms
from hindsight.search.postgres_backend import PostgresBackend
from hindsight.search.query import Phrase, Prefix, Term
from tests import databases

ADMIN = AccessScope(is_admin=True)
OUTSIDER = AccessScope(team_ids=frozenset({99}))
FILLER = "the crew wrote a report about the day on the pad"


@pytest.fixture
def pg(_postgres_template: str) -> Iterator[PostgresBackend]:
    with databases.postgres_database(_postgres_template) as url:
        engine = create_engine(url)
        try:
            backend = open_backend("postgres", engine=engine)
            assert isinstance(backend, PostgresBackend)
            yield backend
        finally:
            engine.dispose()


def _doc(n: int, title: str, lesson: str, **fields) -> IndexDoc:
    when = datetime(2020, 1, 1 + n % 28, tzinfo=UTC)
    given = {"status": "published", "visibility": "public", "owning_team_id": 1, **fields}
    return IndexDoc("lesson", n, title, lesson=lesson, created_at=when, **given)


def _corpus() -> list[IndexDoc]:
    """30 lessons that all say "valve" once; 7 says "valve leak" in its title and lesson, 12
    only "leak" in its lesson; 20 is internal to another team and says it most of all."""
    docs = [_doc(n, f"Report {n}", f"valve {FILLER} {n}") for n in range(1, 31)]
    docs[6] = _doc(7, "Valve leak at the pad", f"the valve leak grew; {FILLER}")
    docs[11] = _doc(12, "Report 12", f"valve {FILLER}; a leak later")
    docs[19] = _doc(20, "Valve leak valve leak", "valve leak valve leak", visibility="restricted",
                    owning_team_id=2)  # fmt: skip
    return docs


@pytest.fixture
def big(pg: PostgresBackend, monkeypatch: pytest.MonkeyPatch) -> PostgresBackend:
    """Every answer counts as big (the tiered first stage), with a pool of three."""
    monkeypatch.setattr(pg_rank, "FULL_RANK_ROWS", 2)
    monkeypatch.setattr(pg_rank, "POOL", 3)
    monkeypatch.setattr(pg_rank, "SHORT_POOL", 3)
    pg.upsert(_corpus())
    return pg


def test_a_big_answer_is_still_ranked_by_bm25_at_the_top(big: PostgresBackend):
    found = big.search(SearchQuery(q="valve OR leak", limit=3), OUTSIDER)
    assert found.total == 29  # every visible lesson; the restricted one not even counted
    assert [h.id for h in found.hits][:2] == [7, 12]
    scores = [h.score for h in found.hits]
    assert scores == sorted(scores, reverse=True)
    assert 20 not in [h.id for h in big.search(SearchQuery(q="leak", limit=50), OUTSIDER).hits]


def test_the_title_tier_of_a_big_answer_keeps_every_condition_of_the_query(big: PostgresBackend):
    # A title holding every word is taken without testing the long tsvector again: only
    # when nothing else (a NOT, a field) could exclude it.
    assert big.search(SearchQuery(q="valve leak", limit=3), OUTSIDER).hits[0].id == 7
    for q in ("valve leak NOT grew", "(valve leak) AND title:report"):
        found = big.search(SearchQuery(q=q, limit=30, fuzzy=False), OUTSIDER)
        assert 7 not in [h.id for h in found.hits], q
        assert found.total == len(found.hits), q
    # A title holding one of the words is a match of an OR, not of an AND.
    big.upsert([_doc(31, "Valve inspection", "a note about seals")])
    both = big.search(SearchQuery(q="valve AND leak", limit=30, fuzzy=False), ADMIN)
    assert sorted(h.id for h in both.hits) == [7, 12, 20] and both.total == 3
    either = big.search(SearchQuery(q="seals OR leak", limit=30, fuzzy=False), ADMIN)
    assert {7, 12, 20, 31} == {h.id for h in either.hits}


def test_pages_cut_one_order_across_the_pool_boundary(big: PostgresBackend):
    every = big.search(SearchQuery(q="valve OR leak", limit=12), OUTSIDER).hits
    pages = [
        big.search(SearchQuery(q="valve OR leak", limit=4, offset=start), OUTSIDER).hits
        for start in (0, 4, 8)
    ]
    assert [h.id for page in pages for h in page] == [h.id for h in every]
    shown = [h.score for h in every]
    assert shown == sorted(shown, reverse=True)  # no later hit shows more than an earlier one


def test_a_long_question_finds_its_rarest_words_first(big: PostgresBackend):
    q = "what went wrong when the valve leak grew on the pad after the report"
    found = big.search(SearchQuery(q=q, limit=3), OUTSIDER)
    assert found.hits[0].id == 7
    assert found.total == 29


def test_facets_of_a_big_answer_are_exact(big: PostgresBackend):
    found = big.search(SearchQuery(q="valve", limit=1), OUTSIDER)
    assert found.total == 29
    assert found.facets["type"] == {"lesson": 29}
    assert sum(found.facets["year"].values()) == 29


def test_read_facets_adds_up_keys_and_counts_an_item_once_per_array_value():
    scalars = ("type", "kind", "polarity", "status", "root_cause_category", "year")

    def facet_row(n: int, **values: object) -> tuple:
        return (False, *(values.get(name) for name in scalars), None, None, n)

    def label_row(n: int, topics: list[str], tags: list[str]) -> tuple:
        return (True, *(None for _ in scalars), topics, tags, n)

    same = {"type": "lesson", "polarity": "barrier", "status": "identified", "year": 2020}
    total, facets = read_facets([
        facet_row(3, **same),
        facet_row(2, **{**same, "polarity": "enabler", "year": 2021}),
        label_row(2, ["Pumps", "Pumps", "Valves"], []),  # an array repeating a value
        label_row(3, ["Valves"], ["ESA"]),
    ])  # fmt: skip
    assert total == 5
    assert facets["type"] == {"lesson": 5}
    assert facets["polarity"] == {"barrier": 3, "enabler": 2}
    assert facets["year"] == {"2020": 3, "2021": 2}
    assert facets["topics"] == {"Valves": 5, "Pumps": 2}
    assert facets["tags"] == {"ESA": 3}
    assert facets["kind"] == {}  # no value is not a bucket


def test_settle_analyzes_the_search_rows_and_merges_pending_index_entries(pg: PostgresBackend):
    pending = "SELECT gin_clean_pending_list('ix_search_documents_tsv'::regclass)"
    pg.upsert(_corpus())
    with pg._engine.begin() as conn:
        # New rows wait in the tsv index's pending list (every search reads through it).
        assert conn.execute(text(pending)).scalar_one() > 0
    pg.upsert([_doc(n, f"Report {n}", f"valve {FILLER} {n}") for n in range(40, 50)])
    pg.settle()
    with pg._engine.begin() as conn:
        analyzed = conn.execute(
            text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'search_documents'")
        ).scalar_one()
        assert conn.execute(text(pending)).scalar_one() == 0
        # Lists are kept short between merges.
        options = conn.execute(
            text("SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'ix_search_doc%'")
        ).all()
    assert analyzed is not None
    assert {name: opts for name, opts in options if opts} == {
        "ix_search_documents_tsv": ["gin_pending_list_limit=1024"],
        "ix_search_documents_head": ["gin_pending_list_limit=256"],
        "ix_search_documents_topics": ["gin_pending_list_limit=256"],
        "ix_search_documents_tags": ["gin_pending_list_limit=256"],
    }


def test_only_word_counts_far_past_the_full_rank_limit_skip_counting():
    big = pg_rank.SURELY_BIG * pg_rank.FULL_RANK_ROWS
    freqs = DocFreqs(total=100_000, freq={"space": big, "valve": 10, "leak": big})
    words = query_terms([Term("space"), Term("valve")])
    assert pg_rank._surely_big([Term("space"), Term("valve")], words, freqs, any_word=True)
    assert not pg_rank._surely_big([Term("space"), Term("valve")], words, freqs, any_word=False)
    both = [Term("space"), Term("leak")]
    assert pg_rank._surely_big(both, query_terms(both), freqs, any_word=False)
    phrase = [Phrase(("space", "leak"))]
    assert not pg_rank._surely_big(phrase, query_terms(phrase), freqs, any_word=False)
    prefix = [Term("space"), Prefix("val")]
    assert not pg_rank._surely_big(prefix, query_terms(prefix), freqs, any_word=True)
