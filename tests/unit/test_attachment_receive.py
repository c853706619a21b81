"""The multipart receiver: limits enforced while the body streams, nothing left on failure."""

import asyncio
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hindsight.service.attachments.receive import receive_file, safe_filename
from hindsight.service.attachments.store import BlobStore
from hindsight.service.errors import (
    BadRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)

TYPE = "multipart/form-data; boundary=zz"
HEAD = b'--zz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
TAIL = b"\r\n--zz--\r\n"


async def endless(counter: list[int]) -> AsyncIterator[bytes]:
    """A body that never ends: only a limit checked while streaming can stop it."""
    yield HEAD
    while True:
        counter[0] += 1
        yield b"x" * 65536


async def body_of(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def run(coro):
    return asyncio.run(coro)


def test_an_endless_upload_is_stopped_at_the_limit(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    counter = [0]
    with pytest.raises(PayloadTooLarge):
        run(receive_file(endless(counter), TYPE, store=store, limit=1024 * 1024))
    assert counter[0] == 17  # 16 chunks fill the limit; the 17th passes it
    assert list(store.tmp.iterdir()) == []


def test_a_file_streams_to_a_temp_file_with_its_hash(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    data = b"0123456789" * 10_000
    chunks = [HEAD, *(data[i : i + 1000] for i in range(0, len(data), 1000)), TAIL]
    staged = run(receive_file(body_of(*chunks), TYPE, store=store, limit=len(data)))
    assert staged.path.read_bytes() == data
    assert staged.size == len(data)
    assert staged.sha256 == hashlib.sha256(data).hexdigest()
    assert staged.head == data[:8192]
    assert staged.filename == "a.txt"


def test_a_body_cut_short_leaves_nothing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    with pytest.raises(BadRequest):
        run(receive_file(body_of(HEAD, b"abc"), TYPE, store=store, limit=1000))
    assert list(store.tmp.iterdir()) == []


def test_a_disconnect_mid_upload_leaves_nothing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)

    async def dropped() -> AsyncIterator[bytes]:
        yield HEAD + b"partial"
        raise ConnectionResetError

    with pytest.raises(ConnectionResetError):
        run(receive_file(dropped(), TYPE, store=store, limit=1000))
    assert list(store.tmp.iterdir()) == []


def test_wrong_content_types_and_missing_fields(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    with pytest.raises(UnsupportedMediaType):
        run(receive_file(body_of(b"{}"), "application/json", store=store, limit=10))
    with pytest.raises(BadRequest):
        run(receive_file(body_of(b""), "multipart/form-data", store=store, limit=10))
    other = b'--zz\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi' + TAIL
    with pytest.raises(ValidationFailed):
        run(receive_file(body_of(other), TYPE, store=store, limit=10))
    twice = HEAD + b"a\r\n" + HEAD + b"b" + TAIL
    with pytest.raises(BadRequest):
        run(receive_file(body_of(twice), TYPE, store=store, limit=100))


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("C:\\Users\\me\\plan.docx", "plan.docx"),
        ("../../x\u202egnp.exe", "xgnp.exe"),  # the right-to-left override is a format char
        ("", "attachment"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_safe_filename(raw: str, safe: str) -> None:
    assert safe_filename(raw) == safe
