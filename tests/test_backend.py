"""Which engine counts, and the fallback to tiktoken: these run with or without the wheel.

Where ``bpe-openai`` is missing (no wheel for the platform) or refused, every count goes to
tiktoken and stays exact; ``tokbudget --version`` says which engine counts. The fast
engine's own differential tests are in tests/test_fast.py (skipped without the wheel).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget
from tokbudget.cli import main
from tokbudget.tokenizer import fast
from tokbudget.tokenizer.encoder import Encoder, get_encoding, load_encoding
from tokbudget.tokenizer.vocab import ENCODINGS, find_vocab_file

from .conftest import raw_encoding, real_texts
from .strategies import nasty_text


@contextmanager
def backend_env(value: str) -> Iterator[None]:
    """Run with ``TOKBUDGET_BACKEND=value`` (read afresh), then restore the default."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(fast.BACKEND_ENV, value)
        fast.reset()
        try:
            yield
        finally:
            mp.delenv(fast.BACKEND_ENV)
            fast.reset()


@pytest.fixture
def tiktoken_only() -> Iterator[None]:
    """Force the fallback for one test, as TOKBUDGET_BACKEND=tiktoken does."""
    with backend_env("tiktoken"):
        yield


def assert_served_by_tiktoken(name: str, why: str) -> None:
    assert fast.engine_for(get_encoding(name)) is None
    assert why in fast.backend()
    text = "".join(real_texts().values())
    assert tokbudget.count(text, encoding=name) == len(raw_encoding(name).encode_ordinary(text))


def test_custom_files_go_to_tiktoken() -> None:
    path = find_vocab_file(ENCODINGS["cl100k_base"].vocab)
    assert path is not None
    assert fast.engine_for(load_encoding(path)) is None


def test_special_tokens_allowed_go_to_tiktoken() -> None:
    enc = get_encoding("cl100k_base")
    assert enc.encode("a<|endoftext|>", allowed_special="all") == [64, 100257]
    raw = raw_encoding("cl100k_base")
    assert tokbudget.encode("a<|endoftext|>", encoding="cl100k_base") == raw.encode_ordinary(
        "a<|endoftext|>"
    )
    with pytest.raises(ValueError, match="disallowed special token"):
        enc.encode_to_numpy("<|endoftext|>")


@given(st.lists(nasty_text, max_size=5))
def test_forced_fallback_counts_the_same(texts: list[str]) -> None:
    fast_counts = tokbudget.count_many(texts, encoding="o200k_base").tolist()
    with backend_env("tiktoken"):
        assert fast.engine_for(get_encoding("o200k_base")) is None
        assert [tokbudget.count(t, encoding="o200k_base") for t in texts] == fast_counts
        assert tokbudget.count_many(texts, encoding="o200k_base").tolist() == fast_counts


@pytest.mark.usefixtures("tiktoken_only")
def test_version_names_the_backend(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert "counting backend: tiktoken" in capsys.readouterr().out
    assert fast.backend().endswith("(TOKBUDGET_BACKEND=tiktoken)")


def test_unknown_backend_value_falls_back() -> None:
    with backend_env("rust"):
        assert_served_by_tiktoken("cl100k_base", "'rust' is not 'auto' or 'tiktoken'")


def test_missing_wheel_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "bpe_openai" else real(n)
    )
    try:
        with backend_env("auto"):
            assert_served_by_tiktoken("cl100k_base", "bpe-openai is not installed")
    finally:
        monkeypatch.undo()
        fast.reset()


def test_encoders_built_by_hand_go_to_tiktoken() -> None:
    # Same name and spec, other ranks: only get_encoding's sha-checked encoders are served.
    spec = ENCODINGS["cl100k_base"]
    ranks = dict(get_encoding("cl100k_base")._mergeable_ranks)
    ranks[b" world"], ranks[b" hello"] = ranks[b" hello"], ranks[b" world"]
    enc = Encoder(spec, ranks)
    assert fast.engine_for(enc) is None
    assert enc.count(" hello world") == 2
    assert enc.encode_ordinary(" world") == [
        get_encoding("cl100k_base").encode_single_token(b" hello")
    ]
