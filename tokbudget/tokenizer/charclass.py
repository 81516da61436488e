"""Where the ``regex`` module's Unicode tables and tiktoken's disagree, found by asking tiktoken.

tiktoken's pre-tokenizer runs in Rust with the Unicode tables compiled into its wheel
(Unicode 16.0 for tiktoken 0.14); the ``regex`` module that tokbudget uses to reason about
the same patterns (safe cuts, the long-whitespace path, the splitter's boundaries) ships
its own, often newer, tables (Unicode 17.0 for regex 2026.11). A character assigned in the
newer version only — a CJK Extension J ideograph, say — is a letter to ``regex`` but an
unassigned code point to tiktoken, which then treats it like punctuation. Reasoning with
``regex``'s view would put piece boundaries where tiktoken has none, and counts would be
off by a token.

So we ask tiktoken itself. For a character ``c`` that ``regex`` calls a letter, number or
mark, compare the tokens of ``c + "'s"`` with those of ``c + "'"`` followed by ``"s"``:

* if tiktoken treats ``c`` as punctuation, its o200k pattern makes ``c'`` one piece and
  ``s`` another, so the two are equal by construction;
* if tiktoken knows ``c`` as a letter or mark, ``c's`` is a single piece whose BPE merges
  ``'s`` (or ``'`` into ``c``), and as a number, ``c`` and ``'s`` are two pieces: either way
  the tokens differ from ``c'`` + ``s``.

o200k's pattern is used because its letter class includes marks, so one probe covers
letters, marks and numbers; the answer is about tiktoken's regex engine, which every
encoding shares. The probe needs no vocab: a 258-token encoding with o200k's pattern
(every byte, ``'s`` and a separator) merges ``'s`` exactly when o200k would put ``'`` and
``s`` in one piece, and nothing else, so it answers as o200k does (tested on every code
point) without loading o200k's 200,000 tokens inside cl100k work. Two short encodes per
character, cached.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import regex
import tiktoken

from .vocab import O200K_PAT

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "NONCHARACTER",
    "PYTHON_TABLES_NOT_NEWER",
    "as_tiktoken_sees_it",
    "probe",
    "probe_encoding",
    "unknown_code_points",
    "unknown_to_tiktoken",
]

NONCHARACTER = "\ufdd0"
"""A permanent noncharacter: unassigned in every Unicode version, so every engine treats
it alike (not a letter, number, mark or space). Characters tiktoken does not know are
replaced by it before ``regex`` matches tiktoken's patterns."""

_CLASSIFIED = regex.compile(r"[\p{L}\p{N}\p{M}]")
_EOT = "<|endoftext|>"
_LOCK = threading.Lock()
_UNKNOWN: dict[str, bool] = {}


@functools.cache
def probe_encoding() -> tiktoken.Encoding:
    """The 258-token encoding the probe runs on: o200k's pattern, every byte, ``'s``."""
    ranks = {bytes([i]): i for i in range(256)} | {b"'s": 256}
    return tiktoken.Encoding(
        "tokbudget-probe", pat_str=O200K_PAT, mergeable_ranks=ranks, special_tokens={_EOT: 257}
    )


def probe(chars: list[str], enc: tiktoken.Encoding | None = None) -> list[bool]:
    """For each char, whether tiktoken treats it as punctuation (see the module docstring).

    ``enc`` (default :func:`probe_encoding`) must use o200k's pattern and know ``'s``.
    """
    enc = probe_encoding() if enc is None else enc
    eot = enc.eot_token
    allowed = {_EOT}

    def segments(suffix: str) -> list[npt.NDArray[np.uint32]]:
        ids = enc.encode_to_numpy(
            _EOT.join(c + suffix for c in chars), allowed_special=allowed, disallowed_special=()
        )
        return np.split(ids, np.flatnonzero(ids == eot))

    with_s = segments("'s")
    without = segments("'")
    s = np.asarray(enc.encode_ordinary("s"), dtype=np.uint32)
    out = []
    for i, (a, b) in enumerate(zip(with_s, without, strict=True)):
        if i:  # every segment after the first starts with the separator
            a, b = a[1:], b[1:]
        out.append(a.size == b.size + s.size and bool((a == np.concatenate((b, s))).all()))
    return out


# tiktoken >= 0.9 matches with Unicode 15.0 tables or newer (Rust regex-syntax 0.8). While
# Python's own tables are no newer than that, a character they assign is known to
# tiktoken: only characters unassigned to Python need the probe, so ordinary text never
# pays for it.
PYTHON_TABLES_NOT_NEWER = tuple(map(int, unicodedata.unidata_version.split("."))) <= (15, 0, 0)
"""Whether Python's own Unicode tables are no newer than the oldest tiktoken's (15.0)."""


def _surely_known(char: str) -> bool:
    return PYTHON_TABLES_NOT_NEWER and unicodedata.category(char) != "Cn"


def unknown_to_tiktoken(chars: set[str]) -> set[str]:
    """The characters of ``chars`` that ``regex`` classifies but tiktoken does not know."""
    todo = [c for c in chars if c not in _UNKNOWN and _CLASSIFIED.match(c)]
    known = [c for c in todo if _surely_known(c)]
    if known:
        with _LOCK:
            _UNKNOWN.update(dict.fromkeys(known, False))
        todo = [c for c in todo if not _surely_known(c)]
    if todo:
        todo.sort()
        found = probe(todo)
        with _LOCK:
            _UNKNOWN.update(zip(todo, found, strict=True))
    return {c for c in chars if _UNKNOWN.get(c, False)}


def as_tiktoken_sees_it(text: str) -> str:
    """``text`` with every character tiktoken does not know replaced by a noncharacter.

    Same length, so offsets into the result are offsets into ``text``; matching
    tiktoken's patterns on the result with ``regex`` gives tiktoken's pieces.
    """
    classified = set(_CLASSIFIED.findall(text)) if not text.isascii() else set()
    unknown = unknown_to_tiktoken(classified)
    if not unknown:
        return text
    return text.translate({ord(c): NONCHARACTER for c in unknown})


@functools.cache
def unknown_code_points() -> npt.NDArray[np.int64]:
    """Every code point ``regex`` calls a letter, number or mark that tiktoken does not know.

    Probes all ~163,000 such code points once per process (a few hundred milliseconds).
    """
    chars = set(_CLASSIFIED.findall("".join(map(chr, range(0x110000)))))
    return np.asarray(sorted(ord(c) for c in unknown_to_tiktoken(chars)), dtype=np.int64)
