"""Counting a Chat Completions request the way the API bills its prompt.

Each message costs ``tokens_per_message`` (3) + the tokens of its role and content, plus
``tokens(name) + tokens_per_name`` (1) when it has a ``name``; every request adds
``reply_priming`` (3) for the assistant turn the model starts. These constants come from
the registry (OpenAI's cookbook "How to count tokens with tiktoken"; gpt-3.5-turbo-0301
differs) and reproduce the cookbook's API figures: its 6-message conversation is 129
prompt tokens on gpt-4 / gpt-3.5-turbo and 124 on gpt-4o / gpt-4o-mini.

What is exact and what is estimated:

* **Exact** (equal to the API on every published example): text messages, with string
  content or a single text part, names, reply priming.
* **Tool definitions and tool_choice**: an estimate; see :mod:`tokbudget.chat.tools` (of the 42
  API-measured requests with tools, 36 exact, 6 over by 1-2, none under; unusual schemas
  and newer models unmeasured).
* **Tool calls and results**: each call in an assistant's ``tool_calls`` (or legacy
  ``function_call``) costs its name + arguments + 3; a ``tool`` (or ``function``) message
  costs as a named message minus 2, its name being the called function's (found through
  ``tool_call_id``). Exact on the API measurements of single calls; several calls in one
  message are unmeasured.
* **Images**: :mod:`tokbudget.chat.images` (OpenAI's formulas; ``detail="auto"`` counted as
  ``"high"``; an image of unknown size costs the model's upper bound). Any per-image
  framing tokens the API adds are unmeasured.
* **Several content parts**: each part is counted on its own; how the API joins them is
  not published, so a request with several text parts may differ by a token per join.
* **Not counted here**: ``response_format`` schemas (structured outputs add them to the
  prompt; :func:`tokbudget.count_request` counts them, see
  :mod:`tokbudget.chat.schema_format`), and hidden system prompts of reasoning models.
  Audio and file parts raise an error.

:attr:`RequestCount.estimated` names the parts counted by an estimate or an upper bound
(tool definitions, images of unknown size or ``detail="auto"``), each with its reason.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import MessageFormatError, SettingsError, UnknownModelError
from ..models.defaults import DEFAULT_MODEL
from ..models.registry import ChatFormat, default_registry
from ..tokenizer.encoder import Encoder, get_encoding
from .counts import Estimate, RequestCount
from .images import DETAILS, detail_of, image_part_tokens
from .request import plain, read_request, request_body
from .tools import is_legacy_choice, parse_tool_choice, parse_tools, tools_tokens

__all__ = [
    "ROLES",
    "SYSTEM_ROLES",
    "TOOLS_WHY",
    "Estimate",
    "RequestCount",
    "count_messages",
    "message_counts",
    "parse_request",
    "request_body",
]

# request_body is re-exported from .request, where the one reader lives.

ROLES = ("system", "developer", "user", "assistant", "tool", "function")
SYSTEM_ROLES = ("system", "developer")
"""Roles that instruct the model: kept by :func:`~tokbudget.chat.fit.fit_messages`, and the
message a tools block joins. A tuple, not a set: a malformed role (a list) is then just not
one of them, and gets its MessageFormatError, instead of a TypeError from hashing it."""
_KEYS = {
    "role", "content", "name", "tool_calls", "function_call", "tool_call_id", "refusal",
    "audio", "annotations",
}  # fmt: skip
_CALL_OVERHEAD = 3  # per tool call / function_call, beyond its name and arguments
_RESULT_SAVING = 2  # a tool / function result costs 2 less than a named message


def count_messages(
    messages: Iterable[Mapping[str, Any]],
    model: str | None = None,
    *,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: Any = None,
) -> int:
    """Return the prompt tokens of a Chat Completions request (see the module doc).

    >>> count_messages([{"role": "user", "content": "hello world"}], model="gpt-4o")
    9
    """
    return message_counts(messages, model, tools=tools, tool_choice=tool_choice).total


def message_counts(
    messages: Iterable[Mapping[str, Any]],
    model: str | None = None,
    *,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: Any = None,
) -> RequestCount:
    """Count a request like :func:`count_messages`, message by message.

    Args:
        messages: the request's ``messages`` (dicts, or SDK objects with ``model_dump()``).
            Never modified.
        model: a chat or reasoning model (default gpt-4o); new snapshots of a known family
            use the default chat format.
        tools: the request's ``tools`` (or legacy ``functions``).
        tool_choice: the request's ``tool_choice`` (or legacy ``function_call``).

    Raises:
        MessageFormatError: a malformed message, part or tool; names the index and field.
        SettingsError: the model cannot take chat messages, or an image for a model
            without image rules.

    >>> message_counts([{"role": "user", "content": "hi"}]).messages
    (5,)
    """
    enc, fmt, name = chat_setup(model)
    msgs = as_messages(messages)
    functions = parse_tools(tools)
    # Checked even without tools: a choice naming a function then is an error.
    mode, forced = parse_tool_choice(tool_choice, [f.name for f in functions])
    padded = -1  # with tools, the first system message gains a trailing newline
    if functions:
        padded = next((i for i, m in enumerate(msgs) if m.get("role") in SYSTEM_ROLES), -1)
    counter = MessageCounter(enc, fmt, name, call_names(msgs))
    per_message = tuple(counter.message(i, m, pad=i == padded) for i, m in enumerate(msgs))
    tool_tokens = tools_tokens(
        enc,
        functions,
        joins_system=padded >= 0,
        mode=mode,
        forced=forced,
        legacy_choice=is_legacy_choice(tool_choice),
    )
    estimated = list(counter.estimates)
    if functions:
        estimated.append(Estimate("tools", tool_tokens, TOOLS_WHY))
    overhead = fmt.reply_priming
    return RequestCount(
        total=sum(per_message) + tool_tokens + overhead,
        messages=per_message,
        tools=tool_tokens,
        overhead=overhead,
        labels=tuple(f"messages[{i}]" for i in range(len(msgs))),
        estimated=tuple(estimated),
    )


TOOLS_WHY = (
    "tool definitions: OpenAI does not publish how it renders them; the rendering is "
    "fitted to API measurements (of 42 requests with tools, 36 exact, 6 over by 1-2, "
    "none under; see tokbudget.chat.tools)"
)
"""Why a count with function tools is an estimate (the same words in both APIs)."""


def parse_request(body: Mapping[str, Any]) -> tuple[list[Any], list[Any] | None, Any]:
    """Return ``(messages, tools, tool_choice)`` of a Chat Completions request body.

    Legacy ``functions`` / ``function_call`` are returned as ``tools`` / ``tool_choice``. A
    Batch API input line (``{"custom_id": ..., "body": {...}}``) is unwrapped. Only the
    shape is checked here (by :func:`tokbudget.chat.request.read_request`, the one reader);
    :func:`message_counts` checks each message. A Responses API body is an error here:
    count it with :func:`tokbudget.count_request`.

    >>> parse_request({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
    ([{'role': 'user', 'content': 'hi'}], None, None)
    """
    if not isinstance(plain(body), Mapping):
        raise MessageFormatError(
            f"a request body must be a JSON object, got {type(body).__name__}", field="body"
        )
    request = read_request(body, api="chat")
    tools = None if request.tools is None else list(request.tools)
    return request.messages, tools, request.tool_choice


# ------------------------------------------------------------------------- internals


def chat_setup(model: str | None) -> tuple[Encoder, ChatFormat, str]:
    name = model if model is not None else DEFAULT_MODEL
    registry = default_registry()
    enc = get_encoding(registry.encoding_name(name))  # fails open on family prefixes
    try:
        spec = registry.get(name)
    except UnknownModelError:
        return enc, ChatFormat(), name  # a newer snapshot of a known family
    if spec.chat is None:
        article = "an" if spec.kind[0] in "aeiou" else "a"
        raise SettingsError(
            f"{spec.name} is {article} {spec.kind} model; it takes no chat messages. Count "
            "its input with tokbudget.count(), or pass a chat model"
        )
    return enc, spec.chat, spec.name


def as_messages(messages: Any) -> list[Mapping[str, Any]]:
    if isinstance(messages, str | bytes | Mapping) or not isinstance(messages, Iterable):
        raise MessageFormatError(
            f"messages must be a list of message objects, got {type(messages).__name__}",
            field="messages",
        )
    out = []
    for i, message in enumerate(messages):
        dump = getattr(message, "model_dump", None)  # openai SDK (pydantic) objects
        if not isinstance(message, Mapping) and callable(dump):
            message = dump(exclude_none=True)
        if not isinstance(message, Mapping):
            raise MessageFormatError(
                f"messages[{i}] must be an object with 'role' and 'content', "
                f"got {type(message).__name__}: {message!r:.60}",
                index=i,
            )
        out.append(message)
    return out


def call_names(messages: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """tool_call_id -> function name, from the assistants' tool calls."""
    names: dict[str, str] = {}
    for message in messages:
        calls = message.get("tool_calls")
        for call in calls if isinstance(calls, list) else ():
            if isinstance(call, Mapping) and isinstance(call.get("id"), str):
                body = call.get("function") or call.get("custom")
                if isinstance(body, Mapping) and isinstance(body.get("name"), str):
                    names[call["id"]] = body["name"]
    return names


class MessageCounter:
    """Counts one Chat message at a time; errors name the message index and the field.

    ``estimates`` collects the parts counted by an upper bound (images of unknown size or
    ``detail="auto"``).
    """

    def __init__(self, enc: Encoder, fmt: ChatFormat, model: str, names: dict[str, str]):
        self.enc, self.fmt, self.model, self.call_names = enc, fmt, model, names
        self.estimates: list[Estimate] = []

    def fail(self, i: int, field: str, problem: str) -> MessageFormatError:
        return MessageFormatError(f"messages[{i}].{field} {problem}", index=i, field=field)

    def text(self, i: int, field: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.fail(
                i, field, f"must be a string, got {type(value).__name__}: {value!r:.60}"
            )
        return value

    def message(self, i: int, m: Mapping[str, Any], *, pad: bool = False) -> int:
        for key in m:
            if key not in _KEYS:
                close = difflib.get_close_matches(str(key), sorted(_KEYS), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise self.fail(i, str(key), f"is not a message field{hint} (the API rejects it)")
        role = m.get("role")
        if role not in ROLES:
            problem = "is missing" if role is None else f"is {role!r}"
            raise self.fail(i, "role", f"{problem}; use one of {', '.join(ROLES)}")
        fmt = self.fmt
        n = fmt.tokens_per_message + self.enc.count(role)
        n += self.content(i, role, m, pad)
        if m.get("name") is not None:
            n += self.enc.count(self.text(i, "name", m["name"])) + fmt.tokens_per_name
        if role in ("tool", "function"):
            n += self.result_name(i, role, m) - _RESULT_SAVING
        if m.get("refusal") is not None:
            n += self.enc.count(self.text(i, "refusal", m["refusal"]))
        if m.get("audio") is not None:
            raise self.fail(i, "audio", "is set; audio is billed at other rates, not counted")
        n += self.calls(i, role, m)
        return n

    def result_name(self, i: int, role: str, m: Mapping[str, Any]) -> int:
        if role == "function":
            if m.get("name") is None:
                raise self.fail(i, "name", "is missing; a function message names its function")
            return 0  # counted as the message's name
        call_id = self.text(i, "tool_call_id", m.get("tool_call_id"))
        # The prompt shows the function's name, not the id; an unmatched id counts itself.
        name = self.call_names.get(call_id, call_id)
        return self.enc.count(name) + self.fmt.tokens_per_name

    def content(self, i: int, role: str, m: Mapping[str, Any], pad: bool) -> int:
        content = m.get("content")
        if content is None:
            if role in ("assistant", "function"):
                return 0
            raise self.fail(i, "content", f"is missing; a {role} message needs content")
        if isinstance(content, str):
            return self.enc.count(content + "\n" if pad else content)
        if not isinstance(content, list):
            raise self.fail(
                i, "content", f"must be a string or a list of parts, got {type(content).__name__}"
            )
        texts: list[str] = []
        images = 0
        for j, part in enumerate(content):
            field = f"content[{j}]"
            if not isinstance(part, Mapping):
                raise self.fail(i, field, f"must be an object, got {type(part).__name__}")
            kind = part.get("type")
            if kind in ("text", "refusal"):
                texts.append(self.text(i, f"{field}.{kind}", part.get(kind)))
            elif kind == "image_url" and role == "user":
                images += self.image(i, field, part.get("image_url"))
            elif kind in ("input_audio", "file"):
                raise self.fail(i, field, f"is an {kind} part; tokbudget cannot count it")
            else:
                allowed = "text, image_url" if role == "user" else "text"
                raise self.fail(
                    i, f"{field}.type", f"is {kind!r}; a {role} message takes {allowed}"
                )
        if pad:
            texts = [*texts[:-1], texts[-1] + "\n"] if texts else ["\n"]
        return sum(self.enc.count(t) for t in texts) + images

    def image(self, i: int, field: str, spec: Any) -> int:
        if isinstance(spec, str):  # the SDK also accepts {"image_url": "https://..."}
            spec = {"url": spec}
        if not isinstance(spec, Mapping):
            raise self.fail(i, f"{field}.image_url", "must be an object with 'url'")
        url = self.text(i, f"{field}.image_url.url", spec.get("url"))
        detail = detail_of(spec)
        if detail not in DETAILS:
            raise self.fail(
                i, f"{field}.image_url.detail", f"is {detail!r}; use one of {', '.join(DETAILS)}"
            )
        where = f"messages[{i}].{field}"
        tokens, why = image_part_tokens(self.model, url, detail, where)
        if why:
            self.estimates.append(Estimate(where, tokens, why))
        return tokens

    def calls(self, i: int, role: str, m: Mapping[str, Any]) -> int:
        for key in ("tool_calls", "function_call"):
            if m.get(key) is not None and role != "assistant":
                raise self.fail(i, key, f"is only allowed on assistant messages, not {role}")
        found: list[tuple[str, Any, Any]] = []  # (field, name, arguments)
        if m.get("function_call") is not None:
            fc = m["function_call"]
            fc = fc if isinstance(fc, Mapping) else {}
            found.append(("function_call", fc.get("name"), fc.get("arguments")))
        calls = m.get("tool_calls")
        if calls is not None:
            if not isinstance(calls, list):
                raise self.fail(i, "tool_calls", f"must be a list, got {type(calls).__name__}")
            for j, call in enumerate(calls):
                field = f"tool_calls[{j}]"
                call = call if isinstance(call, Mapping) else {}
                kind = call.get("type", "function")
                body = call.get(kind) if kind in ("function", "custom") else None
                if not isinstance(body, Mapping):
                    raise self.fail(i, field, "must be {'type': 'function', 'function': {...}}")
                args = body.get("arguments" if kind == "function" else "input")
                found.append((f"{field}.{kind}", body.get("name"), args))
        n = 0
        for field, name, args in found:
            n += self.enc.count(self.text(i, f"{field}.name", name)) + _CALL_OVERHEAD
            if isinstance(args, Mapping):
                raise self.fail(i, f"{field}.arguments", "must be a JSON string; json.dumps() it")
            n += self.enc.count(self.text(i, f"{field}.arguments", args))
        return n
