"""Small helpers shared by several test modules (fixtures live in conftest.py)."""

from __future__ import annotations

from typing import Any


def tokens(n: int) -> str:
    """A text of exactly ``n`` tokens on every bundled encoding: "x" and then " x" n-1 times."""
    return "x" + " x" * (n - 1) if n else ""


class SdkMessage:
    """What the openai SDK returns as ``choices[0].message``: an object with ``model_dump``."""

    def __init__(self, role: str, content: str) -> None:
        self.role, self.content = role, content

    def model_dump(self, exclude_none: bool = False) -> dict[str, Any]:
        return {"role": self.role, "content": self.content}
