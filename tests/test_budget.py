"""check / ensure_fits: the window, the input cap and the output cap, each applied right."""

from __future__ import annotations

import json
from typing import Any

import pytest

import tokbudget
from tokbudget import (
    ContextOverflowError,
    InvalidInputError,
    ModelSpec,
    SettingsError,
    UnknownModelError,
)
from tokbudget.budget import limits_for

from .helpers import tokens


def test_tokens_helper() -> None:
    for n in (0, 1, 2, 1000):
        assert tokbudget.count(tokens(n), model="gpt-5") == n
        assert tokbudget.count(tokens(n), model="gpt-4") == n


# ------------------------------------------------------------------ gpt-5: input cap


def test_gpt5_input_cap_below_window() -> None:
    # 400k total = 272k input + 128k output: 300k does not fit although 300k < 400k.
    r = tokbudget.check(tokens(300_000), model="gpt-5")
    assert (r.context_window, r.max_input_tokens, r.max_output_tokens) == (
        400_000,
        272_000,
        128_000,
    )
    assert r.prompt_budget == 272_000
    assert not r.fits
    assert r.overflow == r.prompt_tokens - 272_000 > 0
    assert "gpt-5 accepts at most 272,000 input tokens" in r.reason()


def test_gpt5_at_the_cap() -> None:
    r = tokbudget.check(tokens(272_000), model="gpt-5")
    assert (r.fits, r.exact, r.prompt_tokens, r.overflow) == (True, True, 272_000, 0)
    assert r.completion_room == 128_000  # 400k - 272k, also the output cap
    r = tokbudget.check(tokens(272_001), model="gpt-5")
    assert (r.fits, r.overflow) == (False, 1)


def test_gpt5_full_output_still_fits_input_cap() -> None:
    r = tokbudget.check(tokens(272_000), model="gpt-5", max_output_tokens=128_000)
    assert r.fits and r.prompt_budget == 272_000
    r = tokbudget.check(tokens(262_000), model="gpt-5", max_output_tokens=128_000, reserve=10_000)
    assert r.fits and r.prompt_budget == 262_000
    r = tokbudget.check(tokens(262_001), model="gpt-5", max_output_tokens=128_000, reserve=10_000)
    assert not r.fits and r.overflow == 1


def test_gpt5_output_above_cap_is_an_error() -> None:
    with pytest.raises(SettingsError, match="more than gpt-5's cap of 128,000 output tokens"):
        tokbudget.check("hi", model="gpt-5", max_output_tokens=128_001)


# ------------------------------------------------------------------ gpt-4o: shared window


def test_gpt4o_shared_window() -> None:
    r = tokbudget.check(tokens(120_000), model="gpt-4o")
    # Whatever room is left: the prompt may take all but one token of the window...
    assert (r.fits, r.prompt_budget) == (True, 127_999)
    # ... and the answer gets what is left, at most the output cap.
    assert r.completion_room == 8_000
    r = tokbudget.check(tokens(100_000), model="gpt-4o")
    assert r.completion_room == 16_384
    r = tokbudget.check(tokens(120_000), model="gpt-4o", max_output_tokens=16_384)
    assert (r.fits, r.prompt_budget, r.overflow) == (False, 111_616, 8_384)
    assert "gpt-4o's 128,000-token window less 16,384 for output" in r.reason()


@pytest.mark.parametrize(
    ("prompt", "output", "reserve", "fits"),
    [
        (111_616, 16_384, 0, True),
        (111_617, 16_384, 0, False),
        (111_116, 16_384, 500, True),
        (111_117, 16_384, 500, False),
        (127_999, None, 0, True),
        (128_000, None, 0, False),  # no room left for even one output token
        (127_000, 1_000, 0, True),
    ],
)
def test_gpt4o_exact_boundaries(prompt: int, output: int | None, reserve: int, fits: bool) -> None:
    r = tokbudget.check(tokens(prompt), model="gpt-4o", max_output_tokens=output, reserve=reserve)
    assert r.fits is fits
    assert r.exact and r.prompt_tokens == prompt
    assert r.overflow == max(0, prompt - r.prompt_budget)


def test_gpt4o_output_cap() -> None:
    with pytest.raises(SettingsError, match="max_output_tokens=16,385 is more than gpt-4o's cap"):
        tokbudget.check("hi", model="gpt-4o", max_output_tokens=16_385)
    # The 2024-05-13 snapshot has its own, smaller cap.
    with pytest.raises(SettingsError, match="cap of 4,096 output tokens"):
        tokbudget.check("hi", model="gpt-4o-2024-05-13", max_output_tokens=16_384)


# ------------------------------------------------------------------ early exit


