"""``POST /v1/responses/input_tokens`` through real HTTP clients, and /api/chat on Responses."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tokbudget import count_request
from tokbudget.web import LocalServer

from .web_support import Client

FIXTURES = Path(__file__).parent / "fixtures"
EVERY = json.loads((FIXTURES / "responses_every_item.json").read_text(encoding="utf-8"))["body"]
PATH = "/v1/responses/input_tokens"


def post(server: LocalServer, path: str, doc: Any, **headers: str) -> tuple[int, dict[str, Any]]:
    """POST with urllib, as a plain HTTP client (an SDK pointed at this base URL) would."""
    host, port = str(server.server_address[0]), int(server.server_address[1])
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    req = urllib.request.Request(
        f"http://{host}:{port}{path}",
        data=data,
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def assert_openai_error(doc: dict[str, Any], param: str | None = None) -> dict[str, Any]:
    error = doc["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] in ("invalid_request_error", "server_error")
    assert "Traceback" not in error["message"]
    if param is not None:
        assert error["param"] == param
    return dict(error)


def test_the_answer_is_exactly_openais_shape(server: LocalServer) -> None:
    body = {"model": "gpt-5", "input": "Tell me a joke.", "instructions": "Be brief."}
    status, doc = post(server, PATH, body)
    assert status == 200
    assert doc == {"object": "response.input_tokens", "input_tokens": count_request(body).total}


def test_every_item_type_through_http(server: LocalServer) -> None:
    status, doc = post(server, PATH, EVERY)
    assert status == 200 and doc["input_tokens"] == count_request(EVERY).total
    assert set(doc) == {"object", "input_tokens"}


def test_detail_adds_the_breakdown_and_flags(server: LocalServer) -> None:
    status, doc = post(server, PATH + "?detail=true", EVERY)
    expected = count_request(EVERY)
    assert status == 200 and doc["input_tokens"] == expected.total
    assert doc["detail"] == json.loads(json.dumps(expected.to_dict()))
    assert doc["detail"]["exact"] is False and doc["model"] == "gpt-5"
    status, doc = post(server, PATH + "?detail=maybe", EVERY)
    assert status == 400 and assert_openai_error(doc, "detail")


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({"input": [{"type": "function_call_output", "call_id": "x", "output": "y"}]},
         "input[0].call_id", "invalid_value"),
        ({"input": [{"type": "telepathy"}]}, "input[0].type", "invalid_value"),
        ({"model": "gpt-nope", "input": "x"}, "model", "model_not_found"),
        ({"model": 4, "input": "x"}, "model", None),
        ({"input": "x", "tools": [{"type": "teleport"}]}, "tools[0].type", "invalid_value"),
        ({"input": "x", "max_output_tokens": 0}, "max_output_tokens", "invalid_value"),
        ({"input": "x", "max_output_tokens": "9"}, "max_output_tokens", "invalid_value"),
    ],
)  # fmt: skip
def test_errors_in_openais_shape(
    server: LocalServer, body: Any, param: str, code: str | None
) -> None:
    status, doc = post(server, PATH, body)
    assert status == 400
    error = assert_openai_error(doc, param)
    assert error["code"] == code


def test_server_level_errors_in_openais_shape(server: LocalServer, client: Client) -> None:
    status, doc = post(server, PATH, b"{not json")
    assert status == 400 and assert_openai_error(doc)["code"] == "invalid_json"
    deep = b'{"input": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"  # one JSON reader: jsonload
    status, doc = post(server, PATH, deep)
    error = assert_openai_error(doc)
    assert (
        status == 400
        and error["code"] == "invalid_json"
        and "nested too deeply" in error["message"]
    )
    reply = client.request("GET", PATH)
    assert reply.status == 405 and assert_openai_error(reply.json())
    reply = client.post("/v1/chat/completions", {"messages": []})
    assert reply.status == 404 and assert_openai_error(reply.json())
    reply = client.request("POST", PATH, b"{}", {"Content-Type": "text/plain"})
    assert reply.status == 415 and assert_openai_error(reply.json())
    reply = client.request(
        "POST", PATH, b"{}", {"Content-Type": "application/json", "Host": "evil.example"}
    )
    assert reply.status == 403 and assert_openai_error(reply.json())


def test_api_chat_takes_a_responses_body(client: Client) -> None:
    body = {"model": "gpt-4o", "instructions": "Be brief.", "input": EVERY["input"][:8]}
    reply = client.post("/api/chat", {"request": body})
    assert reply.status == 200, reply.body
    doc = reply.json()
    expected = count_request(body)
    assert doc["api"] == "responses" and doc["total"] == expected.total
    assert [m["part"] for m in doc["messages"]] == list(expected.labels)
    assert doc["messages"][0]["index"] is None and doc["messages"][1]["index"] == 0
    total = sum(m["tokens"] for m in doc["messages"])
    assert total + doc["tools"]["tokens"] + doc["response_format"] + doc["overhead"] == doc["total"]
    calls = {m["part"]: m for m in doc["messages"]}
    assert calls["input[4]"]["calls"] == ["get_weather"]
    assert calls["input[5]"]["tool_call_id"] == "call_1"
    assert calls["input[3]"]["estimated"] and not calls["input[0]"]["estimated"]
    # The page's Batch unwrap is the server's: a Batch line gives the same rows.
    line = {"custom_id": "1", "url": "/v1/responses", "body": body}
    assert client.post("/api/chat", {"request": line}).json()["messages"] == doc["messages"]


def test_api_check_takes_a_responses_body(client: Client) -> None:
    body = {"model": "o3", "input": "hi", "reasoning": {"effort": "high"}}
    doc = client.post("/api/check", {"request": body}).json()
    assert doc["budget"]["reasoning_reserve"] == 25_000
    assert "reasoning" in doc["budget"]["reason"]
