"""The HTTP layer of `tokbudget serve` under load and misuse: many clients at once, bodies
nobody asked for, pipelined requests, huge numbers, clients that reset, wrong Host names.
"""

from __future__ import annotations

import http.client
import json
import socket
import struct
import threading
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokbudget.web import LocalServer
from tokbudget.web import api as web_api
from tokbudget.web.api import handle
from tokbudget.web.server import LISTEN_BACKLOG, MAX_CONNECTIONS

from .web_support import Client, address, assert_clean_error, running_server

JSON = {"Content-Type": "application/json"}


def read_reply(stream: Any) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 answer from a socket's file: status, headers (lower-case), body."""
    status = int(stream.readline().split()[1])
    headers = {}
    while (line := stream.readline().decode()) not in ("\r\n", ""):
        name, value = line.split(":", 1)
        headers[name.strip().lower()] = value.strip()
    return status, headers, stream.read(int(headers["content-length"]))


def exchange(
    server: LocalServer, raw: bytes, answers: int
) -> list[tuple[int, dict[str, str], bytes]]:
    """Send ``raw`` (one or more pipelined requests) on one connection; read ``answers``."""
    with socket.create_connection(address(server), timeout=30) as sock:
        sock.sendall(raw)
        stream = sock.makefile("rb")
        return [read_reply(stream) for _ in range(answers)]


# ---------------------------------------------------------------------------- load (item 14)


def test_50_concurrent_clients_are_all_answered() -> None:
    # The standard library's backlog of 5 reset 25-35 of 50 simultaneous connections.
    assert LISTEN_BACKLOG >= 50 and MAX_CONNECTIONS >= 50
    clients = 50
    body = json.dumps({"text": "hello world " * 50}).encode()
    with running_server() as srv:
        host, port = srv.server_address[:2]
        start = threading.Barrier(clients)
        statuses: list[int] = []
        errors: list[str] = []

        def one_client() -> None:
            start.wait(timeout=60)  # all connect at once
            try:
                conn = http.client.HTTPConnection(str(host), int(port), timeout=60)
                for _ in range(3):  # and keep their connection for a few requests
                    conn.request("POST", "/api/tokenize", body, JSON)
                    reply = conn.getresponse()
                    reply.read()
                    statuses.append(reply.status)
                conn.close()
            except Exception as exc:  # a reset connection, a timeout: all are failures
                errors.append(repr(exc))

        threads = [threading.Thread(target=one_client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert errors == []
    assert statuses == [200] * (3 * clients)


def test_connections_over_the_cap_wait_instead_of_failing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With 2 slots taken by two keep-alive clients, 4 more clients wait in the backlog and
    # are all answered once the slots are free.
    monkeypatch.setattr("tokbudget.web.server.MAX_CONNECTIONS", 2)
    with running_server() as srv:
        host, port = srv.server_address[:2]
        held = [Client(srv) for _ in range(2)]
        for c in held:
            assert c.post("/api/tokenize", {"text": "a"}).status == 200
        assert srv.connections == 2
        done: list[int] = []

        def one_client() -> None:
            conn = http.client.HTTPConnection(str(host), int(port), timeout=60)
            conn.request("POST", "/api/tokenize", b'{"text": "b"}', JSON | {"Connection": "close"})
            done.append(conn.getresponse().status)
            conn.close()

        waiting = [threading.Thread(target=one_client) for _ in range(4)]
        for thread in waiting:
            thread.start()
        for c in held:  # free the slots
            c.close()
        for thread in waiting:
            thread.join(60)
        assert done == [200] * 4


# ---------------------------------------------------------------------------- item 16


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/models"), ("GET", "/api/tokenize"), ("DELETE", "/api/check"), ("GET", "/")],
)
def test_a_body_nobody_reads_is_drained(server: LocalServer, method: str, path: str) -> None:
    # Before, "hello" stayed in the stream and the next request was read as "helloGET".
    raw = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello"
        "GET /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    ).encode()
    first, second = exchange(server, raw, 2)
    assert first[0] in (200, 405)
    assert second[0] == 200 and json.loads(second[2])["default"] == "gpt-4o"


def test_an_oversized_unread_body_closes_the_connection() -> None:
    with running_server(max_body=100) as srv:
        raw = b"GET /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n"
        [(status, headers, _)] = exchange(srv, raw, 1)
        assert status == 200 and headers["connection"] == "close"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/", "GET, HEAD"),
        ("PUT", "/app.js", "GET, HEAD"),
        ("GET", "/api/tokenize", "POST"),
        ("POST", "/api/models", "GET, HEAD"),
    ],
)
def test_405_is_method_not_allowed(client: Client, method: str, path: str, allow: str) -> None:
    reply = client.request(method, path, b"{}", JSON)
    assert_clean_error(reply, 405, "method_not_allowed", method)
    assert reply.headers["Allow"] == allow


_NUMERIC = [
    ("/api/check", "max_output_tokens", {"text": "hi"}),
    ("/api/check", "reserve", {"text": "hi"}),
    ("/api/split", "max_tokens", {"text": "hi"}),
    ("/api/split", "overlap", {"text": "hi"}),
    ("/api/check", "max_tokens", {"request": {"messages": [{"role": "user", "content": "hi"}]}}),
    ("/api/check", "max_completion_tokens", {"request": {"messages": []}}),
    ("/api/chat", "seed", {"request": {"messages": []}}),
    ("/api/tokenize", "text", {}),
]


