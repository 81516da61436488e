"""The Responses API's input item types: the fields each needs, and which output answers
which call (from openai-python's ``ResponseInputItemParam``, src/openai/types/responses/)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ANSWERS", "ITEM_TYPES", "REQUIRED", "item_kind", "qualified_name"]

REQUIRED: dict[str, tuple[str, ...]] = {
    "message": ("role", "content"),
    "function_call": ("call_id", "name", "arguments"),
    "function_call_output": ("call_id", "output"),
    "custom_tool_call": ("call_id", "name", "input"),
    "custom_tool_call_output": ("call_id", "output"),
    "computer_call": ("call_id",),
    "computer_call_output": ("call_id", "output"),
    "web_search_call": ("action",),
    "file_search_call": ("queries",),
    "code_interpreter_call": (),
    "image_generation_call": (),
    "local_shell_call": ("call_id", "action"),
    "local_shell_call_output": ("id", "output"),
    "shell_call": ("call_id", "action"),
    "shell_call_output": ("call_id", "output"),
    "apply_patch_call": ("call_id", "operation"),
    "apply_patch_call_output": ("call_id",),
    "tool_search_call": ("arguments",),
    "tool_search_output": ("tools",),
    "additional_tools": ("tools",),
    "reasoning": ("summary",),
    "compaction": ("encrypted_content",),
    "compaction_trigger": (),
    "item_reference": ("id",),
    "mcp_list_tools": ("server_label", "tools"),
    "mcp_approval_request": ("id", "name", "arguments", "server_label"),
    "mcp_approval_response": ("approval_request_id", "approve"),
    "mcp_call": ("name", "arguments", "server_label"),
    "program": ("call_id", "code"),
    "program_output": ("call_id", "result"),
}
ITEM_TYPES: tuple[str, ...] = tuple(sorted(REQUIRED))
"""Every input item type counted (the members of openai-python's ResponseInputItemParam)."""

ANSWERS: dict[str, tuple[str, str, str]] = {
    "function_call_output": ("function_call", "call_id", "call_id"),
    "custom_tool_call_output": ("custom_tool_call", "call_id", "call_id"),
    "computer_call_output": ("computer_call", "call_id", "call_id"),
    "local_shell_call_output": ("local_shell_call", "id", "call_id"),
    "shell_call_output": ("shell_call", "call_id", "call_id"),
    "apply_patch_call_output": ("apply_patch_call", "call_id", "call_id"),
    "program_output": ("program", "call_id", "call_id"),
    "mcp_approval_response": ("mcp_approval_request", "approval_request_id", "id"),
    "tool_search_output": ("tool_search_call", "call_id", "call_id"),  # optional link
}
"""Output item type -> (the call type it answers, its link field, the call's id field)."""


def item_kind(item: Any) -> str | None:
    """An input item's type: ``"message"`` for an easy message, ``"item_reference"`` for a
    bare ``{"id": ...}``; None when it has none."""
    if not isinstance(item, Mapping):
        return None
    kind = item.get("type")
    if kind is None:
        if "role" in item:
            return "message"
        if {k for k, v in item.items() if v is not None} == {"id"}:
            return "item_reference"  # ItemReference's type is optional (may be null)
    return kind if isinstance(kind, str) else None


def qualified_name(item: Mapping[str, Any]) -> str | None:
    """A call's name as the model writes it: ``namespace.name`` for a namespace's function."""
    name, namespace = item.get("name"), item.get("namespace")
    if not isinstance(name, str):
        return None
    return f"{namespace}.{name}" if isinstance(namespace, str) else name
