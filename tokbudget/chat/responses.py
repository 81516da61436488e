"""Counting the input items of a Responses API request (every ``ResponseInputItemParam``).

Where the Responses API says what Chat Completions says, it counts the same, by the same
rules (:mod:`tokbudget.chat.messages`): a message costs ``tokens_per_message`` + its role
+ its content; ``instructions`` is a developer message; a ``function_call`` is a tool
call (name + arguments + 3) in the assistant turn it belongs to (an assistant message or
calls right before it share that turn's framing, as one Chat assistant message with
``tool_calls`` would); a ``function_call_output`` is a ``tool`` message named after the
call it answers; an ``input_image`` costs what the same ``image_url`` part costs.
``custom_tool_call`` / ``custom_tool_call_output`` count like function calls and outputs.
A message's ``phase`` and an ``output_text``'s annotations and logprobs are not counted.

Estimates, each flagged in :attr:`RequestCount.estimated` with its reason:

* ``reasoning``: its summary and reasoning text are counted as an assistant turn; its
  ``encrypted_content`` cannot be read offline and is estimated from its length as OpenAI's
  Codex CLI estimates it (base64 -> 3/4 of the length in bytes, less a 650-byte envelope,
  4 bytes a token). ``compaction`` items: the same estimate. The API may drop reasoning
  from earlier turns, so this may overcount.
* ``item_reference`` and output items answering calls that are not in the input (allowed
  only with ``previous_response_id`` / ``conversation``): the API's stored items, counted
  as 0 (pass the items themselves to count them).
* the built-in tools' items (``web_search_call``, ``file_search_call``,
  ``code_interpreter_call``, ``local_shell_call``, ``shell_call``, ``apply_patch_call`` and
  their outputs, ``mcp_*``, ``tool_search_call``, ``program`` ...): how the API shows them to
  the model is not published; counted as a turn holding the item's type and its content
  fields as compact JSON (ids, statuses and the like left out).
* images: a ``computer_call_output`` screenshot and an ``image_generation_call`` result
  are images; every image is counted as a Chat ``image_url`` part is
  (:mod:`tokbudget.chat.images`: an image of unknown size costs the model's largest image,
  ``"auto"`` the model's largest level; ``"original"`` where the registry has it).
* ``input_file``: ``file_data`` by the rules of :mod:`tokbudget.chat.attachments` (a text
  file as its text; a PDF as its text plus an image per page); a ``file_id`` /
  ``file_url`` as 0 (unknown offline).
* ``compaction_trigger`` costs 0 (a marker, not content), and so does a
  ``prompt_cache_breakpoint`` (it marks a cache boundary, not text).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import MessageFormatError
from ..models.registry import ChatFormat
from ..tokenizer.encoder import Encoder
from .attachments import (
    FILE_DETAILS,
    encrypted_tokens,
    file_data_tokens,
)
from .images import DETAILS, detail_of, image_part_tokens
from .item_types import ANSWERS, ITEM_TYPES, REQUIRED, item_kind, qualified_name
from .messages import Estimate
from .request import plain
from .tools import FunctionDef, render_functions

__all__ = ["ANSWERS", "ITEM_TYPES", "ItemCounter", "encrypted_tokens"]

_CALL_TYPES = {"function_call": "arguments", "custom_tool_call": "input"}
_BOOKKEEPING = frozenset(
    {
        "type",
        "id",
        "status",
        "call_id",
        "caller",
        "pending_safety_checks",
        "execution",
        "acknowledged_safety_checks",
        "approval_request_id",
        "fingerprint",
        "environment",
        "max_output_length",
        "created_by",
    }
)
_NAMESPACED_WHY = (
    "a call to a namespace's function: named with its namespace (namespace.name), unmeasured"
)
_INPUT_ROLES = ("user", "system", "developer")
_ROLES = (*_INPUT_ROLES, "assistant")


class ItemCounter:
    """Counts Responses input items one at a time; errors name ``input[i]`` and the field.

    Args:
        detached: the request points at server-side state (``previous_response_id`` /
            ``conversation``): an output may then answer a call that is not in the input.
    """

    def __init__(
        self,
        enc: Encoder,
        fmt: ChatFormat,
        model: str,
        items: Sequence[Mapping[str, Any]],
        *,
        detached: bool,
    ) -> None:
        self.enc, self.fmt, self.model = enc, fmt, model
        self.detached = detached or any(item_kind(m) == "item_reference" for m in items)
        self.estimates: list[Estimate] = []
        self.turn_open = False  # an assistant turn that the next call joins
        self.ids: dict[str, dict[str, str]] = {}  # call type -> id -> name
        self.namespaced: set[str] = set()  # call_ids of calls to a namespace's function
        for item in items:
            kind = item_kind(item)
            for call_kind, _, id_field in ANSWERS.values():
                if kind == call_kind and isinstance(item.get(id_field), str):
                    name = qualified_name(item) or kind
                    self.ids.setdefault(kind, {})[item[id_field]] = name
                    if isinstance(item.get("namespace"), str):
                        self.namespaced.add(item[id_field])

    # -- helpers

    def fail(self, i: int, field: str, problem: str) -> MessageFormatError:
        return MessageFormatError(f"input[{i}].{field} {problem}", index=i, field=field)

    def text(self, i: int, field: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.fail(
                i, field, f"must be a string, got {type(value).__name__}: {value!r:.60}"
            )
        return value

    def frame(self, role: str) -> int:
        return int(self.fmt.tokens_per_message) + self.enc.count(role)

    def flag(self, i: int, tokens: int, why: str) -> int:
        """Flag item ``i`` as estimated; its parts' flags fold into this one."""
        part = f"input[{i}]"
        inner = [e for e in self.estimates if e.part.startswith(part + ".")]
        if inner:
            self.estimates = [e for e in self.estimates if e not in inner]
            why += "; " + "; ".join(f"{e.part[len(part) + 1 :]}: {e.why}" for e in inner)
        self.estimates.append(Estimate(part, tokens, why))
        return tokens

    # -- items

    def item(self, i: int, raw: Any, *, pad: bool = False) -> int:
        """Tokens of item ``i`` (``pad``: the functions block joins it, see messages)."""
        item = plain(raw)
        if not isinstance(item, Mapping):
            raise self.fail(
                i, "type", f"is missing: an input item must be an object, got {type(item).__name__}"
            )
        kind = item_kind(item)
        if kind is None:
            raise self.fail(i, "type", "is missing; an item without 'role' needs a 'type'")
        if kind not in REQUIRED:
            raise self.fail(
                i, "type", f"is {kind!r}, not an input item type ({', '.join(ITEM_TYPES)})"
            )
        for key in REQUIRED[kind]:
            if item.get(key) is None:
                raise self.fail(i, key, f"is missing; a {kind} item needs it")
        opened = self.turn_open
        self.turn_open = False
        if kind == "message":
            return self.message(i, item, pad)
        if kind in _CALL_TYPES:
            return self.call(i, kind, item, opened)
        if kind in ("function_call_output", "custom_tool_call_output"):
            return self.output(i, kind, item)
        return self.other(i, kind, item)

    def message(self, i: int, m: Mapping[str, Any], pad: bool) -> int:
        role = m.get("role")
        if role not in _ROLES:
            raise self.fail(i, "role", f"is {role!r}; use one of {', '.join(_ROLES)}")
        n = self.frame(role) + self.content(i, role, m.get("content"), "content", pad)
        self.turn_open = role == "assistant"
        return n

    def content(self, i: int, role: str, content: Any, field: str, pad: bool = False) -> int:
        if isinstance(content, str):
            return self.enc.count(content + "\n" if pad else content)
        if isinstance(content, str | bytes | Mapping) or not isinstance(content, Sequence):
            raise self.fail(
                i, field, f"must be a string or a list of parts, got {type(content).__name__}"
            )
        texts: list[str] = []
        other = 0
        allowed = (
            ("output_text", "refusal", "input_text")
            if role == "assistant"
            else ("input_text", "input_image", "input_file")
        )
        for j, raw in enumerate(content):
            part = plain(raw)
            where = f"{field}[{j}]"
            if not isinstance(part, Mapping):
                raise self.fail(i, where, f"must be an object, got {type(part).__name__}")
            kind = part.get("type")
            if kind not in allowed:
                raise self.fail(
                    i, f"{where}.type", f"is {kind!r}; a {role} item takes {', '.join(allowed)}"
                )
            if kind in ("input_text", "output_text"):
                texts.append(self.text(i, f"{where}.text", part.get("text")))
            elif kind == "refusal":
                texts.append(self.text(i, f"{where}.refusal", part.get("refusal")))
            elif kind == "input_image":
                url = part.get("image_url")
                other += self.image(i, where, url if isinstance(url, str) else None, part)
            else:
                other += self.file(i, where, part)
        if pad:
            texts = [*texts[:-1], texts[-1] + "\n"] if texts else ["\n"]
        return sum(self.enc.count(t) for t in texts) + other

    def image(self, i: int, where: str, url: str | None, part: Mapping[str, Any]) -> int:
        """An image, by the same rules as a Chat ``image_url`` part (one count, both APIs)."""
        detail = detail_of(part)
        if detail not in DETAILS:
            raise self.fail(i, f"{where}.detail", f"is {detail!r}; use one of {', '.join(DETAILS)}")
        if url is None and not isinstance(part.get("file_id"), str):
            raise self.fail(i, where, "needs 'image_url' (a URL or data: URL) or 'file_id'")
        tokens, why = image_part_tokens(self.model, url, detail, f"input[{i}].{where}")
        if why:
            self.estimates.append(Estimate(f"input[{i}].{where}", tokens, why))
        return tokens

    def file(self, i: int, where: str, part: Mapping[str, Any]) -> int:
        detail = detail_of(part)
        if detail not in FILE_DETAILS:
            raise self.fail(
                i, f"{where}.detail", f"is {detail!r}; use one of {', '.join(FILE_DETAILS)}"
            )
        data = part.get("file_data")
        if data is None:
            why = "input_file by file_id / file_url: its content is unknown offline; counted as 0"
            tokens = 0
        else:
            text = self.text(i, f"{where}.file_data", data)
            tokens, why = file_data_tokens(
                self.enc, self.model, text, detail, f"input[{i}].{where}"
            )
        self.estimates.append(Estimate(f"input[{i}].{where}", tokens, why))
        return tokens

    def call(self, i: int, kind: str, item: Mapping[str, Any], opened: bool) -> int:
        self.text(i, "call_id", item.get("call_id"))
        name = self.text(i, "name", item.get("name"))
        namespace = item.get("namespace")
        if namespace is not None:
            name = f"{self.text(i, 'namespace', namespace)}.{name}"
        field = _CALL_TYPES[kind]
        args = item.get(field)
        if isinstance(args, Mapping):
            raise self.fail(i, field, "must be a JSON string; json.dumps() it")
        n = self.enc.count(name) + self.enc.count(self.text(i, field, args)) + 3
        if not opened:
            n += self.frame("assistant")  # a turn of its own, as a Chat assistant message
        self.turn_open = True
        if namespace is not None:
            self.flag(i, n, _NAMESPACED_WHY)
        return n

    def answered(self, i: int, kind: str, item: Mapping[str, Any]) -> str | None:
        """The name of the call ``item`` answers; None (flagged) if it is stored server-side."""
        call_kind, link, _ = ANSWERS[kind]
        ref = self.text(i, link, item.get(link))
        name = self.ids.get(call_kind, {}).get(ref)
        if name is None and not self.detached:
            raise self.fail(
                i,
                link,
                f"is {ref!r}, but no {call_kind} in the input has that id; include the call, "
                "or pass previous_response_id if the API holds it",
            )
        return name

    def output(self, i: int, kind: str, item: Mapping[str, Any]) -> int:
        name = self.answered(i, kind, item)
        shown = name if name is not None else str(item["call_id"])
        n = self.frame("tool") + self.content(i, "tool_output", item.get("output"), "output")
        n += self.enc.count(shown) + self.fmt.tokens_per_name - 2  # as a Chat tool message
        if name is None:
            self.flag(i, n, "answers a call stored by the API (not in the input); named by its id")
        elif item["call_id"] in self.namespaced:
            self.flag(i, n, _NAMESPACED_WHY)
        return n

    def other(self, i: int, kind: str, item: Mapping[str, Any]) -> int:
        if kind in ANSWERS and kind != "tool_search_output":  # a server-side search has none
            self.answered(i, kind, item)
        if kind == "compaction_trigger":
            return 0
        if kind == "item_reference":
            return self.flag(
                i, 0, "item_reference: the API's stored item; pass the item to count it"
            )
        if kind in ("reasoning", "compaction"):
            return self.reasoning(i, kind, item)
        if kind in ("tool_search_output", "additional_tools", "mcp_list_tools"):
            return self.flag(
                i,
                self.tools_item(i, kind, item),
                f"{kind}: tools loaded at this "
                "point; counted as tool definitions (rendering not published)",
            )
        role = (
            "tool" if kind.endswith("_output") or kind == "mcp_approval_response" else "assistant"
        )
        n = self.frame(role) + self.enc.count(kind)
        shown = {k: v for k, v in item.items() if k not in _BOOKKEEPING}
        if kind == "computer_call_output":
            shot = plain(shown.pop("output"))
            url = shot.get("image_url") if isinstance(shot, Mapping) else None
            n += self.image(i, "output", url if isinstance(url, str) else None, {"file_id": ""})
        elif kind == "image_generation_call":
            result = shown.pop("result", None)
            if isinstance(result, str) and result:
                url = result if result.startswith("data:") else f"data:image/png;base64,{result}"
                n += self.image(i, "result", url, {})
        n += self.enc.count(
            json.dumps(shown, ensure_ascii=False, separators=(",", ":"), default=str)
        )
        self.turn_open = role == "assistant"
        return self.flag(
            i,
            n,
            f"{kind}: how the API shows it is not published; counted as its fields' JSON in a turn",
        )

    def reasoning(self, i: int, kind: str, item: Mapping[str, Any]) -> int:
        n = 0
        for key, text_key in (("summary", "text"), ("content", "text")):
            parts = item.get(key) or []
            if not isinstance(parts, list):
                raise self.fail(i, key, f"must be a list, got {type(parts).__name__}")
            for j, part in enumerate(parts):
                part = plain(part)
                if not isinstance(part, Mapping):
                    raise self.fail(i, f"{key}[{j}]", "must be an object with 'text'")
                n += self.enc.count(self.text(i, f"{key}[{j}].{text_key}", part.get(text_key)))
        blob = item.get("encrypted_content")
        if blob is not None:
            n += encrypted_tokens(self.text(i, "encrypted_content", blob))
        if kind == "reasoning":
            n += self.frame("assistant")
            why = "reasoning: summary and text counted as an assistant turn"
            if blob is not None:
                why += "; encrypted_content estimated from its length (Codex CLI's rule)"
        else:
            why = "compaction: encrypted_content estimated from its length (Codex CLI's rule)"
        return self.flag(i, n, why)

    def tools_item(self, i: int, kind: str, item: Mapping[str, Any]) -> int:
        tools = item.get("tools")
        if not isinstance(tools, list):
            raise self.fail(i, "tools", f"must be a list, got {type(tools).__name__}")
        defs = []
        for j, raw in enumerate(tools):
            tool = plain(raw)
            if not isinstance(tool, Mapping):
                raise self.fail(i, f"tools[{j}]", "must be an object")
            name = tool.get("name") or tool.get("server_label") or tool.get("type")
            schema = tool.get("parameters", tool.get("input_schema"))
            description = tool.get("description")
            defs.append(
                FunctionDef(
                    str(name),
                    description if isinstance(description, str) else "",
                    schema if isinstance(schema, Mapping) else {},
                )
            )
        return self.frame("developer") + self.enc.count(render_functions(defs))
