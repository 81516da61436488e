"""Token-bounded chunks for embeddings, cut at natural boundaries, in one tokenization pass.

The text is encoded once; every token boundary gets a character offset, a cut level
(paragraph > line > sentence > clause > word > no-space script > other > inside a
grapheme cluster) and a safety flag (:mod:`.boundaries`); :mod:`.chunker` picks the ends.
For every input and setting:

* ``chunk.tokens == count(chunk.text) <= max_tokens``;
* ``chunk.text == text[chunk.start:chunk.end]`` (character offsets);
* without overlap the chunks tile the text (nothing lost, nothing repeated); with
  overlap they cover it in order, each repeating at most ``overlap`` tokens;
* no chunk is empty, ends inside a character, or (where a cluster fits) inside a
  grapheme cluster.

The one input that cannot be split is a character that alone needs more than
``max_tokens`` tokens (a rare character takes up to 4 byte tokens, so this only happens
with ``max_tokens`` below 4): ``SettingsError`` naming the character.

:func:`iter_split` reads strings, text files or iterables of strings in ~1 MB segments
cut at safe cuts, so memory is bounded by the segment size, and yields the same chunks
as :func:`split` of the whole text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from .._util import require_int
from ..counting import require_text, resolve_encoding, safe_segments
from ..errors import InvalidInputError, SettingsError
from ..models.defaults import DEFAULT_EMBEDDING_MODEL
from ..models.registry import get_model
from ..tokenizer.encoder import Encoder
from .boundaries import SAFE_CUT_PATTERNS
from .chunker import Chunker

__all__ = ["DEFAULT_EMBEDDING_MODEL", "Chunk", "Splitter", "iter_split", "split"]


_READ = 1 << 20  # characters read from a file object, or sliced from a string, per step
# Text without any safe cut (a run of digits, say) is cut at pre-tokenizer piece
# boundaries once this long, so memory stays bounded on any input.
_NO_SAFE_CUT = 1 << 20


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of the source: ``text == source[start:end]`` with ``tokens`` tokens."""

    text: str
    start: int
    end: int
    tokens: int


