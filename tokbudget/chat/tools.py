"""Tool (function) definitions as the model sees them, and what they add to a prompt.

OpenAI does not bill the JSON you send: it renders the definitions into a TypeScript-like
``namespace functions { ... }`` block in the system prompt, one ``type NAME = (_: {...})
=> any;`` per function, with descriptions as ``//`` comments. :func:`render_functions`
writes that block; the tokens it adds are the block's tokens plus a fixed 9, minus 4 when
the request already has a system message (the block joins it instead of opening its own,
and that message gains a trailing newline). A forced ``tool_choice`` adds the function
name's tokens + 4; ``"none"`` adds 1.

This is an **estimate**: OpenAI has not published the format. It reproduces the cookbook's
published API figures (weather tool: 105 prompt tokens on gpt-4 / gpt-3.5-turbo, 101 on
gpt-4o / gpt-4o-mini) and all 36 requests (tools, forced choices, function results and
calls, nested objects, enums, ``anyOf``) whose prompt tokens the openai-chat-tokens project
measured on the API (gpt-3.5-turbo; ``tests/fixtures/chat_requests.json``). Two of its
rules were fitted to those measurements: descriptions of nested properties are not shown,
and a ``const`` shows as its type. (The cookbook's simpler per-property formula is off by
-38 to +10 tokens on the same set, as it ignores nested schemas, so it is not used.)
Schema features none of them use (``$ref``, ``allOf``, ``default``, ``format``,
``minimum``) are rendered as ``any`` or left out; their error is unmeasured, and so is
the format's stability on newer models.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import MessageFormatError

__all__ = [
    "FORCED_CHOICE_OVERHEAD",
    "FUNCTIONS_OVERHEAD",
    "SYSTEM_MERGE_SAVING",
    "FunctionDef",
    "parse_tool_choice",
    "parse_tools",
    "render_functions",
]

FUNCTIONS_OVERHEAD = 9
"""Tokens the tools block adds beyond its rendered text (measured, see the module doc)."""

SYSTEM_MERGE_SAVING = 4
"""Tokens saved when the block joins an existing system message instead of opening one."""

FORCED_CHOICE_OVERHEAD = 4
"""Tokens a forced ``tool_choice`` adds beyond the function name's own."""


@dataclass(frozen=True, slots=True)
class FunctionDef:
    """One callable as the prompt shows it: a name, a description, a JSON-schema object."""

    name: str
    description: str
    parameters: Mapping[str, Any]


def _fail(field: str, problem: str) -> MessageFormatError:
    return MessageFormatError(f"{field} {problem}", field=field)


def parse_tools(tools: Sequence[Any] | None, where: str = "tools") -> tuple[FunctionDef, ...]:
    """Validate ``tools`` (Chat Completions ``tools``, or legacy ``functions``)."""
    if tools is None:
        return ()
    if isinstance(tools, str | bytes | Mapping) or not isinstance(tools, Sequence):
        raise _fail(where, f"must be a list of tool definitions, got {type(tools).__name__}")
    out = []
    for i, tool in enumerate(tools):
        field = f"{where}[{i}]"
        if not isinstance(tool, Mapping):
            raise _fail(field, f"must be an object, got {type(tool).__name__}")
        if "type" in tool or "function" in tool:  # {"type": "function", "function": {...}}
            if tool.get("type", "function") != "function":
                raise _fail(
                    f"{field}.type",
                    f"is {tool.get('type')!r}; only 'function' tools can be counted "
                    "(custom and built-in tools are rendered in ways OpenAI does not publish)",
                )
            fn = tool.get("function")
            field += ".function"
            if not isinstance(fn, Mapping):
                raise _fail(field, "is missing; a function tool needs {'name': ..., ...}")
        else:  # a legacy `functions` entry is the function object itself
            fn = tool
        name = fn.get("name")
        if not isinstance(name, str) or not name:
            raise _fail(f"{field}.name", f"must be a non-empty string, got {name!r}")
        description = fn.get("description") if fn.get("description") is not None else ""
        if not isinstance(description, str):
            raise _fail(f"{field}.description", f"must be a string, got {description!r:.60}")
        parameters = fn.get("parameters") if fn.get("parameters") is not None else {}
        if not isinstance(parameters, Mapping):
            raise _fail(
                f"{field}.parameters", f"must be a JSON-schema object, got {parameters!r:.60}"
            )
        out.append(FunctionDef(name, description, parameters))
    return tuple(out)


