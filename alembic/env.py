"""Migrations for SQLite and PostgreSQL: one chain, `render_as_batch` for SQLite's ALTERs."""

from logging.config import fileConfig
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlmodel import SQLModel

from alembic import context
from hindsight.service import models  # noqa: F401  (fills SQLModel.metadata for `alembic check`)
from hindsight.service.db import make_engine
from hindsight.service.settings import Settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render our column types as plain SQLAlchemy ones: revisions never import app code."""
    if type_ == "type" and isinstance(obj, sa.types.TypeDecorator):
        return repr(obj.impl).replace("DateTime(", "sa.DateTime(")
    if type_ == "type" and type(obj).__name__ == "AutoString":
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


# Tables that are not SQLModel models and that `alembic check` must not flag: the postgres
# search backend's derived index (created by revisions 0004 and 0009).
UNMODELLED_TABLES = frozenset(
    {"search_documents", "search_vocabulary", "search_facet_sets", "search_label_sets"}
)


def _include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    return not (type_ == "table" and name in UNMODELLED_TABLES)


def _include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", None) not in UNMODELLED_TABLES


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        include_name=_include_name,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("database_url") or Settings().database_url
    engine = make_engine(Settings(database_url=url))
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
