"""`hindsight demo` finds the NASA corpus without `--path`, installed or not."""

from pathlib import Path

from hindsight.service.imports import corpus

ROOT = Path(__file__).resolve().parents[2]


def test_the_folder_a_command_runs_in_comes_first(tmp_path: Path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / corpus.FILE_NAME).write_text("{}\n")
    assert corpus.find(tmp_path) == (tmp_path / "data" / corpus.FILE_NAME).resolve()
    (tmp_path / corpus.FILE_NAME).write_text("{}\n")
    assert corpus.find(tmp_path) == (tmp_path / corpus.FILE_NAME).resolve()


def test_the_checkout_pip_installed_from_is_looked_at_from_any_folder(tmp_path: Path):
    # This test environment is an install of this checkout (editable or not), so pip's
    # direct_url.json names ROOT, and the shared folder beside it is one of the places.
    assert (ROOT / corpus.BESIDE_A_CHECKOUT).resolve() in corpus.candidates(tmp_path)
