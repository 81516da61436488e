"""Offline tiktoken encoders: built lazily from local vocab files, cached, picklable.

:func:`get_encoding` returns an :class:`Encoder`, a ``tiktoken.Encoding`` subclass, so the
whole of tiktoken's API works on it. It differs from tiktoken's own in three ways:

* it is built from files on disk (bundled or ``TOKBUDGET_VOCAB_DIR``), never downloaded;
* it never crashes on a valid ``str``: lone surrogates are handled as tiktoken's
  ``encode_ordinary`` does, and very long whitespace runs, on which tiktoken's regex
  engine panics, go through an exact ``regex``-module path (see :mod:`.pretokenize`);
* it pickles by reference (a few bytes); the receiving process loads the vocab once.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Collection, Mapping, Sequence, Set
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import tiktoken

from .._util import fix_surrogates
from ..errors import SettingsError, UnknownEncodingError, VocabError
from .fast import engine_for
from .pretokenize import PieceSplitter, long_whitespace_windows
from .vocab import ENCODINGS, VOCAB_DIR_ENV, EncodingSpec, find_vocab_file, load_ranks, spec_for

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["Encoder", "get_encoding", "load_encoding"]

AllowedSpecial = Literal["all"] | Set[str]
DisallowedSpecial = Literal["all"] | Collection[str]


class Encoder(tiktoken.Encoding):
    """A ``tiktoken.Encoding`` built offline, immune to tiktoken's long-whitespace panic."""

    def __init__(
        self, spec: EncodingSpec, mergeable_ranks: dict[bytes, int], path: Path | None = None
    ) -> None:
        super().__init__(
            spec.name,
            pat_str=spec.pat_str,
            mergeable_ranks=mergeable_ranks,
            special_tokens=dict(spec.special_tokens),
            explicit_n_vocab=spec.explicit_n_vocab,
        )
        self.spec = spec
        self.ranks = mergeable_ranks  # tiktoken keeps it privately; this is our reference
        self.path = path  # set for encodings loaded from an explicit file
        # Set by get_encoding only: the ranks are the sha-pinned file's, so the fast
        # engine (whose tables tests compare with those files) may serve this encoder.
        self.pinned = False
        self._splitter: PieceSplitter | None = None

    def __repr__(self) -> str:
        return f"<tokbudget.Encoder {self.name!r}>"

    def __reduce__(self) -> tuple[Any, ...]:
        # By reference: the receiver rebuilds (once per process) from its own files.
        if self.path is None:
            return (get_encoding, (self.name,))
        spec = self.spec
        return (_load_custom, (str(self.path), spec.name, spec.pat_str, dict(spec.special_tokens)))

    @functools.cached_property
    def max_token_bytes(self) -> int:
        """The longest token's length in bytes: ``n`` bytes of text are at least
        ``n / max_token_bytes`` tokens (computed on first use)."""
        return max(map(len, self.token_byte_values()), default=1)

    # ---------------------------------------------------------------- encoding

    def count(self, text: str) -> int:
        """Return ``len(self.encode_ordinary(text))`` without building a list."""
        fast = engine_for(self)
        if fast is not None and (n := fast.count(text)) is not None:
            return n
        return int(self.encode_to_numpy(text, disallowed_special=()).size)

    def count_till_limit(self, text: str, limit: int) -> tuple[int, bool]:
        """``(count, True)`` if ``text`` has at most ``limit`` tokens; otherwise
        ``(n, False)`` with ``limit < n <= count``, found with less work where it can."""
        fast = engine_for(self)
        if fast is not None and (found := fast.count_till_limit(text, limit)) is not None:
            return found
        n = self.count(text)
        return n, n <= limit

    def encode_ordinary(self, text: str) -> list[int]:
        fast = engine_for(self)
        if fast is not None and (ids := fast.encode(text)) is not None:
            return ids
        windows = long_whitespace_windows(text, self.spec.pat_str)
        if windows:
            return self._encode_windows(text, windows)
        return super().encode_ordinary(text)

    def encode(
        self,
        text: str,
        *,
        allowed_special: AllowedSpecial = set(),  # noqa: B006 - tiktoken's signature
        disallowed_special: DisallowedSpecial = "all",
    ) -> list[int]:
        windows = long_whitespace_windows(text, self.spec.pat_str)
        if not windows:
            return super().encode(
                text, allowed_special=allowed_special, disallowed_special=disallowed_special
            )
        allowed = self._check_special(text, allowed_special, disallowed_special)
        return self._encode_with_specials(text, allowed)

    def encode_to_numpy(
        self,
        text: str,
        *,
        allowed_special: AllowedSpecial = set(),  # noqa: B006 - tiktoken's signature
        disallowed_special: DisallowedSpecial = "all",
    ) -> npt.NDArray[np.uint32]:
        fast = engine_for(self) if not allowed_special and not disallowed_special else None
        if fast is not None and (ids := fast.encode(text)) is not None:
            return np.array(ids, dtype=np.uint32)
        windows = long_whitespace_windows(text, self.spec.pat_str)
        if windows:
            allowed = self._check_special(text, allowed_special, disallowed_special)
            return np.asarray(self._encode_with_specials(text, allowed), dtype=np.uint32)
        try:
            return super().encode_to_numpy(
                text, allowed_special=allowed_special, disallowed_special=disallowed_special
            )
        except UnicodeEncodeError:
            return super().encode_to_numpy(
                fix_surrogates(text),
                allowed_special=allowed_special,
                disallowed_special=disallowed_special,
            )

    # ---------------------------------------------------------------- the safe path

    def encode_piece(self, piece: str) -> list[int]:
        """The tokens of one pre-tokenizer piece, without splitting it again.

        The one place tokbudget calls a private tiktoken method (tiktoken has no public
        way to run BPE on a piece): ``Encoding._encode_single_piece``, checked on tiktoken
        0.9 to 0.14 (``test_encode_piece_is_tiktoken_bpe``); ``pyproject.toml`` bounds
        tiktoken below 1.0.
        """
        return self._encode_single_piece(piece)

    def _check_special(
        self, text: str, allowed_special: AllowedSpecial, disallowed_special: DisallowedSpecial
    ) -> frozenset[str]:
        allowed = (
            frozenset(self.special_tokens_set)
            if allowed_special == "all"
            else frozenset(allowed_special)
        )
        disallowed = (
            self.special_tokens_set - allowed
            if disallowed_special == "all"
            else set(disallowed_special)
        )
        for token in disallowed:
            if token in text:
                # Same check and message as tiktoken's encode(): reuse it.
                super().encode(token, disallowed_special=(token,))
        return allowed

    def _encode_with_specials(self, text: str, allowed: frozenset[str]) -> list[int]:
        if not allowed:
            return self._encode_windows(text, long_whitespace_windows(text, self.spec.pat_str))
        pattern = re.compile("|".join(re.escape(t) for t in sorted(allowed, key=len, reverse=True)))
        out: list[int] = []
        pos = 0
        for match in pattern.finditer(text):
            out += self.encode_ordinary(text[pos : match.start()])
            out.append(self.spec.special_tokens[match.group()])
            pos = match.end()
        out += self.encode_ordinary(text[pos:])
        return out

    def _encode_windows(self, text: str, windows: Sequence[tuple[int, int]]) -> list[int]:
        if self._splitter is None:
            self._splitter = PieceSplitter(self.spec.pat_str)
        out: list[int] = []
        pos = 0
        for start, end in windows:
            out += super().encode_ordinary(text[pos:start])
            for piece in self._splitter.pieces(fix_surrogates(text[start:end])):
                out += self.encode_piece(piece)
            pos = end
        out += super().encode_ordinary(text[pos:])
        return out


