"""Text out of an attached file, for search: PDF (pypdf), DOCX (python-docx), and text.

Files come from anyone with an upload right, so every parser here meets hostile input. A
file whose text cannot be read (malformed, encrypted, a zip bomb) is kept without text: the
upload still succeeds, `has_text` says no text was indexed, and nothing escapes as a 500.
"""

import logging
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from pypdf import PdfReader

from hindsight.service.attachments import sniff

log = logging.getLogger("hindsight.attachments")

MAX_TEXT_CHARS = 1_000_000
MAX_PDF_PAGES = 5_000
# A DOCX whose document part inflates past this is not read (a zip bomb would fill memory).
MAX_DOCX_XML_BYTES = 64 * 1024 * 1024
# NUL cannot be stored in a PostgreSQL text column; other controls only add noise.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def extract_text(path: Path, content_type: str) -> str | None:
    """Up to MAX_TEXT_CHARS of the file's text, or None when it has none we can read."""
    try:
        if content_type.startswith("text/"):
            text = _text_file(path)
        elif content_type == sniff.PDF:
            text = _capped(_pdf_pages(path))
        elif content_type == sniff.DOCX:
            text = _capped(_docx_paragraphs(path))
        else:
            return None
    except Exception as exc:  # hostile input: any parser failure means "no text"
        log.warning("no text from a %s attachment: %s: %s", content_type, type(exc).__name__, exc)
        return None
    text = _UNWANTED.sub(" ", text).strip()
    return text or None


def _text_file(path: Path) -> str:
    with path.open("rb") as handle:
        raw = handle.read(MAX_TEXT_CHARS * 4)  # a UTF-8 character is at most four bytes
    return raw.decode("utf-8-sig", errors="replace")[:MAX_TEXT_CHARS]


def _capped(parts: Iterator[str]) -> str:
    """Join parts until the cap, without reading past it (a huge file stops early)."""
    kept: list[str] = []
    total = 0
    for part in parts:
        if not part:
            continue
        kept.append(part[: MAX_TEXT_CHARS - total])
        total += len(kept[-1]) + 1
        if total >= MAX_TEXT_CHARS:
            break
    return "\n".join(kept)[:MAX_TEXT_CHARS]


def _pdf_pages(path: Path) -> Iterator[str]:
    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        # Protected by a password we do not have: keep the file, index no text.
        log.info("an encrypted PDF was attached; its text is not indexed")
        return
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES:
            break
        yield page.extract_text() or ""


def _docx_paragraphs(path: Path) -> Iterator[str]:
    with zipfile.ZipFile(path) as archive:
        inflated = sum(
            info.file_size for info in archive.infolist() if info.filename.startswith("word/")
        )
    if inflated > MAX_DOCX_XML_BYTES:
        log.warning("a DOCX inflating to %d bytes was attached; its text is not indexed", inflated)
        return

    document = docx.Document(str(path))
    for paragraph in document.paragraphs:
        yield paragraph.text
    for table in document.tables:
        for row in table.rows:
            yield "\t".join(cell.text for cell in row.cells)
