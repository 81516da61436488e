"""truncate: within budget, an exact slice of the input, maximal, cheap — on every string."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget
import tokbudget.truncation as truncation
from tokbudget import InvalidInputError, SettingsError
from tokbudget._util import splits_surrogate_pair
from tokbudget.tokenizer.longest import Ledger
from tokbudget.truncation import Side, Truncation, truncate_with_offsets

from .conftest import real_texts, spy_encoded
from .helpers import true_count as count
from .strategies import tricky_text

ENCODINGS = ["cl100k_base", "o200k_base"]
SIDES: list[Side] = ["end", "start", "middle"]
REAL = real_texts()


def check_cut(text: str, budget: int, encoding: str, side: Side, marker: str = "") -> Truncation:
    """Run truncate and assert every promise about its result; return it."""
    r = truncate_with_offsets(text, budget, encoding=encoding, side=side, marker=marker)
    assert r.text == tokbudget.truncate(text, budget, encoding=encoding, side=side, marker=marker)
    n = len(text)
    total = count(text, encoding)
    assert r.tokens == count(r.text, encoding) <= budget
    if total <= budget:
        assert (r.text, r.cut) == (text, False)
        return r
    assert r.cut
    assert 0 <= r.head <= r.tail <= n
    assert r.text == text[: r.head] + marker + text[r.tail :]
    if side == "end":
        assert r.tail == n
    if side == "start":
        assert r.head == 0
    if "\ufffd" not in text + marker:
        assert "\ufffd" not in r.text
    # Never half of a surrogate pair held as two code points (it would count as U+FFFD).
    assert not splits_surrogate_pair(text, r.head) and not splits_surrogate_pair(text, r.tail)
    # Locally maximal: one more character of the input, on either kept side, is too much.
    if side != "start" and r.head < r.tail:
        more = r.head + 1 + splits_surrogate_pair(text, r.head + 1)
        assert count(text[:more] + marker + text[r.tail :], encoding) > budget
    if side != "end" and r.head < r.tail:
        more = r.tail - 1 - splits_surrogate_pair(text, r.tail - 1)
        assert count(text[: r.head] + marker + text[more:], encoding) > budget
    return r


def best_loss(text: str, budget: int, encoding: str, side: Side, r: Truncation) -> int:
    """Tokens lost against an exhaustive search over every prefix (or suffix)."""
    n = len(text)
    if side == "end":
        cuts = [count(text[:k], encoding) for k in range(n + 1)]
        kept = r.head
    else:
        cuts = [count(text[n - k :], encoding) for k in range(n + 1)]
        kept = n - r.tail
    whole = [
        k for k in range(n + 1) if not splits_surrogate_pair(text, k if side == "end" else n - k)
    ]
    best = max(k for k in whole if cuts[k] <= budget)
    assert kept <= best
    return cuts[best] - cuts[kept]


# --------------------------------------------------------------------------- properties


@given(tricky_text, st.data())
@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("side", SIDES)
def test_arbitrary_unicode(encoding: str, side: Side, text: str, data: Any) -> None:
    total = count(text, encoding)
    budget = data.draw(st.integers(0, total + 2), label="budget")
    r = check_cut(text, budget, encoding, side)
    if side != "middle" and r.cut:
        # BPE is not monotone (a longer cut can fit again), yet nothing longer fits.
        assert best_loss(text, budget, encoding, side, r) == 0


@given(tricky_text, st.sampled_from(["…", " … ", "\n[...]\n", "<|endoftext|>", "🙂"]), st.data())
@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("side", SIDES)
def test_arbitrary_unicode_with_marker(
    encoding: str, side: Side, text: str, marker: str, data: Any
) -> None:
    m = count(marker, encoding)
    budget = data.draw(st.integers(m, count(text, encoding) + m + 1), label="budget")
    check_cut(text, budget, encoding, side, marker)


@given(st.sampled_from(sorted(REAL)), st.integers(0, 10**6), st.integers(1, 250), st.data())
@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("side", SIDES)
def test_real_multilingual_text(
    encoding: str, side: Side, name: str, start: int, length: int, data: Any
) -> None:
    source = REAL[name]
    start %= len(source)
    text = source[start : start + length]
    marker = " … " if side == "middle" else ""
    m = count(marker, encoding)
    budget = data.draw(st.integers(m, count(text, encoding) + m + 1), label="budget")
    r = check_cut(text, budget, encoding, side, marker)
    if side != "middle" and r.cut:
        assert best_loss(text, budget, encoding, side, r) == 0


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("side", SIDES)
def test_whole_real_texts(encoding: str, side: Side) -> None:
    marker = "…" if side == "middle" else ""
    m = count(marker, encoding)
    for text in REAL.values():
        total = count(text, encoding)
        for budget in (0, 1, 7, total // 3, total - 1, total, total + 1):
            check_cut(text, max(budget, m), encoding, side, marker)


def test_middle_is_balanced() -> None:
    text = REAL["english.txt"]
    for budget in (10, 101, 1000):
        r = check_cut(text, budget, "o200k_base", "middle", " … ")
        half = (budget - count(" … ", "o200k_base") + 1) // 2
        head = count(text[: r.head], "o200k_base")
        tail = count(text[r.tail :], "o200k_base")
        assert half - 2 <= head <= half + 1
        assert tail >= budget - half - 5


def test_a_longer_cut_that_fits_again_is_found() -> None:
    # " indivisible" is fewer tokens than some of its prefixes: once the first cut that
    # does not fit is found, a longer one may still fit.
    enc = "cl100k_base"
    found = 0
    for word in (" indivisible", " antidisestablishmentarianism", " 测试环境", " ABCDEFGHIJ"):
        counts = [count(word[:k], enc) for k in range(len(word) + 1)]
        for budget in range(counts[-1]):
            first = next(k for k in range(len(word)) if counts[k + 1] > budget)
            best = max(k for k, c in enumerate(counts) if c <= budget)
            r = check_cut(word, budget, enc, "end")
            assert r.head == best
            found += best > first + 1
    assert found  # at least one of them needed to look past the first cut that fails


# --------------------------------------------------------------------------- boundaries


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("side", SIDES)
def test_boundary_budgets(encoding: str, side: Side) -> None:
    text = "naïve café 日本語テキスト 👩‍👩‍👧‍👦 مرحبا <|endoftext|> e\u0301"
    total = count(text, encoding)
    for budget in (0, 1, total - 1, total, total + 1):
        r = check_cut(text, budget, encoding, side)
        assert r.cut == (budget < total)
    assert tokbudget.truncate(text, 0, encoding=encoding, side=side) == ""
    assert tokbudget.truncate("", 0, encoding=encoding, side=side) == ""
    assert tokbudget.truncate("", 5, encoding=encoding, side=side, marker="…") == ""


@pytest.mark.parametrize("side", SIDES)
def test_budget_smaller_than_marker(side: Side) -> None:
    text = "one two three four five six seven eight nine ten"
    marker = " [... cut ...] "
    m = count(marker, "o200k_base")
    with pytest.raises(
        SettingsError, match=rf"marker .* alone is {m} tokens, more than max_tokens=2"
    ):
        tokbudget.truncate(text, 2, encoding="o200k_base", side=side, marker=marker)
    # A budget of exactly the marker keeps the marker and whatever merges into its tokens
    # for free (" [... cut ...] " + "ten" is as many tokens as the marker alone).
    r = check_cut(text, m, "o200k_base", side, marker)
    assert r.cut
    assert count(r.text, "o200k_base") == m
    # Nothing to cut: no marker is needed, so no error.
    assert tokbudget.truncate("one", 0 + 1, encoding="o200k_base", marker=marker) == "one"


def test_marker_only_when_cut() -> None:
    assert tokbudget.truncate("short", 10, marker="…") == "short"
    # "a b " + "…" is 3 tokens ("a", " b", " …"): the space rides along with the marker.
    assert tokbudget.truncate("a b c d e f", 3, encoding="cl100k_base", marker="…") == "a b …"
    assert tokbudget.truncate(
        "a b c d e f", 3, encoding="cl100k_base", side="start", marker="…"
    ) == ("… e f")


def test_lone_surrogates_and_special_look_alikes() -> None:
    text = "x\ud800y <|endoftext|> \udfffz" * 20
    for side in SIDES:
        r = check_cut(text, 17, "cl100k_base", side)
        assert "\ufffd" not in r.text


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        (
            {"max_tokens": -1},
            SettingsError,
            "max_tokens must be a whole number of tokens >= 0, got -1",
        ),
        ({"max_tokens": True}, InvalidInputError, "max_tokens must be .* got bool True"),
        ({"max_tokens": 2.5}, InvalidInputError, "max_tokens must be .* got float 2.5"),
        (
            {"max_tokens": 5, "side": "head"},
            SettingsError,
            "side is 'head'; use one of end, start, middle",
        ),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], error: type[Exception], needle: str) -> None:
    with pytest.raises(error, match=needle):
        tokbudget.truncate("text", **kwargs)


def test_bad_text_and_marker() -> None:
    with pytest.raises(TypeError, match="text must be str, got bytes"):
        tokbudget.truncate(b"text", 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="marker must be str, got None"):
        tokbudget.truncate("text", 3, marker=None)  # type: ignore[arg-type]


def test_model_and_encoding() -> None:
    text = "hello world " * 50
    assert tokbudget.truncate(text, 3, model="gpt-4") == "hello world hello"
    assert tokbudget.truncate(text, 3, encoding="o200k_base") == "hello world hello"
    with pytest.raises(SettingsError, match="not both"):
        tokbudget.truncate(text, 3, model="gpt-4", encoding="o200k_base")


# --------------------------------------------------------------------------- cost


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("source", ["english.txt", "japanese.txt", "code.py.txt"])
def test_cost_follows_the_kept_part(
    monkeypatch: pytest.MonkeyPatch, side: Side, source: str
) -> None:
    text = REAL[source] * (4_000_000 // len(REAL[source]) + 1)  # >= 4 MB
    seen = spy_encoded(monkeypatch)
    for budget in (512, 8191):
        seen.clear()
        r = tokbudget.truncate_with_offsets(text, budget, encoding="o200k_base", side=side)
        kept = r.head + len(text) - r.tail
        assert sum(seen) < 40 * kept + 20_000, (budget, sum(seen), kept)
        assert count(r.text, "o200k_base") == r.tokens <= budget


def test_cost_without_whitespace(monkeypatch: pytest.MonkeyPatch) -> None:
    # No safe cut anywhere: probes cannot be anchored, but stay near the kept part.
    text = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0123456789+/" * 100_000
    seen = spy_encoded(monkeypatch)
    for side in SIDES:
        seen.clear()
        r = tokbudget.truncate_with_offsets(text, 300, encoding="cl100k_base", side=side)
        kept = r.head + len(text) - r.tail
        assert sum(seen) < 200 * kept + 50_000, (side, sum(seen), kept)
        assert count(r.text, "cl100k_base") == r.tokens <= 300


@pytest.mark.parametrize("side", SIDES)
def test_guard_falls_back_to_plain_counting(monkeypatch: pytest.MonkeyPatch, side: Side) -> None:
    # If the incremental ledger were ever wrong (here: it forgets every token), the final
    # re-count catches it and plain counting still returns a maximal cut within budget.
    calls: list[str] = []
    plain = truncation._plain
    monkeypatch.setattr(Ledger, "tokens", lambda self, cut: 0)

    def spy(*args: Any) -> Any:
        calls.append("plain")
        return plain(*args)

    monkeypatch.setattr(truncation, "_plain", spy)
    text = REAL["english.txt"][:3000]
    check_cut(text, 50, "o200k_base", side, " … " if side == "middle" else "")
    assert calls  # the guard did step in
