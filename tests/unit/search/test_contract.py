"""The contract every search backend keeps (run against tantivy, whoosh and postgres)."""

import contextlib
import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hindsight.search.base import AccessScope, IndexDoc, InvalidQuery, SearchFilters, SearchQuery
from tests.unit.search.corpus import BLUE, DOCS, RED, when

ADMIN = AccessScope(is_admin=True)
OUTSIDER = AccessScope()
RED_MEMBER = AccessScope(team_ids=frozenset({RED}))
BLUE_MEMBER = AccessScope(team_ids=frozenset({BLUE}))
REVIEWER = AccessScope(sees_unpublished=True)


@pytest.fixture
def index(backend):
    backend.upsert(DOCS)
    return backend


def ids(backend, q="", scope=ADMIN, **kwargs):
    filters = kwargs.pop("filters", SearchFilters())
    query = SearchQuery(q=q, filters=filters, limit=kwargs.pop("limit", 100), **kwargs)
    return [h.doc_id for h in backend.search(query, scope).hits]


def search(backend, q="", scope=ADMIN, **kwargs):
    kwargs.setdefault("limit", 100)
    return backend.search(SearchQuery(q=q, **kwargs), scope)


_FILLER = "The crew filed the usual forms, checked the schedule and met the vendor again. "


def test_title_match_outranks_a_passing_mention_in_a_long_body(backend):
    backend.upsert(
        [
            IndexDoc("lesson", 1, "Hydrazine leak", body=_FILLER),
            IndexDoc("lesson", 2, "Paperwork backlog", body=f"{_FILLER * 4}A hydrazine leak."),
        ]
    )
    assert ids(backend, "hydrazine leak") == ["lesson:1", "lesson:2"]


def test_an_asset_whose_text_says_it_is_not_buried_under_title_matches(backend):
    # An asset keeps its summary and text in the body: a question its text answers finds it
    # above items that only name some of the question's words in their titles.
    backend.upsert(
        [
            IndexDoc(
                "asset", 1, "Findings of the 2019 propulsion review",
                body="The hydrazine leak came from a cracked valve seat. Each hydrazine leak "
                "was traced to the same valve seat, and the valve seat was replaced.",
            ),
            IndexDoc("lesson", 2, "Hydrazine leak", lesson="Report it to the safety office."),
            IndexDoc("lesson", 3, "Valve seat wear", lesson="Inspect at every overhaul."),
            IndexDoc("lesson", 4, "Leak checks", lesson="Use the standard form."),
        ]
    )  # fmt: skip
    assert ids(backend, "hydrazine leak from a cracked valve seat", fuzzy=False)[0] == "asset:1"


def test_stemming_matches_other_forms_of_a_word(index):
    assert "lesson:1" in ids(index, "failures")
    assert "lesson:8" in ids(index, "failure")


def test_a_sentence_finds_lessons_because_words_are_or_grouped(index):
    found = ids(index, "what did we learn about thermal barriers for lithium batteries")
    assert found[0] == "lesson:2"


def test_phrase_needs_the_words_in_order(index):
    assert ids(index, '"thermal runaway"', fuzzy=False) == ["lesson:2"]
    assert ids(index, '"runaway thermal"', fuzzy=False) == []


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("title:checklist", ["asset:4"]),
        ("lesson:supplier", ["lesson:3"]),
        ("recommendation:loop", ["lesson:8"]),
        ("topic:power", ["lesson:2"]),
        ("tag:cryo", ["lesson:1"]),
        ("kind:checklist", ["asset:4"]),
        ('title:"thermal runaway"', ["lesson:2"]),
    ],
)
def test_field_queries_search_one_field(index, q, expected):
    assert ids(index, q, fuzzy=False) == expected


def test_field_query_does_not_match_other_fields(index):
    assert ids(index, "title:procedure", fuzzy=False) == []  # only in a recommendation