# -------------------------------------------------------------------- the cache

_CACHE: dict[str, Encoder] = {}
_LOCK = threading.RLock()


def get_encoding(name: str) -> Encoder:
    """Return the encoding called ``name`` (built on first use, then cached).

    ``name`` is a bundled encoding (``cl100k_base``, ``o200k_base``, ``o200k_harmony``),
    another known one whose vocab file is in ``TOKBUDGET_VOCAB_DIR`` (``r50k_base``,
    ``p50k_base``, ``p50k_edit``), or a path to a ``.tiktoken[.gz]`` file.

    >>> get_encoding("cl100k_base").encode("hello world")
    [15339, 1917]
    """
    enc = _CACHE.get(name)
    if enc is not None:
        return enc
    if not isinstance(name, str):
        raise SettingsError(f"encoding name must be a string, got {type(name).__name__}")
    if name not in ENCODINGS and ("/" in name or name.endswith((".tiktoken", ".gz"))):
        return load_encoding(name)
    spec = spec_for(name)
    with _LOCK:  # double-checked: many threads may ask for the same cold encoding
        enc = _CACHE.get(name)
        if enc is None:
            path = find_vocab_file(spec.vocab)
            if path is None:
                raise UnknownEncodingError(
                    f"encoding {name!r} is known but its vocab file {spec.vocab}.tiktoken[.gz] "
                    f"is not bundled; put it in a folder named by {VOCAB_DIR_ENV}",
                    name=name,
                )
            enc = Encoder(spec, load_ranks(path, spec.sha256))
            enc.pinned = spec.sha256 is not None
            _CACHE[name] = enc
    return enc


def load_encoding(
    path: str | Path,
    *,
    name: str | None = None,
    pat_str: str | None = None,
    special_tokens: Mapping[str, int] | None = None,
) -> Encoder:
    """Build an encoding from a ``.tiktoken[.gz]`` file at ``path`` (cached by path).

    If the file is named after a known encoding (``r50k_base.tiktoken``) its pinned
    pattern, special tokens and hash are used. Otherwise give ``pat_str`` (and optionally
    ``special_tokens``), or a ``name`` of a known encoding to borrow them from.
    """
    path = Path(path).expanduser()
    key = f"path:{path.resolve()}"
    with _LOCK:
        enc = _CACHE.get(key)
        if enc is not None:
            return enc
        if not path.is_file():
            raise VocabError(f"vocab file {path} does not exist", path=str(path))
        stem = path.name.removesuffix(".gz").removesuffix(".tiktoken")
        known = ENCODINGS
        base = known.get(name or stem)
        if pat_str is None and base is None:
            raise SettingsError(
                f"{path.name} is not a known encoding ({', '.join(known)}); "
                "pass pat_str= (and special_tokens=) or name= of a known encoding to borrow them"
            )
        spec = EncodingSpec(
            name=name or stem,
            vocab=stem,
            pat_str=pat_str if pat_str is not None else base.pat_str,  # type: ignore[union-attr]
            special_tokens=dict(
                special_tokens
                if special_tokens is not None
                else (base.special_tokens if base is not None else {})
            ),
            sha256=base.sha256
            if base is not None and pat_str is None and base.vocab == stem
            else None,
            explicit_n_vocab=base.explicit_n_vocab
            if base is not None and pat_str is None
            else None,
        )
        enc = Encoder(spec, load_ranks(path, spec.sha256), path=path)
        _CACHE[key] = enc
        return enc


def _load_custom(path: str, name: str, pat_str: str, special_tokens: dict[str, int]) -> Encoder:
    return load_encoding(path, name=name, pat_str=pat_str, special_tokens=special_tokens)
