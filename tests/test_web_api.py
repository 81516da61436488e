"""The JSON API of `tokbudget serve`, over real HTTP: every endpoint, every error path."""

from __future__ import annotations

import itertools
import json
import re
import socket
import statistics
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import tokbudget
import tokbudget.web
from tokbudget.pricing import decimal_str
from tokbudget.web import MAX_BODY_BYTES, LocalServer
from tokbudget.web import api as web_api
from tokbudget.web.server import is_loopback

from .conftest import raw_encoding, real_texts
from .strategies import tricky_text
from .web_support import Client, address, assert_clean_error, running_server

# ---------------------------------------------------------------------------- models


def test_models_lists_the_registry(client: Client) -> None:
    reply = client.get("/api/models")
    assert reply.status == 200
    doc = reply.json()
    assert doc["default"] == "gpt-4o"
    names = [m["name"] for m in doc["models"]]
    assert names == [m.name for m in tokbudget.list_models()]
    gpt5 = next(m for m in doc["models"] if m["name"] == "gpt-5")
    assert (gpt5["context_window"], gpt5["max_input_tokens"], gpt5["max_output_tokens"]) == (
        400_000,
        272_000,
        128_000,
    )
    assert gpt5["price"]["input"] == "1.25" and isinstance(gpt5["price"]["output"], str)
    assert gpt5["shutdown_date"] == "2026-12-11"
    emb = next(m for m in doc["models"] if m["name"] == "text-embedding-3-small")
    assert emb["price"]["output"] is None
    # One shape per value (issue 11): /api/models and `models --json` agree.
    assert gpt5 == tokbudget.get_model("gpt-5").to_dict()
    assert {"cl100k_base", "o200k_base"} <= set(doc["encodings"])


# ---------------------------------------------------------------------------- tokenize


def spans_from(doc: dict[str, object]) -> list[tuple[int, int, int, bool]]:
    tokens = doc["tokens"]
    assert isinstance(tokens, list)
    return [(t["id"], t["start"], t["end"], bool(t.get("partial"))) for t in tokens]


def assert_tiles(text: str, spans: list[tuple[int, int, int, bool]], units: str) -> None:
    """First starts at 0, last ends at the end, no gaps; overlaps only when both tokens
    split the one character they share."""
    js = text.encode("utf-16-le", "surrogatepass")

    def piece(start: int, end: int) -> str:
        if units == "utf16":
            return js[2 * start : 2 * end].decode("utf-16-le", "surrogatepass")
        return text[start:end]

    length = len(js) // 2 if units == "utf16" else len(text)
    if not spans:
        assert length == 0
        return
    assert spans[0][1] == 0 and spans[-1][2] == length
    for (_, _, prev_end, prev_partial), (_, start, end, partial) in itertools.pairwise(spans):
        assert start < end
        if start < prev_end:
            assert prev_partial and partial
            shared = piece(start, prev_end)
            joined = shared.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            assert len(joined) == 1, (shared, start, prev_end)
        else:
            assert start == prev_end


