"""The two reads due diligence adds to every backend: document frequencies of words, and a
weighted OR of terms inside the access scope (run against tantivy, whoosh and postgres)."""

import pytest

from hindsight.search.base import AccessScope, SearchFilters
from tests.unit.search.corpus import BLUE, DOCS, RED

ADMIN = AccessScope(is_admin=True)
OUTSIDER = AccessScope()
RED_MEMBER = AccessScope(team_ids=frozenset({RED}))
BLUE_MEMBER = AccessScope(team_ids=frozenset({BLUE}))


@pytest.fixture
def index(backend):
    backend.upsert(DOCS)
    return backend


def keys(hits):
    return [hit.doc_id for hit in hits]


def test_doc_freq_counts_stems_across_the_text_fields(index):
    stats = index.doc_freq(["valves", "supplier", "zzzunknown", "loading"])
    assert stats.total == len(DOCS)
    # "valve" is in lessons 1, 5 and 6, the checklist 4 and the project 7: five items, of
    # which no single field holds all; the count is at least the best field's and at most
    # the union.
    assert 3 <= stats.freq["valves"] <= 5
    assert stats.freq["supplier"] >= 1
    assert stats.freq["zzzunknown"] == 0
    assert stats.freq["loading"] >= 2


def test_weights_decide_the_order(index):
    valve_first = index.weighted_search(
        [("valve", 5.0), ("supplier", 0.5)], ADMIN, SearchFilters(type="lesson"), 10
    )
    supplier_first = index.weighted_search(
        [("valve", 0.5), ("supplier", 5.0)], ADMIN, SearchFilters(type="lesson"), 10
    )
    assert keys(valve_first)[0] != "lesson:3"
    assert keys(supplier_first)[0] == "lesson:3"
    assert set(keys(valve_first)) == set(keys(supplier_first))
    assert all(hit.type == "lesson" for hit in valve_first)
    scores = [hit.score for hit in valve_first]
    assert scores == sorted(scores, reverse=True) and all(s and s > 0 for s in scores)


def test_only_items_matching_a_term_come_back(index):
    hits = index.weighted_search([("cryogenic", 1.0)], ADMIN, SearchFilters(), 10)
    assert keys(hits) == ["lesson:1"]
    assert index.weighted_search([], ADMIN, SearchFilters(), 10) == []
    assert index.weighted_search([("zzzunknown", 1.0)], ADMIN, SearchFilters(), 10) == []


def test_a_phrase_needs_its_words_together(index):
    together = index.weighted_search([("thermal barriers", 1.0)], ADMIN, SearchFilters(), 10)
    apart = index.weighted_search([("barriers thermal", 1.0)], ADMIN, SearchFilters(), 10)
    assert keys(together) == ["lesson:2"] and apart == []


def test_the_scope_is_part_of_the_query(index):
    terms = [("valve", 1.0), ("zorbulation", 3.0), ("quibbleflux", 3.0), ("timing", 1.0)]
    seen = {
        "admin": set(keys(index.weighted_search(terms, ADMIN, SearchFilters(), 50))),
        "outsider": set(keys(index.weighted_search(terms, OUTSIDER, SearchFilters(), 50))),
        "red": set(keys(index.weighted_search(terms, RED_MEMBER, SearchFilters(), 50))),
        "blue": set(keys(index.weighted_search(terms, BLUE_MEMBER, SearchFilters(), 50))),
    }
    assert {"lesson:5", "lesson:6", "lesson:8"} <= seen["admin"]
    assert not {"lesson:5", "lesson:6", "lesson:8"} & seen["outsider"]
    assert "lesson:5" in seen["red"] and "lesson:8" in seen["red"]
    assert "lesson:6" not in seen["red"]
    assert "lesson:6" in seen["blue"] and "lesson:5" not in seen["blue"]


def test_limit_and_filters(index):
    terms = [("valve", 1.0), ("loading", 1.0)]
    assert len(index.weighted_search(terms, ADMIN, SearchFilters(), 2)) == 2
    assets = index.weighted_search(terms, ADMIN, SearchFilters(type="asset"), 10)
    assert keys(assets) == ["asset:4"]
