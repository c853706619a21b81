"""uvicorn's h11 protocol with a deadline for the request headers.

uvicorn's own `timeout_keep_alive` only closes a connection that is silent between requests:
any byte cancels it, so a client that sends its headers one byte at a time (slowloris), or
connects and says nothing, holds a connection for ever. Here every request's headers must
arrive within `HINDSIGHT_HEADER_TIMEOUT_SECONDS` (30 s by default) of the connection opening
or the previous answer; otherwise the server answers 408 and closes.
"""

import asyncio
import functools
import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from hindsight.service.settings import Settings


@functools.cache
def header_timeout() -> float:
    """Read once per process: uvicorn builds one protocol object per connection."""
    return Settings().header_timeout_seconds


def _timeout_response(seconds: float) -> bytes:
    body = json.dumps(
        {
            "error": {
                "code": "request_timeout",
                "message": f"the request headers did not arrive within {seconds:g} seconds",
                "details": [],
            }
        }
    ).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class HeaderTimeoutProtocol(H11Protocol):
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # h11 leaves IDLE only once a request's headers are complete.
        if self.conn.their_state is not h11.IDLE:
            self._disarm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._header_timer = self.loop.call_later(header_timeout(), self._headers_too_slow)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        # Written raw: h11 sends no response before it has read a request.
        self.transport.write(_timeout_response(header_timeout()))
        self.transport.close()
