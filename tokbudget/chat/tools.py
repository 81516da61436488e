"""Tool (function) definitions as the model sees them, and what they add to a prompt.

OpenAI does not bill the JSON you send: it renders the definitions into a TypeScript-like
``namespace functions { ... }`` block in the system prompt, one ``type NAME = (_: {...})
=> any;`` per function, with descriptions as ``//`` comments. :func:`render_functions`
writes that block; the tokens it adds are the block's tokens plus a fixed 9, minus 4 when
the request already has a system message (the block joins it instead of opening its own,
and that message gains a trailing newline). :func:`tools_tokens` adds it all up.

``tool_choice`` (:func:`choice_tokens`): ``"auto"`` adds nothing and ``"none"`` adds 1
(both measured). Forcing a function adds its name's tokens + 7 in the ``tools`` form
(``{"type": "function", "function": {"name": ...}}``) and + 4 in the legacy
``function_call`` form (``{"name": ...}``): each is what the API reported for that form.
``"required"`` is unmeasured; it is counted as forcing the longest-named tool, the most a
forced choice adds, so that a budget does not undercount it.

This is an **estimate**: OpenAI has not published the format. It reproduces every
prompt_tokens figure published for it that we know of:

* the cookbook's weather tool (105 prompt tokens on gpt-4 / gpt-3.5-turbo, 101 on gpt-4o /
  gpt-4o-mini), exactly;
* the 36 requests in legacy ``functions`` form (forced choices, function results and
  calls, nested objects, enums, ``anyOf``) that the openai-chat-tokens project measured on
  gpt-3.5-turbo in 2023, exactly. Two of its rules were fitted to them: in that form,
  descriptions of nested properties are not shown, and a ``const`` shows as its type;
* the 18 requests in ``tools`` form that the openai-messages-token-helper project measured
  in 2024 (``tool_choice`` auto / none / forced, nested objects, enums, arrays, ``null``):
  never under, at most 2 over. They show nested descriptions, which the 2023 figures do
  not; as it is not known which models render which way, a ``tools`` request is counted
  both ways (the 2023 rendering, and one with nested descriptions and nested properties
  unindented, which matches all four of that set's nested schemas to within a token) and
  the larger count is taken.

The sets are in ``tests/fixtures/chat_requests.json`` and ``tool_requests.json``. (The
cookbook's simpler per-property formula is off by -38 to +10 tokens on them, as it
ignores nested schemas, so it is not used.) Schema features none of them use (``$ref``,
``allOf``, ``default``, ``format``, ``minimum``) are rendered as ``any`` or left out; their
error is unmeasured, and so is the format's stability on newer models.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import MessageFormatError
from ..jsonload import plain_json
from ..tokenizer.encoder import Encoder
from .request import plain

__all__ = [
    "FORCED_CHOICE_OVERHEAD",
    "FORCED_TOOL_CHOICE_OVERHEAD",
    "FUNCTIONS_OVERHEAD",
    "NONE_CHOICE_OVERHEAD",
    "SYSTEM_MERGE_SAVING",
    "FunctionDef",
    "choice_tokens",
    "is_legacy_choice",
    "mcp_namespace",
    "parse_tool_choice",
    "parse_tools",
    "render_functions",
    "render_namespace",
    "tools_tokens",
]

FUNCTIONS_OVERHEAD = 9
"""Tokens the tools block adds beyond its rendered text (measured, see the module doc)."""

SYSTEM_MERGE_SAVING = 4
"""Tokens saved when the block joins an existing system message instead of opening one."""

FORCED_CHOICE_OVERHEAD = 4
"""Tokens a legacy ``function_call: {"name": ...}`` adds beyond the function name's own."""

FORCED_TOOL_CHOICE_OVERHEAD = 7
"""Tokens ``tool_choice: {"type": "function", ...}`` adds beyond the function name's own."""

NONE_CHOICE_OVERHEAD = 1
"""Tokens ``tool_choice: "none"`` adds."""


