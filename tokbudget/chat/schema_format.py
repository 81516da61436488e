"""Structured outputs: what a response format adds to the prompt.

With structured outputs the API shows the model the JSON schema it must follow, so a
schema costs prompt tokens in both APIs (Chat ``response_format``, Responses
``text.format``). OpenAI does not publish how the schema is shown. The rule used here was
measured against the API's usage figures by an openai-cookbook user (issue #2140,
"Guidance on token counts for structured output schemas", 2025-09): the tokens of the
schema as compact JSON (``JSON.stringify``: no spaces, keys in the order given, non-ASCII
kept) with the keywords ``required``, ``additionalProperties`` and ``$schema`` left out at
every level, plus 9. A format's ``description`` is added as text (the rule's schemas had
none). Every schema count is flagged as an estimate: one user's measurements, no
published rule, and the name/strict flags are assumed to be inside the fixed 9.

``{"type": "json_object"}`` (JSON mode) is counted as the same fixed 9 (a guess: the
API's instruction for JSON mode is not published), ``{"type": "text"}`` as 0 (exact:
plain text is the default and adds nothing).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import MessageFormatError
from ..jsonload import plain_json
from ..tokenizer.encoder import Encoder

__all__ = ["SCHEMA_OVERHEAD", "format_tokens", "schema_text"]

SCHEMA_OVERHEAD = 9
"""Tokens a structured-output format adds beyond its schema's JSON (measured, see above)."""

_DROPPED = frozenset({"required", "additionalProperties", "$schema"})
_FORMATS = ("text", "json_object", "json_schema")
_WHY_SCHEMA = (
    "structured-output schema: OpenAI does not publish how it is shown; counted as its "
    "compact JSON without required/additionalProperties/$schema, + 9 (openai-cookbook#2140)"
)
_WHY_JSON = "JSON mode: the instruction the API adds is not published; counted as 9 (a guess)"


def schema_text(schema: Any) -> str:
    """The schema as the rule counts it: compact JSON without the dropped keywords.

    >>> schema_text({"type": "object", "properties": {"a": {"type": "string"}},
    ...              "required": ["a"], "additionalProperties": False})
    '{"type":"object","properties":{"a":{"type":"string"}}}'
    """
    return json.dumps(_strip(schema), ensure_ascii=False, separators=(",", ":"))


def _strip(node: Any, *, names: bool = False) -> Any:
    # Inside "properties" (and the like) the keys are property names, never dropped.
    if isinstance(node, Mapping):
        return {
            k: _strip(v, names=k in ("properties", "$defs", "definitions", "patternProperties"))
            for k, v in node.items()
            if names or k not in _DROPPED
        }
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def format_tokens(enc: Encoder, fmt: Mapping[str, Any] | None, where: str) -> tuple[int, str]:
    """``(tokens, why)`` of a response format; ``why`` is "" when the count is exact.

    ``fmt`` is a Chat ``response_format`` (``{"type": "json_schema", "json_schema":
    {...}}``) or a Responses ``text.format`` (``{"type": "json_schema", "name", "schema",
    ...}``); ``where`` names it in errors.
    """
    if fmt is None:
        return 0, ""
    kind = fmt.get("type")
    if kind not in _FORMATS:
        raise MessageFormatError(
            f"{where}.type is {kind!r}; use one of {', '.join(_FORMATS)}", field=f"{where}.type"
        )
    if kind == "text":
        return 0, ""
    if kind == "json_object":
        return SCHEMA_OVERHEAD, _WHY_JSON
    body = fmt.get("json_schema", fmt)  # Chat nests it; Responses is flat
    field = f"{where}.json_schema" if "json_schema" in fmt else where
    if not isinstance(body, Mapping):
        raise MessageFormatError(f"{field} must be an object", field=field)
    schema = body.get("schema")
    if schema is None:
        schema = {}  # the API allows a schema-less json_schema format (any JSON)
    if not isinstance(schema, Mapping):
        raise MessageFormatError(
            f"{field}.schema must be a JSON-schema object, got {schema!r:.60}",
            field=f"{field}.schema",
        )
    schema, problem = plain_json(schema)
    if problem:
        raise MessageFormatError(f"{field}.schema {problem}", field=f"{field}.schema")
    n = enc.count(schema_text(schema)) + SCHEMA_OVERHEAD
    description = body.get("description")
    if isinstance(description, str):
        n += enc.count(description)
    return n, _WHY_SCHEMA
