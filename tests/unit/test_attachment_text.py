"""Text extraction and type judging on hostile or odd files, and export external ids."""

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hindsight.service.attachments import extract, sniff
from hindsight.service.bulk import external_ids
from hindsight.service.errors import UnsupportedMediaType
from tests import files


def write(tmp_path: Path, data: bytes, name: str = "f") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_text_is_capped_and_a_bom_dropped(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(extract, "MAX_TEXT_CHARS", 10)
    path = write(tmp_path, "\ufeffabcdefghijklmnop".encode())
    assert extract.extract_text(path, sniff.TEXT) == "abcdefghij"


def test_pdf_text_is_capped_across_pages(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(extract, "MAX_TEXT_CHARS", 12)
    path = write(tmp_path, files.pdf("first line here", "second"))
    assert extract.extract_text(path, sniff.PDF) == "first line h"


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n%%EOF", b"%PDF-" + bytes(range(256)) * 4, files.encrypted_pdf("x")]
)
def test_unreadable_pdfs_have_no_text(tmp_path: Path, data: bytes) -> None:
    assert extract.extract_text(write(tmp_path, data), sniff.PDF) is None


def test_docx_paragraphs_and_tables_are_read(tmp_path: Path) -> None:
    text = extract.extract_text(write(tmp_path, files.docx_file("alpha", "beta")), sniff.DOCX)
    assert text is not None
    assert text.split("\n")[:2] == ["alpha", "beta"]
    assert "cell-one\tcell-two" in text


def test_a_docx_that_inflates_too_far_is_not_read(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(extract, "MAX_DOCX_XML_BYTES", 100)
    path = write(tmp_path, files.docx_file("alpha"))
    assert extract.extract_text(path, sniff.DOCX) is None


def test_images_and_sheets_have_no_text(tmp_path: Path) -> None:
    assert extract.extract_text(write(tmp_path, files.PNG), sniff.PNG) is None
    sheet = files.ooxml(f"{sniff.XLSX}.main+xml")
    assert extract.extract_text(write(tmp_path, sheet), sniff.XLSX) is None


def test_a_zip_bomb_content_types_part_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", " " * (2 * 1024 * 1024))
    data = out.getvalue()
    with pytest.raises(UnsupportedMediaType):
        sniff.judge(write(tmp_path, data), data[:8192], "a.docx")


def test_text_with_control_characters_is_not_text(tmp_path: Path) -> None:
    data = b"plain\x00text"
    with pytest.raises(UnsupportedMediaType):
        sniff.judge(write(tmp_path, data), data, "a.txt")


def test_own_external_ids_round_trip_and_stored_ones_win() -> None:
    at = datetime(2026, 11, 23, 9, 5, 1, 123456, tzinfo=UTC)
    name = external_ids.name("lesson", 42, at, None)
    assert name == "hindsight:lesson:42@20261123T090501.123456Z"
    assert external_ids.parse_own(name, "lesson") == (42, at)
    assert external_ids.parse_own(name, "asset") is None
    assert external_ids.parse_own("nasa-llis:1234", "lesson") is None
    assert external_ids.name("lesson", 42, at, "nasa-llis:1234") == "nasa-llis:1234"
