"""Will it fit? A prompt (text or chat request) against a model's window and caps.

Models state up to three limits, and they are not the same thing:

* ``context_window``: prompt + completion together (gpt-4o: 128,000);
* ``max_input_tokens``: the prompt alone, where it is capped below the window (gpt-5:
  272,000 of a 400,000 window);
* ``max_output_tokens``: the completion alone (gpt-4o: 16,384; gpt-5: 128,000).

:func:`check` applies all three: the prompt plus ``reserve`` must fit the input cap, and
prompt + reserve + completion must fit the window. ``max_output_tokens=None`` asks for
whatever room is left, at least one token. A text is counted only until it is known not
to fit (:func:`tokbudget.count_at_most`), so checking 100 MB costs about as much as
encoding the first megabyte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from ._util import require_int
from .chat.breakdown import count_request
from .chat.messages import Estimate
from .chat.request import Request, plain, read_request
from .counting import DEFAULT_MODEL, BoundedCount, bounded_count
from .errors import ContextOverflowError, InvalidInputError
from .models.limits import completion_room, output_set_aside, prompt_budget
from .models.registry import get_model
from .models.spec import ModelSpec
from .tokenizer.encoder import get_encoding

__all__ = [
    "REASONING_RESERVE",
    "BudgetReport",
    "Limits",
    "check",
    "check_stream",
    "ensure_fits",
    "limits_for",
]

REASONING_RESERVE = 25_000
"""Output tokens :func:`check` keeps free for a reasoning model's reasoning and reply when
a request sets ``reasoning.effort`` but no output cap: OpenAI's advice ("reserve at least
25,000 tokens for reasoning and outputs" when you start with reasoning models)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """What a model leaves for the prompt once the output and a reserve are set aside.

    Attributes:
        spec: the model.
        requested_output: the caller's ``max_output_tokens`` (None: whatever is left).
        output_set_aside: output tokens the window must keep free: the request, else 1
            (0 for an embedding model).
        reserve: tokens held back from the prompt (e.g. for text added later).
        prompt_budget: the most prompt tokens that fit.
        reasoning_reserve: output tokens set aside for reasoning and the reply when no
            output cap was asked for (0: none; see :data:`REASONING_RESERVE`).
    """

    spec: ModelSpec
    requested_output: int | None
    output_set_aside: int
    reserve: int
    prompt_budget: int
    reasoning_reserve: int = 0

    def report(
        self,
        count: BoundedCount,
        message_tokens: tuple[int, ...] = (),
        tool_tokens: int = 0,
        estimated: tuple[Estimate, ...] = (),
        message_labels: tuple[str, ...] = (),
        format_tokens: int = 0,
    ) -> BudgetReport:
        """The :class:`BudgetReport` of a prompt of ``count`` tokens under these limits."""
        spec = self.spec
        prompt = count.tokens
        room = completion_room(spec, prompt + self.reserve)
        overflow = max(0, prompt - self.prompt_budget)
        return BudgetReport(
            model=spec.name,
            prompt_tokens=prompt,
            exact=count.exact,
            context_window=spec.context_window,
            max_input_tokens=spec.max_input_tokens,
            max_output_tokens=spec.max_output_tokens,
            requested_output=self.requested_output,
            output_set_aside=self.output_set_aside,
            reserve=self.reserve,
            prompt_budget=self.prompt_budget,
            completion_room=room,
            fits=overflow == 0 and count.exact,
            overflow=overflow,
            message_tokens=message_tokens,
            tool_tokens=tool_tokens,
            reasoning_reserve=self.reasoning_reserve,
            estimated=estimated,
            message_labels=message_labels,
            format_tokens=format_tokens,
        )


@dataclass(frozen=True, slots=True)
class BudgetReport:
    """The answer of :func:`check`.

    Attributes:
        model: the model's registry name.
        prompt_tokens: tokens of the prompt; a lower bound when ``exact`` is false
            (counting stopped once the prompt was known not to fit).
        exact: whether ``prompt_tokens`` is the exact count.
        context_window / max_input_tokens / max_output_tokens: the model's limits.
        requested_output: the ``max_output_tokens`` asked for (None: whatever is left).
        output_set_aside: output tokens kept free in the window: ``requested_output``,
            else 1 (0 for an embedding model).
        reserve: tokens held back from the prompt.
        prompt_budget: the most prompt tokens that fit with this output and reserve.
        completion_room: output tokens actually available after this prompt
            (``min(max_output, window - prompt - reserve)``; an upper bound when not exact).
        fits: whether the prompt fits ``prompt_budget``.
        overflow: tokens to cut (0 when it fits; a lower bound when not exact).
        message_tokens: for a chat request, each message's tokens (with its overhead).
        tool_tokens: for a chat request, the tool definitions' and tool_choice's tokens.
        reasoning_reserve: output tokens kept free for reasoning and the reply (a
            reasoning request without an output cap; 0 otherwise).
        estimated: for a request, the parts of ``prompt_tokens`` that are estimates and
            why (:attr:`tokbudget.RequestCount.estimated`).
        message_labels: for a request, what each of ``message_tokens`` is
            (``"messages[0]"``; ``"instructions"``, ``"input[3]"``), as
            :attr:`tokbudget.RequestCount.labels`.
        format_tokens: for a request, its structured-output schema's tokens.
    """

    model: str
    prompt_tokens: int
    exact: bool
    context_window: int | None
    max_input_tokens: int | None
    max_output_tokens: int | None
    requested_output: int | None
    output_set_aside: int
    reserve: int
    prompt_budget: int
    completion_room: int
    fits: bool
    overflow: int
    message_tokens: tuple[int, ...] = ()
    tool_tokens: int = 0
    reasoning_reserve: int = 0
    estimated: tuple[Estimate, ...] = ()
    message_labels: tuple[str, ...] = ()
    format_tokens: int = 0

    @property
    def prompt(self) -> str:
        """The prompt's size in words: ``"1,234"``, or ``"at least 272,001"`` when counting
        stopped early (``prompt_tokens`` is then a lower bound, past the budget)."""
        if self.exact:
            return f"{self.prompt_tokens:,}"
        return f"at least {self.prompt_tokens:,}"

    @property
    def estimated_note(self) -> str:
        """``" (estimated: tools, input[3])"`` when parts of the count are estimates, else ""."""
        if not self.estimated:
            return ""
        return f" (estimated: {', '.join(e.part for e in self.estimated)})"

    def reason(self) -> str:
        """Why the prompt budget is what it is, e.g. ``"gpt-5 accepts at most 272,000 input
        tokens"``."""
        name = self.model
        window = self.context_window
        parts = []
        cap = self.max_input_tokens
        by_window = None if window is None else window - self.output_set_aside
        if cap is not None and (by_window is None or cap <= by_window):
            parts.append(f"{name} accepts at most {cap:,} input tokens")
        elif self.reasoning_reserve and self.requested_output is None:
            parts.append(
                f"{name}'s {window:,}-token window less {self.reasoning_reserve:,} reserved "
                "for reasoning and output"
            )
        elif self.output_set_aside:
            held = "at least 1" if self.requested_output is None else f"{self.output_set_aside:,}"
            parts.append(f"{name}'s {window:,}-token window less {held} for output")
        else:
            parts.append(f"{name}'s {window:,}-token window")
        if self.reasoning_reserve and self.requested_output is None and "reasoning" not in parts[0]:
            parts.append(f"with {self.reasoning_reserve:,} kept for reasoning and output")
        if self.reserve:
            parts.append(f"less {self.reserve:,} reserved")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field, plus ``prompt`` and ``reason()``.

        The one JSON shape of a report: ``check --json``, ``show --json`` and
        ``/api/check`` all emit it unchanged.
        """
        data = asdict(self)
        data["message_tokens"] = list(self.message_tokens)
        data["message_labels"] = list(self.message_labels)
        data["estimated"] = [asdict(e) for e in self.estimated]
        data["prompt"] = self.prompt
        data["reason"] = self.reason()
        return data

    def __str__(self) -> str:
        verdict = "fits" if self.fits else f"does not fit (over by {self.overflow:,})"
        return (
            f"{self.model}: prompt {self.prompt} tokens{self.estimated_note}, budget "
            f"{self.prompt_budget:,} "
            f"({self.reason()}); {verdict}; room for output {self.completion_room:,}"
        )


# --------------------------------------------------------------------------- limits


def limits_for(
    model: str | ModelSpec | None = None,
    *,
    max_output_tokens: int | None = None,
    reserve: int = 0,
    reasoning_reserve: int = 0,
) -> Limits:
    """The prompt budget ``model`` leaves after ``max_output_tokens`` and ``reserve``.

    >>> limits_for("gpt-4o", max_output_tokens=16_384).prompt_budget
    111616
    >>> limits_for("gpt-5").prompt_budget  # input cap 272k below a 400k window
    272000
    """
    # None means the default model; "" is a name like any other (unknown), not gpt-4o.
    spec = (
        model
        if isinstance(model, ModelSpec)
        else get_model(DEFAULT_MODEL if model is None else model)
    )
    reserve = require_int("reserve", reserve, unit="tokens")
    requested, output, reasoning = output_set_aside(spec, max_output_tokens, reasoning_reserve)
    budget = prompt_budget(spec, output, reserve)
    return Limits(spec, requested, output, reserve, budget, reasoning)


# --------------------------------------------------------------------------- check


def check(
    prompt: str | Sequence[Mapping[str, Any]] | Mapping[str, Any] | Request,
    model: str | ModelSpec | None = None,
    *,
    max_output_tokens: int | None = None,
    reserve: int = 0,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: object = None,
    exact: bool = False,
    reasoning_reserve: int | None = None,
) -> BudgetReport:
    """Report whether ``prompt`` fits ``model`` with room for the output.

    Args:
        prompt: a text, a list of chat messages (or Responses input items), or a request
            body of either API, or a Batch API line (read by
            :func:`tokbudget.chat.request.read_request`; its ``model``, ``tools``,
            ``tool_choice`` and output cap -- ``max_completion_tokens`` / ``max_tokens``,
            Responses ``max_output_tokens`` -- apply unless given here).
        model: the model's name (default gpt-4o) or a :class:`ModelSpec` of your own.
        max_output_tokens: the completion to make room for; None means whatever is
            left, at least 1. More than the model's output cap is an error.
        reserve: tokens to hold back from the prompt's budget.
        tools: tool definitions, for a list of messages.
        tool_choice: the request's ``tool_choice``, for a list of messages.
        exact: count a text to its end even once it is known not to fit, so
            ``prompt_tokens`` and ``overflow`` are exact (a chat request always is).
        reasoning_reserve: output tokens to keep free for reasoning and the reply when no
            output cap is set. Default: :data:`REASONING_RESERVE` (25,000, capped by the
            model's output limit) for a request with ``reasoning.effort`` (Chat
            ``reasoning_effort``) other than ``"none"`` on a reasoning model, else 0.
            The report's ``reason()`` says when it applies.

    >>> r = check("x " * 5_000_000, model="gpt-5")  # counting stops past 272,000
    >>> (r.fits, r.exact, r.prompt_budget, r.prompt_tokens > r.prompt_budget)
    (False, False, 272000, True)
    >>> check("x " * 5_000_000, model="gpt-5", exact=True).overflow
    4728001
    """
    if isinstance(prompt, str):
        limits = limits_for(model, max_output_tokens=max_output_tokens, reserve=reserve)
        enc = get_encoding(limits.spec.encoding)
        if exact:
            return limits.report(BoundedCount(enc.count(prompt), True, limits.prompt_budget))
        return limits.report(bounded_count(enc, prompt, limits.prompt_budget))
    prompt = plain(prompt)  # an SDK request object
    if not isinstance(prompt, Mapping | Sequence | Request):
        raise InvalidInputError(
            f"prompt must be a str, a list of chat messages or a request body (dict), "
            f"got {type(prompt).__name__}"
        )
    request = read_request(prompt)
    if tools is not None or tool_choice is not None:
        request = replace(
            request,
            tools=tuple(tools) if tools is not None else request.tools,
            tool_choice=tool_choice if tool_choice is not None else request.tool_choice,
        )
    model = model if model is not None else request.model
    if max_output_tokens is None:
        max_output_tokens = request.max_output_tokens
    spec = model if isinstance(model, ModelSpec) else get_model(model or DEFAULT_MODEL)
    if reasoning_reserve is None:
        effort = request.reasoning_effort
        thinking = spec.kind == "reasoning" and effort not in (None, "none")
        reasoning_reserve = REASONING_RESERVE if thinking else 0
    limits = limits_for(
        spec,
        max_output_tokens=max_output_tokens,
        reserve=reserve,
        reasoning_reserve=reasoning_reserve,
    )
    counted = count_request(request, limits.spec.name)
    whole = BoundedCount(counted.total, True, limits.prompt_budget)
    return limits.report(
        whole,
        counted.messages,
        counted.tools,
        counted.estimated,
        counted.labels,
        counted.response_format,
    )


def check_stream(
    chunks: Iterable[str],
    model: str | ModelSpec | None = None,
    *,
    max_output_tokens: int | None = None,
    reserve: int = 0,
) -> BudgetReport:
    """:func:`check` for a text given in pieces (a file read in blocks), read only as far
    as needed to decide."""
    limits = limits_for(model, max_output_tokens=max_output_tokens, reserve=reserve)
    enc = get_encoding(limits.spec.encoding)
    return limits.report(bounded_count(enc, chunks, limits.prompt_budget))


def ensure_fits(
    prompt: str | Sequence[Mapping[str, Any]] | Mapping[str, Any] | Request,
    model: str | ModelSpec | None = None,
    *,
    max_output_tokens: int | None = None,
    reserve: int = 0,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: object = None,
    reasoning_reserve: int | None = None,
) -> BudgetReport:
    """Like :func:`check`, but raise :class:`ContextOverflowError` when it does not fit.

    >>> ensure_fits("hello", model="gpt-4o").fits
    True
    """
    report = check(
        prompt,
        model,
        max_output_tokens=max_output_tokens,
        reserve=reserve,
        tools=tools,
        tool_choice=tool_choice,
        reasoning_reserve=reasoning_reserve,
    )
    if not report.fits:
        raise overflow_error(report)
    return report


def overflow_error(report: BudgetReport) -> ContextOverflowError:
    """The :class:`ContextOverflowError` describing a report that does not fit."""
    least = "at least " if not report.exact else ""
    fix = "tokbudget.truncate() a text or tokbudget.fit_messages() a chat"
    if report.requested_output is not None:
        fix += ", or lower max_output_tokens"
    return ContextOverflowError(
        f"prompt needs {report.prompt} tokens{report.estimated_note} but "
        f"{report.prompt_budget:,} fit ({report.reason()}); cut {least}{report.overflow:,} "
        f"token{'s' * (report.overflow != 1)}: {fix}",
        needed=report.prompt_tokens,
        available=report.prompt_budget,
        model=report.model,
        exact=report.exact,
    )
