"""The fast exact engine: GitHub's ``bpe`` crate, through the ``bpe-openai`` wheel.

tiktoken spends most of its time pre-tokenizing with a backtracking regex; the ``bpe``
crate (github/rust-gems) pre-tokenizes with a regex automaton and counts without
building a list, at 0.35-0.6x tiktoken's time with the same tokens, no quadratic or
panicking inputs (a million-character whitespace run takes milliseconds), and a native
count-until-limit. Only its Rust core (``bpe_openai._bindings``) is used: it is loaded
from its file without running the wrapper package's ``__init__``, which parses three
vocab files in Python at import.

Where it is exact (tests/test_fast.py compares it with tiktoken token by token, and its
embedded tables with our sha-pinned vocab id by id), it serves the bundled
``cl100k_base``, ``o200k_base`` and ``o200k_harmony`` (o200k's ranks and pattern),
for ordinary text only (special-token text counts as text, as ``encode_ordinary``).
Everything else goes to tiktoken through :class:`.encoder.Encoder`, unchanged:

* text with a lone surrogate (the crate takes only valid Unicode; it raises
  ``UnicodeEncodeError`` before doing any work, and we retry with tiktoken),
* encodings loaded from a file or ``TOKBUDGET_VOCAB_DIR`` under another name,
  r50k/p50k, and anything with special tokens allowed,
* every call when the wheel is missing (no wheel for the platform) or when
  ``TOKBUDGET_BACKEND=tiktoken`` asks for it.

:func:`backend` says which engine counts (``tokbudget --version`` prints it).
"""

from __future__ import annotations

import importlib.machinery
import importlib.metadata
import importlib.util
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import tiktoken

from .pretokenize import last_safe_cut
from .vocab import ENCODINGS

if TYPE_CHECKING:
    import numpy.typing as npt

    from .encoder import Encoder

__all__ = ["BACKEND_ENV", "Engine", "backend", "engine_for", "reset"]

BACKEND_ENV = "TOKBUDGET_BACKEND"
"""``auto`` (the default: the fast engine where it is exact) or ``tiktoken`` (never it)."""

_DIST = "bpe-openai"
# Encodings the crate's embedded tables serve, by our name: (its table, our pinned hash).
# tests/test_fast.py checks every id of each table against our vocab.
_SERVED = {
    "cl100k_base": "cl100k_base",
    "o200k_base": "o200k_base",
    "o200k_harmony": "o200k_base",
}


class _Tokenizer(Protocol):  # the crate's PyTokenizer
    def encode(self, text: str) -> list[int]: ...
    def decode(self, tokens: list[int]) -> str: ...
    def count(self, text: str) -> int: ...
    def count_till_limit(self, text: str, token_limit: int) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Engine:
    """The crate's tokenizer for one encoding. Methods return ``None`` for text it cannot
    take (lone surrogates): the caller then asks tiktoken.

    The crate holds the GIL while it works (tiktoken releases it), so a long text goes in
    slices of about :data:`SLICE` characters cut at safe cuts, where the tokens of the
    parts add up to the tokens of the whole: other threads (a server's) run in between.
    """

    name: str
    pat_str: str
    tokenizer: _Tokenizer

    def count(self, text: str) -> int | None:
        """``len(encode_ordinary(text))``, or None."""
        try:
            if len(text) <= SLICE:
                return self.tokenizer.count(text)
            return sum(map(self.tokenizer.count, self._slices(text)))
        except UnicodeEncodeError:
            return None

    def count_till_limit(self, text: str, limit: int) -> tuple[int, bool] | None:
        """``(count, True)`` if ``text`` has at most ``limit`` tokens, else ``(limit + 1,
        False)`` (a lower bound), stopping soon after the limit; or None."""
        total = 0
        try:
            for part in self._slices(text):
                n = self.tokenizer.count_till_limit(part, limit - total)
                if n is None:
                    return limit + 1, False
                total += n
        except UnicodeEncodeError:
            return None
        return total, True

    def encode(self, text: str) -> list[int] | None:
        """``encode_ordinary(text)``, or None."""
        try:
            if len(text) <= SLICE:
                return self.tokenizer.encode(text)
            ids: list[int] = []
            for part in self._slices(text):
                ids += self.tokenizer.encode(part)
            return ids
        except UnicodeEncodeError:
            return None

    def _slices(self, text: str) -> Iterator[str]:
        # A safe cut next to the last space or newline of each window of SLICE characters
        # (found at C speed; the regex then looks at a few characters only). A window
        # without one ends the slicing: the rest goes in one piece.
        start, n = 0, len(text)
        while n - start > SLICE:
            end = start + SLICE
            k = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
            cut = last_safe_cut(text, max(start, k - 256), k + 2, pat_str=self.pat_str)
            if k <= start or cut <= start:
                break
            yield text[start:cut]
            start = cut
        yield text[start:]

    def count_many(
        self, texts: Sequence[str], fallback: Callable[[str], int]
    ) -> npt.NDArray[np.int64]:
        """The count of each text; ``fallback`` counts texts the crate cannot take."""
        try:
            return np.fromiter(map(self.tokenizer.count, texts), np.int64, len(texts))
        except UnicodeEncodeError:  # rare: redo this batch text by text
            counts = (self.count(t) for t in texts)
            return np.fromiter(
                (fallback(t) if n is None else n for t, n in zip(texts, counts, strict=True)),
                np.int64,
                len(texts),
            )


