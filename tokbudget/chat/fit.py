"""Fitting a chat history into a model's budget: drop the oldest turns, keep what matters.

:func:`fit_messages` keeps the system (and developer) messages and the latest user
message, and drops the oldest of the rest first. An assistant message with
``tool_calls`` and the ``tool`` results answering it form one unit, kept or dropped
together (the API rejects a result without its call, and a call without its results);
so do a legacy ``function_call`` and its ``function`` result.

With ``truncate_long=True``, a message whose text is longer than what still has to go is
cut (its head kept, then :data:`CUT_MARKER`) instead of dropping its whole unit; the
latest user message may be cut that way too once nothing else is left to drop.

Every step is checked with :func:`tokbudget.chat.messages.count_messages` on the messages
that remain, so format effects (a system message's padding before tools) are counted,
not assumed. The loop drops at most every unit once, then raises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..budget import BudgetReport, Limits, limits_for
from ..counting import BoundedCount
from ..errors import ContextOverflowError, InvalidInputError
from ..models.spec import ModelSpec
from ..tokenizer.encoder import Encoder, get_encoding
from ..truncation import truncate_encoded
from .messages import SYSTEM_ROLES, RequestCount, message_counts

__all__ = ["CUT_MARKER", "FitReport", "fit_messages"]

CUT_MARKER = " […]"
"""Appended to a message whose content ``truncate_long`` cut, so the model sees the cut."""

Message = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FitReport:
    """What :func:`fit_messages` did.

    Attributes:
        tokens_before: prompt tokens of the request as given.
        kept: indices (into the input) of the messages returned, in order.
        dropped: indices of the messages dropped.
        truncated: indices of the kept messages whose content was cut.
        budget: the :class:`BudgetReport` of the returned request (it fits).
    """

    tokens_before: int
    kept: tuple[int, ...]
    dropped: tuple[int, ...]
    truncated: tuple[int, ...]
    budget: BudgetReport

    @property
    def tokens(self) -> int:
        """Prompt tokens of the returned request."""
        return self.budget.prompt_tokens


def fit_messages(
    messages: Sequence[Any],
    model: str | ModelSpec | None = None,
    *,
    max_output_tokens: int | None = None,
    reserve: int = 0,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: object = None,
    keep_system: bool = True,
    truncate_long: bool = False,
) -> tuple[list[Message], FitReport]:
    """Return a copy of ``messages`` that fits ``model``, and a report of what went.

    Args:
        messages: the Chat Completions ``messages`` (dicts or SDK objects); never modified.
        model: the model (default gpt-4o) or a :class:`ModelSpec`.
        max_output_tokens: the completion to make room for (None: at least 1 token).
        reserve: tokens to hold back from the prompt's budget.
        tools: the request's tool definitions (counted, never dropped).
        tool_choice: the request's ``tool_choice``.
        keep_system: keep system / developer messages (False: drop them like any turn).
        truncate_long: cut the content of the oldest message that is long enough instead
            of dropping its unit (see the module doc).

    Returns:
        ``(messages, report)``: new message dicts (the input's own, shallow-copied, or
        with cut content), in their original order.

    Raises:
        ContextOverflowError: even the messages that must stay do not fit; says by how
            much (``needed``, ``available``).

    >>> chat = [{"role": "system", "content": "Be brief."},
    ...         {"role": "user", "content": "word " * 200},
    ...         {"role": "assistant", "content": "ok"},
    ...         {"role": "user", "content": "Summarise."}]
    >>> kept, report = fit_messages(chat, model="gpt-4", max_output_tokens=4_000, reserve=4_000)
    >>> [m["content"] for m in kept], report.dropped
    (['Be brief.', 'ok', 'Summarise.'], (1,))
    """
    if isinstance(messages, str | bytes | Mapping) or not isinstance(messages, Sequence):
        raise InvalidInputError(
            f"messages must be a list of chat messages, got {type(messages).__name__}"
        )
    limits = limits_for(model, max_output_tokens=max_output_tokens, reserve=reserve)
    fitter = _Fitter(limits, [_as_dict(m) for m in messages], tools, tool_choice)
    return fitter.fit(keep_system=keep_system, truncate_long=truncate_long)


def _as_dict(message: Any) -> Message:
    if isinstance(message, Mapping):
        return dict(message)
    dump = getattr(message, "model_dump", None)  # openai SDK (pydantic) objects
    if callable(dump):
        return dict(dump(exclude_none=True))
    return message  # type: ignore[no-any-return]  # message_counts names what is wrong


@dataclass
class _Fitter:
    limits: Limits
    messages: list[Message]
    tools: Sequence[Mapping[str, Any]] | None
    tool_choice: object
    kept: list[int] = field(default_factory=list)
    truncated: set[int] = field(default_factory=set)

    @property
    def budget(self) -> int:
        return self.limits.prompt_budget

    @property
    def encoder(self) -> Encoder:
        return get_encoding(self.limits.spec.encoding)

    def count(self) -> RequestCount:
        return message_counts(
            [self.messages[i] for i in self.kept],
            self.limits.spec.name,
            tools=self.tools,
            tool_choice=self.tool_choice,
        )

    def fit(self, *, keep_system: bool, truncate_long: bool) -> tuple[list[Message], FitReport]:
        self.kept = list(range(len(self.messages)))
        before = self.count()  # also validates every message
        per = dict(zip(self.kept, before.messages, strict=True))
        counted = before
        units = _units(self.messages)
        pinned = _pinned(self.messages, keep_system)
        queue = [u for u in units if not pinned.intersection(u)]
        while counted.total > self.budget:
            excess = counted.total - self.budget
            if truncate_long and queue and self._cut_to_fit(queue[0], excess):
                queue.pop(0)
            elif queue:
                # Drop as many of the oldest units as the arithmetic says, then re-count.
                drop = [queue.pop(0)]
                freed = sum(per[i] for i in drop[0])
                while queue and freed < excess:
                    if truncate_long and self._long_enough(queue[0], excess - freed):
                        break
                    drop.append(queue.pop(0))
                    freed += sum(per[i] for i in drop[-1])
                gone = {i for unit in drop for i in unit}
                self.kept = [i for i in self.kept if i not in gone]
            elif truncate_long and self._cut_last_resort(excess):
                pass
            else:
                raise self._overflow(counted, pinned, keep_system, truncate_long)
            counted = self.count()
        return self._result(before, counted)

    # -- cutting long content

    def _text_tokens(self, i: int) -> int:
        content = self.messages[i].get("content")
        return self.encoder.count(content) if isinstance(content, str) else 0

    def _long_enough(self, unit: Sequence[int], excess: int) -> bool:
        return any(self._text_tokens(i) > excess for i in unit if i in self.kept)

    def _cut_to_fit(self, unit: Sequence[int], excess: int) -> bool:
        """Cut the longest text in ``unit`` by ``excess`` tokens, if it has that much."""
        candidates = [i for i in unit if i in self.kept and self._text_tokens(i) > excess]
        if not candidates:
            return False
        i = max(candidates, key=self._text_tokens)
        return self._cut(i, excess)

    def _cut_last_resort(self, excess: int) -> bool:
        # Nothing left to drop: cut a kept non-system message, oldest first.
        return any(
            self._text_tokens(i) > excess and self._cut(i, excess)
            for i in self.kept
            if self.messages[i].get("role") not in SYSTEM_ROLES
        )

    def _cut(self, i: int, excess: int) -> bool:
        """Cut message ``i``'s content until the request fits (a few re-counts at most)."""
        original = self.messages[i]
        text = original["content"]
        keep = self._text_tokens(i) - excess
        least = self.encoder.count(CUT_MARKER) + 1  # the marker and one token of text
        while keep >= least:
            cut = truncate_encoded(self.encoder, text, keep, "end", CUT_MARKER)
            self.messages[i] = {**original, "content": cut.text}
            over = self.count().total - self.budget
            if over <= 0:
                self.truncated.add(i)
                return True
            keep = min(keep - 1, cut.tokens - over)
        self.messages[i] = original
        return False

    # -- results and errors

    def _result(
        self, before: RequestCount, counted: RequestCount
    ) -> tuple[list[Message], FitReport]:
        whole = BoundedCount(counted.total, True, self.budget)
        kept = set(self.kept)
        report = FitReport(
            tokens_before=before.total,
            kept=tuple(self.kept),
            dropped=tuple(i for i in range(len(self.messages)) if i not in kept),
            truncated=tuple(sorted(self.truncated)),
            budget=self.limits.report(whole, tuple(counted.messages), counted.tools),
        )
        return [self.messages[i] for i in self.kept], report

    def _overflow(
        self, counted: RequestCount, pinned: set[int], keep_system: bool, truncate_long: bool
    ) -> ContextOverflowError:
        what = _describe([self.messages[i] for i in sorted(pinned)], keep_system)
        over = counted.total - self.budget
        fixes = ["shorten them"]
        if not truncate_long:
            fixes.append("pass truncate_long=True")
        if keep_system and any(self.messages[i].get("role") in SYSTEM_ROLES for i in pinned):
            fixes.append("keep_system=False")
        if self.limits.requested_output is not None:
            fixes.append("lower max_output_tokens")
        if counted.tools:
            fixes.append(f"send fewer tools (they take {counted.tools:,})")
        report = self.limits.report(BoundedCount(counted.total, True, self.budget))
        return ContextOverflowError(
            f"even the messages that must stay ({what}) need {counted.total:,} tokens, "
            f"{over:,} more than the {self.budget:,} that fit ({report.reason()}); "
            + ", ".join(fixes),
            needed=counted.total,
            available=self.budget,
            model=self.limits.spec.name,
        )


