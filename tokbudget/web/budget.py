"""``POST /api/check``: will a text or a chat request fit the model, and what does it cost.

Request: ``{"text"}`` or ``{"request"}`` (a Chat Completions request body, as for
``/api/chat``), with ``"model"?``, ``"encoding"?`` (text only), ``"max_output_tokens"?``
and ``"reserve"?``.

Answer::

    {"model", "encoding", "budget": {...} | null, "figures": {...}}

``budget`` is :func:`tokbudget.check` of the prompt (``exact=True``: the prompt is
counted to its end even when it does not fit), as :meth:`BudgetReport.to_dict`, with
``"prompt"`` (the size in words) and ``"reason"`` (why the prompt budget is what it
is) besides ``prompt_tokens``, ``context_window``, ``max_input_tokens``, ``max_output_tokens``,
``requested_output``, ``output_set_aside``, ``reserve``, ``prompt_budget``,
``completion_room``, ``fits``, ``overflow``, and for a request ``message_tokens`` (named
by ``message_labels``), ``tool_tokens``, ``format_tokens`` and ``estimated``. It is null
when there is no model to check against: an ``encoding`` was named, or a snapshot the
registry does not list (its limits are unknown; ``figures.cost_notes`` says so).
``figures`` are :func:`tokbudget.figures.text_figures` of the same count (characters,
window share, input cost).

``max_output_tokens`` (default: whatever is left, at least 1; for a request, its own
``max_completion_tokens`` / ``max_tokens``) and ``reserve`` (default 0) go to the
library unchanged, so a bad value gets 400 ``bad_setting`` with the library's message
(``max_output_tokens=20,000 is more than gpt-4o's cap of 16,384 output tokens; ask for
at most 16,384``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..budget import BudgetReport
from ..chat.breakdown import count_request
from ..figures import budget_report, text_figures
from ..tokenizer.encoder import Encoder
from .chat import chat_errors, chat_model, request_field
from .protocol import (
    ApiError,
    Call,
    Response,
    check_fields,
    library_settings,
    model_fields,
    parse_body,
    text_field,
)

__all__ = ["check"]

_FIELDS = ("text", "request", "model", "encoding", "max_output_tokens", "reserve")


def check(body: bytes, call: Call) -> Response:
    """Answer ``POST /api/check`` (see the module doc)."""
    data = parse_body(body)
    check_fields(data, _FIELDS)
    # JSON null means "the default", as leaving the field out does.
    settings = {
        "max_output_tokens": data.get("max_output_tokens"),
        "reserve": 0 if data.get("reserve") is None else data["reserve"],
    }
    if "request" in data:
        return _check_request(data, settings, call.model())
    text = text_field(data)
    label, enc = model_fields(data, call.model())
    report = _report(text, label, settings)
    tokens = enc.count(text) if report is None else report.prompt_tokens
    return _answer(report, tokens, len(text), enc, label)


def _check_request(data: Mapping[str, Any], settings: dict[str, Any], default: str) -> Response:
    for other in ("text", "encoding"):
        if other in data:
            raise ApiError(
                400,
                "bad_request",
                f"give 'text' or 'request', not both; a request is counted for a 'model', "
                f"never an 'encoding' (got {other!r})",
            )
    request = request_field(data)
    with chat_errors():
        label, enc, _ = chat_model(data.get("model"), request, default)
        report = _report(request, label, settings)  # a Batch API line's cap applies too
        tokens = report.prompt_tokens if report else count_request(request, label).total
    return _answer(report, tokens, None, enc, label)


def _report(prompt: Any, model: str | None, settings: dict[str, Any]) -> BudgetReport | None:
    with library_settings(**settings):
        return budget_report(prompt, model, **settings)


def _answer(
    report: BudgetReport | None,
    tokens: int,
    characters: int | None,
    enc: Encoder,
    label: str | None,
) -> Response:
    figures = text_figures(tokens, characters, enc.name, model=label)
    budget = None if report is None else report.to_dict()
    return Response.of(
        {
            "model": figures.model,
            "encoding": enc.name,
            "budget": budget,
            "figures": figures.to_dict(),
        }
    )
