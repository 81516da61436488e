"""Tools of either API, and ``tool_choice`` in all its forms, as prompt tokens.

Function tools count the same in both APIs: the Chat shape (``{"type": "function",
"function": {...}}``) and the flat Responses shape (``{"type": "function", "name", ...}``)
become the same :class:`~tokbudget.chat.tools.FunctionDef` and are rendered by
:func:`~tokbudget.chat.tools.render_functions` (an estimate fitted to API measurements;
see that module). Everything else is an estimate, flagged with its reason:

* ``custom`` tools (free-form input, optionally a ``grammar``): rendered like a function
  taking a string, with the grammar's definition as text.
* ``namespace`` tools: their functions rendered in a ``namespace NAME { ... }`` block of
  their own, with the namespace's description.
* ``tool_search``: rendered as a function named ``tool_search``. Tools with
  ``defer_loading`` (functions, custom tools, a namespace's functions) are not in the
  prompt until a search loads them: counted as 0, and still callable by name.
* built-in tools: :data:`BUILTIN_TOKENS`. OpenAI does not publish their prompts. The
  figures for ``web_search`` (400) and ``code_interpreter`` (140) are the sizes (o200k) of
  the ``browser`` and ``python`` tool blocks that OpenAI's harmony format renders for its
  open-weight models (openai/harmony, test-data); the others are guesses of the same
  order. An ``mcp`` server's tools are counted from an ``mcp_list_tools`` item for its
  ``server_label`` in the input, rendered as a namespace; without one they are unknown.
* ``tool_choice``: counted by :func:`~tokbudget.chat.tools.choice_tokens`, as for Chat
  (``"none"`` adds 1, a forced function its name + 7, ``"required"`` as forcing the
  longest name); a forced custom or built-in tool is estimated as a forced function of
  its name (an mcp tool: its server label), and ``allowed_tools`` as the allowed names + 7.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import MessageFormatError
from ..tokenizer.encoder import Encoder
from .messages import TOOLS_WHY, Estimate
from .request import plain
from .tools import (
    FORCED_TOOL_CHOICE_OVERHEAD,
    FunctionDef,
    choice_tokens,
    is_legacy_choice,
    mcp_namespace,
    parse_tools,
    render_functions,
    render_namespace,
    tools_tokens,
)

__all__ = ["BUILTIN_TOKENS", "ToolSet", "read_tools", "tool_tokens"]

BUILTIN_TOKENS: dict[str, int] = {
    "web_search": 400,
    "web_search_2025_08_26": 400,
    "web_search_preview": 400,
    "web_search_preview_2025_03_11": 400,
    "file_search": 400,
    "code_interpreter": 140,
    "local_shell": 140,
    "shell": 140,
    "computer": 400,
    "computer_use_preview": 400,
    "image_generation": 100,
    "apply_patch": 400,
    "programmatic_tool_calling": 200,
    "mcp": 0,  # plus its listed tools, when the input lists them
}
"""Estimated prompt tokens of each built-in tool (see the module doc; unpublished)."""

_BUILTIN_WHY = (
    "built-in tool {kind!r}: OpenAI does not publish the prompt it adds; estimated as "
    "{n:,} tokens (see tokbudget.chat.toolset.BUILTIN_TOKENS)"
)
_CHOICE_OPTIONS = ("auto", "none", "required")
_DEFERRED_WHY = "deferred tool: not in the prompt until tool_search loads it; counted as 0"
_REQUIRED_WHY = "tool_choice 'required' is unmeasured: counted as forcing the longest name"


@dataclass
class ToolSet:
    """The tools of a request, sorted by how they are counted."""

    functions: list[FunctionDef] = field(default_factory=list)  # the functions block
    names: set[str] = field(default_factory=set)  # callable names (functions, custom, ns.fn)
    kinds: set[str] = field(default_factory=set)  # every tool type present
    mcp_labels: set[str] = field(default_factory=set)
    extra: list[tuple[str, str, str]] = field(default_factory=list)  # (part, text, why)
    fixed: list[tuple[str, int, str]] = field(default_factory=list)  # (part, tokens, why)


def _fail(where: str, problem: str) -> MessageFormatError:
    return MessageFormatError(f"{where} {problem}", field=where)


def _text(value: Any, where: str, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise _fail(where, f"must be a non-empty string, got {value!r:.60}")
    return value


def _function(tool: Mapping[str, Any], where: str) -> FunctionDef:
    """A flat (Responses) function tool."""
    name = _text(tool.get("name"), f"{where}.name", required=True)
    description = _text(tool.get("description"), f"{where}.description")
    parameters = tool.get("parameters")
    parameters = {} if parameters is None else parameters
    if not isinstance(parameters, Mapping):
        raise _fail(f"{where}.parameters", f"must be a JSON-schema object, got {parameters!r:.60}")
    return FunctionDef(name, description, parameters)


def _chat_function(tool: Mapping[str, Any], i: int) -> FunctionDef:
    try:
        (fn,) = parse_tools([tool], where="tools")
    except MessageFormatError as exc:  # it numbers the one tool it saw 0
        field = (exc.field or "").replace("tools[0]", f"tools[{i}]", 1)
        raise MessageFormatError(
            str(exc).replace("tools[0]", f"tools[{i}]", 1), field=field
        ) from None
    return fn


def _custom_text(tool: Mapping[str, Any], where: str) -> tuple[str, str]:
    body = tool.get("custom", tool)  # Chat nests it; Responses is flat
    if not isinstance(body, Mapping):
        raise _fail(f"{where}.custom", "must be an object with 'name'")
    name = _text(body.get("name"), f"{where}.name", required=True)
    lines = []
    description = _text(body.get("description"), f"{where}.description")
    if description:
        lines.append(f"// {description}")
    lines.append(f"type {name} = (_: string) => any;")
    fmt = body.get("format")
    if isinstance(fmt, Mapping) and fmt.get("type") == "grammar":
        definition = _text(fmt.get("definition"), f"{where}.format.definition")
        lines.append(f"// {fmt.get('syntax', 'grammar')} grammar:\n{definition}")
    return name, "\n".join(lines)


def read_tools(tools: Sequence[Any] | None, api: str, items: Sequence[Any] = ()) -> ToolSet:
    """Sort ``tools`` (either API's shapes) into a :class:`ToolSet`; errors name the tool.

    ``items`` are the Responses input items: an ``mcp_list_tools`` item among them tells
    what an ``mcp`` tool's server offers.
    """
    found = ToolSet()
    for i, raw in enumerate(tools or ()):
        where = f"tools[{i}]"
        tool = plain(raw)
        if not isinstance(tool, Mapping):
            raise _fail(where, f"must be an object, got {type(tool).__name__}")
        kind = tool.get("type", "function")
        if not isinstance(kind, str):
            raise _fail(f"{where}.type", f"must be a string, got {kind!r:.40}")
        found.kinds.add(kind)
        if kind == "function":
            _add_function(found, tool, i, api)
        elif kind == "custom":
            _add_custom(found, tool, where)
        elif api != "responses":
            raise _fail(f"{where}.type", f"is {kind!r}; a {api} request takes function, custom")
        elif kind == "namespace":
            _add_namespace(found, tool, where)
        elif kind == "tool_search":
            _add_tool_search(found, tool, where)
        elif kind in BUILTIN_TOKENS:
            _add_builtin(found, tool, where, kind, items)
        else:
            allowed = "function, custom, namespace, tool_search, " + ", ".join(
                sorted(BUILTIN_TOKENS)
            )
            raise _fail(f"{where}.type", f"is {kind!r}; a {api} request takes {allowed}")
    return found


def _add_function(found: ToolSet, tool: Mapping[str, Any], i: int, api: str) -> None:
    where = f"tools[{i}]"
    chat_shape = api == "chat" or "function" in tool  # the Chat shape, as Chat reads it
    fn = _chat_function(tool, i) if chat_shape else _function(tool, where)
    found.names.add(fn.name)
    if tool.get("defer_loading") is True:
        found.fixed.append((where, 0, _DEFERRED_WHY))
    else:
        found.functions.append(fn)


def _add_custom(found: ToolSet, tool: Mapping[str, Any], where: str) -> None:
    name, text = _custom_text(tool, where)
    found.names.add(name)
    if tool.get("defer_loading") is True:
        found.fixed.append((where, 0, _DEFERRED_WHY))
        return
    found.extra.append(
        (
            where,
            text,
            "custom tool: its rendering is not published; counted like a "
            "function taking a string, plus its grammar",
        )
    )


def _add_namespace(found: ToolSet, tool: Mapping[str, Any], where: str) -> None:
    ns = _text(tool.get("name"), f"{where}.name", required=True)
    members = _list(tool.get("tools"), f"{where}.tools")
    defs = []
    for j, member in enumerate(members):
        member = plain(member)
        mwhere = f"{where}.tools[{j}]"
        if not isinstance(member, Mapping):
            raise _fail(mwhere, "must be an object")
        if member.get("type", "function") == "custom":
            name, _ = _custom_text(member, mwhere)
            fn = FunctionDef(name, str(member.get("description") or ""), {})
        else:
            fn = _function(member, mwhere)
        found.names.update((f"{ns}.{fn.name}", fn.name))
        if member.get("defer_loading") is not True:  # deferred: loaded later
            defs.append(fn)
    description = _text(tool.get("description"), f"{where}.description")
    found.extra.append(
        (
            where,
            render_namespace(ns, description, defs),
            "namespace: its rendering is not published; counted as a namespace block "
            "like the functions one",
        )
    )


def _add_tool_search(found: ToolSet, tool: Mapping[str, Any], where: str) -> None:
    params = tool.get("parameters")
    fn = FunctionDef(
        "tool_search",
        _text(tool.get("description"), f"{where}.description"),
        params if isinstance(params, Mapping) else {},
    )
    found.extra.append(
        (
            where,
            render_functions([fn]),
            "tool_search: its prompt is not published; counted as a function",
        )
    )


def _add_builtin(
    found: ToolSet, tool: Mapping[str, Any], where: str, kind: str, items: Sequence[Any]
) -> None:
    n = BUILTIN_TOKENS[kind]
    if kind != "mcp":
        found.fixed.append((where, n, _BUILTIN_WHY.format(kind=kind, n=n)))
        return
    label = _text(tool.get("server_label"), f"{where}.server_label", required=True)
    found.mcp_labels.add(label)
    text = mcp_namespace(label, tool, items)
    why = (
        "mcp server: its tools are counted from the input's mcp_list_tools item "
        "as a namespace (rendering not published)"
        if text
        else "mcp server: its tools are unknown offline (no mcp_list_tools item "
        "for it in the input); counted as 0"
    )
    found.extra.append((where, text, why))


def _list(value: Any, where: str) -> Sequence[Any]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise _fail(where, f"must be a list, got {type(value).__name__}")
    return value


def _choice(choice: Any, tools: ToolSet) -> tuple[str, str | None, str]:
    """``(mode, forced name, why)``: why is "" where the rule is measured."""
    choice = plain(choice)
    if choice is None or choice == "auto":
        return "auto", None, ""
    if choice in _CHOICE_OPTIONS:
        return str(choice), None, ""
    if not isinstance(choice, Mapping):
        raise _fail(
            "tool_choice", f"is {choice!r:.80}; use 'auto', 'none', 'required' or an object"
        )
    kind = choice.get("type", "function")
    nested = choice.get(kind)
    body = nested if isinstance(nested, Mapping) else choice
    if kind == "allowed_tools":
        return _allowed_tools(body)
    if kind in ("function", "custom"):
        name = body.get("name")
        if not isinstance(name, str):
            raise _fail(f"tool_choice.{kind}.name", f"is missing; got {choice!r:.80}")
        if name not in tools.names:
            known = ", ".join(sorted(tools.names)) or "no tools are given"
            raise _fail(f"tool_choice.{kind}.name", f"is {name!r}, not one of the tools ({known})")
        why = "" if kind == "function" else "a forced custom tool: counted like a forced function"
        return "function", name, why
    label = body.get("server_label") if kind == "mcp" else None
    if _family(kind) not in {_family(k) for k in BUILTIN_TOKENS}:
        raise _fail("tool_choice.type", f"is {kind!r}; not a tool type the API knows")
    if _family(kind) not in {_family(k) for k in tools.kinds}:
        raise _fail("tool_choice.type", f"is {kind!r}, but the request has no {kind} tool")
    if label is not None and label not in tools.mcp_labels:
        known = ", ".join(sorted(tools.mcp_labels)) or "none"
        raise _fail("tool_choice.server_label", f"is {label!r}, not an mcp tool's ({known})")
    name = str(label or kind)
    return "function", name, f"a forced {kind} tool: counted like a forced function (a guess)"


def _allowed_tools(body: Mapping[str, Any]) -> tuple[str, str | None, str]:
    """tool_choice ``allowed_tools``: the mode and the allowed tools' names."""
    mode = body.get("mode", "auto")
    refs = body.get("tools")
    if mode not in ("auto", "required") or not isinstance(refs, list):
        raise _fail(
            "tool_choice",
            "allowed_tools needs 'mode' ('auto' or 'required') and a 'tools' list",
        )
    names = []
    for ref in refs:
        ref = plain(ref)
        inner = ref.get(ref.get("type", "")) if isinstance(ref, Mapping) else None
        ref = inner if isinstance(inner, Mapping) else ref
        name = (
            ref.get("name") or ref.get("server_label") or ref.get("type")
            if isinstance(ref, Mapping)
            else None
        )
        names.append(str(name))
    listed = " ".join(names)
    return (
        "allowed",
        listed,
        f"allowed_tools (mode {mode!r}): its rendering is not published; counted as the "
        "allowed names + 4",
    )


def _family(kind: str) -> str:
    """``web_search_preview_2025_03_11`` -> ``web_search``; ``computer_use`` -> ``computer``."""
    for family in ("web_search", "computer"):
        if kind.startswith(family):
            return family
    return kind


def tool_tokens(
    enc: Encoder, tools: ToolSet, choice: Any, *, padded: bool
) -> tuple[int, list[Estimate]]:
    """Tokens of the tools and ``tool_choice``, with the estimates among them.

    ``padded``: the request has a system-like message for the functions block to join.
    """
    mode, forced, choice_why = _choice(choice, tools)
    estimates: list[Estimate] = []
    if mode == "allowed":  # the allowed names, as one forced name (a guess)
        choice_n = enc.count(forced or "") + FORCED_TOOL_CHOICE_OVERHEAD
    else:
        # Every callable name, so that "required" is bounded by the longest of them.
        callables = [FunctionDef(n, "", {}) for n in sorted(tools.names)] or [
            FunctionDef(_family(k), "", {}) for k in sorted(tools.kinds)
        ]
        choice_n = choice_tokens(enc, callables, mode, forced, legacy=is_legacy_choice(choice))
    block = tools_tokens(enc, tools.functions, joins_system=padded)
    n = block + choice_n
    if tools.functions:
        estimates.append(Estimate("tools", n, TOOLS_WHY))
    if choice_why or (mode == "required" and not tools.functions):
        estimates.append(Estimate("tool_choice", choice_n, choice_why or _REQUIRED_WHY))
    for part, text, why in tools.extra:
        tokens = enc.count(text) if text else 0
        n += tokens
        estimates.append(Estimate(part, tokens, why))
    for part, tokens, why in tools.fixed:
        n += tokens
        estimates.append(Estimate(part, tokens, why))
    return n, estimates