def test_not_excludes_and_and_requires_both(index):
    found = ids(index, "valve NOT cryogenic", fuzzy=False)
    assert "lesson:1" not in found and "asset:4" in found
    assert ids(index, "valve AND cycling", fuzzy=False) == ["lesson:1"]
    assert set(ids(index, "NOT valve", OUTSIDER, fuzzy=False)) == {"lesson:2", "lesson:3"}


def test_prefix_matches_words_starting_with_it(index):
    assert ids(index, "suppl*", fuzzy=False) == ["lesson:3"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(type="asset"), {"asset:4"}),
        (SearchFilters(type="project"), {"project:7"}),
        (SearchFilters(kind="good_practice"), {"lesson:3"}),
        (SearchFilters(topic="Power"), {"lesson:2"}),
        (SearchFilters(tag="cryo"), {"lesson:1"}),
        (SearchFilters(polarity="positive"), {"lesson:3"}),
        (SearchFilters(impact="high"), {"lesson:1", "lesson:8"}),
        (SearchFilters(status="draft"), {"lesson:6"}),
        (SearchFilters(root_cause_category="process"), {"lesson:2", "lesson:3"}),
        (SearchFilters(project_id=10), {"lesson:1", "lesson:3"}),
        (SearchFilters(team_id=RED), {"lesson:1", "lesson:3", "lesson:5", "lesson:8"}),
        (SearchFilters(created_from=when(2022)), {"lesson:3", "asset:4", "lesson:6"}),
        (SearchFilters(created_to=datetime(2019, 12, 31, tzinfo=UTC)), {"lesson:1", "project:7"}),
    ],
)
def test_every_filter_narrows_the_hits(index, filters, expected):
    result = search(index, filters=filters)
    assert {h.doc_id for h in result.hits} == expected
    assert result.total == len(expected)


def test_filters_combine_with_the_query(index):
    assert ids(index, "valve", filters=SearchFilters(type="lesson", tag="cryo")) == ["lesson:1"]


def test_deleted_documents_are_gone(index):
    index.delete(["lesson:1"])
    assert ids(index, "cryogenic", fuzzy=False) == []
    assert index.count() == len(DOCS) - 1


def test_upsert_replaces_the_document(index):
    index.upsert([replace(DOCS[0], title="Renamed lesson", lesson="Nothing about it.")])
    assert "lesson:1" not in ids(index, "propellant", fuzzy=False)
    assert ids(index, "renamed", fuzzy=False) == ["lesson:1"]
    assert index.count() == len(DOCS)


def test_rebuild_replaces_the_whole_index(index):
    index.rebuild(DOCS[:2])
    assert index.count() == 2


@pytest.mark.parametrize("scope", [ADMIN, OUTSIDER, RED_MEMBER, REVIEWER])
def test_facet_counts_equal_the_hits_each_value_would_show(index, scope):
    result = search(index, "valve loading propellant", scope)
    as_filter = {
        "type": "type",
        "kind": "kind",
        "topics": "topic",
        "tags": "tag",
        "polarity": "polarity",
        "status": "status",
        "root_cause_category": "root_cause_category",
    }
    for facet, values in result.facets.items():
        for value, count in values.items():
            if facet == "year":
                y = int(value)
                f = SearchFilters(
                    created_from=when(y, 1).replace(day=1),
                    created_to=datetime(y, 12, 31, 23, 59, tzinfo=UTC),
                )
            else:
                f = SearchFilters(**{as_filter[facet]: value})
            narrowed = search(index, "valve loading propellant", scope, filters=f, fuzzy=False)
            assert narrowed.total == count, (facet, value)
    assert sum(result.facets["type"].values()) == result.total