@dataclass(frozen=True, slots=True)
class FunctionDef:
    """One callable as the prompt shows it: a name, a description, a JSON-schema object."""

    name: str
    description: str
    parameters: Mapping[str, Any]
    legacy: bool = False  # given in the legacy ``functions`` form (a bare function object)


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
            legacy = False
        else:  # a legacy `functions` entry is the function object itself
            fn = tool
            legacy = True
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
        # As JSON: the renderer recurses through it (bounded depth) and tells lists from
        # objects (a tuple is a list, a mapping an object, a set is an error).
        parameters, problem = plain_json(parameters)
        if problem:
            raise _fail(f"{field}.parameters", problem)
        out.append(FunctionDef(name, description, parameters, legacy))
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


# ------------------------------------------------------------------------- counting


def tools_tokens(
    enc: Encoder,
    functions: Sequence[FunctionDef],
    *,
    joins_system: bool,
    mode: str = "auto",
    forced: str | None = None,
    legacy_choice: bool = False,
) -> int:
    """Prompt tokens that ``functions`` and the choice add to a request (0 without tools).

    Args:
        enc: the model's encoder.
        functions: the request's tools, from :func:`parse_tools`.
        joins_system: the request has a system (or developer) message for the block to join.
        mode: ``tool_choice``'s mode and ``forced`` its function, from
            :func:`parse_tool_choice`.
        legacy_choice: the choice was a legacy ``function_call`` (:func:`is_legacy_choice`).

    A ``tools``-form request is counted in both known renderings (see the module doc) and
    the larger is taken; a legacy ``functions`` one in the 2023 rendering.
    """
    if not functions:
        return 0
    block = enc.count(render_functions(functions))
    if not all(f.legacy for f in functions):
        block = max(block, enc.count(render_functions(functions, nested_descriptions=True)))
    saving = SYSTEM_MERGE_SAVING if joins_system else 0
    choice = choice_tokens(enc, functions, mode, forced, legacy=legacy_choice)
    return block + FUNCTIONS_OVERHEAD - saving + choice


def choice_tokens(
    enc: Encoder,
    functions: Sequence[FunctionDef],
    mode: str,
    forced: str | None,
    *,
    legacy: bool = False,
) -> int:
    """Prompt tokens ``tool_choice`` adds to a request with ``functions`` (see module doc).

    >>> from tokbudget import get_encoding
    >>> enc, fns = get_encoding("cl100k_base"), [FunctionDef("get_weather", "", {})]
    >>> [choice_tokens(enc, fns, mode, None) for mode in ("auto", "none", "required")]
    [0, 1, 9]
    >>> choice_tokens(enc, fns, "function", "get_weather")  # {"type": "function", ...}
    9
    >>> choice_tokens(enc, fns, "function", "get_weather", legacy=True)  # {"name": ...}
    6
    """
    if not functions or mode == "auto":
        return 0
    if mode == "none":
        return NONE_CHOICE_OVERHEAD
    if mode == "required" or forced is None:  # unmeasured: as forcing the longest name
        return max(enc.count(f.name) for f in functions) + FORCED_TOOL_CHOICE_OVERHEAD
    return enc.count(forced) + (FORCED_CHOICE_OVERHEAD if legacy else FORCED_TOOL_CHOICE_OVERHEAD)


def is_legacy_choice(choice: Any) -> bool:
    """Whether ``choice`` is a legacy ``function_call: {"name": ...}`` (no ``type``)."""
    return isinstance(choice, Mapping) and "type" not in choice and "function" not in choice


# ----------------------------------------------------------------------- rendering


