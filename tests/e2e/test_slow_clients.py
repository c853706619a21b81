"""Slow and greedy clients against a real server: the header deadline and the concurrency
limit, with raw sockets (an HTTP library would send its headers at once)."""

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.server import Server
from tests.factories import ADMIN_TOKEN


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp_path = tmp_path_factory.mktemp("slow-clients")
    env = {"HINDSIGHT_HEADER_TIMEOUT_SECONDS": "1.5", "HINDSIGHT_MAX_CONCURRENCY": "1"}
    running = Server(f"sqlite:///{tmp_path}/slow.db", tmp_path, extra_env=env).start("--migrate")
    yield running
    running.kill()


def _connect(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def _read_all(sock: socket.socket) -> bytes:
    out = b""
    while chunk := sock.recv(65536):
        out += chunk
    return out


def test_headers_sent_a_byte_at_a_time_are_cut_off_with_408(strict_server: Server) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"y" * 100
    with _connect(strict_server) as sock:
        started = time.monotonic()
        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            for byte in request:  # 100 bytes at 10 a second: 10 s, were it let through
                sock.sendall(bytes([byte]))
                time.sleep(0.1)
        answer = _read_all(sock)
        elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]["code"] == "request_timeout"
    assert 1.4 < elapsed < 4


def test_a_silent_connection_is_closed(strict_server: Server) -> None:
    with _connect(strict_server) as sock:
        started = time.monotonic()
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 4


def test_a_prompt_client_keeps_its_connection_for_several_requests(strict_server: Server) -> None:
    with httpx.Client(base_url=strict_server.url) as http:
        for _ in range(3):
            assert http.get("/healthz").status_code == 200
            time.sleep(1)  # each idle gap is under the header deadline: no 408 between


def test_past_the_concurrency_limit_the_answer_is_503_and_healthz_stays_up(
    strict_server: Server,
) -> None:
    # One request holds the only slot: its headers are in, its body never comes.
    held = _connect(strict_server)
    held.sendall(
        b"POST /v1/teams HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\nAuthorization: Bearer " + ADMIN_TOKEN.encode() + b"\r\n\r\n{"
    )
    try:
        time.sleep(0.5)
        busy = httpx.get(f"{strict_server.url}/v1/teams", headers={"Authorization": "Bearer x"})
        assert busy.status_code == 503, busy.text
        assert busy.headers["Retry-After"] == "1"
        assert busy.json()["error"]["code"] == "service_unavailable"
        assert "HINDSIGHT_MAX_CONCURRENCY" in busy.json()["error"]["message"]
        assert httpx.get(f"{strict_server.url}/healthz").status_code == 200
    finally:
        held.close()
    time.sleep(0.3)
    free = httpx.get(f"{strict_server.url}/v1/teams", headers={"Authorization": "Bearer x"})
    assert free.status_code == 401
