"""Counting tokens: one text, many texts, or a stream too large to hold in memory.

Every count equals ``len(enc.encode_ordinary(text))`` for tiktoken's encoding of the same
vocab: text that looks like a special token (``<|endoftext|>``) is ordinary text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ._util import (
    by_size,
    check_errors_handler,
    reject_single_text,
    require_int,
    require_text,
    thread_count,
    token_ids,
)
from .errors import UnknownTokenError
from .models.defaults import DEFAULT_MODEL
from .tokenizer.encoder import AllowedSpecial, DisallowedSpecial, Encoder
from .tokenizer.fast import engine_for
from .tokenizer.pretokenize import last_final_boundary, last_safe_cut
from .tokenizer.resolve import encoding_for, resolve_encoding

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "DEFAULT_MODEL",
    "BoundedCount",
    "bounded_count",
    "count",
    "count_at_most",
    "count_many",
    "count_stream",
    "count_with",
    "decode",
    "decode_bytes",
    "encode",
    "encoding_for",
    "require_text",
    "resolve_encoding",
]


def count(text: str, model: str | None = None, *, encoding: str | None = None) -> int:
    """Return the number of tokens in ``text`` for ``model`` (or ``encoding``).

    >>> count("hello world", encoding="cl100k_base")
    2
    """
    enc = resolve_encoding(model, encoding)
    return enc.count(require_text(text))


def encode(
    text: str,
    model: str | None = None,
    *,
    encoding: str | None = None,
    allowed_special: AllowedSpecial = frozenset(),
    disallowed_special: DisallowedSpecial = (),
) -> list[int]:
    """Return the token ids of ``text``.

    Special-token text is ordinary text by default (``disallowed_special=()``); pass
    ``allowed_special={"<|endoftext|>"}`` (or ``"all"``) to encode it as the control token,
    or ``disallowed_special="all"`` for tiktoken's raise-on-sight behaviour.
    """
    enc = resolve_encoding(model, encoding)
    return enc.encode(
        require_text(text), allowed_special=allowed_special, disallowed_special=disallowed_special
    )


def decode(
    tokens: Sequence[int] | npt.NDArray[Any],
    model: str | None = None,
    *,
    encoding: str | None = None,
    errors: Literal["strict", "replace", "ignore"] = "replace",
) -> str:
    """Return the text of ``tokens`` (``errors`` as for ``bytes.decode``).

    >>> decode([15339, 1917], encoding="cl100k_base")
    'hello world'
    """
    check_errors_handler(errors)
    return decode_bytes(tokens, model, encoding=encoding).decode("utf-8", errors=errors)


def decode_bytes(
    tokens: Sequence[int] | npt.NDArray[Any],
    model: str | None = None,
    *,
    encoding: str | None = None,
) -> bytes:
    """Return the exact bytes of ``tokens`` (tiktoken's ``decode_bytes``).

    A token can hold part of a character, so the bytes of a slice of ids need not be UTF-8;
    use this rather than :func:`decode` where every byte matters. Special-token ids decode
    to their text (``<|endoftext|>``), as in tiktoken.

    Raises:
        UnknownTokenError: some ids are not in the encoding; it names every one.

    >>> decode_bytes([9468, 247, 224], encoding="cl100k_base")  # one emoji in three tokens
    b'\\xf0\\x9f\\x99\\x82'
    >>> decode_bytes([9468], encoding="cl100k_base")  # its first token: not UTF-8 alone
    b'\\xf0\\x9f'
    """
    enc = resolve_encoding(model, encoding)
    ids = token_ids(tokens)
    try:
        return enc.decode_bytes(ids)
    except (KeyError, OverflowError):  # an id past the vocab, in a gap, or not a u32
        raise _unknown_tokens(enc, ids) from None


def _unknown_tokens(enc: Encoder, ids: list[int]) -> UnknownTokenError:
    known: set[int] = set()
    bad: list[tuple[int, int]] = []
    for i, t in enumerate(ids):
        if t in known:
            continue
        if 0 <= t < enc.n_vocab:
            try:
                enc.decode_single_token_bytes(t)
            except KeyError:
                pass
            else:
                known.add(t)
                continue
        bad.append((i, t))
    shown = ", ".join(f"{t} (at {i})" for i, t in bad[:5])
    more = f" and {len(bad) - 5:,} more" if len(bad) > 5 else ""
    noun = "id is" if len(bad) == 1 else "ids are"
    gap = any(0 <= t < enc.n_vocab for _, t in bad)  # in range, yet no token has it
    return UnknownTokenError(
        f"{len(bad):,} token {noun} not in {enc.name}'s vocabulary: {shown}{more}; its ids "
        f"run 0..{enc.n_vocab - 1}{', not every one used' if gap else ''}; were these ids "
        "made with another encoding?",
        tokens=tuple(t for _, t in bad),
        positions=tuple(i for i, _ in bad),
        encoding=enc.name,
        parameter=f"tokens[{bad[0][0]}]",
        value=bad[0][1],
    )


# ---------------------------------------------------------------------------- many

_BATCH_CHARS = 1 << 20  # texts joined per Rust call; bounds the extra memory


def count_many(
    texts: Iterable[str],
    model: str | None = None,
    *,
    encoding: str | None = None,
    threads: int | None = None,
) -> npt.NDArray[np.int64]:
    """Return the token count of each text, as a numpy array in input order.

    Where the fast engine serves the encoding (see :mod:`tokbudget.tokenizer.fast`), each
    text is one call into it from one thread (it holds the GIL, so ``threads`` does not
    apply). Elsewhere texts are joined around a control token, which tiktoken never lets
    a piece cross, so one Rust call counts a whole batch and the counts are read off the
    control token's positions; batches run on ``threads`` threads (default: all cores).

    >>> count_many(["hello world", "", "hi"], encoding="cl100k_base").tolist()
    [2, 0, 1]
    """
    return count_with(resolve_encoding(model, encoding), texts, threads=threads)


def count_with(
    enc: Encoder, texts: Iterable[str], *, threads: int | None = None
) -> npt.NDArray[np.int64]:
    """:func:`count_many` with an encoder in hand (what worker tasks receive)."""
    reject_single_text(texts, "count_many()", "count()")
    cores = thread_count(threads)  # checked even where the fast engine leaves it unused
    fast = engine_for(enc)
    if fast is not None:  # one call per text beats joining; it holds the GIL: no threads
        items = list(texts)
        if not set(map(type, items)) <= {str}:  # checked at C speed; then one by one
            items = [require_text(t, f"texts[{i}]") for i, t in enumerate(items)]
        return fast.count_many(items, enc.count)
    checked = (
        t if isinstance(t, str) else require_text(t, f"texts[{i}]") for i, t in enumerate(texts)
    )
    batches = list(by_size(checked, _BATCH_CHARS, len))
    workers = min(len(batches), cores)
    if workers <= 1:
        parts = [_count_batch(enc, b) for b in batches]
    else:
        with ThreadPoolExecutor(workers) as pool:  # tiktoken releases the GIL
            parts = list(pool.map(lambda b: _count_batch(enc, b), batches))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _count_batch(enc: Encoder, batch: list[str]) -> npt.NDArray[np.int64]:
    sentinel = "<|endoftext|>"
    joined = sentinel.join(batch)
    eot = enc.spec.special_tokens.get(sentinel)
    # The fast path holds only if the sentinel appears exactly at the joins.
    if eot is not None and joined.count(sentinel) == len(batch) - 1:
        # Lone surrogates need no care: Encoder.encode_to_numpy counts them as tiktoken's
        # encode_ordinary does, and the sentinel keeps each text's surrogates its own.
        ids = enc.encode_to_numpy(joined, allowed_special={sentinel}, disallowed_special=())
        marks = np.flatnonzero(ids == eot)
        edges = np.concatenate(([-1], marks, [ids.size]))
        return np.diff(edges).astype(np.int64) - 1
    return np.fromiter((enc.count(t) for t in batch), dtype=np.int64, count=len(batch))


# ---------------------------------------------------------------------------- streams

_PIECE = 1 << 20  # characters encoded per step when streaming
_HARD_LIMIT = 64 << 20  # without a safe cut by then, find one with the regex module


def count_stream(
    chunks: Iterable[str],
    model: str | None = None,
    *,
    encoding: str | None = None,
) -> int:
    """Count the tokens of a text given as pieces (e.g. a file read in blocks).

    The pieces may be cut anywhere (mid-word, mid-line); the result equals ``count`` of
    their concatenation. Memory stays around one megabyte of text for ordinary text.
    """
    enc = resolve_encoding(model, encoding)
    return sum(enc.count(segment) for segment in safe_segments(enc, chunks))


def safe_segments(
    enc: Encoder, chunks: Iterable[str], *, hard_limit: int | None = None
) -> Iterator[str]:
    """Re-cut a stream of text pieces at safe cuts only, so each segment encodes alone.

    The tokens of the segments, concatenated, equal the tokens of the whole stream.
    Text with no safe cut for ``hard_limit`` characters (default 64 Mi) is cut at a
    final pre-tokenizer piece boundary instead, found with the ``regex`` module (see
    :func:`~tokbudget.tokenizer.pretokenize.last_final_boundary`); text without one either
    (a single run of punctuation, or an encoding with a pattern of its own) is held whole.
    """
    hard_limit = _HARD_LIMIT if hard_limit is None else hard_limit
    buf = ""
    searched = 0  # buf[:searched] holds no safe cut
    retry = hard_limit  # look for a final boundary once the buffer is this long
    for i, chunk in enumerate(chunks):
        require_text(chunk, what=f"stream piece {i}")
        buf += chunk
        if len(buf) < _PIECE:
            continue
        cut = last_safe_cut(buf, max(0, searched - 1), pat_str=enc.spec.pat_str)
        searched = len(buf)
        if cut < 0 and len(buf) >= retry:
            cut = last_final_boundary(buf, 0, len(buf), pat_str=enc.spec.pat_str)
            # None yet (one long run): look again only when the buffer has doubled.
            retry = hard_limit if cut > 0 else 2 * len(buf)
        if cut > 0:
            yield buf[:cut]
            buf = buf[cut:]
            searched = len(buf)
    if buf:
        yield buf


# ---------------------------------------------------------------------------- early exit


@dataclass(frozen=True, slots=True)
class BoundedCount:
    """A token count that stops once it passes a limit.

    Attributes:
        tokens: the exact count when ``exact``; otherwise a lower bound above ``limit``.
        exact: whether the whole text was counted.
        limit: the limit counting stopped at.
    """

    tokens: int
    exact: bool
    limit: int

    def __str__(self) -> str:
        return f"{self.tokens:,}" if self.exact else f"more than {self.limit:,}"


_CHARS_PER_TOKEN = 4.0  # first guess of a step's size (English); later steps use the text's
_MIN_STEP = 1 << 12


def count_at_most(
    text: str | Iterable[str],
    limit: int,
    model: str | None = None,
    *,
    encoding: str | None = None,
) -> BoundedCount:
    """Count the tokens of ``text``, but stop as soon as there are more than ``limit``.

    Deciding that a 100 MB text does not fit a 128k window costs about as much as
    encoding the first ~600 KB: the text is counted in segments cut at safe cuts (where
    the tokens of the parts add up to the tokens of the whole), sized to just pass the
    limit. ``text`` may also be an iterable of pieces (a file read in blocks), which is
    consumed only as far as needed.

    >>> count_at_most("hello world", 5, encoding="cl100k_base")
    BoundedCount(tokens=2, exact=True, limit=5)
    >>> str(count_at_most("word " * 1_000_000, 100, encoding="cl100k_base"))
    'more than 100'
    """
    return bounded_count(resolve_encoding(model, encoding), text, limit)


def bounded_count(enc: Encoder, text: str | Iterable[str], limit: int) -> BoundedCount:
    """:func:`count_at_most` for an encoder already at hand."""
    limit = require_int("limit", limit, unit="tokens")
    if isinstance(text, str):
        tokens, exact = _count_text_at_most(enc, text, limit)
        return BoundedCount(tokens, exact, limit)
    if isinstance(text, bytes | bytearray):
        require_text(text)
    total = 0
    segments = iter(safe_segments(enc, text))
    segment = next(segments, None)
    while segment is not None:
        total += enc.count(segment)
        following = next(segments, None)  # look ahead: the last segment makes it exact
        if total > limit and following is not None:
            return BoundedCount(total, False, limit)
        segment = following
    return BoundedCount(total, True, limit)


def _count_text_at_most(enc: Encoder, text: str, limit: int) -> tuple[int, bool]:
    total = 0
    pos = 0
    n = len(text)
    while pos < n:
        if total > limit:
            return total, False
        ratio = pos / total if total else _CHARS_PER_TOKEN
        step = max(_MIN_STEP, int((limit - total + 1) * ratio * 1.25))
        end = exact_cut(enc, text, pos, pos + step)
        # Before the last segment, stop inside it once past the limit (a native early
        # exit where the fast engine serves); the last one is counted whole: exact.
        part, whole = (
            enc.count_till_limit(text[pos:end], limit - total)
            if end < n
            else (enc.count(text[pos:end]), True)
        )
        total += part
        pos = end
        if not whole:
            return total, False
    return total, True


def exact_cut(enc: Encoder, text: str, start: int, end: int) -> int:
    """Return a cut ``p`` in ``(start, len(text)]`` near ``end`` that splits tokens exactly.

    ``start`` must itself be such a cut (or 0). The tokens of ``text[start:p]`` followed
    by those of ``text[p:]`` are the tokens of ``text[start:]``. ``p`` is the last safe cut
    before ``end`` or, in text without any, the last piece boundary the pre-tokenizer can
    no longer move (:func:`~tokbudget.tokenizer.pretokenize.last_final_boundary`); the
    window grows until it holds one.
    """
    n = len(text)
    pat = enc.spec.pat_str
    while end < n:
        cut = last_safe_cut(text, start, end, pat_str=pat)
        if cut > start:
            return cut
        cut = last_final_boundary(text, start, end, pat_str=pat)
        if cut > start:
            return cut
        end = start + 2 * (end - start)
    return n
