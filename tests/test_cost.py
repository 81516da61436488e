"""Cost from counts and before sending: exact Decimal arithmetic, tiers, batch, errors."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget
from tokbudget import (
    ContextOverflowError,
    Cost,
    InvalidInputError,
    Registry,
    SettingsError,
    cost,
    estimate_cost,
)
from tokbudget.pricing import decimal_str

MONEY = ("input", "cached_input", "output", "total")


def test_package_exports_the_function_not_the_module() -> None:
    assert callable(tokbudget.cost) and tokbudget.cost is cost


def test_plain_request() -> None:
    c = cost("gpt-4o", input_tokens=1_234_567)
    assert c.total == Decimal("3.0864175")  # 1,234,567 x $2.50 / 1M
    assert c == Cost(
        model="gpt-4o",
        input_tokens=1_234_567,
        output_tokens=0,
        cached_input_tokens=0,
        input=Decimal("3.0864175"),
        cached_input=Decimal(0),
        output=Decimal(0),
        total=Decimal("3.0864175"),
    )
    c = cost("gpt-4o", 1000, 500)
    assert (c.input, c.output, c.total) == (Decimal("0.0025"), Decimal("0.005"), Decimal("0.0075"))
    assert c.currency == "USD"
    assert all(isinstance(getattr(c, f), Decimal) for f in MONEY)


def test_as_dict_has_exact_strings() -> None:
    d = cost("gpt-4o", 1_234_567, 1).as_dict()
    assert d["total"] == "3.0864275" and d["input"] == "3.0864175" and d["output"] == "0.00001"
    assert d["model"] == "gpt-4o" and d["notes"] == [] and d["tier"] is None
    assert decimal_str(Decimal("1E+2")) == "100" and decimal_str(Decimal("-0.0")) == "0"


def test_cached_input() -> None:
    c = cost("gpt-4o", input_tokens=1000, cached_input_tokens=400)
    assert c.input == Decimal(600) * Decimal("2.50") / 1_000_000
    assert c.cached_input == Decimal(400) * Decimal("1.25") / 1_000_000
    assert c.total == c.input + c.cached_input
    # gpt-4o-2024-05-13 has no cached price: cached tokens are billed as input, and said so.
    old = cost("gpt-4o-2024-05-13", input_tokens=1000, cached_input_tokens=400)
    assert old.total == Decimal("0.005")
    assert any("no cached-input price" in n for n in old.notes)


def test_long_context_tier_prices_the_whole_request() -> None:
    at = cost("gpt-5.4", 272_000, 1000, 1000)
    over = cost("gpt-5.4", 272_001, 1000, 1000)
    assert at.tier is None and over.tier == 272_000
    assert (
        at.total
        == (Decimal(271_000) * Decimal("2.50") + 1000 * Decimal("0.25") + 1000 * 15) / 10**6
    )
    assert over.input == Decimal(271_001) * 5 / 10**6
    assert over.cached_input == Decimal(1000) * Decimal("0.50") / 10**6
    assert over.output == Decimal(1000) * Decimal("22.50") / 10**6


def test_batch() -> None:
    c = cost("gpt-4o", 1_000_000, 1_000_000, batch=True)
    assert (c.input, c.output, c.batch) == (Decimal("1.25"), Decimal(5), True)
    with pytest.raises(SettingsError, match=r"o3 has no Batch API price.*does not assume"):
        cost("o3", 10, batch=True)
    with pytest.raises(SettingsError, match="no Batch API price for prompts over 272,000"):
        cost("gpt-5.4", 300_000, batch=True)


def test_embedding_models_have_no_output_price() -> None:
    assert cost("text-embedding-3-small", 1_000_000).total == Decimal("0.02")
    with pytest.raises(SettingsError, match="embedding model: it produces no output tokens"):
        cost("text-embedding-3-small", 10, 1)


def test_models_without_prices_or_of_other_rates() -> None:
    with pytest.raises(SettingsError, match=r"gpt-oss-120b has no price.*TOKBUDGET_MODELS"):
        cost("gpt-oss-120b", 10)
    with pytest.raises(SettingsError, match="fine-tuned"):
        cost("ft:gpt-4o-mini-2024-07-18:org::abc", 10)
    c = cost("gpt-4o-2099-01-01", 10)  # an unknown dated snapshot: priced as its family
    assert c.model == "gpt-4o" and "priced as gpt-4o" in c.notes[0]
    assert cost("gpt-4o-2024-08-06", 10).notes == ()  # a known alias needs no note
    with pytest.raises(tokbudget.UnknownModelError):
        cost("gpt-9", 10)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"input_tokens": 1.5}, InvalidInputError, "counts are whole numbers"),
        ({"input_tokens": True}, InvalidInputError, "whole number"),
        ({"output_tokens": "10"}, InvalidInputError, "whole number"),
        ({"input_tokens": None}, InvalidInputError, r"\(an int\), got NoneType"),
        ({"input_tokens": -1}, SettingsError, "input_tokens must be a whole number >= 0, got -1"),
        (
            {"input_tokens": 5, "cached_input_tokens": 6},
            SettingsError,
            r"exceeds input_tokens \(5\)",
        ),
    ],
)
def test_bad_counts(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        cost("gpt-4o", **kwargs)


def test_numpy_ints_are_counts() -> None:
    assert cost("gpt-4o", np.int64(1000)).total == Decimal("0.0025")


def test_custom_registry() -> None:
    reg = Registry.from_dict(
        {"models": {"mine": {"kind": "chat", "encoding": "o200k_base", "context_window": 1000,
                             "price": {"input": "0.333", "output": "1"}}}}
    )  # fmt: skip
    assert cost("mine", 3, registry=reg).total == Decimal("0.000000999")


@given(
    st.integers(0, 10**9),
    st.integers(0, 10**9),
    st.integers(0, 10**9),
    st.sampled_from(["gpt-4o", "gpt-4.1-nano", "o1", "gpt-5.5"]),
)
def test_arithmetic_is_exact(n_in: int, n_out: int, n_cached: int, model: str) -> None:
    n_cached = min(n_cached, n_in)
    c = cost(model, n_in, n_out, n_cached)
    price = tokbudget.get_model(model).price
    assert price is not None
    tier = next((t for t in reversed(price.tiers) if n_in > t.above_input_tokens), None)
    p_in, p_out = (tier.input, tier.output) if tier else (price.input, price.output)
    p_cached = (tier.cached_input if tier else price.cached_input) or p_in
    assert p_out is not None
    exact = (
        Fraction(p_in) * (n_in - n_cached) + Fraction(p_cached) * n_cached + Fraction(p_out) * n_out
    ) / 10**6
    assert Fraction(c.total) == exact
    assert c.total == c.input + c.cached_input + c.output


# ------------------------------------------------------------------- before sending


def test_estimate_text_and_messages() -> None:
    c = estimate_cost("hello world", model="gpt-4o", max_output_tokens=10)
    assert (c.input_tokens, c.output_tokens) == (2, 10)
    messages = [{"role": "user", "content": "hello world"}]
    c = estimate_cost(messages, model="gpt-4o", max_output_tokens=0)
    assert c.input_tokens == tokbudget.count_messages(messages, "gpt-4o") == 9


def test_estimate_worst_case_reply_is_noted() -> None:
    c = estimate_cost("hi", model="gpt-4o")
    assert c.output_tokens == 16_384
    assert "worst case" in c.notes[-1]
    c = estimate_cost("hi", model="gpt-5")  # 128k output cap within a 400k window
    assert c.output_tokens == 128_000


def test_estimate_request_body() -> None:
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "hello world"}],
        "max_completion_tokens": 100,
        "n": 3,
    }
    c = estimate_cost(body)
    assert (c.model, c.input_tokens, c.output_tokens) == ("gpt-4o-mini", 9, 300)
    assert any("n=3" in n for n in c.notes)
    assert estimate_cost(body, model="gpt-4o").model == "gpt-4o"  # the argument wins
    line = {"custom_id": "1", "method": "POST", "url": "/v1/chat/completions", "body": body}
    assert estimate_cost(line, batch=True).total == cost("gpt-4o-mini", 9, 300, batch=True).total


def test_estimate_limits() -> None:
    long = "hi " * 10_000
    with pytest.raises(ContextOverflowError) as info:
        estimate_cost(long, model="gpt-4", max_output_tokens=0)
    needed = tokbudget.count(long, "gpt-4")
    assert (info.value.needed, info.value.available, info.value.model) == (needed, 8_192, "gpt-4")
    with pytest.raises(ContextOverflowError, match="lower max_output_tokens to"):
        estimate_cost("hi " * 5000, model="gpt-4", max_output_tokens=4000)
    with pytest.raises(SettingsError, match="generates at most 16,384"):
        estimate_cost("hi", model="gpt-4o", max_output_tokens=20_000)


def test_estimate_embeddings() -> None:
    c = estimate_cost(["hello world", "hi"], model="text-embedding-3-small")
    assert (c.input_tokens, c.output_tokens) == (3, 0)
    body = {"model": "text-embedding-3-large", "input": "hello world"}
    assert estimate_cost(body).input_tokens == 2
    needed = tokbudget.count("hi " * 9000, "text-embedding-3-small")
    with pytest.raises(
        ContextOverflowError, match=f"embedding input 1 needs {needed:,} tokens"
    ) as info:
        estimate_cost(["ok", "hi " * 9000], model="text-embedding-3-small")
    assert info.value.available == 8_191
    with pytest.raises(SettingsError, match="2,049 embedding inputs"):
        estimate_cost(["x"] * 2049, model="text-embedding-3-small")
    with pytest.raises(ContextOverflowError, match="at most 300,000 per request"):
        estimate_cost(["hi " * 8000] * 40, model="text-embedding-3-small")
    with pytest.raises(SettingsError, match="no output tokens"):
        estimate_cost("hi", model="text-embedding-3-small", max_output_tokens=5)


def test_estimate_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="takes a string, a list of messages"):
        estimate_cost(42, model="gpt-4o")  # type: ignore[arg-type]
    with pytest.raises(tokbudget.MessageFormatError, match="no 'messages' list"):
        estimate_cost({"model": "gpt-4o"})
