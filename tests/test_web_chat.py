"""`POST /api/chat` of `tokbudget serve`: a request's tokens per message and per tool."""

from __future__ import annotations

import copy
import inspect
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget
from tokbudget import MessageFormatError, message_counts, parse_request
from tokbudget.pricing import decimal_str
from tokbudget.web import chat as web_chat
from tokbudget.web.api import handle

from .conftest import raw_encoding
from .strategies import tricky_text
from .web_support import Client, assert_clean_error, running_server

REQUESTS = json.loads(
    (Path(__file__).parent / "fixtures" / "chat_requests.json").read_text(encoding="utf-8")
)["requests"]
WEATHER = next(r for r in REQUESTS if r.get("name") == "weather tool")
MEASURED = [
    pytest.param(r["body"], model, tokens, id=f"{r.get('name', r['source'])}-{i}-{model}")
    for i, r in enumerate(REQUESTS)
    for model, tokens in r["prompt_tokens"].items()
]

TOOL_CONVERSATION: dict[str, Any] = {
    "model": "gpt-4",
    "messages": [
        {"role": "developer", "content": "Answer briefly."},
        {"role": "user", "name": "ada", "content": "Weather in Paris and Oslo?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                },
                {
                    "id": "call_2",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "18 °C, sunny"},
        {"role": "tool", "tool_call_id": "call_2", "content": "4 °C, rain"},
    ],
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Current weather of a city",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
            },
        },
        {"type": "function", "function": {"name": "get_time", "description": "UTC time"}},
    ],
    "tool_choice": "auto",
}


def chat(client: Client, request: Any, **fields: Any) -> dict[str, Any]:
    reply = client.post("/api/chat", {"request": request, **fields})
    assert reply.status == 200, reply.body
    doc: dict[str, Any] = reply.json()
    return doc


def assert_adds_up(doc: dict[str, Any]) -> None:
    tools = doc["tools"]
    assert sum(d["tokens"] for d in tools["definitions"]) + tools["shared"] == tools["tokens"]
    assert (
        sum(m["tokens"] for m in doc["messages"]) + tools["tokens"] + doc["overhead"]
        == (doc["total"])
    )
    assert doc["figures"]["tokens"] == doc["total"]


# ---------------------------------------------------------------------------- good requests


@pytest.mark.parametrize(("body", "model", "tokens"), MEASURED)
def test_totals_equal_the_api_and_the_library(
    client: Client, body: dict[str, Any], model: str, tokens: int
) -> None:
    doc = chat(client, body, model=model)
    messages, tools, choice = parse_request(body)
    counts = message_counts(messages, model, tools=tools, tool_choice=choice)
    assert doc["total"] == counts.total == tokens  # tokens: measured on the API
    assert [m["tokens"] for m in doc["messages"]] == list(counts.messages)
    assert (doc["tools"]["tokens"], doc["overhead"]) == (counts.tools, counts.overhead)
    assert_adds_up(doc)


def test_weather_tool_breakdown(client: Client) -> None:
    doc = chat(client, WEATHER["body"], model="gpt-4o")
    assert (doc["model"], doc["encoding"], doc["total"]) == ("gpt-4o", "o200k_base", 101)
    assert [(m["index"], m["role"], m["name"]) for m in doc["messages"]] == [
        (0, "system", None),
        (1, "user", None),
    ]
    # The user message by the cookbook's rule, counted independently: 3 + role + content.
    user = WEATHER["body"]["messages"][1]
    enc = raw_encoding("o200k_base")
    assert doc["messages"][1]["tokens"] == 3 + len(enc.encode("user")) + len(
        enc.encode(user["content"])
    )
    (tool,) = doc["tools"]["definitions"]
    assert tool["name"] == "get_current_weather" and 0 < tool["tokens"] < doc["tools"]["tokens"]
    assert doc["overhead"] == 3
    fig = doc["figures"]
    assert fig["context_window"] == 128_000 and fig["characters"] is None
    assert fig["input_cost"] == decimal_str(tokbudget.cost("gpt-4o", input_tokens=101).total)
    assert fig["input_cost"] == "0.0002525"


