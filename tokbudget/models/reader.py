"""Reader: validates one table of a models file; every error names file, model and field.

Values are read strictly: a boolean is ``true``/``false`` (never the string ``"false"``),
a date a TOML date, a price a decimal string; an unknown key gets a suggestion and the
allowed set. :mod:`.schema` builds the registry's values with it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from ..errors import RegistryError

__all__ = ["Reader"]


class Reader:
    """Validates one table of a models file, naming file, model and field in every error."""

    def __init__(self, path: str, model: str | None, table: Mapping[str, Any], where: str = ""):
        self.path, self.model, self.table, self.where = path, model, table, where

    def fail(self, field_name: str, problem: str) -> RegistryError:
        full = f"{self.where}{field_name}"
        subject = f"model {self.model!r}, field {full!r}" if self.model else f"field {full!r}"
        return RegistryError(
            f"{self.path}: {subject}: {problem}", path=self.path, model=self.model, field=full
        )

    def check_keys(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for key in self.table:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise self.fail(key, f"unknown key{hint}; allowed: {', '.join(sorted(allowed))}")

    def sub(self, key: str) -> Reader | None:
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, got {type(value).__name__}")
        return Reader(self.path, self.model, value, f"{self.where}{key}.")

    def items(self, key: str) -> list[Reader]:
        """The tables of an array of tables (``[[models.NAME.key]]``), each its own Reader."""
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, f"must be an array of tables ([[...{key}]]), got {value!r:.60}")
        return [
            Reader(self.path, self.model, v, f"{self.where}{key}[{i}].")
            for i, v in enumerate(value)
        ]

    def int_(self, key: str, required: bool = False, minimum: int = 0) -> int | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(key, f"must be an integer >= {minimum}, got {value!r}")
        return value

    def bool_(self, key: str) -> bool:
        value = self.table.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false (unquoted), got {value!r}")
        return value

    def date_(self, key: str) -> date | None:
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, date) or hasattr(value, "hour"):
            raise self.fail(key, f"must be a TOML date such as 2026-12-11, got {value!r}")
        return value

    def str_(self, key: str, required: bool = False, choices: Iterable[str] = ()) -> str | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return None
        choices = tuple(choices)
        if not isinstance(value, str) or not value or (choices and value not in choices):
            want = f"one of {', '.join(choices)}" if choices else "a non-empty string"
            raise self.fail(key, f"must be {want}, got {value!r}")
        return value

    def strs(self, key: str) -> tuple[str, ...]:
        value = self.table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, f"must be a string or a list of strings, got {value!r}")
        return tuple(value)

    def decimal(self, key: str, required: bool = False, positive: bool = False) -> Decimal | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(key, f'must be a decimal string such as "2.50", got {value!r}')
        try:
            result = Decimal(str(value))
        except ArithmeticError:
            raise self.fail(key, f"is not a decimal number: {value!r}") from None
        if not result.is_finite() or result < 0 or (positive and result == 0):
            raise self.fail(
                key, f"must be a finite number {'>' if positive else '>='} 0, got {value!r}"
            )
        return result

    def need(self, key: str, value: Decimal | int | str | None) -> Any:
        """``value``, which a ``required=True`` read guarantees is not None."""
        if value is None:  # pragma: no cover - required reads raise first
            raise self.fail(key, "is required")
        return value
