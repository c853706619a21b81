"""Revision 0009 rebuilds the PostgreSQL search rows (facet keys, row order): an index
written before it answers the same after it."""

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, inspect, text

from hindsight.search.base import SearchQuery
from hindsight.search.factory import open_backend
from hindsight.service import migrations
from tests import databases
from tests.unit.search.corpus import DOCS
from tests.unit.search.test_contract import OUTSIDER, RED_MEMBER, REVIEWER


@pytest.fixture
def url(_postgres_template: str) -> Iterator[str]:
    with databases.postgres_database(_postgres_template) as copied:
        yield copied


def _answers(url: str) -> list[tuple]:
    engine = create_engine(url)
    backend = open_backend("postgres", engine=engine)
    try:
        out = []
        for scope in (OUTSIDER, RED_MEMBER, REVIEWER):
            for q in ("", "valve", "thermal battery"):
                found = backend.search(SearchQuery(q=q, limit=50, fuzzy=False), scope)
                out.append((q, [h.doc_id for h in found.hits], found.total, found.facets))
        return out
    finally:
        backend.close()
        engine.dispose()


def test_rows_indexed_before_revision_0009_keep_their_answers_after_it(url: str):
    engine = create_engine(url)
    backend = open_backend("postgres", engine=engine)
    backend.upsert(DOCS)
    backend.close()
    engine.dispose()
    before = _answers(url)
    assert any(total for _, _, total, _ in before)

    migrations.downgrade(url, "0008")
    engine = create_engine(url)
    tables = inspect(engine).get_table_names()
    columns = {c["name"] for c in inspect(engine).get_columns("search_documents")}
    engine.dispose()
    assert "search_facet_sets" not in tables and "facet_key" not in columns

    migrations.upgrade(url)
    assert _answers(url) == before

    # The backend finds the sets the revision made (the same digests): no second copies.
    engine = create_engine(url)
    backend = open_backend("postgres", engine=engine)
    sizes = (
        "SELECT (SELECT count(*) FROM search_facet_sets), (SELECT count(*) FROM search_label_sets)"
    )
    with engine.connect() as conn:
        made = conn.execute(text(sizes)).one()
    backend.upsert(DOCS)
    with engine.connect() as conn:
        assert conn.execute(text(sizes)).one() == made
    backend.close()
    engine.dispose()
