"""The wheel claims one import name, `hindsight`, and carries every package and its data."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAPPED = {
    "service": "hindsight.service",
    "search": "hindsight.search",
    "schemas": "hindsight.schemas",
    "clients": "hindsight.clients",
    "alembic": "hindsight.migrations",
}


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_folder_is_mapped_under_the_one_import_name():
    package_dir = _config()["package-dir"]
    assert {folder: name for name, folder in package_dir.items()} == MAPPED


def test_every_package_folder_is_listed_for_the_wheel():
    listed = set(_config()["packages"])
    for folder, name in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            assert ".".join((name, *relative)) in listed, f"{init.parent} is not in pyproject"
    assert all(name.startswith("hindsight.") for name in listed)


def test_the_migrations_are_found_inside_the_package():
    from hindsight.service.migrations import ALEMBIC_DIR

    assert (ALEMBIC_DIR / "env.py").is_file()
    assert sorted(ALEMBIC_DIR.glob("versions/*_0001_*.py"))
