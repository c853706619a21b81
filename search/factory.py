"""Open the configured search backend (`HINDSIGHT_SEARCH_BACKEND`)."""

from pathlib import Path

from sqlalchemy import Engine

from hindsight.search.base import SearchBackend

BACKENDS = ("tantivy", "whoosh", "postgres")


def open_backend(
    name: str, *, index_dir: Path | None = None, engine: Engine | None = None
) -> SearchBackend:
    """tantivy and whoosh keep their index in `index_dir` (in memory when None);
    postgres searches the database behind `engine`."""
    if name == "tantivy":
        from hindsight.search.tantivy_backend import TantivyBackend

        return TantivyBackend(index_dir)
    if name == "whoosh":
        from hindsight.search.whoosh_backend import WhooshBackend

        return WhooshBackend(index_dir)
    if name == "postgres":
        if engine is None:
            raise ValueError("the postgres search backend needs a database engine")
        from hindsight.search.postgres_backend import PostgresBackend

        return PostgresBackend(engine)
    raise ValueError(f"unknown search backend {name!r}; expected one of {', '.join(BACKENDS)}")
