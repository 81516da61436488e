"""A stand-in for tokbudget.messages (being written on another branch), for tests only.

Follows the contract: RequestCount(total, messages, tools, overhead), message_counts,
count_messages, parse_request; counts with the cookbook formula. Removed once the real
module lands.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import tokbudget
from tokbudget.errors import MessageFormatError


@dataclass(frozen=True, slots=True)
class RequestCount:
    total: int
    messages: tuple[int, ...]
    tools: int
    overhead: int


def message_counts(
    messages: Any, model: str | None = None, *, tools: Any = None, tool_choice: Any = None
) -> RequestCount:
    enc = tokbudget.encoding_for(model or "gpt-4o")
    per = []
    for i, m in enumerate(messages):
        if not isinstance(m, Mapping) or "role" not in m:
            raise MessageFormatError(f"messages[{i}].role is missing", index=i, field="role")
        n = 3 + enc.count(m["role"])
        c = m.get("content")
        if isinstance(c, str):
            n += enc.count(c)
        elif isinstance(c, list):
            n += sum(enc.count(p.get("text", "")) for p in c)
        if m.get("name"):
            n += enc.count(m["name"]) + 1
        for call in m.get("tool_calls") or []:
            n += enc.count(call["function"]["name"]) + enc.count(call["function"]["arguments"]) + 3
        if m["role"] == "tool":
            n += enc.count(m["tool_call_id"]) - 1
        per.append(n)
    tool_tokens = enc.count(json.dumps(tools)) + 12 if tools else 0
    if tools and any(m.get("role") == "system" for m in messages):
        tool_tokens -= 4  # a format effect that depends on another message
    return RequestCount(sum(per) + tool_tokens + 3, tuple(per), tool_tokens, 3)


def count_messages(
    messages: Any, model: str | None = None, *, tools: Any = None, tool_choice: Any = None
) -> int:
    return message_counts(messages, model, tools=tools, tool_choice=tool_choice).total


def parse_request(body: Mapping[str, Any]) -> tuple[list[Any], list[Any] | None, Any]:
    if "messages" not in body:
        raise MessageFormatError("the request has no 'messages' list", field="messages")
    tools = body.get("tools")
    return (
        list(body["messages"]),
        (list(tools) if tools is not None else None),
        body.get("tool_choice"),
    )


def install_if_missing() -> None:
    """Make ``tokbudget.messages`` this stand-in, unless the real module is there."""
    import importlib.util
    import sys

    if importlib.util.find_spec("tokbudget.messages") is None:
        sys.modules["tokbudget.messages"] = sys.modules[__name__]
