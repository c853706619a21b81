"""Run the Alembic chain from code (`hindsight migrate`, `hindsight serve`, the tests)."""

from importlib.util import find_spec
from pathlib import Path

from alembic.config import Config

from alembic import command


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