def test_calls_names_and_tool_results(client: Client) -> None:
    doc = chat(client, TOOL_CONVERSATION)
    assert doc["model"] == doc["request_model"] == "gpt-4"  # the request's own model
    rows = [(m["role"], m["name"], m["calls"], m["tool_call_id"]) for m in doc["messages"]]
    assert rows == [
        ("developer", None, [], None),
        ("user", "ada", [], None),
        ("assistant", None, ["get_weather", "get_weather"], None),
        ("tool", None, [], "call_1"),
        ("tool", None, [], "call_2"),
    ]
    assert [d["name"] for d in doc["tools"]["definitions"]] == ["get_weather", "get_time"]
    assert doc["total"] == tokbudget.count_messages(
        TOOL_CONVERSATION["messages"], "gpt-4", tools=TOOL_CONVERSATION["tools"]
    )
    assert_adds_up(doc)


def test_model_field_overrides_the_requests_model(client: Client) -> None:
    doc = chat(client, TOOL_CONVERSATION, model="gpt-4o")
    assert (doc["model"], doc["request_model"], doc["encoding"]) == (
        "gpt-4o",
        "gpt-4",
        "o200k_base",
    )
    messages, tools, choice = parse_request(TOOL_CONVERSATION)
    assert doc["total"] == tokbudget.count_messages(
        messages, "gpt-4o", tools=tools, tool_choice=choice
    )
    assert chat(client, {"messages": []})["model"] == "gpt-4o"  # the default


def test_legacy_functions_and_batch_lines(client: Client) -> None:
    legacy = {
        "messages": [
            {"role": "user", "content": "ping"},
            {"role": "assistant", "content": None,
             "function_call": {"name": "ping", "arguments": "{}"}},
            {"role": "function", "name": "ping", "content": "pong"},
        ],
        "functions": [{"name": "ping", "description": "Check the link."}],
        "function_call": "auto",
    }  # fmt: skip
    doc = chat(client, legacy, model="gpt-3.5-turbo")
    assert [m["calls"] for m in doc["messages"]] == [[], ["ping"], []]
    assert doc["messages"][2]["name"] == "ping"
    assert [d["name"] for d in doc["tools"]["definitions"]] == ["ping"]
    assert_adds_up(doc)
    line = {"custom_id": "req-1", "method": "POST", "url": "/v1/chat/completions", "body": legacy}
    assert chat(client, line, model="gpt-3.5-turbo")["total"] == doc["total"]


def test_a_model_without_a_price(client: Client) -> None:
    doc = chat(client, WEATHER["body"], model="gpt-oss-120b")
    assert doc["total"] > 0 and doc["figures"]["input_cost"] is None
    assert "no price" in doc["figures"]["cost_notes"][0]


# ---------------------------------------------------------------------------- bad requests


