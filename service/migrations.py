"""Run the Alembic chain from code (`hindsight migrate`, `hindsight serve`, the tests), and
say whether a database's schema is the one this code needs."""

from functools import cache
from importlib.util import find_spec
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from alembic import command

REMEDY = "run `hindsight migrate`"
VERSION_TABLE = "alembic_version"  # alembic's default, which env.py keeps


def _migrations_dir() -> Path:
    # `hindsight.migrations` is the repository's alembic/ folder (pyproject's package-dir): in a
    # wheel it lies inside the package, in a checkout beside service/. It has no __init__.py, so
    # the folder is found from the import system rather than from a module's __file__.
    spec = find_spec("hindsight.migrations")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("hindsight.migrations is missing: the package is installed incompletely")
    return Path(next(iter(spec.submodule_search_locations)))


ALEMBIC_DIR = _migrations_dir()


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logging"] = False
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


@cache
def _scripts() -> ScriptDirectory:
    # Reading the revision files once per process: the code's chain cannot change under it.
    return ScriptDirectory(str(ALEMBIC_DIR))


def code_heads() -> tuple[str, ...]:
    """The revisions this code needs the database at."""
    return tuple(sorted(_scripts().get_heads()))


def _database_heads(connection: Connection) -> tuple[str, ...]:
    # Alembic's own table, read directly: its MigrationContext logs two lines per look, and
    # `/healthz` looks on every probe.
    if not inspect(connection).has_table(VERSION_TABLE):
        return ()
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
    return tuple(sorted(row[0] for row in rows))


def schema_problem(connection: Connection) -> str | None:
    """None when the database is at the code's revisions, else what is wrong and what to do,
    in one line (for `hindsight serve` and `/healthz`)."""
    at = _database_heads(connection)
    needs = code_heads()
    if at == needs:
        return None
    wanted = ", ".join(needs)
    if not at:
        return f"schema is empty, code needs {wanted}: {REMEDY}"
    found = ", ".join(at)
    known = {revision.revision for revision in _scripts().walk_revisions()}
    if not set(at) <= known:
        return (
            f"schema at {found}, which this code does not know (it needs {wanted}): "
            "the database was migrated by a newer Hindsight; install that version"
        )
    return f"schema at {found}, code needs {wanted}: {REMEDY}"
