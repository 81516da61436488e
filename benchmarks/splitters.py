"""The splitters compared by the benchmarks, and how each one's output is judged.

Every splitter is a factory ``(encoding, max_tokens) -> (text -> list[str])``. The
floor is one plain ``encode_ordinary`` of the text: no splitter that counts tokens
exactly can be faster than tokenizing the text once. Peers are optional (the ``bench``
extra); a peer that is not installed is left out of the table.

Peers that take a tiktoken encoding get a plain ``tiktoken.Encoding`` built from the
same offline vocab (and ``tiktoken.get_encoding`` is pointed at it, for those that load
one by name), so every splitter tokenizes with the same vocab and no network.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tiktoken

import tokbudget

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.conftest import CORPORA as CORPORA_DIR
from tests.conftest import raw_encoding  # the tests' oracle: the same plain tiktoken

Split = Callable[[str], list[str]]
Factory = Callable[[str, int], Split]

CORPORA = ("english", "code", "multilingual", "nowhitespace")
LIMITS = (512, 8191)


def load_corpus(name: str) -> str | None:
    """The text of ``<CORPORA>/<name>.txt`` (``$TOKBUDGET_CORPORA``), or None if absent."""
    path = CORPORA_DIR / f"{name}.txt"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def plain_tiktoken(name: str) -> tiktoken.Encoding:
    """A plain tiktoken.Encoding over the bundled vocab (what peers expect)."""
    return raw_encoding(name)


def _offline_tiktoken() -> None:
    # langchain's splitters load their encoding by name; never let that reach the network.
    tiktoken.get_encoding = plain_tiktoken  # type: ignore[assignment]


def floor(encoding: str, max_tokens: int) -> Split:
    # Raw tiktoken, not tokbudget's encoder (which uses the fast engine where it can).
    enc = plain_tiktoken(encoding)

    def run(text: str) -> list[str]:
        enc.encode_ordinary(text)
        return []

    return run


def tokbudget_split(encoding: str, max_tokens: int) -> Split:
    splitter = tokbudget.Splitter(max_tokens, encoding=encoding)
    return lambda text: [c.text for c in splitter.split(text)]


def semchunk_split(encoding: str, max_tokens: int) -> Split:
    import semchunk

    chunker = semchunk.chunkerify(plain_tiktoken(encoding), max_tokens)
    return lambda text: list(chunker(text))


def semantic_text_splitter(encoding: str, max_tokens: int) -> Split:
    from semantic_text_splitter import TextSplitter

    model = {"cl100k_base": "gpt-4", "o200k_base": "gpt-4o"}[encoding]
    splitter = TextSplitter.from_tiktoken_model(model, max_tokens)
    return lambda text: list(splitter.chunks(text))


def langchain_token(encoding: str, max_tokens: int) -> Split:
    _offline_tiktoken()
    from langchain_text_splitters import TokenTextSplitter

    splitter = TokenTextSplitter(encoding_name=encoding, chunk_size=max_tokens, chunk_overlap=0)
    return lambda text: list(splitter.split_text(text))


def langchain_recursive(encoding: str, max_tokens: int) -> Split:
    _offline_tiktoken()
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=encoding, chunk_size=max_tokens, chunk_overlap=0
    )
    return lambda text: list(splitter.split_text(text))


def chonkie_recursive(encoding: str, max_tokens: int) -> Split:
    from chonkie import RecursiveChunker

    chunker = RecursiveChunker(tokenizer=plain_tiktoken(encoding), chunk_size=max_tokens)
    return lambda text: [c.text for c in chunker(text)]


def chonkie_token(encoding: str, max_tokens: int) -> Split:
    from chonkie import TokenChunker

    chunker = TokenChunker(tokenizer=plain_tiktoken(encoding), chunk_size=max_tokens)
    return lambda text: [c.text for c in chunker(text)]


@dataclass(frozen=True)
class Entrant:
    name: str
    factory: Factory
    boundary_aware: bool
    module: str | None = None  # the package that must be installed


ENTRANTS = (
    Entrant("encode_ordinary (floor)", floor, False),
    Entrant("tokbudget.split", tokbudget_split, True),
    Entrant("semchunk", semchunk_split, True, "semchunk"),
    Entrant("semantic-text-splitter", semantic_text_splitter, True, "semantic_text_splitter"),
    Entrant(
        "langchain Recursive…from_tiktoken", langchain_recursive, True, "langchain_text_splitters"
    ),
    Entrant("chonkie RecursiveChunker", chonkie_recursive, True, "chonkie"),
    Entrant("langchain TokenTextSplitter", langchain_token, False, "langchain_text_splitters"),
    Entrant("chonkie TokenChunker", chonkie_token, False, "chonkie"),
)


def available(entrant: Entrant) -> bool:
    if entrant.module is None:
        return True
    return importlib.util.find_spec(entrant.module) is not None


@dataclass(frozen=True)
class Verdict:
    chunks: int
    violations: int  # chunks over the limit
    lost: int  # non-whitespace characters of the text missing from the chunks
    replacement: int  # U+FFFD characters emitted that the text did not have
    mean_fill: float


def judge(text: str, chunks: list[str], encoding: str, max_tokens: int) -> Verdict:
    """Check a splitter's output exactly: token counts, lost characters, broken ones."""
    counts = tokbudget.count_many(chunks, encoding=encoding)
    src = _histogram(text)
    out = _histogram("".join(chunks))
    size = max(src.size, out.size)
    src, out = np.pad(src, (0, size - src.size)), np.pad(out, (0, size - out.size))
    missing = np.clip(src - out, 0, None)
    present = np.flatnonzero(missing)
    lost = int(sum(int(missing[c]) for c in present.tolist() if not chr(c).isspace()))
    fffd = int(max(0, out[0xFFFD] - src[0xFFFD])) if size > 0xFFFD else 0
    return Verdict(
        chunks=len(chunks),
        violations=int((counts > max_tokens).sum()),
        lost=lost,
        replacement=fffd,
        mean_fill=float(counts.mean() / max_tokens) if len(chunks) else 0.0,
    )


def _histogram(text: str) -> np.ndarray:
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return np.bincount(cps).astype(np.int64)
