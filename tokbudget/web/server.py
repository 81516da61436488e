"""The HTTP server of ``tokbudget serve``: the standard library's ``ThreadingHTTPServer``.

Why the standard library and not Starlette/uvicorn: the server answers a handful of JSON
requests and a few static files on the user's own machine, one user at a time. The
standard library does that with no extra dependency, and the few things a framework would
add here (size limit, host check, JSON errors, security headers) are a few lines each and
are tested; an optional ``tokbudget[web]`` extra would only make ``serve`` fail on
installs without it.

Safety:

* It listens on loopback (127.0.0.1) unless told otherwise; on loopback it also refuses
  requests whose ``Host`` header is not a loopback name, so a web page in the browser
  cannot reach it through DNS rebinding.
* Request bodies over :data:`MAX_BODY_BYTES` get 413 (read and discarded up to a bound,
  then the connection is closed) and the server keeps serving; a body without
  ``Content-Length`` gets 411; API requests must be ``application/json`` (415 otherwise),
  which a cross-site form cannot send.
* Every answer carries a strict Content-Security-Policy (scripts and styles only from
  this server, no inline script), so even a rendering bug could not run injected
  script; the page itself renders token text only with ``textContent``.
* Any unexpected error answers 500 with a JSON message and no details; the traceback
  goes to the server's stderr.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import traceback
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, ClassVar

from .api import Response, error_response, handle
from .responses_api import openai_error_shape

__all__ = ["MAX_BODY_BYTES", "LocalServer", "is_loopback", "make_server"]

MAX_BODY_BYTES = 8 * 1024 * 1024
"""The largest request body accepted (8 MiB); larger ones get 413 Payload Too Large."""

_DRAIN_BYTES = 64 * 1024 * 1024  # read and drop at most this much of an oversized body
_STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_LOOPBACK_NAMES = ("localhost", "localhost.")


def is_loopback(host: str) -> bool:
    """True for names and addresses that reach only this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_name(header: str) -> str:
    """The host part of a ``Host`` header (``[::1]:8000`` -> ``::1``)."""
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _load_static() -> dict[str, tuple[bytes, str]]:
    folder = resources.files("tokbudget.web") / "static"
    files: dict[str, tuple[bytes, str]] = {}
    for item in folder.iterdir():
        suffix = "." + item.name.rsplit(".", 1)[-1]
        if item.is_file() and suffix in _STATIC_TYPES:
            files["/" + item.name] = (item.read_bytes(), _STATIC_TYPES[suffix])
    files["/"] = files["/index.html"]
    return files


@dataclass(frozen=True, slots=True)
class Settings:
    max_body: int
    check_host: bool
    log: bool


class _Handler(BaseHTTPRequestHandler):
    server_version = "tokbudget"
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds a connection may sit idle or trickle a request
    settings: ClassVar[Settings]
    static: ClassVar[dict[str, tuple[bytes, str]]]

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm holds the
        # body back until the client's delayed ACK (~40 ms on Linux) on every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # ------------------------------------------------------------------------ dispatch

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        try:
            self._route(method)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away; nothing to answer
        except Exception:
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            self._send_json(error_response(500, "internal", "internal error; see the server log"))

    def _route(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        if self.settings.check_host and not is_loopback(_host_name(self.headers.get("Host", ""))):
            self._discard_body()
            self._send_json(
                error_response(
                    403,
                    "bad_host",
                    "this server answers only requests addressed to localhost / 127.0.0.1; "
                    "start it with --host to serve other names",
                )
            )
            return
        if path.startswith(("/api/", "/v1/")):
            body = self._read_body() if method in ("POST", "PUT") else b""
            if body is None:
                return  # already answered (411 / 413 / 415)
            self._send_json(handle(method, self.path, body), method)
            return
        self._discard_body()
        found = self.static.get(path)
        if found is None or method not in ("GET", "HEAD"):
            status = 404 if found is None else 405
            self._send_json(error_response(status, "not_found", f"no page {path}"), method)
            return
        data, ctype = found
        self._send(200, data, ctype, method, cache="no-cache")

    # ------------------------------------------------------------------------ bodies

    def _content_length(self) -> int | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            self._send_json(
                error_response(411, "length_required", "send a Content-Length, not chunked")
            )
            return None
        raw = self.headers.get("Content-Length")
        if raw is None:
            return 0
        try:
            length = int(raw)
            if length < 0:
                raise ValueError(raw)
        except ValueError:
            self.close_connection = True
            self._send_json(error_response(400, "bad_request", f"bad Content-Length {raw!r}"))
            return None
        return length

    def _read_body(self) -> bytes | None:
        length = self._content_length()
        if length is None:
            return None
        limit = self.settings.max_body
        if length > limit:
            # Read (a bounded amount of) what the client sends so it sees the answer
            # rather than a reset connection, then close the connection.
            self._drain(min(length, _DRAIN_BYTES))
            self.close_connection = True
            self._send_json(
                error_response(
                    413,
                    "too_large",
                    f"request body is {length:,} bytes; the limit is {limit:,} bytes",
                )
            )
            return None
        body = self.rfile.read(length) if length else b""
        ctype = self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if ctype != "application/json":
            self._send_json(
                error_response(
                    415,
                    "unsupported_media_type",
                    f"send the body as Content-Type: application/json, not {ctype or 'nothing'}",
                )
            )
            return None
        return body

    def _drain(self, length: int) -> None:
        while length > 0:
            got = self.rfile.read(min(length, 1 << 16))
            if not got:
                return
            length -= len(got)

    def _discard_body(self) -> None:
        length = self._content_length()
        if length:
            if length > self.settings.max_body:
                self.close_connection = True
            else:
                self._drain(length)

    # ------------------------------------------------------------------------ answers

    def _send_json(self, response: Response, method: str = "GET") -> None:
        if self.path.startswith("/v1/"):  # OpenAI-compatible paths: OpenAI's error shape
            response = openai_error_shape(response)
        data = response.body.encode("utf-8")
        self._send(response.status, data, "application/json", method, cache="no-store")

    def _send(self, status: int, data: bytes, ctype: str, method: str, *, cache: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", cache)
        self.send_header("Content-Security-Policy", _CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # http.server's own errors (malformed request line, over-long header): JSON too.
        self.close_connection = True
        text = message or HTTPStatus(code).phrase
        self._send_json(error_response(code, "bad_http", text))

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        if self.settings.log:
            super().log_message(format, *args)


class LocalServer(ThreadingHTTPServer):
    """A ``ThreadingHTTPServer`` that knows its URL; stop it with ``shutdown()``."""

    daemon_threads = True
    block_on_close = False

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), int(self.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="tokbudget-serve", daemon=True)
        thread.start()
        return thread


def make_server(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    max_body: int = MAX_BODY_BYTES,
    log: bool = False,
) -> LocalServer:
    """Bind a server (``port=0`` picks a free port); call ``serve_forever()`` to run it.

    Raises ``OSError`` if the address cannot be bound (port in use, unknown host).
    """
    settings = Settings(max_body=max_body, check_host=is_loopback(host), log=log)
    handler = type("Handler", (_Handler,), {"settings": settings, "static": _load_static()})
    server_class: type[LocalServer] = LocalServer
    if ":" in host:  # an IPv6 address such as ::1
        server_class = type("LocalServer6", (LocalServer,), {"address_family": socket.AF_INET6})
    return server_class((host, port), handler)
