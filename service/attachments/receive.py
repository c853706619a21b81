"""Receive one file from a `multipart/form-data` body as it streams in.

The body is parsed chunk by chunk (python-multipart's push parser) and the file part goes
straight to a temp file in the blob store, hashed on the way. The size limit is checked on
every chunk, so an oversized upload is refused (413) as soon as it passes the limit, and the
temp file is removed on any failure. Nothing holds more than one chunk in memory.
"""

import hashlib
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote

from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool

from hindsight.service.attachments.store import BlobStore
from hindsight.service.errors import (
    BadRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)

FIELD = "file"
HEAD_BYTES = 8192  # enough for every signature we judge types by
MAX_FILENAME = 255
# Other form fields are ignored; this bounds what they may cost.
MAX_OTHER_FIELDS_BYTES = 64 * 1024


@dataclass
class StagedFile:
    """A file received into the blob store's temp folder, not yet kept."""

    path: Path
    filename: str
    size: int
    sha256: str
    head: bytes


def safe_filename(raw: str) -> str:
    """The name to show and to offer on download: no folders, no control or format
    characters, NFC, at most 255 characters; "attachment" when nothing is left."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in {"", ".", ".."}:
        return "attachment"
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:16] if dot else ""
        name = (stem if dot else name)[: MAX_FILENAME - len(ext) - 1] + (f".{ext}" if ext else "")
    return name


def _boundary(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data":
        raise UnsupportedMediaType(
            f"send the file as multipart/form-data in the field '{FIELD}' "
            f"(Content-Type was {content_type or 'missing'!r})"
        )
    boundary = options.get(b"boundary")
    if not boundary:
        raise BadRequest("the multipart Content-Type has no boundary")
    return boundary


def _filename(disposition: dict[bytes, bytes]) -> str:
    extended = disposition.get(b"filename*")
    if extended and b"''" in extended:  # RFC 5987: UTF-8''percent-encoded
        charset, _, encoded = extended.decode("latin-1").partition("''")
        return unquote(encoded, encoding=charset or "utf-8", errors="replace")
    raw = disposition.get(b"filename", b"")
    return raw.decode("utf-8", errors="replace")


@dataclass
class _Reader:
    """The parser's callbacks: the state of one body being parsed."""

    store: BlobStore
    limit: int
    headers: dict[bytes, bytes] = field(default_factory=dict)
    header_name: bytes = b""
    header_value: bytes = b""
    in_file: bool = False
    other_bytes: int = 0
    ended: bool = False
    handle: BinaryIO | None = None
    path: Path | None = None
    filename: str = ""
    size: int = 0
    head: bytes = b""
    digest: "hashlib._Hash" = field(default_factory=hashlib.sha256)

    def on_part_begin(self) -> None:
        self.headers, self.in_file = {}, False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_name.lower()] = self.header_value
        self.header_name, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, disposition = parse_options_header(self.headers.get(b"content-disposition", b""))
        if disposition.get(b"name") != FIELD.encode():
            return
        if self.path is not None:
            raise BadRequest(f"send one file per request in the field '{FIELD}'")
        self.in_file = True
        self.filename = safe_filename(_filename(disposition))
        self.path = self.store.new_temp()
        self.handle = self.path.open("wb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if not self.in_file:
            self.other_bytes += len(chunk)
            if self.other_bytes > MAX_OTHER_FIELDS_BYTES:
                raise PayloadTooLarge(f"send only the field '{FIELD}'; other fields are ignored")
            return
        self.size += len(chunk)
        if self.size > self.limit:
            raise PayloadTooLarge(
                f"the file is larger than the limit of {self.limit} bytes "
                "(HINDSIGHT_MAX_UPLOAD_BYTES); send a smaller file"
            )
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        self.digest.update(chunk)
        assert self.handle is not None
        self.handle.write(chunk)

    def on_part_end(self) -> None:
        if self.in_file and self.handle is not None:
            self.handle.close()
        self.in_file = False

    def on_end(self) -> None:
        self.ended = True

    def close(self) -> None:
        if self.handle is not None and not self.handle.closed:
            self.handle.close()


def _finish(parser: MultipartParser, reader: _Reader) -> None:
    parser.finalize()
    reader.close()


def _drop(store: BlobStore, reader: _Reader) -> None:
    reader.close()
    if reader.path is not None:
        store.discard(reader.path)


async def receive_file(
    chunks: AsyncIterator[bytes], content_type: str, *, store: BlobStore, limit: int
) -> StagedFile:
    """Stream the `file` field of a multipart body into a temp file of `store`.

    Raises UnsupportedMediaType (415) for a body that is not multipart/form-data,
    PayloadTooLarge (413) as soon as the file passes `limit` bytes, BadRequest (400) for a
    malformed or truncated body, ValidationFailed (422) when the field is missing. On any
    failure, the client's disconnect included, the temp file is gone.
    """
    reader = _Reader(store=store, limit=limit)
    parser = MultipartParser(
        _boundary(content_type),
        callbacks={  # type: ignore[arg-type]
            name: getattr(reader, name)
            for name in (
                "on_part_begin",
                "on_part_data",
                "on_part_end",
                "on_header_field",
                "on_header_value",
                "on_header_end",
                "on_headers_finished",
                "on_end",
            )
        },
    )
    try:
        # The parser's callbacks write the file: they run in the thread pool, so a slow disk
        # holds up this upload only, not every request on the event loop.
        async for chunk in chunks:
            if chunk:
                await run_in_threadpool(parser.write, chunk)
        await run_in_threadpool(_finish, parser, reader)
        if reader.path is None:
            raise ValidationFailed("body.file", f"send the file in the multipart field '{FIELD}'")
        if not reader.ended:
            raise BadRequest("the multipart body ended before its closing boundary; send it again")
    except MultipartParseError as exc:
        await run_in_threadpool(_drop, store, reader)
        raise BadRequest(f"the multipart body is malformed: {exc}") from exc
    except BaseException:
        await run_in_threadpool(_drop, store, reader)
        raise
    return StagedFile(
        path=reader.path,
        filename=reader.filename,
        size=reader.size,
        sha256=reader.digest.hexdigest(),
        head=reader.head,
    )


async def receive_body(
    chunks: AsyncIterator[bytes], *, store: BlobStore, limit: int, limit_name: str
) -> Path:
    """Stream a whole (non-multipart) body into a temp file of `store`, refusing it (413) as
    soon as it passes `limit` bytes; on any failure the temp file is gone."""
    path = await run_in_threadpool(store.new_temp)
    size = 0
    try:
        handle = await run_in_threadpool(path.open, "wb")
        with handle:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(
                        f"the body is larger than the limit of {limit} bytes "
                        f"({limit_name}); split it on line breaks and send the parts"
                    )
                await run_in_threadpool(handle.write, chunk)
    except BaseException:
        await run_in_threadpool(store.discard, path)
        raise
    return path
