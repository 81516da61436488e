"""plan_embedding_batches: limits respected, fewest requests, exact tokens and cost."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokbudget import cost, count, estimate_cost, get_model, split
from tokbudget.embeddings import plan_embedding_batches
from tokbudget.errors import ContextOverflowError, SettingsError

from .conftest import real_texts
from .helpers import tokens

words = st.lists(st.sampled_from(["alpha", " beta", " gamma.", "日本", "🙂", "\n"]), min_size=1)
inputs = st.lists(words.map("".join), max_size=25)


def fewest_requests(counts: list[int], max_inputs: int, max_tokens: int) -> int:
    """Brute force: the fewest in-order requests (dynamic programming)."""
    best = [0] + [10**9] * len(counts)
    for end in range(1, len(counts) + 1):
        for start in range(end - 1, -1, -1):
            if end - start > max_inputs or sum(counts[start:end]) > max_tokens:
                break
            best[end] = min(best[end], best[start] + 1)
    return best[-1]


@given(texts=inputs, max_inputs=st.integers(1, 6), max_tokens=st.integers(30, 80))
def test_limits_order_and_fewest_requests(
    texts: list[str], max_inputs: int, max_tokens: int
) -> None:
    plan = (
        plan_embedding_batches(
            texts, max_inputs_per_request=max_inputs, max_tokens_per_request=max_tokens
        )
        if all(count(t, "text-embedding-3-small") <= max_tokens for t in texts)
        else None
    )
    if plan is None:
        with pytest.raises(ContextOverflowError):
            plan_embedding_batches(
                texts, max_inputs_per_request=max_inputs, max_tokens_per_request=max_tokens
            )
        return
    counts = [count(t, "text-embedding-3-small") for t in texts]
    assert [i for b in plan.batches for i in range(b.start, b.stop)] == list(range(len(texts)))
    for b in plan.batches:
        assert 1 <= b.size <= max_inputs
        assert b.tokens == sum(counts[b.start : b.stop]) <= max_tokens
    assert plan.requests == fewest_requests(counts, max_inputs, max_tokens)
    assert plan.tokens == sum(counts)
    assert plan.cost.total == Decimal("0.02") * sum(counts) / 1_000_000
    assert plan.cost == cost("text-embedding-3-small", input_tokens=sum(counts))


def test_defaults_from_the_registry() -> None:
    text = " ".join(real_texts().values())
    chunks = split(text, 200)
    plan = plan_embedding_batches(chunks * 30)  # text-embedding-3-small
    spec = get_model("text-embedding-3-small")
    assert spec.embedding is not None
    assert plan.max_inputs_per_request == spec.embedding.max_inputs_per_request == 2048
    assert plan.max_tokens_per_request == spec.embedding.max_tokens_per_request == 300_000
    assert plan.tokens == 30 * sum(c.tokens for c in chunks)
    assert all(b.tokens <= 300_000 and b.size <= 2048 for b in plan.batches)
    inputs = [c.text for c in chunks * 30]
    assert sum(len(inputs[s]) for s in plan.slices()) == len(inputs)


def test_chunks_are_recounted_with_the_models_encoding() -> None:
    chunks = split("naïve 日本語のテキスト " * 20, 40, encoding="o200k_base")
    plan = plan_embedding_batches(chunks, "text-embedding-3-large")  # cl100k_base
    assert plan.tokens == sum(count(c.text, "text-embedding-3-large") for c in chunks)
    assert plan.cost.total == Decimal("0.13") * plan.tokens / 1_000_000


def test_errors() -> None:
    with pytest.raises(ContextOverflowError) as info:
        plan_embedding_batches(["ok", " word" * 9000])
    assert info.value.needed == 9000 and info.value.available == 8191
    assert "chunks[1]" in str(info.value)
    with pytest.raises(SettingsError, match=r"chunks\[0\] is empty"):
        plan_embedding_batches([""])
    with pytest.raises(SettingsError, match="above text-embedding-3-small's limit of 2,048"):
        plan_embedding_batches(["a"], max_inputs_per_request=5000)
    with pytest.raises(SettingsError, match="must be a whole number >= 1"):
        plan_embedding_batches(["a"], max_tokens_per_request=0)
    assert plan_embedding_batches([]).batches == ()


@pytest.mark.parametrize("n", [8_191, 8_192, 9_000])
@pytest.mark.parametrize("at", [0, 2])
def test_planning_and_pricing_refuse_the_same_inputs_the_same_way(n: int, at: int) -> None:
    # One per-input check (models.limits) for plan_embedding_batches and estimate_cost.
    inputs = ["ok", "fine", "good"]
    inputs[at] = tokens(n)
    model = "text-embedding-3-small"
    assert get_model(model).input_limit == 8_191
    if n <= 8_191:
        assert plan_embedding_batches(inputs).tokens == estimate_cost(inputs, model).input_tokens
        return
    with pytest.raises(ContextOverflowError) as planned:
        plan_embedding_batches(inputs)
    with pytest.raises(ContextOverflowError) as priced:
        estimate_cost(inputs, model)
    a, b = planned.value, priced.value
    assert (a.needed, a.available, a.model) == (b.needed, b.available, b.model) == (n, 8_191, model)
    assert str(a).removeprefix(f"chunks[{at}]") == str(b).removeprefix(f"embedding input {at}")