class Splitter:
    """Validated settings for :func:`split`; reusable, thread-safe and picklable.

    Args:
        max_tokens: the most tokens a chunk may have; ``None``: the model's input limit
            (8,191 for OpenAI's embedding models).
        model: the model whose encoding counts tokens (default ``text-embedding-3-small``).
        encoding: an encoding name instead of a model (then ``max_tokens`` is required).
        overlap: tokens of the previous chunk's end that each chunk repeats (an ``int``),
            or a fraction of ``max_tokens`` (a ``float`` in ``[0, 1)``).

    >>> Splitter(100, overlap=0.25).overlap
    25
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        model: str | None = None,
        *,
        encoding: str | None = None,
        overlap: int | float = 0,
    ) -> None:
        if model is None and encoding is None:
            model = DEFAULT_EMBEDDING_MODEL
        self.model = model
        self.enc: Encoder = resolve_encoding(model, encoding)
        if self.enc.spec.pat_str not in SAFE_CUT_PATTERNS:
            raise SettingsError(
                f"splitting supports encodings with the cl100k_base or o200k_base "
                f"pre-tokenizer, whose safe cuts are proven; {self.enc.name} uses another "
                "pattern (r50k_base/p50k_base models are legacy; use a current model)"
            )
        self.max_tokens = _check_max_tokens(max_tokens, model)
        self.overlap = _check_overlap(overlap, self.max_tokens)

    def __repr__(self) -> str:
        by = f"model={self.model!r}" if self.model else f"encoding={self.enc.name!r}"
        return f"Splitter(max_tokens={self.max_tokens}, {by}, overlap={self.overlap})"

    def __reduce__(self) -> tuple[object, ...]:
        encoding = None if self.model else self.enc.name
        return (_rebuild, (self.max_tokens, self.model, encoding, self.overlap))

    def split(self, text: str) -> list[Chunk]:
        """The chunks of ``text`` (see the module docstring for the guarantees)."""
        return list(self.iter_split(require_text(text)))

    def iter_split(self, source: str | IO[str] | Iterable[str]) -> Iterator[Chunk]:
        """The chunks of a string, a text file object or an iterable of strings, lazily."""
        return self._run(safe_segments(self.enc, _pieces(source), hard_limit=_NO_SAFE_CUT))

    def _run(self, segments: Iterator[str]) -> Iterator[Chunk]:
        chunker = Chunker(self.enc, self.max_tokens, self.overlap)
        carry, base = "", 0  # carry: text from a safe cut on, not chunked yet
        pending = next(segments, None)
        while pending is not None:
            following = next(segments, None)
            buf = carry + pending if carry else pending
            # Where ``pending`` starts is a cut too (a segment boundary): text without safe
            # cuts must not make the carry grow without end.
            cuts, keep = chunker.feed(buf, final=following is None, cut=len(carry))
            for s, e, n in cuts:
                yield Chunk(buf[s:e], base + s, base + e, n)
            carry, base = buf[keep:], base + keep
            pending = following


def _rebuild(max_tokens: int, model: str | None, encoding: str | None, overlap: int) -> Splitter:
    return Splitter(max_tokens, model, encoding=encoding, overlap=overlap)


def _check_max_tokens(max_tokens: object, model: str | None) -> int:
    if max_tokens is None:
        if model is None:
            raise SettingsError(
                "max_tokens is required with encoding=; e.g. max_tokens=512",
                parameter="max_tokens",
            )
        limit = get_model(model).input_limit
        if limit is None:
            raise SettingsError(
                f"{model} has no input limit in the registry; pass max_tokens",
                parameter="max_tokens",
            )
        return limit
    return require_int("max_tokens", max_tokens, least=1, unit="tokens")


def _check_overlap(overlap: object, max_tokens: int) -> int:
    if isinstance(overlap, float):  # a fraction of max_tokens (never a bool: bool is an int)
        if not 0 <= overlap < 1:
            raise SettingsError(
                f"overlap as a fraction must be in [0, 1), got {overlap}; e.g. 0.1 for 10% "
                f"of max_tokens, or an int for tokens",
                parameter="overlap",
                value=overlap,
            )
        return int(overlap * max_tokens)
    overlap = require_int("overlap", overlap, unit="tokens")
    if overlap >= max_tokens:
        raise SettingsError(
            f"overlap must be >= 0 and below max_tokens ({max_tokens}), got {overlap}; "
            f"use a smaller overlap or a larger max_tokens",
            parameter="overlap",
            value=overlap,
        )
    return overlap


def _pieces(source: object) -> Iterator[str]:
    if isinstance(source, str):
        return (source[i : i + _READ] for i in range(0, len(source), _READ))
    if isinstance(source, bytes | bytearray | memoryview):
        require_text(source, "source")
    read = getattr(source, "read", None)
    if callable(read):
        return _read_blocks(read)
    if isinstance(source, Iterable):
        return iter(source)
    raise InvalidInputError(
        f"source must be a str, a text file or an iterable of str, got {type(source).__name__}"
    )


def _read_blocks(read: object) -> Iterator[str]:
    assert callable(read)
    while block := read(_READ):
        if not isinstance(block, str):
            require_text(block, "file contents (open the file in text mode, encoding='utf-8')")
        yield block


def split(
    text: str,
    max_tokens: int | None = None,
    model: str | None = None,
    *,
    encoding: str | None = None,
    overlap: int | float = 0,
) -> list[Chunk]:
    """Split ``text`` into chunks of at most ``max_tokens`` tokens at natural boundaries.

    ``max_tokens=None`` means the model's input limit (``text-embedding-3-small``, the
    default model: 8,191). ``overlap`` is in tokens, or a fraction of ``max_tokens``.

    >>> [c.text for c in split("One. Two. Three.", 4, encoding="cl100k_base")]
    ['One. Two.', ' Three.']
    """
    return Splitter(max_tokens, model, encoding=encoding, overlap=overlap).split(text)


def iter_split(
    source: str | IO[str] | Iterable[str],
    max_tokens: int | None = None,
    model: str | None = None,
    *,
    encoding: str | None = None,
    overlap: int | float = 0,
) -> Iterator[Chunk]:
    """Like :func:`split` for a string, a text file or an iterable of strings, lazily.

    Offsets are into the whole stream, and memory is bounded by ~1 MB segments, not the
    stream's size. Settings are checked at call time, before any text is read. Offsets
    count the characters as read: open files with ``newline=""`` to keep ``\r\n``.

    >>> import io
    >>> [c.end for c in iter_split(io.StringIO("a b. " * 3), 4, encoding="cl100k_base")]
    [4, 9, 15]
    """
    return Splitter(max_tokens, model, encoding=encoding, overlap=overlap).iter_split(source)
