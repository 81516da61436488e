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
  goes to the server's stderr. A client that resets its connection is not an error:
  nothing is printed.

Load: the listen backlog holds :data:`LISTEN_BACKLOG` connections waiting to be accepted
(the standard library's default, 5, reset a burst of 20 browsers' connections), and at
most :data:`MAX_CONNECTIONS` are served at once, each by its own thread; more wait in
the backlog instead of being refused. Requests with a body over
:data:`LARGE_BODY_BYTES` are computed one at a time, so a few maximal requests cannot
add up to more memory than one.
"""

from __future__ import annotations

import socket
import sys
import threading
import traceback
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, cast

from .api import Response, error_response, handle, is_api
from .hosts import bad_host_message, host_name, is_loopback
from .pages import load_pages
from .responses_api import openai_error_shape

__all__ = [
    "LARGE_BODY_BYTES",
    "LISTEN_BACKLOG",
    "MAX_BODY_BYTES",
    "MAX_CONNECTIONS",
    "LocalServer",
    "is_loopback",
    "make_server",
]

MAX_BODY_BYTES = 8 * 1024 * 1024
"""The largest request body accepted (8 MiB); larger ones get 413 Payload Too Large."""

LISTEN_BACKLOG = 128
"""Connections the kernel queues until the server accepts them (the stdlib's default is 5)."""

MAX_CONNECTIONS = 64
"""Connections served at once (a thread each); further ones wait in the backlog."""

LARGE_BODY_BYTES = 1024 * 1024
"""Requests with a larger body are computed one at a time (their memory does not add up)."""

_DRAIN_BYTES = 64 * 1024 * 1024  # read and drop at most this much of an oversized body
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True, slots=True)
class Settings:
    max_body: int
    check_host: bool
    log: bool
    default_model: str | None = None  # for requests naming none; None: the built-in ones


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
        given = self.headers.get("Host")
        if self.settings.check_host and not is_loopback(host_name(given or "")):
            self._discard_body()
            port = int(cast("LocalServer", self.server).server_address[1])
            self._send_json(error_response(403, "bad_host", bad_host_message(given, port)))
            return
        if is_api(path):
            # Only POST and PUT bodies are read; any other method's body is drained (or
            # the connection closed), so it is never taken for the next request.
            body = self._read_body() if method in ("POST", "PUT") else self._discard_body()
            if body is None:
                return  # already answered (400 / 411 / 413 / 415)
            default = self.settings.default_model
            if len(body) > LARGE_BODY_BYTES:
                with cast("LocalServer", self.server).large_requests:
                    response = handle(method, self.path, body, default_model=default)
            else:
                response = handle(method, self.path, body, default_model=default)
            self._send_json(response, method)
            return
        if self._discard_body() is None:
            return
        found = self.static.get(path)
        if found is None:
            self._send_json(error_response(404, "not_found", f"no page {path}"), method)
            return
        if method not in ("GET", "HEAD"):
            message = f"{path} is a page: GET or HEAD it, not {method}"
            answer = error_response(405, "method_not_allowed", message)
            self._send_json(replace(answer, headers=(("Allow", "GET, HEAD"),)), method)
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

    def _discard_body(self) -> bytes | None:
        """Read and drop a body nobody asked for: b"", or None if already answered."""
        length = self._content_length()
        if length is None:
            return None
        if length > self.settings.max_body:
            self.close_connection = True  # not worth reading: answer, then hang up
        else:
            self._drain(length)
        return b""

    # ------------------------------------------------------------------------ answers

    def _send_json(self, response: Response, method: str = "GET") -> None:
        if self.path.startswith("/v1/"):  # OpenAI-compatible paths: OpenAI's error shape
            response = openai_error_shape(response)
        data = response.body.encode("utf-8")
        self._send(
            response.status,
            data,
            "application/json",
            method,
            cache="no-store",
            headers=response.headers,
        )

    def _send(
        self,
        status: int,
        data: bytes,
        ctype: str,
        method: str,
        *,
        cache: str,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
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
    """A ``ThreadingHTTPServer`` that knows its URL; stop it with ``shutdown()``.

    It serves at most :data:`MAX_CONNECTIONS` connections at once; the accept loop waits
    for a free slot, leaving further connections in the listen backlog.
    """

    daemon_threads = True
    block_on_close = False
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.large_requests = threading.Lock()
        self.stopping = threading.Event()
        self._open = 0
        self._count_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    @property
    def connections(self) -> int:
        """How many connections are being served right now."""
        return self._open

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), int(self.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="tokbudget-serve", daemon=True)
        thread.start()
        return thread

    def process_request(self, request: Any, client_address: Any) -> None:
        # Wait for a free slot, but never past shutdown() (which waits for this loop).
        while not self.slots.acquire(timeout=0.25):
            if self.stopping.is_set():
                self.shutdown_request(request)
                return
        with self._count_lock:
            self._open += 1
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        try:
            thread.start()
        except BaseException:
            # Ctrl-C can land while start() waits for the new thread, which then runs and
            # frees its slot itself; free it here only if no thread was started.
            if thread.ident is None:
                self._done()
                self.shutdown_request(request)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._done()

    def _done(self) -> None:
        with self._count_lock:
            self._open -= 1
        self.slots.release()

    def shutdown(self) -> None:
        self.stopping.set()
        super().shutdown()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that resets or drops its connection (a closed tab, a cancelled fetch)
        # is routine for a server: no traceback for it. Anything else is still printed.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


def make_server(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    max_body: int = MAX_BODY_BYTES,
    log: bool = False,
    default_model: str | None = None,
) -> LocalServer:
    """Bind a server (``port=0`` picks a free port); call ``serve_forever()`` to run it.

    ``default_model`` answers the requests that name no model (and is the page's first
    pick); None keeps the built-in defaults. Raises ``OSError`` if the address cannot be
    bound (port in use, unknown host).
    """
    settings = Settings(
        max_body=max_body, check_host=is_loopback(host), log=log, default_model=default_model
    )
    handler = type("Handler", (_Handler,), {"settings": settings, "static": load_pages()})
    server_class: type[LocalServer] = LocalServer
    if ":" in host:  # an IPv6 address such as ::1
        server_class = type("LocalServer6", (LocalServer,), {"address_family": socket.AF_INET6})
    return server_class((host, port), handler)