@given(text=tricky_text, encoding=st.sampled_from(["cl100k_base", "o200k_base"]))
@example(text="\ud800\udfff a\ud83d", encoding="cl100k_base")
def test_tokenize_offsets_tile_the_text(client: Client, text: str, encoding: str) -> None:
    # In JSON, "\ud800\udfff" is one character (U+103FF), whatever it was in Python: the
    # server sees the text as JSON spells it.
    text = json.loads(json.dumps(text))
    ids = raw_encoding(encoding).encode_ordinary(text)
    points = client.post("/api/tokenize", {"text": text, "encoding": encoding}).json()
    assert points["count"] == len(ids) and points["characters"] == len(text)
    assert points["offsets"] == "codepoints" and points["encoding"] == encoding
    spans = spans_from(points)
    assert [s[0] for s in spans] == ids
    assert_tiles(text, spans, "codepoints")
    # Code-point offsets are Python indices: whole tokens are exactly their text.
    for token, (tid, start, end, partial) in zip(points["tokens"], spans, strict=True):
        piece = text[start:end].encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        own = raw_encoding(encoding).decode_single_token_bytes(tid)
        if partial:
            assert bytes.fromhex(token["bytes"]) == own and own in piece.encode()
        else:
            assert piece.encode() == own and "bytes" not in token
    # UTF-16 offsets are JavaScript indices: the same spans, counted in code units.
    units = client.post(
        "/api/tokenize", {"text": text, "encoding": encoding, "offsets": "utf16"}
    ).json()
    js = text.encode("utf-16-le", "surrogatepass")
    u_spans = spans_from(units)
    assert_tiles(text, u_spans, "utf16")
    for (_, s16, e16, _), (_, start, end, _) in zip(u_spans, spans, strict=True):
        assert js[2 * s16 : 2 * e16].decode("utf-16-le", "surrogatepass") == text[start:end]


@pytest.mark.parametrize("name", sorted(real_texts()))
def test_tokenize_real_text(client: Client, name: str) -> None:
    text = real_texts()[name]
    doc = client.post("/api/tokenize", {"text": text, "model": "gpt-4", "offsets": "utf16"}).json()
    assert doc["model"] == "gpt-4" and doc["encoding"] == "cl100k_base"
    assert [t["id"] for t in doc["tokens"]] == raw_encoding("cl100k_base").encode_ordinary(text)
    assert_tiles(text, spans_from(doc), "utf16")


def test_tokenize_astral_example(client: Client) -> None:
    # 🦜 is one code point, two UTF-16 units and three cl100k tokens.
    text = "a🦜b"
    doc = client.post("/api/tokenize", {"text": text, "encoding": "cl100k_base"}).json()
    assert spans_from(doc) == [
        (64, 0, 1, False),
        (9468, 1, 2, True),
        (99, 1, 2, True),
        (250, 1, 2, True),
        (65, 2, 3, False),
    ]
    assert [t.get("bytes") for t in doc["tokens"]] == [None, "f09f", "a6", "9c", None]
    doc = client.post(
        "/api/tokenize", {"text": text, "encoding": "cl100k_base", "offsets": "utf16"}
    ).json()
    assert [(t["start"], t["end"]) for t in doc["tokens"]] == [
        (0, 1),
        (1, 3),
        (1, 3),
        (1, 3),
        (3, 4),
    ]


def test_tokenize_defaults_and_aliases(client: Client) -> None:
    doc = client.post("/api/tokenize", {"text": "hello world"}).json()
    assert doc["model"] == "gpt-4o" and [t["id"] for t in doc["tokens"]] == [24912, 2375]
    doc = client.post("/api/tokenize", {"text": "", "model": "gpt-4o-2024-08-06"}).json()
    assert doc["count"] == 0 and doc["tokens"] == []
    doc = client.post("/api/tokenize", {"text": "x", "model": "gpt-5.9-mini-2031-01-01"}).json()
    assert doc["encoding"] == "o200k_base"  # an unlisted snapshot: its family's encoding


@given(
    text=tricky_text,
    encoding=st.sampled_from(["cl100k_base", "o200k_base"]),
    cap=st.integers(0, 12),
    units=st.sampled_from(["codepoints", "utf16"]),
)
def test_tokenize_lists_at_most_the_cap(text: str, encoding: str, cap: int, units: str) -> None:
    # An 8 MiB body of emoji once made 435 MB of JSON (6.3 million tokens): a text over the
    # cap gets a 413 that says how to split it; at or under the cap, every token.
    text = json.loads(json.dumps(text))
    n = len(raw_encoding(encoding).encode_ordinary(text))
    body = json.dumps({"text": text, "encoding": encoding, "offsets": units}).encode()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(web_api, "TOKENIZE_MAX_TOKENS", cap)
        reply = web_api.handle("POST", "/api/tokenize", body)
    if n <= cap:
        assert reply.status == 200 and json.loads(reply.body)["count"] == n
    else:
        assert reply.status == 413
        error = json.loads(reply.body)["error"]
        assert error["code"] == "too_many_tokens"
        assert (error["tokens"], error["limit"]) == (n, cap)
        for needle in (f"{n:,} tokens", f"at most {cap:,}", "/api/split", "/api/check"):
            assert needle in error["message"]