@given(
    where=st.sampled_from(_NUMERIC),
    digits=st.integers(1, 6000),
    sign=st.sampled_from(["", "-"]),
)
def test_huge_integers_are_a_400_never_a_500(
    where: tuple[str, str, dict[str, Any]], digits: int, sign: str
) -> None:
    # 4,000-5,000 digit numbers gave 500 (a float overflow, or Python's 4,300-digit limit).
    path, field, rest = where
    number = sign + "9" * digits
    if "request" in rest:  # inside the request body, as a client would send it
        body = json.dumps(rest)[:-2] + f', "{field}": {number}}}}}'
    else:
        body = (
            f'{{"{field}": {number}, ' + json.dumps(rest)[1:]
            if rest
            else f'{{"{field}": {number}}}'
        )
    reply = handle("POST", path, body.encode())
    assert reply.status in (200, 400), reply.body[:300]


def test_huge_integer_over_http(client: Client) -> None:
    body = b'{"text": "hi", "max_tokens": ' + b"9" * 4500 + b"}"
    reply = client.request("POST", "/api/split", body, JSON)
    assert_clean_error(reply, 400, "bad_json", "4,300 digits")
    body = b'{"text": "hi", "max_tokens": ' + b"9" * 4000 + b"}"
    reply = client.request("POST", "/api/split", body, JSON)
    assert_clean_error(reply, 400, "bad_setting", "max_tokens", "4,000 digits")


@pytest.mark.parametrize("when", ["idle", "mid-headers", "mid-body"])
def test_a_client_that_resets_prints_no_traceback(
    capsys: pytest.CaptureFixture[str], when: str
) -> None:
    with running_server() as srv:
        sock = socket.create_connection(address(srv), timeout=30)
        sock.sendall(b"GET /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert read_reply(sock.makefile("rb"))[0] == 200
        if when == "mid-headers":
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        elif when == "mid-body":
            sock.sendall(
                b"POST /api/tokenize HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
            )
        # SO_LINGER 0: close() sends a reset instead of a FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        while srv.connections:  # the handler has seen the reset and finished
            threading.Event().wait(0.01)
        again = Client(srv)
        assert again.get("/api/models").status == 200  # still serving
        again.close()
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Exception" not in err, err


def test_403_names_every_accepted_host(client: Client, server: LocalServer) -> None:
    port = server.server_address[1]
    reply = client.request("GET", "/", headers={"Host": "attacker.example:8000"})
    message = assert_clean_error(reply, 403, "bad_host", "attacker.example:8000")["message"]
    named = [f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"]
    for host in named:
        assert host in message
    # Every form the message names is accepted, with and without the port.
    for host in [*named, "localhost", "127.0.0.1", "[::1]", "localhost.", "127.0.0.2"]:
        assert client.request("GET", "/api/models", headers={"Host": host}).status == 200, host


def test_one_line_in_routes_adds_an_endpoint_under_any_path(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /v1/responses/input_tokens will be such a line: served like /api/..., not as a page.
    def echo(body: bytes) -> web_api.Response:
        return web_api.Response.of({"got": json.loads(body)})

    table = web_api.routes() | {"/v1/echo": {"POST": echo}}
    monkeypatch.setattr(web_api, "routes", lambda: table)
    assert client.post("/v1/echo", {"a": 1}).json() == {"got": {"a": 1}}
    assert_clean_error(client.get("/v1/echo"), 405, "method_not_allowed", "POST")
    reply = client.request("POST", "/v1/echo", b"{}", {"Content-Type": "text/plain"})
    assert_clean_error(reply, 415, "unsupported_media_type")
    assert_clean_error(client.get("/v1/other"), 404, "not_found")  # a page that is not there


def test_ctrl_c_while_a_connection_thread_starts_stops_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ctrl-C (KeyboardInterrupt) can arrive while Thread.start() waits for the new thread.
    # It used to free the connection's slot twice: "Semaphore released too many times"
    # replaced the KeyboardInterrupt, socketserver printed it and went on serving.
    server = LocalServer(("127.0.0.1", 0), lambda *a: None)
    started = threading.Event()
    real_start = threading.Thread.start

    def start_then_interrupt(self: threading.Thread) -> None:
        real_start(self)
        started.set()
        raise KeyboardInterrupt

    monkeypatch.setattr(server, "process_request_thread", lambda *a: server._done())
    monkeypatch.setattr(threading.Thread, "start", start_then_interrupt)
    with socket.socket() as sock, pytest.raises(KeyboardInterrupt):
        server.process_request(sock, ("127.0.0.1", 1))
    monkeypatch.undo()
    assert started.wait(5)
    for _ in range(100):  # the started thread frees the slot once, and only once
        if server.connections == 0:
            break
        threading.Event().wait(0.01)
    assert server.connections == 0
    assert all(server.slots.acquire(blocking=False) for _ in range(MAX_CONNECTIONS))
    server.server_close()


def test_a_thread_that_cannot_start_frees_its_slot(monkeypatch: pytest.MonkeyPatch) -> None:
    server = LocalServer(("127.0.0.1", 0), lambda *a: None)

    def cannot_start(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", cannot_start)
    with socket.socket() as sock, pytest.raises(RuntimeError):
        server.process_request(sock, ("127.0.0.1", 1))
    monkeypatch.undo()
    assert server.connections == 0
    assert all(server.slots.acquire(blocking=False) for _ in range(MAX_CONNECTIONS))
    server.server_close()
