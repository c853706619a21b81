"""Judge a file's type by its bytes, never by its name or the client's Content-Type.

PDF, PNG and JPEG have signatures (read with `filetype`, which looks only at a fixed window
of the first bytes). DOCX, XLSX and PPTX are all zip files: which one a file is, the zip's
`[Content_Types].xml` says, by the content type of the main part. Text has no signature: a
file is text when all of it is UTF-8 without control characters; which text (plain,
markdown, CSV) then follows the name, since all three are equally harmless.
"""

import codecs
import re
import zipfile
from pathlib import Path

import filetype

from hindsight.service.errors import UnsupportedMediaType

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
_OOXML = "application/vnd.openxmlformats-officedocument"
DOCX = f"{_OOXML}.wordprocessingml.document"
XLSX = f"{_OOXML}.spreadsheetml.sheet"
PPTX = f"{_OOXML}.presentationml.presentation"
TEXT = "text/plain; charset=utf-8"
MARKDOWN = "text/markdown; charset=utf-8"
CSV = "text/csv; charset=utf-8"

ALLOWED = "PDF, DOCX, XLSX, PPTX, PNG, JPEG, plain text, markdown or CSV (UTF-8)"
# The main part's content type names the document; macro-enabled and template variants have
# other names and are refused with everything else.
_MAIN_PARTS = {
    f"{DOCX}.main+xml": DOCX,
    f"{XLSX}.main+xml": XLSX,
    f"{PPTX}.main+xml": PPTX,
}
_SIGNED = {PDF, PNG, JPEG}
_ZIP_LIKE = {"application/zip", DOCX, XLSX, PPTX}
_CONTENT_TYPES_PART = "[Content_Types].xml"
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024
_CONTENT_TYPE_ATTR = re.compile(rb'ContentType\s*=\s*"([^"]{1,200})"')
# C0 controls other than tab, line feed, form feed and carriage return mark binary data.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MARKDOWN_NAMES = (".md", ".markdown")


def judge(path: Path, head: bytes, filename: str) -> str:
    """The content type to store and serve; raises UnsupportedMediaType (415) otherwise."""
    kind = filetype.guess(head) if head else None
    mime = kind.mime if kind else None
    if mime in _SIGNED:
        return str(mime)
    if mime in _ZIP_LIKE:
        return _office_type(path)
    if mime is None and _is_utf8_text(path):
        name = filename.lower()
        if name.endswith(_MARKDOWN_NAMES):
            return MARKDOWN
        if name.endswith(".csv"):
            return CSV
        return TEXT
    seen = f"it looks like {mime}" if mime else "its content is not one we accept"
    raise UnsupportedMediaType(f"{seen}; attach {ALLOWED}")


def _office_type(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(_CONTENT_TYPES_PART)
            if info.file_size > _MAX_CONTENT_TYPES_BYTES:
                raise UnsupportedMediaType(f"this zip's {_CONTENT_TYPES_PART} is too large")
            with archive.open(info) as part:
                declared = part.read(_MAX_CONTENT_TYPES_BYTES + 1)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError) as exc:
        # KeyError: no content-types part (a plain zip); RuntimeError: an encrypted member.
        raise UnsupportedMediaType(
            f"this is a zip file but not a Word, Excel or PowerPoint document; attach {ALLOWED}"
        ) from exc
    for value in _CONTENT_TYPE_ATTR.findall(declared):
        found = _MAIN_PARTS.get(value.decode("ascii", errors="replace").strip().lower())
        if found:
            return found
    raise UnsupportedMediaType(
        "this Office file is not a .docx, .xlsx or .pptx document (macro-enabled files and "
        f"templates are refused); attach {ALLOWED}"
    )


def _is_utf8_text(path: Path, chunk: int = 64 * 1024) -> bool:
    """All of the file decodes as UTF-8 and holds no control characters."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        with path.open("rb") as handle:
            while block := handle.read(chunk):
                if _CONTROL.search(decoder.decode(block)):
                    return False
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
