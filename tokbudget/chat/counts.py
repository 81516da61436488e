"""The answer of a request count: its total, where the tokens go, and what is estimated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Estimate", "RequestCount"]


@dataclass(frozen=True, slots=True)
class Estimate:
    """A part of a count that is an estimate: which part, its tokens, and why."""

    part: str  # "tools", "messages[2]", "input[4]", "response_format", "tools[1]"
    tokens: int
    why: str


@dataclass(frozen=True, slots=True)
class RequestCount:
    """The prompt tokens of a request, and where they come from.

    ``total == sum(messages) + tools + response_format + overhead``. ``labels`` names each
    entry of ``messages`` (``"messages[0]"``; for a Responses body ``"instructions"`` and
    ``"input[3]"``); ``estimated`` lists the parts that are estimates and why (empty:
    every part follows a published or measured rule, and ``exact`` is true).
    """

    total: int
    messages: tuple[int, ...]  # per message / input item, including its framing
    tools: int  # tool definitions + tool_choice
    overhead: int  # reply priming and format-level adjustments
    response_format: int = 0  # a structured-output schema (Chat response_format / text.format)
    labels: tuple[str, ...] = ()
    estimated: tuple[Estimate, ...] = ()
    api: str = "chat"

    @property
    def exact(self) -> bool:
        """Whether no part of the count is an estimate."""
        return not self.estimated

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the totals, each part with its label, and the estimates."""
        labels = self.labels or tuple(f"messages[{i}]" for i in range(len(self.messages)))
        return {
            "api": self.api,
            "total": self.total,
            "exact": self.exact,
            "parts": [
                {"part": label, "tokens": n} for label, n in zip(labels, self.messages, strict=True)
            ],
            "tools": self.tools,
            "response_format": self.response_format,
            "overhead": self.overhead,
            "estimated": [
                {"part": e.part, "tokens": e.tokens, "why": e.why} for e in self.estimated
            ],
        }