def test_restricted_and_unpublished_documents_are_absent_from_hits_totals_and_facets(index):
    outsider = search(index, "valve", OUTSIDER)
    assert {"lesson:5", "lesson:6"}.isdisjoint(h.doc_id for h in outsider.hits)
    assert "secret" not in outsider.facets["tags"]
    assert outsider.total == len(outsider.hits)
    assert search(index, "zorbulation", OUTSIDER).total == 0
    assert search(index, "", OUTSIDER).total == 5
    assert "lesson:5" in ids(index, "valve", RED_MEMBER)
    assert "lesson:6" not in ids(index, "valve", RED_MEMBER)
    assert "lesson:6" in ids(index, "valve", BLUE_MEMBER)
    assert "lesson:8" in ids(index, "timing", RED_MEMBER)  # shared with RED
    assert set(ids(index, "valve", REVIEWER)) & {"lesson:5", "lesson:6"} == {"lesson:6"}


def test_every_backend_applies_the_visibility_rule_of_access_scope(backend):
    """Each combination of visibility, publication, owner and sharing, seen from each kind
    of caller: the hits and total are exactly the items `AccessScope.can_see` allows."""
    docs = [
        IndexDoc(
            "lesson",
            i + 1,
            "Harness inspection",
            visibility=visibility,
            is_published=published,
            owning_team_id=owner,
            team_ids=shared,
        )
        for i, (visibility, published, owner, shared) in enumerate(
            (v, p, o, s)
            for v in ("public", "internal", "restricted")
            for p in (True, False)
            for o in (RED, BLUE, None)
            for s in ((), (RED,), (BLUE, RED))
        )
    ]
    backend.upsert(docs)
    scopes = [
        ADMIN,
        OUTSIDER,
        RED_MEMBER,
        BLUE_MEMBER,
        REVIEWER,
        AccessScope(team_ids=frozenset({RED}), sees_unpublished=True),
    ]
    for scope in scopes:
        expected = {d.doc_id for d in docs if scope.can_see(d)}
        found = search(backend, "harness", scope, fuzzy=False)
        assert {h.doc_id for h in found.hits} == expected, scope
        assert found.total == len(expected) == sum(found.facets["type"].values()), scope


def test_suggest_offers_visible_titles_and_words_only(index):
    assert index.suggest("zorb", OUTSIDER) == []
    assert "zorbulation" in index.suggest("zorb", RED_MEMBER)
    assert all("Secret" not in s for s in index.suggest("secr", OUTSIDER))
    suggestions = index.suggest("cryo", OUTSIDER)
    assert "Valve failure during cryogenic loading" in suggestions
    assert "cryogenic" in suggestions


def test_related_lessons_respect_the_scope(index):
    assert index.related("lesson:5", OUTSIDER) == []
    related = [h.doc_id for h in index.related("lesson:1", OUTSIDER, limit=10)]
    assert related and "lesson:1" not in related
    assert all(d.startswith("lesson:") for d in related)
    assert {"lesson:5", "lesson:6", "lesson:8"}.isdisjoint(related)
    assert "lesson:5" in [h.doc_id for h in index.related("lesson:1", RED_MEMBER, limit=10)]


def test_snippets_are_escaped_and_marked(index):
    hit = next(h for h in search(index, "valve").hits if h.doc_id == "asset:4")
    assert "<mark>valve</mark>" in hit.snippet
    assert "<script" not in hit.snippet
    assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_a_misspelt_word_still_finds_the_lesson_and_suggests_the_correction(index):
    result = search(index, "cryogenik", OUTSIDER)
    assert "lesson:1" in [h.doc_id for h in result.hits]
    assert result.suggestion == "cryogenic"
    assert search(index, "cryogenik", OUTSIDER, fuzzy=False).total == 0


def test_no_correction_comes_from_a_document_the_caller_cannot_see(index):
    assert search(index, "zorbulatoin", OUTSIDER).suggestion is None
    assert search(index, "zorbulatoin", RED_MEMBER).suggestion == "zorbulation"


MALFORMED = [
    '"unbalanced',
    "((valve",
    "valve))",
    "NOT",
    "valve NOT",
    "title:",
    "*",
    "foo:bar",
    "AND OR",
    "valve AND",
    '""',
    "title:(",
    "-",
    "\\",
    "'",
    "a*b*c",
    "%_",
    "!valve",
    "valve & | !",
    "<->",
    ":*",
    "title:*",
    "NOT NOT NOT",
    "(((())))",
    "' OR 1=1 --",
]