def _units(messages: Sequence[Message]) -> list[list[int]]:
    """Message indices grouped into droppable units, in order of their first message.

    A ``tool`` result belongs to the nearest earlier assistant message that made a call
    with its ``tool_call_id``: ids are unique per call in practice, but a history built
    by hand or replayed may reuse one (``"call_1"`` in every turn), and a result must go
    with the call it answers, never with an older call of the same id.
    """
    units: list[list[int]] = []
    unit_of: dict[int, int] = {}  # message index -> its unit's position in ``units``
    caller: dict[object, int] = {}  # tool_call_id -> the latest assistant message with it
    for i, m in enumerate(messages):
        if i in unit_of:
            continue
        role = m.get("role")
        call_id = m.get("tool_call_id")
        if role == "tool" and isinstance(call_id, str) and call_id in caller:
            owner = unit_of[caller[call_id]]
            units[owner].append(i)
            unit_of[i] = owner
            continue
        unit_of[i] = len(units)
        units.append([i])
        calls = m.get("tool_calls") if role == "assistant" else None
        if isinstance(calls, list):
            for call in calls:
                if isinstance(call, Mapping) and isinstance(call.get("id"), str):
                    caller[call["id"]] = i
        if role == "assistant" and m.get("function_call") is not None:
            following = messages[i + 1] if i + 1 < len(messages) else {}
            if following.get("role") == "function":
                units[-1].append(i + 1)
                unit_of[i + 1] = len(units) - 1
    return units


def _pinned(messages: Sequence[Message], keep_system: bool) -> set[int]:
    pinned = {i for i, m in enumerate(messages) if keep_system and m.get("role") in SYSTEM_ROLES}
    users = [i for i, m in enumerate(messages) if m.get("role") == "user"]
    if users:
        pinned.add(users[-1])
    return pinned


def _describe(messages: Sequence[Message], keep_system: bool) -> str:
    systems = sum(m.get("role") in SYSTEM_ROLES for m in messages)
    parts = []
    if systems:
        parts.append(f"{systems} system message{'s' * (systems != 1)}")
    if any(m.get("role") == "user" for m in messages):
        parts.append("the latest user message")
    return " and ".join(parts) or "no messages, only the request's fixed tokens"
