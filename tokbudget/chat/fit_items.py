"""Fitting a whole request body (either API) into a model's budget.

:func:`fit_request` takes a Chat Completions body (its ``messages`` go through
:func:`tokbudget.fit_messages`) or a Responses body, whose ``input`` items it drops oldest
first, the way :func:`~tokbudget.fit_messages` drops Chat turns. Items that must go
together form one unit, kept or dropped whole:

* a call and every output answering it (``function_call`` + ``function_call_output``,
  ``custom_tool_call``, ``computer_call``, ``local_shell_call``, ``shell_call``,
  ``apply_patch_call``, ``program``, ``mcp_approval_request`` + response): the API rejects
  an output without its call;
* a ``reasoning`` item and the item right after it (and that item's unit): a reasoning
  item must be followed by the item it produced.

System and developer messages (unless ``keep_system=False``), ``instructions``, the latest
user message and everything after it are kept. Each step is re-counted with
:func:`tokbudget.count_request`, so the result's count is the count, not an assumption.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..budget import REASONING_RESERVE, Limits, limits_for
from ..counting import DEFAULT_MODEL, BoundedCount
from ..errors import ContextOverflowError
from ..models.registry import get_model
from ..models.spec import ModelSpec
from .breakdown import count_request
from .fit import FitReport, fit_messages
from .item_types import ANSWERS
from .request import Request, plain, read_request, request_body

__all__ = ["fit_request", "item_units"]


def item_units(items: Sequence[Any]) -> list[list[int]]:
    """Indices of ``items`` grouped into units that are kept or dropped whole, oldest first.

    >>> item_units([{"type": "reasoning", "id": "r", "summary": []},
    ...             {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
    ...             {"role": "user", "content": "hi"},
    ...             {"type": "function_call_output", "call_id": "c", "output": "ok"}])
    [[0, 1, 3], [2]]
    """
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[max(find(i), find(j))] = min(find(i), find(j))

    plain_items = [plain(m) for m in items]
    calls: dict[tuple[str, Any], int] = {}
    for i, item in enumerate(plain_items):
        kind = item.get("type") if isinstance(item, Mapping) else None
        for call_kind, _, id_field in ANSWERS.values():
            if kind == call_kind and item.get(id_field) is not None:
                calls[(call_kind, item[id_field])] = i
    for i, item in enumerate(plain_items):
        kind = item.get("type") if isinstance(item, Mapping) else None
        if kind in ANSWERS:
            call_kind, link, _ = ANSWERS[kind]
            j = calls.get((call_kind, item.get(link)))
            if j is not None:
                join(i, j)
        if kind == "reasoning" and i + 1 < len(items):
            join(i, i + 1)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())


def fit_request(
    body: Any,
    model: str | ModelSpec | None = None,
    *,
    max_output_tokens: int | None = None,
    reserve: int = 0,
    reasoning_reserve: int | None = None,
    keep_system: bool = True,
    api: str | None = None,
) -> tuple[dict[str, Any], FitReport]:
    """Return a copy of ``body`` whose messages or input items fit ``model``, and a report.

    Args:
        body: a Chat Completions or Responses body (or a Batch API line: its request is
            fitted and returned). Never modified.
        model: the model (default: the body's, else gpt-4o).
        max_output_tokens: the output to make room for (default: the body's cap).
        reserve: tokens to hold back from the prompt's budget.
        reasoning_reserve: as for :func:`tokbudget.check`.
        keep_system: keep system / developer messages.
        api: force ``"chat"`` or ``"responses"``.

    Returns:
        ``(body, report)``: a new body dict with the kept ``messages`` / ``input`` (the
        caller's own item objects, in order); ``report.kept`` / ``dropped`` index them.

    Raises:
        ContextOverflowError: even what must stay does not fit.

    >>> body = {"model": "gpt-4", "max_output_tokens": 4_000, "input": [
    ...     {"role": "user", "content": "word " * 4_500},
    ...     {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
    ...     {"type": "function_call_output", "call_id": "c", "output": "ok"},
    ...     {"role": "user", "content": "Summarise."}]}
    >>> fitted, report = fit_request(body)
    >>> report.dropped, len(fitted["input"])
    ((0,), 3)
    """
    request = read_request(body, api)
    inner = dict(request_body(plain(body))) if not isinstance(plain(body), list) else {}
    model = model if model is not None else request.model
    output = max_output_tokens if max_output_tokens is not None else request.max_output_tokens
    if request.api == "chat":
        # fit_messages counts messages and tools; a structured-output schema is held back.
        name = model.name if isinstance(model, ModelSpec) else model
        schema = count_request(replace(request, items=()), name).response_format
        messages, report = fit_messages(
            request.messages,
            model,
            max_output_tokens=output,
            reserve=reserve + schema,
            tools=request.tools,
            tool_choice=request.tool_choice,
            keep_system=keep_system,
        )
        return {**inner, "messages": messages}, report
    limits = _limits(request, model, output, reserve, reasoning_reserve)
    items = list(request.items)
    before = count_request(request, limits.spec.name)
    kept = list(range(len(items)))
    counted = before
    pinned = _pinned(items, keep_system)
    queue = [u for u in item_units(items) if not pinned.intersection(u)]
    per = dict(zip(range(len(items)), before.messages[-len(items) :] if items else (), strict=True))
    while counted.total > limits.prompt_budget:
        if not queue:
            raise ContextOverflowError(
                f"even the items that must stay need {counted.total:,} tokens, "
                f"{counted.total - limits.prompt_budget:,} more than the "
                f"{limits.prompt_budget:,} that fit; shorten them, send fewer tools or "
                "pass keep_system=False",
                needed=counted.total,
                available=limits.prompt_budget,
                model=limits.spec.name,
            )
        excess = counted.total - limits.prompt_budget
        gone: set[int] = set()
        while queue and sum(per[i] for i in gone) < excess:
            gone.update(queue.pop(0))
        kept = [i for i in kept if i not in gone]
        counted = count_request(
            replace(request, items=tuple(items[i] for i in kept)), limits.spec.name
        )
    dropped = tuple(i for i in range(len(items)) if i not in set(kept))
    whole = BoundedCount(counted.total, True, limits.prompt_budget)
    report = FitReport(
        tokens_before=before.total,
        kept=tuple(kept),
        dropped=dropped,
        truncated=(),
        budget=limits.report(whole, counted.messages, counted.tools, counted.estimated),
    )
    source = inner if inner else {}
    return {**source, "input": [items[i] for i in kept]}, report


def _limits(
    request: Request,
    model: str | ModelSpec | None,
    output: int | None,
    reserve: int,
    reasoning_reserve: int | None,
) -> Limits:
    spec = model if isinstance(model, ModelSpec) else get_model(model or DEFAULT_MODEL)
    if reasoning_reserve is None:
        thinking = spec.kind == "reasoning" and request.reasoning_effort not in (None, "none")
        reasoning_reserve = REASONING_RESERVE if thinking else 0
    return limits_for(
        spec, max_output_tokens=output, reserve=reserve, reasoning_reserve=reasoning_reserve
    )


def _pinned(items: Sequence[Any], keep_system: bool) -> set[int]:
    roles = [plain(m).get("role") if isinstance(plain(m), Mapping) else None for m in items]
    pinned = {i for i, r in enumerate(roles) if keep_system and r in ("system", "developer")}
    users = [i for i, r in enumerate(roles) if r == "user"]
    if users:
        pinned.update(range(users[-1], len(items)))  # the latest user turn and what follows
    return pinned
