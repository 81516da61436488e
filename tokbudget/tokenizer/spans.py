"""Where each token of a text lies: its character span, its bytes, whether it splits a character.

tiktoken works on UTF-8 bytes, so a token may hold only part of a character (an emoji or a
rare CJK character is often two or three byte-level tokens). :func:`token_spans` encodes
the text once and maps every token's byte range to character offsets with numpy, with one
defined rule for such tokens:

* a token's span is the smallest run of whole characters that contains its bytes, and
* a token that starts or ends inside a character is marked ``partial``; the tokens that
  share that character then share it in their spans (their spans overlap by exactly that
  one character), and each keeps its own exact bytes.

So the spans tile the text: the first starts at 0, the last ends at ``len(text)``, and each
starts where the one before it ends, or one character earlier when both are partial and
split that character between them. (A character is one code point, except a surrogate
pair held as two code points in a Python string, which the encoder reads as the one
character it spells.)

Offsets count code points (Python ``str`` indices) by default. :func:`utf16_offsets` turns
them into UTF-16 code units, the indices of JavaScript strings, where a character outside
the Basic Multilingual Plane (most emoji) counts two.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Literal

import numpy as np
import regex

from .._util import fix_surrogates, require_choice, require_text
from .encoder import Encoder, get_encoding
from .resolve import resolve_encoding
from .tokenbytes import token_bytes

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["OffsetUnits", "TokenSpan", "TokenSpans", "preload", "token_spans", "utf16_offsets"]

OffsetUnits = Literal["codepoints", "utf16"]

_SURROGATE_PAIR = regex.compile(r"[\ud800-\udbff][\udc00-\udfff]")


@dataclass(frozen=True, slots=True)
class TokenSpan:
    """One token: its id, its character span ``text[start:end]`` and its own bytes."""

    index: int
    id: int
    start: int
    end: int
    bytes: bytes
    partial: bool

    @property
    def whitespace(self) -> bool:
        """True if the token's bytes are whitespace only (spaces, tabs, newlines, ...)."""
        try:
            return self.bytes.decode("utf-8").isspace()
        except UnicodeDecodeError:
            return False


@dataclass(frozen=True, slots=True, eq=False)
class TokenSpans:
    """Every token of ``text`` in order, as parallel numpy arrays (one entry per token).

    Iterate it (or index it) for :class:`TokenSpan` values; use the arrays directly when
    speed matters. ``starts``/``ends`` are code-point offsets into ``text``.
    """

    text: str
    encoding: str
    ids: npt.NDArray[np.uint32]
    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    partial: npt.NDArray[np.bool_]
    encoder: Encoder

    def __len__(self) -> int:
        return int(self.ids.size)

    def __getitem__(self, i: int) -> TokenSpan:
        if not -len(self) <= i < len(self):
            raise IndexError(f"token index {i} out of range for {len(self)} tokens")
        i %= len(self)
        return TokenSpan(
            index=i,
            id=int(self.ids[i]),
            start=int(self.starts[i]),
            end=int(self.ends[i]),
            bytes=self.encoder.decode_single_token_bytes(int(self.ids[i])),
            partial=bool(self.partial[i]),
        )

    def __iter__(self) -> Iterator[TokenSpan]:
        return (self[i] for i in range(len(self)))

    def to_json(self, units: OffsetUnits = "codepoints") -> str:
        """The tokens as a JSON array: ``[{"id", "start", "end"}, ...]``.

        Offsets are in ``units`` (code points, or UTF-16 code units for JavaScript). A
        partial token also has ``"partial": true`` and ``"bytes"``, its own bytes in hex
        (a whole token's bytes are the UTF-8 of its span). Built directly as text: this
        is the hot path of the web API, about 3x faster than ``json.dumps`` of dicts.

        >>> token_spans("a🦜", encoding="o200k_base").to_json("utf16")
        '[{"id":64,"start":0,"end":1},{"id":4103,"start":1,"end":3,"partial":true,"bytes":"f09f"},{"id":99,"start":1,"end":3,"partial":true,"bytes":"a6"},{"id":250,"start":1,"end":3,"partial":true,"bytes":"9c"}]'
        """
        starts, ends = self.starts, self.ends
        require_choice("units", units, ("codepoints", "utf16"))
        if units == "utf16":
            starts = utf16_offsets(self.text, starts)
            ends = utf16_offsets(self.text, ends)
        n = len(self)
        if n == 0:
            return "[]"
        extras = [""] * n
        for k in np.flatnonzero(self.partial).tolist():
            token = self.encoder.decode_single_token_bytes(int(self.ids[k]))
            extras[k] = f',"partial":true,"bytes":"{token.hex()}"'
        # One C-level %-format over the whole array: the fastest way we found in CPython.
        values = zip(self.ids.tolist(), starts.tolist(), ends.tolist(), extras, strict=True)
        body = ('{"id":%d,"start":%d,"end":%d%s},' * n) % tuple(chain.from_iterable(values))
        return "[" + body[:-1] + "]"