SLICE = 1 << 18
"""Characters per call into the crate for long texts (a few milliseconds of work)."""

# ------------------------------------------------------------------ loading, once


PROBE = (
    "Hello, World! It's 2026: naïve café, THE END'S NEAR... x=1_000_000; f(a, b) -> c\n"
    "\t  indented\r\n\n  trailing   \u00a0\u3000 日本語のテキスト、中文，한국어 русский текст "
    "عربى ภาษาไทย क्षत्रिय e\u0301 👩\u200d👩\u200d👧 🇫🇷 👍🏽 <|endoftext|> aGVsbG8= 12345678 ١٢٣ "
    "don't WE'LL I'M\n/path/to/file.py\n\n\n    "
)
"""Text the fast engine must encode exactly as tiktoken before it serves an encoding."""

_LOCK = threading.Lock()
_FAILED: dict[str, bool] = {}  # encodings whose probe disagreed with tiktoken
_ENGINES: dict[str, Engine | None] = {}
_STATE: dict[str, Any] = {}  # "module": the loaded extension, or "why": why there is none


def backend() -> str:
    """Which engine counts bundled encodings here, and why.

    >>> backend().split()[0] in ("bpe-openai", "tiktoken")
    True
    """
    module = _module()
    if module is None:
        return f"tiktoken {_version('tiktoken')} ({_STATE['why']})"
    note = "tiktoken for the rest"
    failed = sorted(_FAILED)
    if failed:
        note += f" and for {', '.join(failed)}, whose self-check failed"
    return f"bpe-openai {_version(_DIST)} (GitHub's bpe crate; {note})"


def engine_for(enc: Encoder) -> Engine | None:
    """The fast engine for ``enc``, or None where only tiktoken is exact."""
    if not enc.pinned:  # built elsewhere than get_encoding: ranks unknown
        return None
    try:
        return _ENGINES[enc.name]  # one pinned encoder per name: get_encoding caches it
    except KeyError:
        pass
    engine = None
    table = _SERVED.get(enc.name)
    if table is not None and _pinned(enc):
        module = _module()
        if module is not None:
            engine = Engine(enc.name, enc.spec.pat_str, module.tokenizer_for_encoding(table))
            # A cheap guard against a wheel whose tables or rules differ from the version
            # the tests checked: the probe must encode as tiktoken encodes it.
            if engine.encode(PROBE) != tiktoken.Encoding.encode_ordinary(enc, PROBE):
                _FAILED[enc.name] = True
                engine = None
    with _LOCK:
        return _ENGINES.setdefault(enc.name, engine)


def reset() -> None:
    """Forget the engines and re-read :data:`BACKEND_ENV` (tests use this)."""
    with _LOCK:
        _ENGINES.clear()
        _STATE.clear()
        _FAILED.clear()


def _pinned(enc: Encoder) -> bool:
    # Our pinned spec, unchanged (pattern, vocab stem, hash): the ranks were sha-checked
    # when the encoder was built, so they are the ones the tests compare with the crate's.
    spec = ENCODINGS.get(enc.name)
    return spec is not None and spec == enc.spec and spec.sha256 is not None


def _module() -> Any:
    if "module" in _STATE:
        return _STATE["module"]
    with _LOCK:
        if "module" not in _STATE:
            _STATE["module"], _STATE["why"] = _load()
    return _STATE["module"]


def _load() -> tuple[Any, str]:
    choice = os.environ.get(BACKEND_ENV, "auto").strip().lower() or "auto"
    if choice == "tiktoken":
        return None, f"{BACKEND_ENV}=tiktoken"
    if choice != "auto":
        return None, f"{BACKEND_ENV}={choice!r} is not 'auto' or 'tiktoken'"
    spec = importlib.util.find_spec("bpe_openai")
    if spec is None or not spec.submodule_search_locations:
        return None, f"{_DIST} is not installed (no wheel for this platform?)"
    folder = Path(next(iter(spec.submodule_search_locations)))
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    found = [folder / f"_bindings{s}" for s in suffixes if (folder / f"_bindings{s}").is_file()]
    if not found:
        return None, f"{_DIST} has no compiled core in {folder}"
    try:
        name = "bpe_openai._bindings"
        loader = importlib.machinery.ExtensionFileLoader(name, str(found[0]))
        mod_spec = importlib.util.spec_from_file_location(name, found[0], loader=loader)
        assert mod_spec is not None
        module = importlib.util.module_from_spec(mod_spec)
        loader.exec_module(module)
        if not callable(getattr(module, "tokenizer_for_encoding", None)):
            return None, f"{_DIST} {_version(_DIST)} has no tokenizer_for_encoding"
    except Exception as exc:  # a broken install must not break counting: use tiktoken
        return None, f"{_DIST} failed to load: {exc}"
    return module, ""


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"
