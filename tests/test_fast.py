"""The fast engine (tokbudget.tokenizer.fast) against tiktoken, token by token.

The oracle is a plain ``tiktoken.Encoding`` over the same pinned vocab (``raw_encoding``);
where tiktoken itself cannot go (million-character whitespace runs) it is tokbudget's
tiktoken path, forced with ``TOKBUDGET_BACKEND=tiktoken``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import tokbudget
from tokbudget.cli import main
from tokbudget.tokenizer import fast
from tokbudget.tokenizer.encoder import get_encoding

from .conftest import raw_encoding, real_texts
from .strategies import NASTY, nasty_text
from .test_backend import assert_served_by_tiktoken, backend_env

ENCODINGS_SERVED = sorted(fast._SERVED)
"""Every encoding the fast engine serves: each gets every differential test."""

pytestmark = pytest.mark.skipif(
    fast.engine_for(get_encoding("cl100k_base")) is None,
    reason=f"the fast engine is not in use here: {fast.backend()}",
)


def engine(name: str) -> fast.Engine:
    found = fast.engine_for(get_encoding(name))
    assert found is not None
    return found


# ---------------------------------------------------------------- the nasty alphabet


def expected(name: str, text: str) -> list[int]:
    # tiktoken's encode_ordinary itself turns lone surrogates into U+FFFD.
    return raw_encoding(name).encode_ordinary(text)


def has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


@given(nasty_text)
@example("\ud83d\ude00 a\ud800b <|endoftext|>")
@example(" " * 5000 + "x")
@pytest.mark.parametrize("name", ENCODINGS_SERVED)
def test_engine_equals_tiktoken(name: str, text: str) -> None:
    want = expected(name, text)
    ids = engine(name).encode(text)
    n = engine(name).count(text)
    if has_surrogate(text):  # the crate takes valid Unicode only: the caller asks tiktoken
        assert ids is None and n is None
    else:
        assert ids == want
        assert n == len(want)
    enc = get_encoding(name)
    assert enc.encode_ordinary(text) == want
    assert enc.encode_to_numpy(text, disallowed_special=()).tolist() == want
    assert enc.count(text) == len(want)


@given(nasty_text, st.integers(0, 80), st.integers(1, 200))
@pytest.mark.parametrize("name", ENCODINGS_SERVED)
def test_slices_add_up(name: str, text: str, limit: int, size: int) -> None:
    # Long texts go to the crate in slices cut at safe cuts (it holds the GIL): with tiny
    # slices every nasty text is cut wherever a safe cut lets it.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fast, "SLICE", size)
        tok = engine(name)
        want = expected(name, text)
        if has_surrogate(text):  # unless it stopped before the first surrogate
            assert tok.encode(text) is None and tok.count(text) is None
            bound = tok.count_till_limit(text, limit)
            assert bound is None or (not bound[1] and limit < bound[0] <= len(want))
            return
        assert tok.encode(text) == want
        assert tok.count(text) == len(want)
        n, whole = tok.count_till_limit(text, limit)  # type: ignore[misc]
        assert (n, whole) == (len(want), True) if len(want) <= limit else n == limit + 1
        assert whole == (len(want) <= limit)


@given(nasty_text, st.integers(0, 80))
@pytest.mark.parametrize("name", ENCODINGS_SERVED)
def test_count_till_limit(name: str, text: str, limit: int) -> None:
    true = len(expected(name, text))
    n, whole = get_encoding(name).count_till_limit(text, limit)
    if true <= limit:
        assert (n, whole) == (true, True)
    else:
        assert not whole and limit < n <= true


def check_public_counts(name: str, text: str, limit: int) -> None:
    """count, count_at_most and count_many of ``text`` against tiktoken's tokens."""
    true = len(expected(name, text))
    assert tokbudget.count(text, encoding=name) == true
    assert tokbudget.count_many([text, "", text[::-1]], encoding=name).tolist() == [
        true,
        0,
        len(expected(name, text[::-1])),
    ]
    bounded = tokbudget.count_at_most(text, limit, encoding=name)
    if bounded.exact:
        assert bounded.tokens == true
    else:
        assert limit < bounded.tokens <= true


