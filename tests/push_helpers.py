"""A real webhook receiver (an HTTP server in a thread) and helpers to run queued jobs."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fastapi.testclient import TestClient


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    # Status codes to answer, in order; 200 once they run out.
    answers: list[int] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    # When set, the first request is held open (no answer) until `release` is set.
    hold_first: bool = False
    release: threading.Event = field(default_factory=threading.Event)

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.requests]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.requests) >= count, timeout=timeout)
        assert len(self.requests) >= count, f"{len(self.requests)} of {count} requests arrived"
        return list(self.requests)


@contextmanager
def receiver() -> Iterator[Receiver]:
    box: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            got = box["r"]
            with got.arrived:
                got.requests.append(Received(dict(self.headers.items()), body))
                status = got.answers.pop(0) if got.answers else 200
                hold = got.hold_first and len(got.requests) == 1
                got.arrived.notify_all()
            if hold:
                got.release.wait(60)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box["r"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box["r"]
    finally:
        box["r"].release.set()
        server.shutdown()
        server.server_close()


def run_jobs(client: TestClient) -> int:
    """Run every due background job now, in this thread (the app's runner is not started in
    API tests)."""
    return client.app.state.jobs.run_until_idle()  # type: ignore[attr-defined]


@dataclass
class Mailbox:
    """What a real SMTP server (aiosmtpd) received."""

    port: int
    messages: list[Any] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Any]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} emails arrived"
        return list(self.messages)


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    from tests.e2e.server import free_port

    box = Mailbox(port=free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message = message_from_bytes(envelope.content, policy=policy.default)
            with box.arrived:
                box.messages.append(message)
                box.arrived.notify_all()
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
