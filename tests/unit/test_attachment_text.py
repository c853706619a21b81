"""Text extraction and type judging on hostile or odd files, and export external ids."""

import io
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hindsight.service.attachments import extract, ooxml, sniff
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
    monkeypatch.setattr(ooxml, "MAX_INFLATED_BYTES", 100)
    path = write(tmp_path, files.docx_file("alpha"))
    found = extract.extract(path, sniff.DOCX)
    assert found.text is None and "inflates past" in (found.reason or "")


def test_the_inflated_size_is_counted_not_the_declared_one(tmp_path: Path) -> None:
    data = files.lying_docx(80 * 1024 * 1024, claimed=1_000, words=False)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("word/document.xml").file_size == 1_000  # the lie
    found = extract.extract(write(tmp_path, data, "bomb.docx"), sniff.DOCX)
    assert found.text is None
    assert found.reason == "the text was not indexed: it inflates past 64 MiB"


def test_a_lying_docx_with_words_is_read_up_to_the_text_cap(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(extract, "MAX_TEXT_CHARS", 5_000)
    data = files.lying_docx(20 * 1024 * 1024, claimed=1_000)
    text = extract.extract_text(write(tmp_path, data, "bomb.docx"), sniff.DOCX)
    assert text is not None and len(text) == 5_000 and text.startswith("dingo x")


def test_sheets_and_slides_are_read(tmp_path: Path) -> None:
    sheet = files.ooxml_with(
        f"{sniff.XLSX}.main+xml",
        {"xl/sharedStrings.xml": "<sst><si><t>bandicoot</t></si><si><t>wallaby</t></si></sst>"},
    )
    assert extract.extract_text(write(tmp_path, sheet, "s"), sniff.XLSX) == "bandicoot\nwallaby"
    deck = files.ooxml_with(
        f"{sniff.PPTX}.main+xml",
        {
            "ppt/slides/slide10.xml": "<sld><p><t>second</t></p></sld>",
            "ppt/slides/slide2.xml": "<sld><p><t>first</t></p></sld>",
        },
        part_name="/ppt/presentation.xml",
    )
    assert extract.extract_text(write(tmp_path, deck, "d"), sniff.PPTX) == "first\nsecond"


def test_pages_sharing_one_content_stream_are_read_once(tmp_path: Path) -> None:
    path = write(tmp_path, files.shared_stream_pdf(pages=60, operators=20_000), "p.pdf")
    started = time.process_time()
    text = extract.extract_text(path, sniff.PDF)
    assert time.process_time() - started < 5  # 19 s when every page was read
    assert text is not None and text.count("quoll") == 10_000  # one page's worth


def test_images_and_empty_sheets_have_no_text(tmp_path: Path) -> None:
    found = extract.extract(write(tmp_path, files.PNG), sniff.PNG)
    assert found.text is None and found.reason == "files of this type carry no text we index"
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
