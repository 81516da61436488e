"""A tokbudget server running in a thread, and a small HTTP client for tests."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tokbudget.web import LocalServer, make_server


def address(server: LocalServer) -> tuple[str, int]:
    """The server's (host, port), typed for ``socket.create_connection``."""
    host, port = server.server_address[:2]
    return str(host), int(port)


@contextmanager
def serve_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``tokbudget serve --port 0`` in a subprocess: the process and its URL; killed after."""
    with subprocess.Popen(
        [sys.executable, "-m", "tokbudget", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # SIGABRT dumps every thread
    ) as proc:
        try:
            assert proc.stderr is not None
            line = proc.stderr.readline()
            match = re.search(r"serving on (http://127\.0\.0\.1:\d+/)", line)
            assert match, line
            yield proc, match[1]
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@contextmanager
def running_server(**kwargs: Any) -> Iterator[LocalServer]:
    server = make_server("127.0.0.1", 0, **kwargs)
    thread = server.serve_in_thread()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """One keep-alive connection; reconnects if the server closed it."""

    def __init__(self, server: LocalServer) -> None:
        self.host, self.port = server.server_address[:2]
        self.conn = http.client.HTTPConnection(str(self.host), int(self.port), timeout=30)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        self.conn.request(method, path, body=body, headers=headers or {})
        resp = self.conn.getresponse()
        reply = Reply(resp.status, resp.headers, resp.read())
        if resp.will_close:
            self.conn.close()
        return reply

    def post(self, path: str, doc: Any) -> Reply:
        body = json.dumps(doc).encode()
        return self.request("POST", path, body, {"Content-Type": "application/json"})

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def close(self) -> None:
        self.conn.close()


def assert_clean_error(reply: object, status: int, code: str, *needles: str) -> dict[str, Any]:
    assert isinstance(reply, Reply)
    assert reply.status == status, reply.body
    assert reply.headers["Content-Type"] == "application/json"
    error = reply.json()["error"]
    assert error["code"] == code
    for needle in needles:
        assert needle in error["message"], error["message"]
    assert "Traceback" not in reply.body.decode() and 'File "' not in reply.body.decode()
    return dict(error)