@pytest.mark.parametrize("q", MALFORMED)
def test_malformed_queries_never_raise_engine_errors(index, q):
    with contextlib.suppress(InvalidQuery):
        search(index, q, OUTSIDER)


def test_limits_raise_invalid_query(index):
    with pytest.raises(InvalidQuery):
        search(index, "(" * 40 + "valve")
    with pytest.raises(InvalidQuery):
        search(index, " ".join(f"w{i}" for i in range(700)))


def test_sort_newest_orders_by_creation_time(index):
    hits = search(index, "valve", sort="newest").hits
    stamps = [h.created_at for h in hits]
    assert stamps == sorted(stamps, reverse=True) and len(stamps) > 2
    assert all(h.score is None for h in hits)


def test_paging_walks_the_same_order_without_overlap(index):
    whole = ids(index, "valve loading", limit=6)
    pages = [ids(index, "valve loading", limit=2, offset=o) for o in (0, 2, 4)]
    assert [d for page in pages for d in page] == whole
    assert search(index, "valve loading", limit=2).total == len(ids(index, "valve loading"))


def test_hits_carry_the_item_fields(index):
    hit = search(index, "supplier").hits[0]
    assert (hit.type, hit.id, hit.kind, hit.polarity, hit.project_id) == (
        "lesson",
        3,
        "good_practice",
        "positive",
        10,
    )
    assert hit.created_at == when(2022) and hit.score is not None and hit.score > 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(alphabet=st.sampled_from(list("valve :\"()*-\\NOTANDORtitle!&|<>'é_0")), max_size=50)
)
def test_fuzzed_queries_never_raise_engine_errors(index, q):
    with contextlib.suppress(InvalidQuery):
        search(index, q, OUTSIDER)


def _pump_docs(both: int, one: int) -> list[IndexDoc]:
    docs = [
        IndexDoc("lesson", n, f"Pump seal report {n}", lesson="The seal leaked.")
        for n in range(1, both + 1)
    ]
    docs += [
        IndexDoc("lesson", 100 + n, f"Pump report {n}", lesson="Only the pump is named.")
        for n in range(one)
    ]
    return docs


def test_a_few_words_find_items_with_all_of_them_when_there_are_enough(backend):
    backend.upsert(_pump_docs(both=10, one=5))
    found = search(backend, "pump seal")
    assert found.total == 10
    assert all(hit.id < 100 for hit in found.hits)
    assert search(backend, "pump OR seal").total == 15  # saying OR asks for any of them


def test_a_few_words_fall_back_to_any_of_them_when_all_find_too_little(backend):
    backend.upsert(_pump_docs(both=3, one=5))
    found = search(backend, "pump seal")
    assert found.total == 8
    assert {hit.id for hit in found.hits[:3]} == {1, 2, 3}  # those with both rank first


def test_a_pasted_paragraph_finds_the_lesson_it_describes(index):
    brief = (
        "Our ward project will store spare lithium cells for infusion pumps; we worry a "
        "single cell could overheat and spread heat through the whole pack, so we want "
        "barriers and a safe storage plan before the pilot starts next month"
    )
    assert ids(index, brief, fuzzy=False)[0] == "lesson:2"


def test_an_index_is_intact_while_another_thread_commits(backend) -> None:
    """The health check reads `intact()` from request threads while the indexer commits; a
    commit replacing the index's files under it must not make it raise or say False."""
    stop = threading.Event()
    commits = [0]

    def commit_often() -> None:
        while not stop.is_set():
            backend.upsert([replace(DOCS[0], title=f"{DOCS[0].title} {commits[0]}")])
            commits[0] += 1

    writer = threading.Thread(target=commit_often)
    writer.start()
    answers: list[bool] = []
    try:
        while commits[0] < 50:
            answers.append(backend.intact())
    finally:
        stop.set()
        writer.join()
    assert all(answers)
