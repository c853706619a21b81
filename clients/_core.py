"""The client's core, without I/O: it builds each request as a `Call` and decodes answers.

`HindsightClient` and `AsyncHindsightClient` only send a `Call` and hand the answer back to
`Call.decode`, so both speak exactly the same API and raise exactly the same errors.
"""

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from hindsight.clients.errors import error_for

T = TypeVar("T")
Body = BaseModel | Mapping[str, Any]

# Retries after a transport error are safe only where a repeat cannot act twice: reads, and
# creates carrying an Idempotency-Key (the server replays its first answer).
RETRY_METHODS = frozenset({"GET", "HEAD", "DELETE"})


def as_json(body: Body | None) -> Any:
    """A request body as JSON-ready data; a model sends only the fields that were set."""
    if body is None:
        return None
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json", exclude_unset=True)
    return dict(body)


def drop_none(params: Mapping[str, Any]) -> dict[str, Any]:
    """Query parameters without the ones left unset."""
    return {key: value for key, value in params.items() if value is not None}


def decode_error(response: httpx.Response) -> None:
    """Raise the documented exception for an error answer; return for a success."""
    if response.is_success:
        return
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    raise error_for(response.status_code, body, response.headers.get("x-request-id"))


def model_decoder(kind: type[T]) -> Callable[[httpx.Response], T]:
    adapter: TypeAdapter[T] = TypeAdapter(kind)

    def decode(response: httpx.Response) -> T:
        decode_error(response)
        return adapter.validate_json(response.content)

    return decode


def no_content(response: httpx.Response) -> None:
    decode_error(response)


def raw_bytes(response: httpx.Response) -> bytes:
    decode_error(response)
    return response.content


def raw_text(response: httpx.Response) -> str:
    decode_error(response)
    return response.text


def json_lines(lines: Iterable[str]) -> Iterable[dict[str, Any]]:
    """Decode a JSON-lines stream line by line (blank lines are skipped)."""
    for line in lines:
        if line.strip():
            yield json.loads(line)


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request, ready to send, and how to read its answer."""

    method: str
    path: str
    decode: Callable[[httpx.Response], T]
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    repeatable: bool = False  # sending it twice does what sending it once does

    @property
    def retry_safe(self) -> bool:
        return self.repeatable or self.method in RETRY_METHODS or "Idempotency-Key" in self.headers

    def request_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {"params": self.params, "headers": self.headers}
        if self.json is not None:
            args["json"] = self.json
        if self.content is not None:
            args["content"] = self.content
        if self.files is not None:
            args["files"] = self.files
        return args


class Core:
    """Builds calls for a token; subclasses add only the sending."""

    def __init__(self, token: str | None) -> None:
        self._token = token

    def headers(self, *, version: int | None = None, idempotent: bool = False) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        if idempotent:
            # One key per logical create, reused by every retry of it.
            headers["Idempotency-Key"] = uuid.uuid4().hex
        return headers

    def get(self, path: str, kind: type[T], **params: Any) -> Call[T]:
        return Call("GET", path, model_decoder(kind), drop_none(params), headers=self.headers())

    def create(self, path: str, kind: type[T], body: Body | list[Any] | None) -> Call[T]:
        payload = [as_json(item) for item in body] if isinstance(body, list) else as_json(body)
        headers = self.headers(idempotent=True)
        return Call("POST", path, model_decoder(kind), json=payload, headers=headers)

    def update(self, path: str, kind: type[T], body: Body, version: int) -> Call[T]:
        headers = self.headers(version=version)
        return Call("PATCH", path, model_decoder(kind), json=as_json(body), headers=headers)

    def transition(self, path: str, kind: type[T], body: Body, version: int) -> Call[T]:
        headers = self.headers(version=version)
        return Call("POST", path, model_decoder(kind), json=as_json(body), headers=headers)

    def delete(self, path: str, version: int | None = None) -> Call[None]:
        return Call("DELETE", path, no_content, headers=self.headers(version=version))

    def download(self, path: str, **params: Any) -> Call[bytes]:
        headers = self.headers() | {"Accept": "*/*"}
        return Call("GET", path, raw_bytes, drop_none(params), headers=headers)

    def text(self, path: str, **params: Any) -> Call[str]:
        headers = self.headers() | {"Accept": "*/*"}
        return Call("GET", path, raw_text, drop_none(params), headers=headers)
