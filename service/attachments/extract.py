"""Text out of an attached file, for search: PDF (pypdf), DOCX, XLSX, PPTX (ooxml) and text.

Files come from anyone with an upload right, so every parser here meets hostile input. This
module runs inside the extraction worker process (`worker.py`), under its CPU, memory and
time limits; the caps here make the common attacks end early and with a reason instead of
at a limit: pages are capped, a content stream shared by many pages is read once, CPU time
is checked between pages, Office parts are inflated with their real size counted.
"""

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from hindsight.service.attachments import ooxml, sniff

log = logging.getLogger("hindsight.attachments")

MAX_TEXT_CHARS = 1_000_000
MAX_PDF_PAGES = 2_000
# Checked between pages: stop with what was read rather than be killed at the hard limit.
CPU_BUDGET_SECONDS = 8.0
_OFFICE = frozenset({sniff.DOCX, sniff.XLSX, sniff.PPTX})
# NUL cannot be stored in a PostgreSQL text column; other controls only add noise.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CELL_END = re.compile(r" *\t *")
_ROW_END = re.compile(r"\t+\n")


@dataclass(frozen=True)
class Extracted:
    """The text (None when there is none to index) and, without text, the reason."""

    text: str | None
    reason: str | None = None


def has_text_parser(content_type: str) -> bool:
    return content_type.startswith("text/") or content_type == sniff.PDF or content_type in _OFFICE


def extract_text(path: Path, content_type: str) -> str | None:
    """Up to MAX_TEXT_CHARS of the file's text, or None when it has none we can read."""
    return extract(path, content_type).text


def extract(path: Path, content_type: str) -> Extracted:
    """The file's text, or why there is none. Never raises for a hostile file."""
    try:
        if content_type.startswith("text/"):
            text = _text_file(path)
        elif content_type == sniff.PDF:
            text = _capped(_pdf_pages(path))
        elif content_type in _OFFICE:
            text = _capped(ooxml.text_parts(path, content_type))
            text = _ROW_END.sub("\n", _CELL_END.sub("\t", text))
        else:
            return Extracted(None, "files of this type carry no text we index")
    except _NoText as exc:
        return Extracted(None, str(exc))
    except ooxml.TooLarge as exc:
        return Extracted(None, f"the text was not indexed: {exc}")
    except MemoryError:
        return Extracted(None, "reading its text needed more memory than allowed")
    except Exception as exc:  # hostile input: any parser failure means "no text"
        log.warning("no text from a %s attachment: %s: %s", content_type, type(exc).__name__, exc)
        return Extracted(None, f"its text cannot be read ({type(exc).__name__})")
    text = _UNWANTED.sub(" ", text).strip()
    return Extracted(text) if text else Extracted(None, "the file holds no text")


class _NoText(Exception):
    """The file is readable but its text is out of reach; the message says why."""


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
        total += len(kept[-1])
        if total >= MAX_TEXT_CHARS:
            break
    return "".join(kept)[:MAX_TEXT_CHARS]


def _pdf_pages(path: Path) -> Iterator[str]:
    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        raise _NoText("the PDF is protected by a password; its text is not indexed")
    seen: set[tuple[str, str]] = set()
    started = time.process_time()
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES:
            log.info("a PDF of more than %d pages: the rest is not indexed", MAX_PDF_PAGES)
            break
        if time.process_time() - started > CPU_BUDGET_SECONDS:
            log.info("a PDF took its CPU budget by page %d; the rest is not indexed", number)
            break
        # Pages that share one content stream and resources show the same text: reading
        # it again only costs (60 pages sharing a stream of 20,000 operators took 19 s).
        key = (repr(dict.get(page, "/Contents")), repr(dict.get(page, "/Resources")))
        if key in seen and "IndirectObject" in key[0]:
            continue
        seen.add(key)
        yield (page.extract_text() or "") + "\n"
