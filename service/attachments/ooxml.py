"""Text out of DOCX, XLSX and PPTX files, read as streams, with the real inflated size counted.

An Office file is a zip of XML parts. A zip's directory states each part's size, and the
standard library's reader stops at the stated size, so a hostile file can claim 1,000 bytes
for a part that inflates to 680 MB; whatever trusts that figure, as a cap or as a buffer
size, is fooled. Here each part is inflated from its local header with zlib, chunk by
chunk, the bytes that come out are counted, and reading stops once they pass
MAX_INFLATED_BYTES. The XML is parsed as it arrives (a pull parser) and every element is
dropped once read, so memory stays at a chunk or two whatever the part's size.
"""

import re
import struct
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from hindsight.service.attachments import sniff

# Across all the parts read from one file: a real document's XML is a few MB at most.
MAX_INFLATED_BYTES = 64 * 1024 * 1024
MAX_SLIDES = 2_000
_CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")
_SLIDE = re.compile(r"^ppt/slides/slide(\d{1,6})\.xml$")


class TooLarge(Exception):
    """A part inflates past the cap, whatever the zip's directory says."""


class Unreadable(Exception):
    """The zip or one of its parts cannot be read (encrypted, unknown compression, broken)."""


def _parts(archive: zipfile.ZipFile, content_type: str) -> list[zipfile.ZipInfo]:
    """The parts that hold the text, in reading order."""
    by_name = {info.filename: info for info in archive.infolist()}
    if content_type == sniff.DOCX:
        names = ["word/document.xml"]
    elif content_type == sniff.XLSX:
        names = ["xl/sharedStrings.xml"]
    else:
        numbered = sorted((int(m.group(1)), name) for name in by_name if (m := _SLIDE.match(name)))
        names = [name for _, name in numbered[:MAX_SLIDES]]
    return [by_name[name] for name in names if name in by_name]


def _inflate(handle: BinaryIO, info: zipfile.ZipInfo, budget: list[int]) -> Iterator[bytes]:
    """The part's bytes as they inflate; `budget[0]` is what may still come out of the file."""
    if info.flag_bits & 0x1:
        raise Unreadable("the file is encrypted")
    handle.seek(info.header_offset)
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(handle.read(30))
    if signature != b"PK\x03\x04":
        raise Unreadable("a part's local header is missing")
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    if info.compress_type == zipfile.ZIP_STORED:
        # Stored bytes are what is on disk: the file's own size bounds them.
        left = info.compress_size
        while left > 0 and (chunk := handle.read(min(_CHUNK, left))):
            left -= len(chunk)
            yield _counted(chunk, budget)
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise Unreadable("a part uses a compression other than deflate")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    while not inflater.eof:
        data = inflater.unconsumed_tail or handle.read(_CHUNK)
        if not data:
            return  # a truncated stream: keep what came out
        # max_length bounds each step's output: one chunk of input cannot explode in memory.
        yield _counted(inflater.decompress(data, _CHUNK), budget)


def _counted(chunk: bytes, budget: list[int]) -> bytes:
    budget[0] -= len(chunk)
    if budget[0] < 0:
        raise TooLarge(f"it inflates past {MAX_INFLATED_BYTES // (1024 * 1024)} MiB")
    return chunk


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text_of(chunks: Iterator[bytes]) -> Iterator[str]:
    """Text of <t> elements (w:t, a:t, and the sheet's t), a line per paragraph, shared
    string or table row, cells apart by tabs. Each element is removed from its parent once
    read, so the tree never grows."""
    parser = ET.XMLPullParser(events=("start", "end"))
    stack: list[ET.Element] = []
    in_cell = 0
    for chunk in chunks:
        parser.feed(chunk)
        for event, element in parser.read_events():
            name = _local(element.tag)
            if event == "start":
                stack.append(element)
                in_cell += name == "tc"
                continue
            stack.pop()
            if name == "t" and element.text:
                yield element.text
            elif name == "p":
                yield " " if in_cell else "\n"
            elif name == "tc":
                in_cell -= 1
                yield "\t"
            elif name in ("tr", "si"):
                yield "\n"
            if stack:
                stack[-1].remove(element)
    parser.close()


def text_parts(path: Path, content_type: str) -> Iterator[str]:
    """Pieces of the document's text, in order. Raises TooLarge past the inflation cap and
    Unreadable for a file that is not a readable zip."""
    budget = [MAX_INFLATED_BYTES]
    try:
        with path.open("rb") as handle, zipfile.ZipFile(handle) as archive:
            for info in _parts(archive, content_type):
                yield from _text_of(_inflate(handle, info, budget))
    except (zipfile.BadZipFile, zlib.error, ET.ParseError, struct.error) as exc:
        raise Unreadable(f"it is not a readable Office file ({exc})") from exc
