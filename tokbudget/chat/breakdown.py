"""``count_request``: any request body in, its prompt tokens and where they go out.

The body is read by :func:`tokbudget.chat.request.read_request` (Chat Completions,
Responses, a Batch API line, a bare list, SDK objects), then counted part by part:
messages or input items (:mod:`.messages`, :mod:`.responses`), tools and ``tool_choice``
(:mod:`.toolset`), the response format (:mod:`.schema_format`) and the reply priming.
Each part that is an estimate is named in :attr:`RequestCount.estimated` with its reason;
a count with none is exact. Server-side state (``previous_response_id``,
``conversation``, a stored ``prompt``) cannot be counted offline: it is flagged, and the
caller can pass the earlier items in ``input`` instead.
"""

from __future__ import annotations

from typing import Any

from ..errors import UnknownModelError
from ..models.registry import default_registry
from .messages import (
    SYSTEM_ROLES,
    Estimate,
    MessageCounter,
    RequestCount,
    as_messages,
    call_names,
    chat_setup,
)
from .request import Request, read_request
from .responses import ItemCounter
from .schema_format import format_tokens
from .toolset import read_tools, tool_tokens

__all__ = ["count_request"]

_HIDDEN_WHY = (
    "{model} is a reasoning model: the API may add a system prompt of its own (date, "
    "reasoning settings) that it bills; it is not published and not counted"
)
_PERSONALITY_WHY = (
    "personality {value!r}: a style preset the model adds to its prompt; it is not "
    "published and not counted"
)
_STATE_WHY = (
    "{key}: the API adds the stored items it names, which cannot be counted offline; "
    "pass them in 'input' to count them"
)


def count_request(body: Any, model: str | None = None, *, api: str | None = None) -> RequestCount:
    """Count the prompt tokens of any request body, part by part, with its estimates.

    Args:
        body: a Chat Completions or Responses API body, a Batch API line, a bare list of
            messages or input items, an SDK object, or a :class:`Request`. Never modified.
        model: the model to count for (default: the body's ``model``, else gpt-4o).
        api: ``"chat"`` or ``"responses"`` to force the API (default: detected).

    Raises:
        MessageFormatError: a malformed body, message, item, tool or format; names the
            index and field (``input[3].call_id``).
        SettingsError: the model takes no chat input, or cannot take an image given.

    >>> count_request({"model": "gpt-4o", "input": "hello world"}).total
    9
    >>> r = count_request({"model": "gpt-4.1", "instructions": "Be brief.",
    ...                    "input": [{"role": "user", "content": "hi"}]})
    >>> r.labels, r.messages, r.exact
    (('instructions', 'input[0]'), (7, 5), True)
    >>> [e.part for e in count_request({"model": "gpt-5", "input": "hi"}).estimated]
    ['model']
    """
    req = body if isinstance(body, Request) else read_request(body, api)
    enc, fmt, name = chat_setup(model if model is not None else req.model)
    tools = read_tools(req.tools, req.api, req.items)
    estimates: list[Estimate] = []
    labels: list[str] = []
    per: list[int] = []
    if req.api == "chat":
        msgs = as_messages(req.items)
        padded = -1
        if tools.functions:
            padded = next((i for i, m in enumerate(msgs) if m.get("role") in SYSTEM_ROLES), -1)
        counter = MessageCounter(enc, fmt, name, call_names(msgs))
        per = [counter.message(i, m, pad=i == padded) for i, m in enumerate(msgs)]
        labels = [f"messages[{i}]" for i in range(len(per))]
        estimates += counter.estimates
        pad_any = padded >= 0
    else:
        items = req.items
        first_system = -1
        if tools.functions and req.instructions is None:
            first_system = next((i for i, m in enumerate(items) if _role(m) in SYSTEM_ROLES), -1)
        pad_any = bool(tools.functions) and (req.instructions is not None or first_system >= 0)
        if req.instructions is not None:
            text = req.instructions + ("\n" if tools.functions else "")
            per.append(fmt.tokens_per_message + enc.count("developer") + enc.count(text))
            labels.append("instructions")
        counter2 = ItemCounter(enc, fmt, name, items, detached=bool(req.server_state))
        for i, item in enumerate(items):
            per.append(counter2.item(i, item, pad=i == first_system))
            labels.append(f"input[{i}]")
        estimates += counter2.estimates
        for key in req.server_state:
            estimates.append(Estimate(key, 0, _STATE_WHY.format(key=key)))
        if req.personality is not None:
            why = _PERSONALITY_WHY.format(value=req.personality)
            estimates.append(Estimate("personality", 0, why))
    if _reasoning(name):
        estimates.append(Estimate("model", 0, _HIDDEN_WHY.format(model=name)))
    tool_n, tool_estimates = tool_tokens(enc, tools, req.tool_choice, padded=pad_any)
    estimates += tool_estimates
    where = "response_format" if req.api == "chat" else "text.format"
    format_n, why = format_tokens(enc, req.response_format, where)
    if why:
        estimates.append(Estimate(where, format_n, why))
    overhead = fmt.reply_priming
    return RequestCount(
        total=sum(per) + tool_n + format_n + overhead,
        messages=tuple(per),
        tools=tool_n,
        overhead=overhead,
        response_format=format_n,
        labels=tuple(labels),
        estimated=tuple(estimates),
        api=req.api,
    )


def _reasoning(model: str) -> bool:
    try:
        return default_registry().get(model).kind == "reasoning"
    except UnknownModelError:
        return False


def _role(item: Any) -> Any:
    return item.get("role") if hasattr(item, "get") else None
