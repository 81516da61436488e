"""Responses API requests: counted like Chat where they say the same, flagged where estimated."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget
from tokbudget import MessageFormatError, count_request
from tokbudget.chat.fit_items import item_units
from tokbudget.chat.responses import ITEM_TYPES, encrypted_tokens
from tokbudget.chat.schema_format import schema_text
from tokbudget.tokenizer.encoder import get_encoding

FIXTURES = Path(__file__).parent / "fixtures"
EVERY = json.loads((FIXTURES / "responses_every_item.json").read_text(encoding="utf-8"))["body"]
PNG = (
    "data:image/png;base64,"
    + base64.b64encode((FIXTURES / "images" / "red-300x200.png").read_bytes()).decode()
)

# The members of ResponseInputItemParam in openai-python (src/openai/types/responses/
# response_input_item_param.py, commit e43b422): EasyInputMessage, Message and
# ResponseOutputMessage are all "message".
OPENAI_ITEM_TYPES = {
    "message", "file_search_call", "computer_call", "computer_call_output", "web_search_call",
    "function_call", "function_call_output", "tool_search_call", "tool_search_output",
    "additional_tools", "reasoning", "compaction", "image_generation_call",
    "code_interpreter_call", "local_shell_call", "local_shell_call_output", "shell_call",
    "shell_call_output", "apply_patch_call", "apply_patch_call_output", "mcp_list_tools",
    "mcp_approval_request", "mcp_approval_response", "mcp_call", "custom_tool_call_output",
    "custom_tool_call", "compaction_trigger", "item_reference", "program", "program_output",
}  # fmt: skip

text = st.text(st.characters(codec="utf-8"), max_size=40)
roles = st.sampled_from(["system", "developer", "user", "assistant"])
models = st.sampled_from(["gpt-4o", "gpt-4", "gpt-5", "gpt-4.1-mini"])


def chat_part(role: str, t: str) -> dict[str, Any]:
    return {"type": "text", "text": t}


def responses_part(role: str, t: str) -> dict[str, Any]:
    return {"type": "output_text" if role == "assistant" else "input_text", "text": t}


@st.composite
def conversations(draw: st.DrawFn) -> list[tuple[str, str | list[str]]]:
    out = []
    for _ in range(draw(st.integers(0, 5))):
        role = draw(roles)
        content = draw(st.one_of(text, st.lists(text, min_size=1, max_size=3)))
        out.append((role, content))
    return out


def as_chat(conv: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"role": r, "content": c if isinstance(c, str) else [chat_part(r, t) for t in c]}
        for r, c in conv
    ]


def as_responses(conv: list[tuple[str, Any]], typed: bool) -> list[dict[str, Any]]:
    items = []
    for r, c in conv:
        item: dict[str, Any] = {
            "role": r,
            "content": c if isinstance(c, str) else [responses_part(r, t) for t in c],
        }
        if typed:
            item["type"] = "message"
        items.append(item)
    return items


functions = st.fixed_dictionaries(
    {"name": st.from_regex(r"[a-z_]{1,12}", fullmatch=True)},
    optional={
        "description": text,
        "parameters": st.fixed_dictionaries(
            {
                "type": st.just("object"),
                "properties": st.dictionaries(
                    st.from_regex(r"[a-z]{1,8}", fullmatch=True),
                    st.fixed_dictionaries(
                        {"type": st.sampled_from(["string", "integer", "boolean"])},
                        optional={"description": text},
                    ),
                    max_size=3,
                ),
            }
        ),
    },
)


# ------------------------------------------------------------- the same request, two APIs


@given(conversations(), models, st.booleans())
def test_a_message_list_counts_the_same_in_both_apis(conv: Any, model: str, typed: bool) -> None:
    chat = count_request({"model": model, "messages": as_chat(conv)})
    responses = count_request({"model": model, "input": as_responses(conv, typed)})
    assert chat.total == responses.total
    assert chat.messages == responses.messages
    assert chat.estimated == responses.estimated  # nothing, or a reasoning model's hidden prompt
    assert chat.exact == (tokbudget.get_model(model).kind != "reasoning")


@given(
    text,
    conversations(),
    st.sampled_from(["system", "developer"]),
    st.lists(functions, max_size=2, unique_by=lambda f: str(f["name"])),
)
def test_instructions_count_as_a_system_message(
    instructions: str, conv: Any, role: str, tools: list[dict[str, Any]]
) -> None:
    conv = [(r, c) for r, c in conv if r not in ("system", "developer")]
    chat_tools = [{"type": "function", "function": t} for t in tools] or None
    flat = [{"type": "function", **t} for t in tools] or None
    chat = count_request(
        {"messages": [{"role": role, "content": instructions}, *as_chat(conv)], "tools": chat_tools}
    )
    responses = count_request(
        {"instructions": instructions, "input": as_responses(conv, False), "tools": flat}
    )
    assert chat.total == responses.total
    assert responses.labels[0] == "instructions"


@given(st.lists(functions, min_size=1, max_size=3, unique_by=lambda f: str(f["name"])), models)
def test_a_function_tool_counts_the_same_in_both_apis(
    tools: list[dict[str, Any]], model: str
) -> None:
    messages = [{"role": "user", "content": "hi"}]
    chat = count_request(
        {
            "model": model,
            "messages": messages,
            "tools": [{"type": "function", "function": t} for t in tools],
        }
    )
    responses = count_request(
        {"model": model, "input": messages, "tools": [{"type": "function", **t} for t in tools]}
    )
    assert chat.tools == responses.tools > 0
    assert chat.total == responses.total
    # ... and count_request agrees with the long-standing Chat counter.
    legacy = tokbudget.message_counts(
        messages, model, tools=[{"type": "function", "function": t} for t in tools]
    )
    assert legacy.total == chat.total


@pytest.mark.parametrize("detail", [None, "low", "high", "auto", "original"])
@pytest.mark.parametrize("url", [PNG, "https://example.com/cat.png"])
@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4.1-mini", "gpt-5.5", "gpt-6-astra"])
def test_an_image_part_counts_the_same_in_both_apis(
    detail: str | None, url: str, model: str
) -> None:
    # Also "original" (gpt-5.5, GPT-6) and the errors: a level the model lacks, an image
    # of unknown size with no known cap. One rule for both APIs.
    spec: dict[str, Any] = {"url": url} | ({"detail": detail} if detail else {})
    chat_body = {
        "model": model,
        "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": spec}]}],
    }
    part: dict[str, Any] = {"type": "input_image", "image_url": url, "detail": detail or "auto"}
    responses_body = {"model": model, "input": [{"role": "user", "content": [part]}]}
    outcomes = []
    for body in (chat_body, responses_body):
        try:
            outcomes.append(count_request(body))
        except tokbudget.SettingsError as exc:
            outcomes.append(exc.parameter)  # type: ignore[arg-type]
    chat, responses = outcomes
    if isinstance(chat, str) or isinstance(responses, str):
        assert chat == responses == "detail"
        return
    assert chat.total == responses.total
    assert chat.exact == responses.exact  # an unknown size or "auto" is flagged in both


@given(text, st.from_regex(r"[a-z_]{1,10}", fullmatch=True), text, st.booleans())
def test_a_function_call_and_output_count_the_same_in_both_apis(
    args: str, name: str, output: str, with_text: bool
) -> None:
    said = [{"role": "assistant", "content": "Let me check."}] if with_text else []
    chat = [
        {"role": "user", "content": "q"},
        {
            "role": "assistant",
            "content": "Let me check." if with_text else None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": name, "arguments": args}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": output},
    ]
    items = [
        {"role": "user", "content": "q"},
        *said,
        {"type": "function_call", "call_id": "c1", "name": name, "arguments": args},
        {"type": "function_call_output", "call_id": "c1", "output": output},
    ]
    assert count_request({"messages": chat}).total == count_request({"input": items}).total


def test_structured_outputs_count_the_same_in_both_apis() -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["name", "tags"],
        "additionalProperties": False,
    }
    chat = count_request(
        {
            "messages": [{"role": "user", "content": "x"}],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "p", "schema": schema, "strict": True},
            },
        }
    )
    responses = count_request(
        {
            "input": "x",
            "text": {
                "format": {"type": "json_schema", "name": "p", "schema": schema, "strict": True}
            },
        }
    )
    enc = get_encoding("o200k_base")
    assert chat.response_format == responses.response_format == enc.count(schema_text(schema)) + 9
    props = '"name":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}}'
    assert schema_text(schema) == '{"type":"object","properties":{' + props + "}}"
    assert chat.total == responses.total
    assert [e.part for e in chat.estimated] == ["response_format"]
    assert [e.part for e in responses.estimated] == ["text.format"]
    # The undercount is gone: the schema is part of the total.
    plain = count_request({"messages": [{"role": "user", "content": "x"}]}).total
    assert chat.total == plain + chat.response_format
    text_only = count_request({"input": "x", "text": {"format": {"type": "text"}}})
    assert text_only.exact and text_only.response_format == 0


def test_a_property_named_required_is_kept() -> None:
    schema = {
        "type": "object",
        "properties": {"required": {"type": "boolean"}},
        "required": ["required"],
    }
    assert schema_text(schema) == '{"type":"object","properties":{"required":{"type":"boolean"}}}'


# ------------------------------------------------------------------ every item type


def test_the_fixture_has_every_item_type_of_openai_python() -> None:
    kinds = {i.get("type", "message") for i in EVERY["input"]}
    assert kinds == OPENAI_ITEM_TYPES == set(ITEM_TYPES)


def test_every_item_type_is_counted_and_adds_up() -> None:
    r = count_request(EVERY)
    assert r.api == "responses" and r.labels[0] == "instructions"
    assert len(r.messages) == len(EVERY["input"]) + 1
    assert r.total == sum(r.messages) + r.tools + r.response_format + r.overhead
    assert not r.exact
    assert r.to_dict()["total"] == r.total


# What is estimated, item by item; everything else follows a published or measured rule.
ESTIMATED_ITEMS = {
    3,  # reasoning (encrypted_content)
    *range(8, 31),  # the built-in tools' items, tool loads, programs, compaction, references
}


def test_flags_are_set_exactly_where_an_estimate_is_made() -> None:
    r = count_request(EVERY)
    flagged = {e.part for e in r.estimated}
    items = {int(p[6 : p.index("]")]) for p in flagged if p.startswith("input[")}
    # Item 1 has an image and a file, both by id: those parts are flagged,
    # not the message (its text and its low-detail image of known size are exact).
    assert items == ESTIMATED_ITEMS | {1}
    assert {"input[1].content[2]", "input[1].content[3]"} <= flagged
    assert "input[1]" not in flagged and "input[1].content[1]" not in flagged
    for exact in (0, 2, 4, 5, 6, 7, 31, 32):
        assert not any(p == f"input[{exact}]" or p.startswith(f"input[{exact}].") for p in flagged)
    # Tools: the functions block (fitted estimate), every non-function tool, tool_choice
    # (allowed_tools) and the schema.
    assert {"tools", "tool_choice", "text.format"} <= flagged
    assert {f"tools[{i}]" for i in range(1, 14)} <= flagged
    assert "tools[0]" not in flagged  # the function tool is inside "tools"
    assert all(e.why for e in r.estimated)


def test_plain_requests_are_exact() -> None:
    assert count_request({"input": "hello"}).exact
    assert count_request({"messages": [{"role": "user", "content": "hi"}]}).exact
    with_tools = count_request({"input": "hi", "tools": [{"type": "function", "name": "f"}]})
    assert [e.part for e in with_tools.estimated] == ["tools"]


def test_encrypted_content_estimate_follows_codex() -> None:
    assert encrypted_tokens("") == 0
    assert encrypted_tokens("A" * 866) == 0  # all envelope
    assert encrypted_tokens("A" * 4000) == (3000 - 650 + 3) // 4
    r = count_request({"input": [EVERY["input"][3], {"role": "user", "content": "x"}]})
    (flag,) = r.estimated
    assert flag.part == "input[0]" and "encrypted_content" in flag.why


def test_server_state_is_flagged_and_lets_outputs_answer_stored_calls() -> None:
    body = {
        "previous_response_id": "resp_1",
        "input": [{"type": "function_call_output", "call_id": "call_9", "output": "ok"}],
    }
    r = count_request(body)
    parts = {e.part for e in r.estimated}
    assert parts == {"previous_response_id", "input[0]"}


# ------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("items", "index", "field", "needle"),
    [
        ([{"type": "telepathy"}], 0, "type", "not an input item type"),
        (
            [
                {"role": "user", "content": "a"},
                {"type": "function_call", "name": "f", "arguments": "{}"},
            ],
            1,
            "call_id",
            "missing",
        ),
        (
            [{"type": "function_call_output", "call_id": "nope", "output": "x"}],
            0,
            "call_id",
            "no function_call",
        ),
        (
            [{"type": "custom_tool_call_output", "call_id": "c", "output": "x"}],
            0,
            "call_id",
            "no custom_tool_call",
        ),
        (
            [{"type": "local_shell_call_output", "id": "x", "output": "x"}],
            0,
            "id",
            "no local_shell_call",
        ),
        (
            [{"type": "mcp_approval_response", "approval_request_id": "m", "approve": True}],
            0,
            "approval_request_id",
            "no mcp_approval_request",
        ),
        ([{"role": "robot", "content": "x"}], 0, "role", "robot"),
        (
            [{"role": "user", "content": [{"type": "output_text", "text": "x"}]}],
            0,
            "content[0].type",
            "takes",
        ),
        (
            [
                {
                    "role": "user",
                    "content": [{"type": "input_image", "image_url": PNG, "detail": "huge"}],
                }
            ],
            0,
            "content[0].detail",
            "huge",
        ),
        (
            [{"type": "function_call", "call_id": "c", "name": "f", "arguments": {"a": 1}}],
            0,
            "arguments",
            "JSON string",
        ),
        ([{"content": "no role or type"}], 0, "type", "missing"),
        (["just a string"], 0, "type", "object"),
    ],
)
def test_bad_items_name_the_index_and_field(
    items: list[Any], index: int, field: str, needle: str
) -> None:
    with pytest.raises(MessageFormatError, match=needle) as info:
        count_request({"input": items})
    assert info.value.index == index and info.value.field == field
    assert f"input[{index}].{field}" in str(info.value)


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"model": "gpt-4o"}, "neither API"),
        ({"messages": [], "input": "x"}, "both"),
        ({"input": "x", "tools": [{"type": "teleport"}]}, "tools\\[0\\].type"),
        ({"input": "x", "tool_choice": {"type": "function", "name": "ghost"}}, "ghost"),
        ({"input": "x", "text": {"format": {"type": "yaml"}}}, "text.format.type"),
        (
            {
                "input": "x",
                "tools": [{"type": "web_search"}],
                "tool_choice": {"type": "file_search"},
            },
            "no file_search tool",
        ),
    ],
)
def test_bad_bodies_say_what_is_wrong(body: dict[str, Any], needle: str) -> None:
    with pytest.raises(MessageFormatError, match=needle):
        count_request(body)


def test_api_can_be_forced() -> None:
    items = [{"role": "user", "content": "hi"}]
    assert count_request(items).api == "chat"
    assert count_request(items, api="responses").api == "responses"
    assert count_request([{"type": "message", "role": "user", "content": "hi"}]).api == "responses"
    with pytest.raises(tokbudget.SettingsError, match="api is 'soap'"):
        count_request(items, api="soap")


# Item kinds whose count follows a published or measured rule (the rest are flagged).
EXACT_KINDS = {"message", "function_call", "function_call_output", "custom_tool_call",
               "custom_tool_call_output", "compaction_trigger"}  # fmt: skip


@given(st.data())
def test_flags_follow_the_item_kinds_in_any_selection(data: st.DataObject) -> None:
    # Whole units of the fixture (calls stay with their outputs), in the fixture's order.
    units = [tuple(u) for u in item_units(EVERY["input"])]
    chosen = sorted(i for u in data.draw(st.lists(st.sampled_from(units), unique=True)) for i in u)
    items = [EVERY["input"][i] for i in chosen]
    r = count_request({"model": "gpt-4.1", "input": items})
    flagged = {int(e.part[6 : e.part.index("]")]) for e in r.estimated}
    expected = set()
    for k, item in enumerate(items):
        kind = item.get("type", "message")
        detail = {p.get("detail") for p in item.get("content", []) if isinstance(p, dict)}
        files = any(
            isinstance(p, dict) and p.get("type") == "input_file" for p in item.get("content", [])
        )
        if kind not in EXACT_KINDS or "original" in detail or files:
            expected.add(k)
    assert flagged == expected
    assert r.exact == (not expected)


def test_prompt_cache_breakpoints_and_phase_cost_nothing() -> None:
    text_part = {"type": "input_text", "text": "hi"}
    plain: dict[str, Any] = {
        "input": [{"role": "user", "content": [text_part]}, {"role": "assistant", "content": "ok"}]
    }
    marked = copy.deepcopy(plain)
    marked["input"][0]["content"][0]["prompt_cache_breakpoint"] = {"mode": "explicit"}
    marked["input"][1]["phase"] = "final_answer"
    assert count_request(marked).total == count_request(plain).total
    assert count_request(marked).exact


BUILTINS = [{"type": "web_search"}, {"type": "computer_use_preview", "display_width": 1024,
            "display_height": 768, "environment": "browser"}, {"type": "apply_patch"},
            {"type": "shell"}, {"type": "mcp", "server_label": "docs"},
            {"type": "function", "name": "f"}, {"type": "custom", "name": "g"},
            {"type": "programmatic_tool_calling"},
            {"type": "code_interpreter", "container": "c"}]  # fmt: skip


@pytest.mark.parametrize(
    ("choice", "flagged"),
    [
        ("auto", False), ("none", False), ("required", False),
        ({"type": "function", "name": "f"}, False),
        ({"type": "custom", "name": "g"}, True),
        ({"type": "web_search_preview"}, True),
        ({"type": "computer_use"}, True),
        ({"type": "code_interpreter"}, True),
        ({"type": "mcp", "server_label": "docs"}, True),
        ({"type": "mcp", "server_label": "docs", "name": "search"}, True),
        ({"type": "apply_patch"}, True), ({"type": "shell"}, True),
        ({"type": "programmatic_tool_calling"}, True),
        ({"type": "allowed_tools", "mode": "required",
          "tools": [{"type": "function", "name": "f"}, {"type": "web_search"}]}, True),
    ],
)  # fmt: skip
def test_every_tool_choice_form(choice: Any, flagged: bool) -> None:
    r = count_request({"input": "hi", "tools": BUILTINS, "tool_choice": choice})
    assert ("tool_choice" in {e.part for e in r.estimated}) == flagged
    base = count_request({"input": "hi", "tools": BUILTINS})
    assert r.total >= base.total  # a choice never makes the prompt smaller


def test_chat_tool_choice_forms() -> None:
    tools = [{"type": "function", "function": {"name": "f"}},
             {"type": "custom", "custom": {"name": "g", "format": {"type": "text"}}}]  # fmt: skip
    messages = [{"role": "user", "content": "hi"}]
    for choice in ({"type": "custom", "custom": {"name": "g"}},
                   {"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": [
                       {"type": "function", "function": {"name": "f"}}]}}):  # fmt: skip
        r = count_request({"messages": messages, "tools": tools, "tool_choice": choice})
        assert "tool_choice" in {e.part for e in r.estimated}
    with pytest.raises(MessageFormatError, match="server_label"):
        count_request({"input": "hi", "tools": BUILTINS,
                       "tool_choice": {"type": "mcp", "server_label": "other"}})  # fmt: skip


@pytest.mark.parametrize(
    "state",
    [{"conversation": "conv_1"}, {"conversation": {"id": "conv_1"}},
     {"prompt": {"id": "pmpt_1", "version": "2"}}],
)  # fmt: skip
def test_every_kind_of_server_state_is_flagged(state: dict[str, Any]) -> None:
    r = count_request({"input": "hi", **state})
    assert [e.part for e in r.estimated] == list(state)
    assert r.total == count_request({"input": "hi"}).total


@given(conversations(), st.booleans(), st.integers(0, 8_000))
def test_no_function_mutates_its_input(conv: Any, typed: bool, reserve: int) -> None:
    items = [
        *as_responses(conv, typed),
        {"role": "user", "content": [{"type": "input_text", "text": "q"}]},
    ]
    body: dict[str, Any] = {"model": "gpt-4", "instructions": "x", "input": items}
    kept = copy.deepcopy(body)
    count_request(body)
    tokbudget.check(body)
    tokbudget.estimate_cost(body, max_output_tokens=1)
    with contextlib.suppress(tokbudget.ContextOverflowError):
        tokbudget.fit_request(body, reserve=reserve)
    assert body == kept


def test_a_personality_is_flagged_not_counted() -> None:
    # InputTokenCountParams.personality (openai-python e43b422): a model-owned style preset
    # whose prompt is not published, so a count with one is never exact.
    plain = count_request({"input": "hi"})
    r = count_request({"input": "hi", "personality": "pragmatic"})
    assert r.total == plain.total and not r.exact
    (flag,) = r.estimated
    assert flag.part == "personality" and "pragmatic" in flag.why and "not counted" in flag.why
    with pytest.raises(MessageFormatError, match="personality"):
        count_request({"input": "hi", "personality": 3})


def test_a_body_with_only_a_stored_prompt_is_a_responses_body() -> None:
    # {"prompt": {"id": ...}} with no input is a Responses request (the stored prompt holds
    # the input); a completions body's "prompt" is a string and stays an error.
    r = count_request({"model": "gpt-5", "prompt": {"id": "pmpt_1", "variables": {"x": "y"}}})
    assert r.api == "responses" and [e.part for e in r.estimated] == ["prompt", "model"]
    with pytest.raises(MessageFormatError, match="neither API"):
        count_request({"model": "gpt-3.5-turbo-instruct", "prompt": "Say hi"})


def test_deferred_custom_tools_and_namespace_members_are_not_in_the_prompt() -> None:
    # defer_loading (CustomToolParam, NamespaceToolParam's functions): loaded by tool_search
    # later, so not in this prompt, as for a deferred function tool.
    fn = {"type": "function", "name": "lookup", "description": "Find a customer.",
          "parameters": {"type": "object", "properties": {"id": {"type": "string"}}}}  # fmt: skip
    base = {"input": "hi", "tools": [{"type": "tool_search"}]}
    ns = {"type": "namespace", "name": "crm", "description": "CRM tools.", "tools": [fn]}
    deferred_member = {**fn, "name": "archive", "defer_loading": True}
    ns_more = {**ns, "tools": [fn, deferred_member]}
    one = count_request({**base, "tools": [*base["tools"], ns]})
    assert count_request({**base, "tools": [*base["tools"], ns_more]}).total == one.total
    custom = {"type": "custom", "name": "sql", "description": "Run SQL.", "defer_loading": True}
    r = count_request({**base, "tools": [*base["tools"], custom]})
    assert r.total == count_request(base).total
    assert any(e.part == "tools[1]" and e.tokens == 0 for e in r.estimated)
    # ... yet both stay callable: tool_choice may name them.
    choice = {"type": "custom", "name": "sql"}
    count_request({**base, "tools": [*base["tools"], custom], "tool_choice": choice})


def file_part(data: bytes, media: str, **extra: Any) -> dict[str, Any]:
    encoded = base64.b64encode(data).decode()
    return {"type": "input_file", "file_data": f"data:{media};base64,{encoded}", **extra}


def user_with(part: dict[str, Any]) -> dict[str, Any]:
    return {"model": "gpt-4.1", "input": [{"role": "user", "content": [part]}]}


def test_a_text_file_counts_its_text() -> None:
    # The API extracts a text file's text (OpenAI's file-inputs guide); its tokens are the
    # text's, not a guess from the byte count. Non-ASCII text shows the difference.
    text = "日本語のテキストファイル。\n" * 40
    r = count_request(user_with(file_part(text.encode(), "text/plain", filename="a.txt")))
    enc = get_encoding("o200k_base")
    base = count_request({"model": "gpt-4.1", "input": [{"role": "user", "content": []}]})
    assert r.total - base.total == enc.count(text)
    (flag,) = r.estimated
    assert flag.part == "input[0].content[0]" and "text" in flag.why


def test_a_pdf_file_counts_an_image_per_page() -> None:
    # PDFs: extracted text and an image of each page (file-inputs guide); the page images
    # are counted at the model's largest image (detail low: the low-detail cost), so the
    # estimate grows with the pages, never below them.
    pages = b"".join(b"%d 0 obj << /Type /Page /Parent 1 0 R >> endobj\n" % k for k in range(3))
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 3 >> endobj\n" + pages + b"%%EOF"
    one_page = pdf.replace(pages, pages.split(b"\n")[0] + b"\n")
    three = count_request(user_with(file_part(pdf, "application/pdf")))
    one = count_request(user_with(file_part(one_page, "application/pdf")))
    largest = count_request(
        user_with({"type": "input_image", "image_url": "https://x/y.png", "detail": "high"})
    )
    base = count_request({"model": "gpt-4.1", "input": [{"role": "user", "content": []}]})
    assert three.total - one.total >= 2 * (largest.total - base.total)
    (flag,) = three.estimated
    assert "3 pages" in flag.why
    low = count_request(user_with(file_part(pdf, "application/pdf", detail="low")))
    assert low.total < three.total


def test_a_file_detail_is_checked() -> None:
    part = {"type": "input_file", "file_id": "file-1", "detail": "original"}
    with pytest.raises(MessageFormatError, match=r"content\[0\]\.detail is 'original'"):
        count_request(user_with(part))


def test_a_namespaced_call_counts_its_namespace_and_is_flagged() -> None:
    # ResponseFunctionToolCallParam.namespace (openai-python e43b422): a call to a function
    # of a namespace tool; the model writes the namespace too, so it is not left out.
    call = {"type": "function_call", "call_id": "c1", "name": "lookup", "arguments": "{}"}
    out = {"type": "function_call_output", "call_id": "c1", "output": "ok"}
    plain = count_request({"input": [call, out]})
    spaced = count_request({"input": [{**call, "namespace": "crm"}, out]})
    assert spaced.total > plain.total and plain.exact
    assert {e.part for e in spaced.estimated} == {"input[0]", "input[1]"}


def test_an_item_reference_with_a_null_type() -> None:
    # ItemReference.type is Optional: {"id": ..., "type": null} is still a reference.
    r = count_request({"previous_response_id": "r", "input": [{"id": "msg_1", "type": None}]})
    assert "input[0]" in {e.part for e in r.estimated}
