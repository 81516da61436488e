"""Planning embedding requests: chunks grouped within a model's per-request limits, and the cost.

OpenAI's embeddings endpoint takes a list of inputs per request, with three limits:
each input within the model's input limit (8,191 tokens), at most
``max_inputs_per_request`` inputs (2,048) and at most ``max_tokens_per_request`` tokens
summed over the inputs (300,000). The figures come from the registry
(``ModelSpec.embedding``); callers may tighten them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ._util import require_int
from .counting import count_many, encoding_for, require_text
from .errors import ContextOverflowError, SettingsError
from .models.defaults import DEFAULT_EMBEDDING_MODEL
from .models.limits import check_embedding_input
from .models.registry import get_model
from .pricing import Cost, cost
from .splitting.splitter import Chunk

__all__ = ["EmbeddingBatch", "EmbeddingPlan", "plan_embedding_batches"]


@dataclass(frozen=True, slots=True)
class EmbeddingBatch:
    """One request: the inputs ``start:stop`` of the planned sequence, and their tokens."""

    start: int
    stop: int
    tokens: int

    @property
    def size(self) -> int:
        """How many inputs the request sends."""
        return self.stop - self.start


@dataclass(frozen=True, slots=True)
class EmbeddingPlan:
    """Requests that embed every input once, in order, within the model's limits."""

    model: str
    batches: tuple[EmbeddingBatch, ...]
    tokens: int  # summed over every input: what the API bills
    cost: Cost  # at the registry's standard price; cost(model, tokens, batch=True) for Batch
    max_inputs_per_request: int
    max_tokens_per_request: int

    @property
    def requests(self) -> int:
        return len(self.batches)

    def slices(self) -> Iterator[slice]:
        """A slice per request, to cut the inputs with: ``[inputs[s] for s in plan.slices()]``."""
        return (slice(b.start, b.stop) for b in self.batches)


def plan_embedding_batches(
    chunks: Iterable[Chunk | str],
    model: str = DEFAULT_EMBEDDING_MODEL,
    *,
    max_inputs_per_request: int | None = None,
    max_tokens_per_request: int | None = None,
) -> EmbeddingPlan:
    """Group ``chunks`` (``Chunk`` objects or strings) into embedding requests, in order.

    Every input is counted with ``model``'s encoding (a ``Chunk``'s ``tokens`` may come
    from another encoding, so they are not trusted). Requests are filled greedily in
    order, which gives the fewest requests any in-order grouping can. An input over the
    model's input limit raises ``ContextOverflowError``; an empty one ``SettingsError``
    (the API rejects both).

    >>> plan = plan_embedding_batches(["a", "b c"], max_inputs_per_request=1)
    >>> [(b.start, b.stop, b.tokens) for b in plan.batches], plan.tokens, plan.cost.total
    ([(0, 1, 1), (1, 2, 2)], 3, Decimal('6E-8'))
    """
    spec = get_model(model)
    limits = spec.embedding
    max_inputs = _limit(
        "max_inputs_per_request",
        max_inputs_per_request,
        limits.max_inputs_per_request if limits else None,
        model,
    )
    max_request = _limit(
        "max_tokens_per_request",
        max_tokens_per_request,
        limits.max_tokens_per_request if limits else None,
        model,
    )
    texts = [
        c.text if isinstance(c, Chunk) else require_text(c, f"chunks[{i}]")
        for i, c in enumerate(chunks)
    ]
    counts = count_many(texts, encoding=encoding_for(model).name).tolist()
    batches: list[EmbeddingBatch] = []
    start = tokens = 0
    for i, (text, n) in enumerate(zip(texts, counts, strict=True)):
        if not text:
            raise SettingsError(f"chunks[{i}] is empty; the embeddings API rejects empty inputs")
        check_embedding_input(spec, f"chunks[{i}]", n)
        if n > max_request:
            raise ContextOverflowError(
                f"chunks[{i}] has {n:,} tokens, more than max_tokens_per_request "
                f"({max_request:,}); raise the limit or split the input smaller",
                needed=n,
                available=max_request,
                model=spec.name,
            )
        if i > start and (i - start >= max_inputs or tokens + n > max_request):
            batches.append(EmbeddingBatch(start, i, tokens))
            start, tokens = i, 0
        tokens += n
    if len(texts) > start:
        batches.append(EmbeddingBatch(start, len(texts), tokens))
    total = sum(counts)
    return EmbeddingPlan(
        model=spec.name,
        batches=tuple(batches),
        tokens=total,
        cost=cost(spec.name, input_tokens=total),
        max_inputs_per_request=max_inputs,
        max_tokens_per_request=max_request,
    )


def _limit(name: str, given: int | None, registry: int | None, model: str) -> int:
    if given is None:
        if registry is None:
            raise SettingsError(
                f"the registry has no {name} for {model}; pass {name}= (e.g. from the "
                "provider's API reference)"
            )
        return registry
    given = require_int(name, given, least=1)
    if registry is not None and given > registry:
        raise SettingsError(
            f"{name}={given:,} is above {model}'s limit of {registry:,}; use at most {registry:,}",
            parameter=name,
            value=given,
        )
    return given