def test_exact_counts_past_the_budget() -> None:
    text = tokens(1_000_000)
    early = tokbudget.check(text, model="gpt-5")
    full = tokbudget.check(text, model="gpt-5", exact=True, reserve=1_000)
    assert not early.exact and early.prompt_tokens < 1_000_000
    assert full.exact and not full.fits and full.prompt_tokens == 1_000_000
    assert (full.prompt_budget, full.overflow, full.prompt) == (271_000, 729_000, "1,000,000")
    assert full.completion_room == 0
    near = tokbudget.check(text[: 2 * 300_000 - 1], model="gpt-5", exact=True, reserve=1_000)
    assert (near.prompt_tokens, near.overflow) == (300_000, 29_000)
    assert near.completion_room == 400_000 - 301_000  # the window's rest (< the 128k cap)
    fits = tokbudget.check(tokens(100), model="gpt-5", exact=True)
    assert fits == tokbudget.check(tokens(100), model="gpt-5")


def test_early_exit_says_at_least() -> None:
    text = "word " * 20_000_000  # 100 MB
    r = tokbudget.check(text, model="gpt-4o")
    assert not r.exact and not r.fits
    assert r.prompt_tokens > r.prompt_budget == 127_999
    assert r.prompt == f"at least {r.prompt_tokens:,}"
    assert r.overflow == r.prompt_tokens - 127_999
    with pytest.raises(ContextOverflowError) as info:
        tokbudget.ensure_fits(text, model="gpt-4o")
    err = info.value
    assert (err.available, err.model, err.exact) == (127_999, "gpt-4o", False)
    assert f"at least {r.prompt_tokens:,}" in str(err) and "cut at least" in str(err)


# ------------------------------------------------------------------ ensure_fits and errors


def test_ensure_fits_returns_report_or_raises() -> None:
    assert tokbudget.ensure_fits("hello", model="gpt-4o").fits
    with pytest.raises(ContextOverflowError) as info:
        tokbudget.ensure_fits(tokens(9_000), model="gpt-4", max_output_tokens=1_000)
    err = info.value
    assert isinstance(err, ValueError)
    assert (err.needed, err.available, err.model, err.exact) == (9_000, 7_192, "gpt-4", True)
    message = str(err)
    assert "prompt needs 9,000 tokens but 7,192 fit" in message
    assert "cut 1,808 tokens" in message
    assert "lower max_output_tokens" in message
    with pytest.raises(ContextOverflowError, match="cut 1 token: "):  # not "1 tokens"
        tokbudget.ensure_fits(tokens(7_193), model="gpt-4", max_output_tokens=1_000)


def test_embedding_model_has_no_output() -> None:
    r = tokbudget.check(tokens(8_191), model="text-embedding-3-small")
    assert (r.fits, r.prompt_budget, r.completion_room) == (True, 8_191, 0)
    assert not tokbudget.check(tokens(8_192), model="text-embedding-3-small").fits
    with pytest.raises(SettingsError, match="embedding model and produces no output"):
        tokbudget.check("hi", model="text-embedding-3-small", max_output_tokens=10)


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        (
            {"max_output_tokens": 0},
            SettingsError,
            "max_output_tokens must be a whole number >= 1, got 0",
        ),
        ({"max_output_tokens": -5}, SettingsError, "max_output_tokens must be a whole number >= 1"),
        (
            {"max_output_tokens": 1.5},
            InvalidInputError,
            "max_output_tokens must be a whole number >= 1",
        ),
        ({"reserve": -1}, SettingsError, "reserve must be a whole number of tokens >= 0, got -1"),
        ({"reserve": "10"}, InvalidInputError, "reserve must be .* got str '10'"),
        (
            {"reserve": 200_000},
            SettingsError,
            "reserve=200,000 with 1 output tokens leaves no room",
        ),
    ],
)
def test_bad_settings(kwargs: dict[str, Any], error: type[Exception], needle: str) -> None:
    with pytest.raises(error, match=needle):
        tokbudget.check("hi", model="gpt-4o", **kwargs)


def test_unknown_model_and_bad_prompt() -> None:
    with pytest.raises(UnknownModelError, match="gpt-4oo"):
        tokbudget.check("hi", model="gpt-4oo")
    with pytest.raises(TypeError, match="prompt must be a str"):
        tokbudget.check(42, model="gpt-4o")  # type: ignore[arg-type]


def test_own_model_spec() -> None:
    mine = ModelSpec(name="mine", kind="chat", encoding="cl100k_base", context_window=10)
    r = tokbudget.check(tokens(9), model=mine)
    assert (r.model, r.fits, r.prompt_budget, r.completion_room) == ("mine", True, 9, 1)
    assert not tokbudget.check(tokens(10), model=mine).fits
    bare = ModelSpec(name="bare", kind="chat", encoding="o200k_base")
    with pytest.raises(SettingsError, match="bare has no known context window"):
        tokbudget.check("hi", model=bare)


def test_report_values() -> None:
    r = tokbudget.check("hello world", model="gpt-4o", max_output_tokens=100, reserve=10)
    assert r.model == "gpt-4o"
    assert (r.requested_output, r.output_set_aside, r.reserve) == (100, 100, 10)
    assert r.prompt_budget == 128_000 - 100 - 10
    data = r.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["prompt_tokens"] == 2 and data["fits"] is True
    assert str(r).startswith("gpt-4o: prompt 2 tokens, budget 127,890")
    assert limits_for("gpt-4o-2024-08-06").spec.name == "gpt-4o"  # aliases resolve
    assert tokbudget.check("hi").model == "gpt-4o"  # the default model