@given(
    text=tricky_text,
    encoding=st.sampled_from(["cl100k_base", "o200k_base"]),
    units=st.sampled_from(["codepoints", "utf16"]),
    size=st.integers(1, 4),
)
def test_tokenize_json_built_in_slices_is_the_whole(
    text: str, encoding: str, units: str, size: int
) -> None:
    text = json.loads(json.dumps(text))
    body = json.dumps({"text": text, "encoding": encoding, "offsets": units}).encode()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(web_api, "_SLICE_TOKENS", size)
        doc = json.loads(web_api.handle("POST", "/api/tokenize", body).body)
    whole = tokbudget.token_spans(text, encoding=encoding).to_json(units)  # type: ignore[arg-type]
    assert doc["tokens"] == json.loads(whole)


def test_tokenize_cap_over_http(client: Client) -> None:
    assert web_api.TOKENIZE_MAX_TOKENS == 1_000_000  # the README's figure
    reply = client.post("/api/tokenize", {"text": "🦜" * 333_334, "encoding": "o200k_base"})
    assert_clean_error(reply, 413, "too_many_tokens", "1,000,002 tokens", "at most 1,000,000")
    assert client.post("/api/tokenize", {"text": "still here"}).status == 200


# ---------------------------------------------------------------------------- check


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-5", "gpt-5.4", "text-embedding-3-small"])
def test_check_figures_equal_the_library(client: Client, model: str) -> None:
    text = real_texts()["english.txt"]
    doc = client.post("/api/check", {"text": text, "model": model}).json()
    fig = doc["figures"]
    spec = tokbudget.get_model(model)
    n = tokbudget.count(text, model=model)
    assert fig["tokens"] == n and fig["characters"] == len(text)
    assert fig["context_window"] == spec.context_window
    assert fig["max_input_tokens"] == spec.max_input_tokens
    assert fig["max_output_tokens"] == spec.max_output_tokens
    assert spec.price is not None
    assert Decimal(fig["input_cost"]) == Decimal(n) * spec.price.input / 10**6
    assert fig["input_cost"] == decimal_str(tokbudget.cost(model, input_tokens=n).total)
    assert fig["cost_notes"] == []
    assert fig["window_share"] == pytest.approx(n / (spec.context_window or 1), abs=1e-6)


def test_check_long_context_tier(client: Client) -> None:
    # gpt-5.4 bills the whole prompt at its higher tier above 272,000 input tokens.
    text = "hello " * 300_000
    doc = client.post("/api/check", {"text": text, "model": "gpt-5.4"}).json()
    n = doc["figures"]["tokens"]
    assert n > 272_000
    assert Decimal(doc["figures"]["input_cost"]) == Decimal(n) * Decimal("5.00") / 10**6


def test_check_money_is_exact_decimal_text(client: Client) -> None:
    # One token of text-embedding-3-small costs $0.00000002: str(Decimal) would say 2E-8.
    doc = client.post("/api/check", {"text": "hi", "model": "text-embedding-3-small"}).json()
    fig = doc["figures"]
    assert (fig["tokens"], fig["input_cost"], fig["input_price_per_mtok"]) == (
        1,
        "0.00000002",
        "0.02",
    )


