"""One `backend` fixture over every engine: each test of the contract runs three times.

The postgres engine gets its own database copied from the session's migrated template (the
pattern of tests/conftest.py): with CI=true an unreachable server fails, elsewhere it skips.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from hindsight.search.base import SearchBackend
from hindsight.search.factory import open_backend
from tests import databases


@pytest.fixture(params=["tantivy", "whoosh", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    if request.param != "postgres":
        opened = open_backend(request.param, index_dir=tmp_path / "index")
        yield opened
        opened.close()
        return
    template = request.getfixturevalue("_postgres_template")
    with databases.postgres_database(template) as url:
        engine = create_engine(url)
        try:
            yield open_backend("postgres", engine=engine)
        finally:
            engine.dispose()
