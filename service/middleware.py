"""ASGI middleware: request ids, access log, the last-resort 500, the body-size ceiling, the
security headers of every answer and the concurrency limit."""

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("hindsight.http")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Media types of JSON-lines bodies (the registered one has none; these are the usual names).
JSON_LINES = frozenset({b"application/x-ndjson", b"application/jsonl", b"application/x-jsonlines"})


class RequestContextMiddleware:
    """Give every request an id, log one line for it, and turn a crash into a clean 500.

    The log line names method, path and status only: headers (and so tokens) are never
    logged. The traceback goes to the log with the request id; the client sees only the id.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = {"code": 500, "started": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"], status["started"] = message["status"], True
                headers = list(message.get("headers") or [])
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception(
                "unhandled error in %s %s [%s]", scope["method"], scope["path"], request_id
            )
            if not status["started"]:
                await _send_internal_error(send_with_id, request_id)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.info(
                "%s %s %s %.1fms [%s]",
                scope["method"],
                scope["path"],
                status["code"],
                elapsed_ms,
                request_id,
            )


async def _send_internal_error(send: Send, request_id: str) -> None:
    body = {
        "error": {
            "code": "internal_error",
            "message": f"something went wrong on our side; quote request id {request_id}",
            "details": [{"request_id": request_id}],
        }
    }
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class BodySizeLimitMiddleware:
    """Refuse bodies over the ceiling while they stream in, never after reading them whole.

    Multipart uploads get `upload_limit`, JSON-lines bodies (bulk imports) `import_limit`,
    every other body `json_limit`.
    """

    def __init__(
        self, app: ASGIApp, *, json_limit: int, upload_limit: int, import_limit: int
    ) -> None:
        self.app = app
        self.json_limit = json_limit
        self.upload_limit = upload_limit
        self.import_limit = import_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if content_type.startswith(b"multipart/"):
            # Multipart framing adds a little; allow for it so a file of exactly the limit fits.
            limit = self.upload_limit + 64 * 1024
        elif content_type in JSON_LINES:
            limit = self.import_limit
        else:
            limit = self.json_limit
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_too_large(send, limit)
            return

        received = 0
        has_body = (declared not in (None, b"0")) or b"chunked" in headers.get(
            b"transfer-encoding", b""
        )
        body_done = not has_body

        async def counting_receive() -> Message:
            nonlocal received, body_done
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if received > limit:
                    raise HTTPException(413, _too_large_message(limit))
            return message

        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not body_done:
                # Answered before the body was read (a 413 mid-upload, a 404 for a hidden
                # asset): close the connection, or the server would go on reading, and
                # discarding, whatever the client still sends.
                headers = [*message.get("headers", []), (b"connection", b"close")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, counting_receive, closing_send)


def _too_large_message(limit: int) -> str:
    return f"the request body is larger than the limit of {limit} bytes; send less"


async def _send_error(
    send: Send, status: int, code: str, message: str, extra: list[tuple[bytes, bytes]]
) -> None:
    """An answer in the error shape, sent before the app has run (no handler to ask)."""
    body: dict[str, Any] = {"error": {"code": code, "message": message, "details": []}}
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def _send_too_large(send: Send, limit: int) -> None:
    message = _too_large_message(limit)
    await _send_error(send, 413, "payload_too_large", message, [(b"connection", b"close")])


# Ready for server-rendered pages that load their own CSS and JS from /static, and nothing
# from anywhere else; no page may be framed (clickjacking).
PAGE_POLICY = (
    b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    b"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
# Swagger UI and ReDoc run an inline bootstrap script, inline styles and (ReDoc) a blob:
# worker; their bundles are served by the app itself (fastapi-offline): this looser policy is
# for those two pages only, and still names no other origin.
DOCS_POLICY = (
    b"default-src 'self'; img-src 'self' data:; "
    b"style-src 'self' 'unsafe-inline'; "
    b"script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; "
    b"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeadersMiddleware:
    """Headers every answer carries, unless the route chose its own (a download's CSP).

    `nosniff` always; the page policy, or the docs' looser one on /docs and /redoc; and
    `Cache-Control: no-store` on JSON answered to a request with credentials, so no cache
    (a proxy's, the browser's disk) keeps what only that caller may read.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        policy = DOCS_POLICY if path.startswith(DOCS_PATHS) else PAGE_POLICY
        credentialed = any(name == b"authorization" for name, _ in scope.get("headers") or [])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                added = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"content-security-policy", policy),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if credentialed and content_type.startswith(b"application/json"):
                    added.append((b"cache-control", b"no-store"))
                headers += [(name, value) for name, value in added if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ConcurrencyLimitMiddleware:
    """Serve at most `limit` requests at once; one more is answered 503 at once.

    Past the limit, requests would only queue for the thread pool and the database while
    their clients time out; a quick 503 with `Retry-After` lets a load balancer or client
    go elsewhere. `/healthz` is exempt, so a busy server is not taken for a dead one.
    """

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        # One event loop per process runs this: a plain counter needs no lock.
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            await _send_busy(send, self.limit)
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1


async def _send_busy(send: Send, limit: int) -> None:
    message = (
        f"the server is serving its limit of {limit} requests at once "
        "(HINDSIGHT_MAX_CONCURRENCY); retry in a moment"
    )
    await _send_error(send, 503, "service_unavailable", message, [(b"retry-after", b"1")])