def parse_tool_choice(
    choice: Any, names: Sequence[str], where: str = "tool_choice"
) -> tuple[str, str | None]:
    """Return ``(mode, name)``: ``auto``, ``none``, ``required``, or ``function`` + its name."""
    if choice is None:
        return "auto", None
    if choice in ("auto", "none", "required"):
        return str(choice), None
    if isinstance(choice, Mapping):
        fn = choice.get(
            "function", choice
        )  # {"type": "function", "function": {"name"}} or {"name"}
        name = fn.get("name") if isinstance(fn, Mapping) else None
        if isinstance(name, str):
            if name not in names:
                known = ", ".join(names) or "no tools are given"
                raise _fail(
                    f"{where}.function.name", f"is {name!r}, not one of the tools ({known})"
                )
            return "function", name
    raise _fail(
        where,
        f"is {choice!r:.80}; use 'auto', 'none', 'required' or "
        "{'type': 'function', 'function': {'name': ...}}",
    )


# ----------------------------------------------------------------------- rendering


def render_functions(functions: Sequence[FunctionDef]) -> str:
    """The ``namespace functions`` block the model sees for ``functions``.

    >>> print(render_functions([FunctionDef("ping", "Check the link.", {})]))
    namespace functions {
    <BLANKLINE>
    // Check the link.
    type ping = () => any;
    <BLANKLINE>
    } // namespace functions
    """
    lines = ["namespace functions {", ""]
    for fn in functions:
        if fn.description:
            lines.append(f"// {fn.description}")
        if _properties(fn.parameters):
            lines.append(f"type {fn.name} = (_: {{")
            lines.extend(_object_lines(fn.parameters, 0))
            lines.append("}) => any;")
        else:
            lines.append(f"type {fn.name} = () => any;")
        lines.append("")
    lines.append("} // namespace functions")
    return "\n".join(lines)


def _properties(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, Mapping) else {}


def _object_lines(schema: Mapping[str, Any], indent: int) -> Iterator[str]:
    required = schema.get("required") or ()
    pad = " " * indent
    for name, prop in _properties(schema).items():
        prop = prop if isinstance(prop, Mapping) else {}
        description = prop.get("description")
        # Measured: only top-level parameters keep their descriptions; nested ones are dropped.
        if indent == 0 and isinstance(description, str) and description:
            yield f"// {description}"
        optional = "" if name in required else "?"
        yield f"{pad}{name}{optional}: {_type(prop, indent)},"


def _literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else json.dumps(value)


def _type(schema: Mapping[str, Any], indent: int) -> str:
    # Measured: enums are rendered as literal unions, but a `const` is not (its type is).
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return " | ".join(_literal(v) for v in enum)
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            return " | ".join(_type(o if isinstance(o, Mapping) else {}, indent) for o in options)
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(_type({**schema, "type": k}, indent) for k in kind) or "any"
    if kind == "object":
        if not _properties(schema):
            return "object"
        return "\n".join(["{", *_object_lines(schema, indent + 2), " " * indent + "}"])
    if kind == "array":
        items = schema.get("items")
        return f"{_type(items, indent)}[]" if isinstance(items, Mapping) else "any[]"
    if kind == "integer":
        return "number"
    if kind in ("string", "number", "boolean", "null"):
        return str(kind)
    return _literal(schema["const"]) if "const" in schema else "any"