def render_functions(functions: Sequence[FunctionDef], *, nested_descriptions: bool = False) -> str:
    """The ``namespace functions`` block the model sees for ``functions``.

    ``nested_descriptions``: the rendering the 2024 ``tools`` measurements show, with the
    descriptions of nested properties, and nested properties not indented; by default
    the 2023 one, which shows only top-level descriptions and indents nested objects.

    >>> print(render_functions([FunctionDef("ping", "Check the link.", {})]))
    namespace functions {
    <BLANKLINE>
    // Check the link.
    type ping = () => any;
    <BLANKLINE>
    } // namespace functions
    """
    style = _Style(nested_descriptions)
    lines = ["namespace functions {", ""]
    for fn in functions:
        if fn.description:
            lines.append(f"// {fn.description}")
        if _properties(fn.parameters):
            lines.append(f"type {fn.name} = (_: {{")
            lines.extend(style.object_lines(fn.parameters, 0))
            lines.append("}) => any;")
        else:
            lines.append(f"type {fn.name} = () => any;")
        lines.append("")
    lines.append("} // namespace functions")
    return "\n".join(lines)


def _properties(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, Mapping) else {}


def _literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else json.dumps(value)


@dataclass(frozen=True, slots=True)
class _Style:
    """One of the two measured renderings (see :func:`render_functions`)."""

    nested_descriptions: bool

    @property
    def step(self) -> int:
        return 0 if self.nested_descriptions else 2

    def object_lines(self, schema: Mapping[str, Any], indent: int) -> Iterator[str]:
        required = schema.get("required") or ()
        pad = " " * indent
        for name, prop in _properties(schema).items():
            prop = prop if isinstance(prop, Mapping) else {}
            description = prop.get("description")
            # Measured (2023): only top-level parameters keep their descriptions.
            top = indent == 0 and not self.nested_descriptions
            if (top or self.nested_descriptions) and isinstance(description, str) and description:
                yield f"{pad}// {description}"
            optional = "" if name in required else "?"
            yield f"{pad}{name}{optional}: {self.type(prop, indent)},"

    def type(self, schema: Mapping[str, Any], indent: int) -> str:
        # Measured: enums are rendered as literal unions, but a `const` is not (its type is).
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return " | ".join(_literal(v) for v in enum)
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                return " | ".join(
                    self.type(o if isinstance(o, Mapping) else {}, indent) for o in options
                )
        kind = schema.get("type")
        if isinstance(kind, list):
            return " | ".join(self.type({**schema, "type": k}, indent) for k in kind) or "any"
        if kind == "object":
            if not _properties(schema):
                return "object"
            inner = self.object_lines(schema, indent + self.step)
            return "\n".join(["{", *inner, " " * indent + "}"])
        if kind == "array":
            items = schema.get("items")
            return f"{self.type(items, indent)}[]" if isinstance(items, Mapping) else "any[]"
        if kind == "integer":
            return "number"
        if kind in ("string", "number", "boolean", "null"):
            return str(kind)
        return _literal(schema["const"]) if "const" in schema else "any"


def render_namespace(name: str, description: str, functions: list[FunctionDef]) -> str:
    """``functions`` rendered as the functions namespace is, under the name ``name``."""
    block = render_functions(functions)
    block = block.replace("namespace functions {", f"namespace {name} {{", 1)
    block = block.replace("} // namespace functions", f"}} // namespace {name}")
    return f"// {description}\n{block}" if description else block


def mcp_namespace(label: str, tool: Mapping[str, Any], items: Sequence[Any]) -> str:
    """The namespace block of an mcp server's tools, from the input's ``mcp_list_tools``
    item for ``label``; "" if the input has none (the tools are unknown offline)."""
    for item in items:
        item = plain(item)
        if not (isinstance(item, Mapping) and item.get("type") == "mcp_list_tools"):
            continue
        if item.get("server_label") != label or not isinstance(item.get("tools"), list):
            continue
        defs = []
        for t in item["tools"]:
            t = plain(t)
            if isinstance(t, Mapping) and isinstance(t.get("name"), str):
                schema = t.get("input_schema")
                desc = t.get("description")
                defs.append(
                    FunctionDef(
                        t["name"],
                        desc if isinstance(desc, str) else "",
                        schema if isinstance(schema, Mapping) else {},
                    )
                )
        description = tool.get("server_description")
        return render_namespace(label, description if isinstance(description, str) else "", defs)
    return ""