@given(nasty_text, st.integers(0, 80))
@pytest.mark.parametrize("name", ENCODINGS_SERVED)
def test_public_counts(name: str, text: str, limit: int) -> None:
    check_public_counts(name, text, limit)


# Just longer than a slice (fast.SLICE characters), so that long texts go to the crate in
# parts cut where the real slicing cuts them, and count_at_most takes several steps. The
# parts are joined by a space or a line break: tiktoken (the oracle) is quadratic in the
# length of one piece, and the tiny-slice test above covers every cut between them.
def _long(parts: list[str], seps: list[str]) -> str:
    out, n, i = [], 0, 0
    while n <= fast.SLICE:
        part = parts[i % len(parts)] + seps[i % len(seps)]
        out.append(part)
        n, i = n + len(part), i + 1
    return "".join(out)


long_nasty_text = st.builds(
    _long,
    st.lists(nasty_text.filter(bool), min_size=1, max_size=8),
    st.lists(st.sampled_from([" ", "\n", "\n\n", ". ", "\u3000"]), min_size=1, max_size=4),
)


@settings(max_examples=max(2, settings().max_examples // 20))
@given(long_nasty_text, st.integers(0, 200_000))
@pytest.mark.parametrize("name", ENCODINGS_SERVED)
def test_public_counts_of_long_text(name: str, text: str, limit: int) -> None:
    check_public_counts(name, text, limit)


@given(st.lists(nasty_text, max_size=30))
@pytest.mark.parametrize("name", ENCODINGS_SERVED)
def test_count_many(name: str, texts: list[str]) -> None:
    got = tokbudget.count_many(texts, encoding=name)
    assert got.dtype == np.int64
    assert got.tolist() == [len(expected(name, t)) for t in texts]


@pytest.mark.parametrize("name", ENCODINGS_SERVED)
def test_real_text(name: str) -> None:
    texts = real_texts()
    for text in [*texts.values(), "".join(texts.values())]:
        assert engine(name).encode(text) == expected(name, text)
        assert tokbudget.count(text, encoding=name) == len(expected(name, text))
        lines = text.splitlines(keepends=True)
        want = [len(expected(name, line)) for line in lines]
        assert tokbudget.count_many(lines, encoding=name).tolist() == want


def test_harmony_is_o200k_for_ordinary_text() -> None:
    text = "".join(real_texts().values()) + "<|start|>assistant<|message|>"
    assert engine("o200k_harmony").encode(text) == expected("o200k_base", text)


# ------------------------------------------------------------------ long runs


@pytest.mark.parametrize("name", ENCODINGS_SERVED)
@pytest.mark.parametrize("ws", [" ", "\n", "\t", "\u3000", "\r\n", " \n"])
def test_long_whitespace_below_tiktokens_limit(name: str, ws: str) -> None:
    # Long enough for tokbudget's own long-whitespace path, short enough for tiktoken.
    for tail in ("", "x", "\n", " 1"):
        text = "a" + ws * (150_000 // len(ws)) + tail
        assert engine(name).encode(text) == expected(name, text)


@pytest.mark.slow
@pytest.mark.parametrize("name", ENCODINGS_SERVED)
@pytest.mark.parametrize("ws", [" ", "\n", "\t", "\u3000", "\r\n", " \n", "\u00a0"])
def test_million_whitespace(name: str, ws: str) -> None:
    # tiktoken panics here; the reference is tokbudget's regex-module path.
    texts = ["a" + ws * (1_000_000 // len(ws)) + tail for tail in ("", "x y", "\n", "1")]
    got = [engine(name).encode(t) for t in texts]
    with backend_env("tiktoken"):
        assert got == [get_encoding(name).encode_ordinary(t) for t in texts]


@pytest.mark.slow
@pytest.mark.parametrize("name", ENCODINGS_SERVED)
def test_every_code_point_in_context(name: str) -> None:
    # Each character next to a letter, a capital, a digit, a space, a contraction and a
    # newline: a character class the crate's Unicode tables saw differently would show.
    enc, tok = raw_encoding(name), engine(name)
    cps = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    for i in range(0, len(cps), 4096):
        text = "".join(f"{c}a{c}A{c}1{c} {c}'s\n{c}" for c in map(chr, cps[i : i + 4096]))
        assert tok.encode(text) == enc.encode_ordinary(text), hex(cps[i])


# ------------------------------------------------------------- the embedded tables


def _padded(token: bytes) -> tuple[bytes, bytes] | None:
    """Lead and continuation bytes that make ``token`` valid UTF-8, if any do."""
    for lead in (b"", b"\xc2", b"\xe1", b"\xf1", b"\xe1\x80", b"\xf1\x80", b"\xf1\x80\x80"):
        for tail in (b"", b"\x80", b"\x80\x80", b"\x80\x80\x80", b"\xa0\x80", b"\x90\x80\x80"):
            try:
                (lead + token + tail).decode("utf-8")
            except UnicodeDecodeError:
                continue
            return lead, tail
    return None


@pytest.mark.parametrize("name", ENCODINGS_SERVED)
def test_embedded_tables_are_our_vocab(name: str) -> None:
    """Every id of the crate's table decodes to our pinned vocab's bytes, and every token
    that is text on its own encodes to itself as tiktoken encodes it."""
    enc = get_encoding(name)
    tok = engine(name).tokenizer
    module = fast._module()
    by_rank = {rank: token for token, rank in enc._mergeable_ranks.items()}
    single = {token[0]: rank for token, rank in enc._mergeable_ranks.items() if len(token) == 1}
    assert sorted(by_rank) == list(range(len(by_rank)))
    unreachable = []
    for rank, token in by_rank.items():
        pad = _padded(token)
        if pad is None:  # bytes no UTF-8 text contains (0xC0, 0xF5..0xFF)
            unreachable.append(token)
            continue
        lead, tail = pad
        ids = [single[b] for b in lead] + [rank] + [single[b] for b in tail]
        assert module is not None
        assert tok.decode(ids) == (lead + token + tail).decode("utf-8"), rank
        if not lead and not tail:
            assert tok.encode(token.decode("utf-8")) == expected(name, token.decode("utf-8"))
    assert all(len(t) == 1 and (t[0] in (0xC0, 0xC1) or t[0] >= 0xF5) for t in unreachable)


# ------------------------------------------------------------------ the fallback


def test_lone_surrogates_go_to_tiktoken() -> None:
    text = "a\ud800 b" * 100
    assert engine("o200k_base").count(text) is None
    assert tokbudget.count(text, encoding="o200k_base") == len(expected("o200k_base", text))


def test_version_names_the_fast_backend(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert "counting backend: bpe-openai" in capsys.readouterr().out


def test_import_loads_no_engine() -> None:
    code = textwrap.dedent(
        """
        import sys, tokbudget
        from tokbudget.tokenizer import fast
        assert fast._STATE == {} and not [m for m in sys.modules if "bpe_openai" in m]
        tokbudget.count("x", encoding="cl100k_base")
        assert fast._STATE["module"] is not None
        # Only the compiled core: the wrapper package (which parses vocab) never runs.
        assert "bpe_openai" not in sys.modules, sorted(sys.modules)
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


@pytest.mark.parametrize("threads", [1, 2])
def test_count_many_of_many_texts(threads: int) -> None:
    words = [*NASTY, *"".join(real_texts().values()).split()]
    texts = [" ".join(words[i % len(words) : i % len(words) + i % 7]) for i in range(20_000)]
    got = tokbudget.count_many(texts, encoding="cl100k_base", threads=threads)
    assert got.tolist() == [len(expected("cl100k_base", t)) for t in texts]


def test_a_wheel_that_fails_the_probe_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    module = fast._module()
    real = module.tokenizer_for_encoding

    class Drifted:  # a future wheel whose o200k tables moved one id
        def __init__(self, name: str) -> None:
            self.inner = real(name)

        def encode(self, text: str) -> list[int]:
            return [t + (t == 13225) for t in self.inner.encode(text)]

    monkeypatch.setattr(module, "tokenizer_for_encoding", lambda name: Drifted(name))
    fast.reset()
    monkeypatch.setitem(fast._STATE, "module", module)
    monkeypatch.setitem(fast._STATE, "why", "")
    try:
        assert Drifted("o200k_base").encode("Hello") != expected("o200k_base", "Hello")
        assert_served_by_tiktoken("o200k_base", "o200k_base, whose self-check failed")
    finally:
        monkeypatch.undo()
        fast.reset()