@pytest.mark.parametrize(
    ("model", "note"),
    [
        ("gpt-oss-120b", "gpt-oss-120b has no price in the registry"),
        ("ft:gpt-4o-mini-2024-07-18:acme:x:1", "is a fine-tuned model"),
        ("gpt-5.9-mini-2031-01-01", "is not in the registry"),
    ],
)
def test_check_without_a_price(client: Client, model: str, note: str) -> None:
    reply = client.post("/api/check", {"text": "hello world", "model": model})
    assert reply.status == 200
    fig = reply.json()["figures"]
    assert fig["tokens"] == 2
    assert fig["input_cost"] is None and fig["input_price_per_mtok"] is None
    assert any(note in line for line in fig["cost_notes"])


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("path", "doc", "code", "needle"),
    [
        ("/api/tokenize", {"text": "x", "model": "gpt-nope"}, "unknown_model", "'gpt-nope'"),
        ("/api/check", {"text": "x", "model": "gtp-4o"}, "unknown_model", "did you mean gpt-4o"),
        ("/api/tokenize", {"text": "x", "encoding": "p99k"}, "unknown_encoding", "o200k_base"),
        # A path is a valid encoding for the library, never for a web client.
        ("/api/tokenize", {"text": "x", "encoding": "/etc/passwd"}, "unknown_encoding", ""),
        ("/api/tokenize", {"text": 5}, "bad_request", "'text' must be a string, got a number"),
        ("/api/tokenize", {"model": "gpt-4o"}, "bad_request", "missing field 'text'"),
        ("/api/tokenize", {"text": "x", "modle": "gpt-4"}, "bad_request", "unknown field 'modle'"),
        ("/api/tokenize", {"text": "x", "offsets": "bytes"}, "bad_request", "'utf16'"),
        ("/api/check", {"text": "x", "model": "gpt-4", "encoding": "o200k_base"}, "bad_request",
         "not both"),
        ("/api/tokenize", ["text"], "bad_request", "must be a JSON object, got list"),
        ("/api/check", {"text": None}, "bad_request", "got null"),
    ],
)  # fmt: skip
def test_bad_requests_get_clear_4xx(
    client: Client, path: str, doc: object, code: str, needle: str
) -> None:
    assert_clean_error(client.post(path, doc), 400, code, needle)


def test_bad_json(client: Client) -> None:
    headers = {"Content-Type": "application/json"}
    for body, needle in [
        (b'{"text": ', "not valid JSON"),
        (b"", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ]:
        reply = client.request("POST", "/api/tokenize", body, headers)
        assert_clean_error(reply, 400, "bad_json", needle)


def test_protocol_errors(client: Client, server: LocalServer) -> None:
    assert_clean_error(client.get("/api/nope"), 404, "not_found", "/api/nope")
    assert_clean_error(client.get("/api/tokenize"), 405, "method_not_allowed", "POST")
    assert_clean_error(client.post("/api/models", {}), 405, "method_not_allowed", "GET")
    assert client.request("HEAD", "/api/models").status == 200
    assert client.request("HEAD", "/api/check").status == 405
    reply = client.request(
        "POST", "/api/tokenize", b'{"text": "x"}', {"Content-Type": "text/plain"}
    )
    assert_clean_error(reply, 415, "unsupported_media_type", "application/json")
    # Chunked bodies are refused (411) rather than read without a bound.
    with socket.create_connection(address(server)) as sock:
        sock.sendall(
            b"POST /api/tokenize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
            b"\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
        )
        head = sock.recv(65536).decode()
    assert head.startswith("HTTP/1.1 411") and "Content-Length" in head


def test_dns_rebinding_is_refused(client: Client) -> None:
    reply = client.request("GET", "/", headers={"Host": "attacker.example:8000"})
    assert_clean_error(reply, 403, "bad_host", "localhost")
    for host in ("localhost:8000", "127.0.0.1", "[::1]:8000"):
        assert client.request("GET", "/api/models", headers={"Host": host}).status == 200


def test_is_loopback() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.8.0.1", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.10", "example.com", ""]))