def token_spans(text: str, model: str | None = None, *, encoding: str | None = None) -> TokenSpans:
    """Encode ``text`` once and return every token with its character span.

    Tokens are those of ``encode_ordinary`` (special-token text is ordinary text), so
    ``len(token_spans(text, model))`` equals ``count(text, model)``.

    >>> [(t.id, t.start, t.end, t.partial) for t in token_spans("hi 🦜", encoding="o200k_base")]
    [(3686, 0, 2, False), (9552, 2, 4, True), (99, 3, 4, True), (250, 3, 4, True)]
    """
    enc = resolve_encoding(model, encoding)
    require_text(text)
    ids = enc.encode_to_numpy(text, disallowed_special=())
    lengths = _token_lengths(enc, ids)
    byte_ends = np.cumsum(lengths)
    byte_starts = byte_ends - lengths
    utf8, pairs = _utf8_as_encoded(text)
    # Byte offset of each character's first byte, plus the total as a sentinel.
    char_starts = np.append(np.flatnonzero((utf8 & 0xC0) != 0x80), utf8.size)
    starts = np.searchsorted(char_starts, byte_starts, side="right") - 1
    ends = np.searchsorted(char_starts, byte_ends, side="left")
    # A token is partial if either edge falls inside a character.
    partial = (char_starts[starts] != byte_starts) | (char_starts[ends] != byte_ends)
    if pairs.size:
        # Each surrogate pair the encoder joined is two code points of ``text``.
        starts = starts + np.searchsorted(pairs, starts, side="left")
        ends = ends + np.searchsorted(pairs, ends, side="left")
    return TokenSpans(
        text=text,
        encoding=enc.name,
        ids=ids,
        starts=starts.astype(np.int64),
        ends=ends.astype(np.int64),
        partial=partial,
        encoder=enc,
    )


_TABLE_FROM = 10_000
"""From this many tokens on, byte lengths come from a per-encoding table (built once, about
0.05 s) instead of decoding each token (about 0.4 µs a token)."""


def preload(encoding: str) -> None:
    """Load ``encoding`` and its token-length table now (a server does this at start)."""
    token_bytes(get_encoding(encoding))


def _token_lengths(enc: Encoder, ids: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    """The byte length of each token in ``ids``."""
    if ids.size < _TABLE_FROM:
        return np.fromiter(
            map(len, enc.decode_tokens_bytes(ids.tolist())), dtype=np.int64, count=ids.size
        )
    return token_bytes(enc).lengths[ids]


def _utf8_as_encoded(text: str) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """The UTF-8 bytes the encoder saw, and where it joined surrogate pairs.

    Returns the bytes and the positions (in the encoder's string) of characters that were
    a high and a low surrogate in ``text``; for ordinary text that list is empty.
    """
    try:
        return np.frombuffer(text.encode("utf-8"), dtype=np.uint8), np.zeros(0, np.int64)
    except UnicodeEncodeError:
        pass
    # Like the encoder: lone surrogates become U+FFFD (one code point for one), and a high
    # surrogate followed by a low one becomes the astral character they spell (one for two).
    fixed = fix_surrogates(text)
    found = [m.start() for m in _SURROGATE_PAIR.finditer(text)]
    # The k-th pair sits k code points earlier in the encoder's string.
    pairs = np.asarray(found, dtype=np.int64) - np.arange(len(found), dtype=np.int64)
    return np.frombuffer(fixed.encode("utf-8"), dtype=np.uint8), pairs


def utf16_offsets(text: str, offsets: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Convert code-point offsets into ``text`` to UTF-16 code-unit offsets (JavaScript's).

    >>> utf16_offsets("a🙂b", [0, 1, 2, 3]).tolist()
    [0, 1, 3, 4]
    """
    points = np.asarray(offsets, dtype=np.int64)
    if text.isascii():
        return points
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    astral_before = np.concatenate(([0], np.cumsum(codes > 0xFFFF)))
    return points + astral_before[points]