MALFORMED: list[Any] = [
    {"messages": [{"role": "user", "content": 5}]},
    {"messages": [{"role": "user", "content": "hi"}, {"role": "robot", "content": "x"}]},
    {"messages": [{"role": "user", "contnet": "hi"}]},
    {"messages": [{"role": "user", "content": [{"type": "text", "text": None}]}]},
    {"messages": [{"role": "user", "content": "a"}, "not a message"]},
    {"messages": [{"role": "tool", "content": "x"}]},
    {"messages": [{"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"a": 1}}}]}]},  # noqa: E501
    {"messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "function", "function": {}}]},  # noqa: E501
    {"messages": [{"role": "user", "content": "hi"}], "tools": {"a": 1}},
    {"messages": [{"role": "user", "content": "hi"}], "tool_choice": {"type": "function", "function": {"name": "nope"}}},  # noqa: E501
    {"messages": "hello"},
]  # fmt: skip


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_requests_get_the_librarys_message(client: Client, body: Any) -> None:
    with pytest.raises(MessageFormatError) as caught:
        messages, tools, choice = parse_request(body)
        message_counts(messages, "gpt-4o", tools=tools, tool_choice=choice)
    error = assert_clean_error(
        client.post("/api/chat", {"request": body}), 400, "bad_message", str(caught.value)
    )
    assert error["message"] == str(caught.value)
    assert (error["index"], error["field"]) == (caught.value.index, caught.value.field)


def test_malformed_message_names_index_and_field(client: Client) -> None:
    body = copy.deepcopy(TOOL_CONVERSATION)
    body["messages"][3]["content"] = {"oops": True}
    error = assert_clean_error(
        client.post("/api/chat", {"request": body}), 400, "bad_message", "messages[3].content"
    )
    assert (error["index"], error["field"]) == (3, "content")


@pytest.mark.parametrize(
    ("doc", "code", "needle"),
    [
        ({"request": {"messages": []}, "model": "gpt-nope"}, "unknown_model", "'gpt-nope'"),
        ({"request": {"model": "gtp-4o", "messages": []}}, "unknown_model", "did you mean gpt-4o"),
        ({"request": {"model": "gtp-4o", "messages": []}}, "unknown_model", "request's 'model'"),
        ({"request": {"messages": []}, "model": "text-embedding-3-small"}, "invalid_request",
         "embedding model"),
        ({"request": {"messages": []}, "model": 4}, "bad_request", "got a number"),
        ({"request": {"model": None, "messages": []}, "model": ["gpt-4"]}, "bad_request",
         "got an array"),
        ({"request": "{\"messages\": []}"}, "bad_request", "'request' must be an object"),
        ({"messages": []}, "bad_request", "unknown field 'messages'"),
        ({"model": "gpt-4o"}, "bad_request", "missing field 'request'"),
        ({"request": {"messages": []}, "encoding": "o200k_base"}, "bad_request",
         "unknown field 'encoding'"),
    ],
)  # fmt: skip
def test_bad_fields_get_clear_4xx(client: Client, doc: Any, code: str, needle: str) -> None:
    assert_clean_error(client.post("/api/chat", doc), 400, code, needle)


def test_schema_too_deep_to_render_is_a_400(monkeypatch: pytest.MonkeyPatch) -> None:
    # JSON parsing stops nesting first at the default limit, and the library refuses a
    # schema deeper than that (tools[0].function.parameters); with less stack to spare (a
    # deeper caller), rendering a schema within it is what hits the limit: still a 400.
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(90):  # 181 levels: within the library's 200
        schema = {"type": "object", "properties": {"x": schema}}
    body = {
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [{"type": "function", "function": {"name": "deep", "parameters": schema}}],
    }
    monkeypatch.setattr(web_chat, "parse_body", lambda _: {"request": body})
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 100)
    try:
        reply = handle("POST", "/api/chat", b"{}")
    finally:
        sys.setrecursionlimit(limit)
    assert reply.status == 400
    assert json.loads(reply.body)["error"]["message"] == "the request is nested too deeply"
    assert handle("POST", "/api/chat", json.dumps({"request": body}).encode()).status == 200


def test_size_limit() -> None:
    with running_server(max_body=10_000) as srv:
        c = Client(srv)
        big = {"messages": [{"role": "user", "content": "x" * 20_000}]}
        assert_clean_error(c.post("/api/chat", {"request": big}), 413, "too_large", "10,000")
        assert c.post("/api/chat", {"request": {"messages": []}}).status == 200  # still serving
        c.close()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | tricky_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)


def mostly(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` three times in four, arbitrary JSON otherwise."""
    return st.one_of(good, good, good, json_values)


ROLES = st.sampled_from(["system", "developer", "user", "assistant", "tool", "function"])
# Mostly well-formed messages with odd values here and there, and some arbitrary JSON.
message_like = st.fixed_dictionaries(
    {"role": mostly(ROLES), "content": mostly(tricky_text | st.none())},
    optional={
        "name": tricky_text | json_values,
        "tool_call_id": st.sampled_from(["call_1", "x"]) | json_values,
        "tool_calls": st.lists(
            st.fixed_dictionaries(
                {"id": st.just("call_1"), "type": st.just("function"),
                 "function": st.fixed_dictionaries({"name": tricky_text, "arguments": tricky_text})}
            ) | json_values,
            max_size=2,
        ),
    },
)  # fmt: skip
tool_like = st.fixed_dictionaries(
    {"type": st.just("function"),
     "function": st.fixed_dictionaries({"name": st.sampled_from(["f", "g"])},
                                        optional={"description": tricky_text,
                                                  "parameters": json_values})}
) | json_values  # fmt: skip


@given(
    messages=st.lists(mostly(message_like), max_size=4),
    tools=st.none() | st.lists(tool_like, max_size=2),
    choice=st.none() | mostly(st.sampled_from(["auto", "none", "required"])),
)
def test_any_json_is_answered_never_a_crash(messages: Any, tools: Any, choice: Any) -> None:
    body = {"messages": messages, "tools": tools, "tool_choice": choice}
    reply = handle("POST", "/api/chat", json.dumps({"request": body}).encode())
    assert reply.status in (200, 400), reply.body
    doc = json.loads(reply.body)
    if reply.status == 200:
        assert_adds_up(doc)
    else:
        assert doc["error"]["message"]
