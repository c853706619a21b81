"""Small real files for attachment tests, built byte by byte (no fixtures on disk)."""

import io
import struct
import zipfile
import zlib

import docx
from pypdf import PdfReader, PdfWriter

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 32


def pdf(*lines: str) -> bytes:
    """A one-page PDF showing `lines` in Helvetica, with a correct cross-reference table."""
    text_ops = " ".join(f"({line}) Tj 0 -16 Td" for line in lines)
    content = f"BT /F1 12 Tf 72 720 Td {text_ops} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def encrypted_pdf(text: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf(text))))
    writer.encrypt(user_password="s3cret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_file(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "cell-one"
    table.rows[0].cells[1].text = "cell-two"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def ooxml(main_part: str, *, part_name: str = "/xl/workbook.xml") -> bytes:
    """A zip with a `[Content_Types].xml` naming `main_part` as the main document type."""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{part_name}" ContentType="{main_part}"/></Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr(part_name.lstrip("/"), "<x/>")
    return out.getvalue()


def ooxml_with(
    main_part: str, parts: dict[str, str], *, part_name: str = "/xl/workbook.xml"
) -> bytes:
    """`ooxml(main_part)` with more parts (shared strings, slides) added."""
    out = io.BytesIO()
    base = io.BytesIO(ooxml(main_part, part_name=part_name))
    with (
        zipfile.ZipFile(base) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not an office file")
    return out.getvalue()


def _pdf_from(objects: list[bytes]) -> bytes:
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def shared_stream_pdf(pages: int = 60, operators: int = 20_000, *, shared: bool = True) -> bytes:
    """The hostile PDF of issue 15: `pages` pages that all show one deflated content stream
    of `operators` text operators (about 10 KB on disk; 19 s of pypdf when read per page).
    With `shared=False` each page has its own copy of the stream, so none is read once."""
    ops = b"BT /F1 12 Tf 72 720 Td " + b"(quoll) Tj 0 -14 Td " * (operators // 2) + b"ET"
    content = zlib.compress(ops, 9)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
    stream += content + b"\nendstream"
    first_page = 5 if shared else 4 + pages
    kids = b" ".join(b"%d 0 R" % (first_page + n) for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    objects += [stream] * (1 if shared else pages)
    pages_objects = [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
        b"/Resources << /Font << /F1 3 0 R >> >> >>" % (4 if shared else 4 + n)
        for n in range(pages)
    ]
    return _pdf_from(objects + pages_objects)


def lying_docx(
    inflated_bytes: int = 680 * 1024 * 1024, claimed: int = 1_000, *, words: bool = True
) -> bytes:
    """The hostile DOCX of issue 15: word/document.xml inflates to `inflated_bytes` (one
    paragraph repeated; with `words=False` empty ones, so no text cap ends the reading
    first), while both zip headers claim `claimed` bytes. About 2.7 MB on disk."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w='
        b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    )
    tail = b"</w:body></w:document>"
    if words:
        paragraph = b"<w:p><w:r><w:t>dingo " + b"x" * 200 + b"</w:t></w:r></w:p>"
    else:
        paragraph = b"<w:p><w:r></w:r></w:p>" + b" " * 200
    block = paragraph * (1024 * 1024 // len(paragraph))
    count = max(1, (inflated_bytes - len(head) - len(tail)) // len(block))

    def segment(data: bytes, mode: int) -> bytes:
        # A fresh compressor ended by a full flush: the same input gives the same bytes,
        # so one compressed block can be repeated (seconds, instead of deflating 680 MB).
        deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        return deflate.compress(data) + deflate.flush(mode)

    body = (
        segment(head, zlib.Z_FULL_FLUSH)
        + segment(block, zlib.Z_FULL_FLUSH) * count
        + segment(tail, zlib.Z_FINISH)
    )
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with zipfile.ZipFile(io.BytesIO(docx_file("placeholder"))) as source:
            for info in source.infolist():
                if info.filename != "word/document.xml":
                    archive.writestr(info.filename, source.read(info.filename))
        info = zipfile.ZipInfo("word/document.xml", date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, b"")  # a placeholder entry, its body swapped below
    return _replace_last_member(out.getvalue(), body, crc, claimed)


def _replace_last_member(data: bytes, body: bytes, crc: int, claimed: int) -> bytes:
    """Swap the last member's (empty) deflated body for `body`, its headers claiming
    `claimed` bytes inflated and the true compressed size (so a reader can find the end)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.infolist()[-1]
    start = info.header_offset
    name_length, extra_length = struct.unpack("<HH", data[start + 26 : start + 30])
    body_at = start + 30 + name_length + extra_length
    directory_at = data.index(b"PK\x01\x02", body_at)
    local = bytearray(data[start:body_at])
    struct.pack_into("<III", local, 14, crc, len(body), claimed)
    head = data[:start] + bytes(local) + body
    shift = len(head) - directory_at
    directory = bytearray(data[directory_at:])
    offset = 0
    while directory[offset : offset + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", directory, offset + 28)
        (local_at,) = struct.unpack_from("<I", directory, offset + 42)
        if local_at == start:
            struct.pack_into("<III", directory, offset + 16, crc, len(body), claimed)
        offset += 46 + name_len + extra_len + comment_len
    end = directory[offset:]
    struct.pack_into("<I", end, 16, struct.unpack_from("<I", end, 16)[0] + shift)
    return head + bytes(directory[:offset]) + bytes(end)