def test_oversized_body_gets_413_and_server_keeps_serving() -> None:
    with running_server(max_body=1000) as srv:
        c = Client(srv)
        big = {"text": "x" * 2000}
        assert_clean_error(c.post("/api/tokenize", big), 413, "too_large", "limit is 1,000 bytes")
        assert c.post("/api/tokenize", {"text": "hello world"}).json()["count"] == 2
        # A client that says it will send far more than we drain: answered, then closed.
        with socket.create_connection(address(srv)) as sock:
            sock.sendall(
                b"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                b"\r\nContent-Length: 999999999999\r\n\r\n{"
            )
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(65536).startswith(b"HTTP/1.1 413")
        assert c.post("/api/check", {"text": "ok"}).status == 200
        c.close()


def test_default_limit_is_documented_value(client: Client) -> None:
    assert MAX_BODY_BYTES == 8 * 1024 * 1024
    body = b'{"text": "' + b"a" * MAX_BODY_BYTES + b'"}'
    reply = client.request("POST", "/api/tokenize", body, {"Content-Type": "application/json"})
    assert_clean_error(reply, 413, "too_large", "8,388,608 bytes")
    assert client.post("/api/tokenize", {"text": "still here"}).status == 200


def test_unexpected_error_is_a_bare_500(
    client: Client, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(body: bytes) -> web_api.Response:
        raise RuntimeError("secret internals /home/user/.ssh")

    monkeypatch.setattr(web_api, "routes", lambda: {"/api/check": {"POST": broken}})
    reply = client.post("/api/check", {"text": "x"})
    assert_clean_error(reply, 500, "internal", "see the server log")
    assert b"secret" not in reply.body
    assert "secret internals" in capsys.readouterr().err  # the log has the details
    monkeypatch.undo()
    assert client.post("/api/check", {"text": "x"}).status == 200


# ---------------------------------------------------------------------------- static files


def test_page_and_assets_are_local(client: Client) -> None:
    page = client.get("/")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.body.decode()
    assert "http://" not in html and "https://" not in html  # no CDN, nothing remote
    static = Path(tokbudget.web.__file__).parent / "static"
    scripts = sorted(f"/{p.name}" for p in static.glob("*.js"))
    assert {"/app.js", "/page.js", "/tokens.js", "/chat.js", "/chunks.js"} <= set(scripts)
    # The page loads app.js as a module, which imports the others from this server.
    assert '<script type="module" src="/app.js">' in html
    imported = re.findall(
        r'from "\.(/\w+\.js)"', "".join(client.get(s).body.decode() for s in scripts)
    )
    assert set(imported) <= set(scripts)
    for path, ctype in [*((s, "text/javascript") for s in scripts), ("/style.css", "text/css")]:
        reply = client.get(path)
        assert reply.status == 200 and reply.headers["Content-Type"].startswith(ctype)
        assert b"http://" not in reply.body and b"https://" not in reply.body
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert client.request("HEAD", "/").body == b""
    for path in ["/../pyproject.toml", "/static/app.js", "/%2e%2e/api.py", "/nope.html"]:
        assert_clean_error(client.get(path), 404, "not_found")


# ---------------------------------------------------------------------------- speed


@pytest.mark.parametrize(
    ("path", "extra"),
    [("/api/tokenize", {"offsets": "utf16"}), ("/api/check", {"max_output_tokens": 1000})],
)
def test_100kb_well_under_100ms(client: Client, path: str, extra: dict[str, object]) -> None:
    # The page asks both for each keystroke's text, in parallel.
    for name in ("english.txt", "mixed.txt"):
        text = (real_texts()[name] * 50).encode()[:100_000].decode("utf-8", "ignore")
        body = json.dumps({"text": text, **extra}).encode()
        headers = {"Content-Type": "application/json"}
        client.request("POST", path, body, headers)  # warm the caches
        times = []
        for _ in range(7):
            start = time.perf_counter()
            reply = client.request("POST", path, body, headers)
            times.append(time.perf_counter() - start)
            assert reply.status == 200
        median_ms = statistics.median(times) * 1000
        print(f"\n{path} 100 KB {name}: median {median_ms:.1f} ms")
        assert median_ms < 100, f"{name}: {median_ms:.1f} ms"


# ---------------------------------------------------------------------------- the server's default


_BARE_CHAT = {"messages": [{"role": "user", "content": "hello world, naïve 🙂"}]}
_MODEL_LESS: list[tuple[str, dict[str, object]]] = [  # every POST endpoint, without a model
    ("/api/tokenize", {"text": "hello world, naïve 🙂"}),
    ("/api/check", {"text": "hello world, naïve 🙂"}),
    ("/api/check", {"request": _BARE_CHAT}),
    ("/api/chat", {"request": _BARE_CHAT}),
    ("/api/split", {"text": "hello world, naïve 🙂 " * 40, "max_tokens": 16}),
    ("/v1/responses/input_tokens?detail=true", {"input": "hello world, naïve 🙂"}),
]


def _ask(path: str, body: dict[str, object], default: str | None = None) -> dict[str, object]:
    reply = web_api.handle("POST", path, json.dumps(body).encode(), default_model=default)
    assert reply.status == 200, reply.body
    doc = json.loads(reply.body)
    assert isinstance(doc, dict)
    return doc


@pytest.mark.parametrize("default", ["gpt-4", "gpt-4o-mini", "gpt-5", "gpt-4-0613"])
@pytest.mark.parametrize(("path", "body"), _MODEL_LESS, ids=lambda v: str(v)[:24])
def test_a_model_less_request_is_answered_for_the_servers_default(
    path: str, body: dict[str, object], default: str
) -> None:
    # TOKBUDGET_MODEL (issue 15): a request naming no model is answered exactly as if it
    # named the server's default; one that names a model keeps it.
    named = {**body, "model": default}
    assert _ask(path, body, default) == _ask(path, named)
    assert _ask(path, {**body, "model": "gpt-4o"}, default) == _ask(
        path, {**body, "model": "gpt-4o"}
    )
    if default in ("gpt-4", "gpt-4-0613"):  # cl100k_base: the count is not gpt-4o's
        assert _ask(path, body, default) != _ask(path, body)


def test_without_a_server_default_the_built_in_defaults_hold() -> None:
    # The library's handle() keeps its built-in defaults: gpt-4o, and split's embedding model.
    for path, body in _MODEL_LESS:
        builtin = "text-embedding-3-small" if path == "/api/split" else "gpt-4o"
        assert _ask(path, body) == _ask(path, {**body, "model": builtin}), path
    doc = json.loads(web_api.handle("GET", "/api/models", b"").body)
    assert doc["default"] == "gpt-4o"


def test_a_requests_own_model_outranks_the_servers_default() -> None:
    own = {**_BARE_CHAT, "model": "gpt-4o-mini"}
    for path in ("/api/chat", "/api/check"):
        assert _ask(path, {"request": own}, "gpt-4")["model"] == "gpt-4o-mini"
    counted = _ask(
        "/v1/responses/input_tokens?detail=true", {"input": "hi", "model": "gpt-5"}, "gpt-4"
    )
    assert counted["model"] == "gpt-5"


@pytest.mark.parametrize(("default", "shown"), [("gpt-4", "gpt-4"), ("gpt-4-0613", "gpt-4")])
def test_server_started_with_a_default_reports_and_uses_it(default: str, shown: str) -> None:
    # make_server(default_model=...) -> the handler -> handle(): /api/models names it (the
    # page's picker starts on it, so it is the registry's name) and model-less requests use it.
    with running_server(default_model=default) as server:
        client = Client(server)
        try:
            assert client.get("/api/models").json()["default"] == shown
            doc = client.post("/api/tokenize", {"text": "hello world"}).json()
            assert (doc["model"], doc["encoding"], doc["count"]) == ("gpt-4", "cl100k_base", 2)
            assert [t["id"] for t in doc["tokens"]] == [15339, 1917]  # cl100k_base's ids
        finally:
            client.close()
