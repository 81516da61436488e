"""Reading JSON that a user or a client sent: bounded depth, bounded integers, one error.

``json.loads`` on untrusted text can fail in ways that are not :class:`ValueError`: a
document nested a few thousand levels deep raises :class:`RecursionError` (and one a few
hundred deep parses, then overflows the stack of whatever walks it next, such as the
tool-schema renderer); an integer of more than 4,300 digits raises a bare
:class:`ValueError` from ``int()``. :func:`loads` turns each into a
:class:`~tokbudget.errors.JSONInputError` that says what is wrong, so the command line
and the local server report every bad document alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import JSONInputError

__all__ = ["MAX_DEPTH", "MAX_INT_DIGITS", "depth_exceeds", "loads", "plain_json"]

MAX_DEPTH = 200
"""Most levels of nested arrays and objects accepted (real requests use a few dozen)."""

MAX_INT_DIGITS = 4300
"""Most digits in an integer (Python's own limit for converting text to ``int``)."""


def _parse_int(digits: str) -> int:
    n = len(digits.lstrip("-"))
    if n > MAX_INT_DIGITS:
        raise _TooLong(n)
    return int(digits)


class _TooLong(Exception):
    def __init__(self, digits: int) -> None:
        self.digits = digits


def _fail(reason: str, line: int | None = None, column: int | None = None) -> JSONInputError:
    return JSONInputError(f"cannot read JSON: {reason}", reason=reason, line=line, column=column)


def loads(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``text`` like :func:`json.loads`, or raise :class:`JSONInputError`.

    Bytes may be UTF-8, UTF-16 or UTF-32, as :func:`json.loads` reads them.

    >>> loads('{"n": [1, 2]}')
    {'n': [1, 2]}
    >>> loads("[" * 300 + "]" * 300)
    Traceback (most recent call last):
    ...
    tokbudget.errors.JSONInputError: cannot read JSON: nested too deeply (more than 200 levels)
    """
    if isinstance(text, bytes | bytearray):
        encoding = json.detect_encoding(text)
        try:
            text = bytes(text).decode(encoding)
        except UnicodeDecodeError as exc:
            name = "UTF-8" if encoding == "utf-8" else encoding.upper()
            raise _fail(f"not {name} ({exc.reason} at byte {exc.start:,})") from None
    too_deep = f"nested too deeply (more than {max_depth:,} levels)"
    try:
        data = json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise _fail(f"not valid JSON: {exc.msg} at {where}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise _fail(too_deep) from None
    except _TooLong as exc:
        raise _fail(
            f"not usable: it holds an integer of {exc.digits:,} digits (at most "
            f"{MAX_INT_DIGITS:,} digits); use a smaller number"
        ) from None
    if depth_exceeds(data, max_depth):
        raise _fail(too_deep)
    return data


def depth_exceeds(data: Any, limit: int) -> bool:
    """``data`` nests arrays and objects more than ``limit`` deep (iterative, no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def plain_json(data: Any, max_depth: int = MAX_DEPTH) -> tuple[Any, str | None]:
    """``(value, problem)``: ``data`` (e.g. a schema built in Python) as plain JSON values
    (mappings become dicts, tuples lists), or what keeps it from being JSON.

    The problem is phrased to follow the value's name: ``f"{field} {problem}"``.

    >>> plain_json({"enum": ("a", None)})
    ({'enum': ['a', None]}, None)
    >>> plain_json({"enum": [{1, 2}]})[1][:62]
    'is not JSON data (Object of type set is not JSON serializable)'
    """
    if depth_exceeds(data, max_depth):
        return None, (
            f"is nested too deeply (more than {max_depth:,} levels of objects and arrays); "
            "flatten it"
        )
    try:
        return json.loads(json.dumps(data, default=_mapping_as_dict)), None
    except (TypeError, ValueError) as exc:
        return None, (
            f"is not JSON data ({exc}); use dicts, lists, strings, numbers, booleans and None"
        )


def _mapping_as_dict(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
