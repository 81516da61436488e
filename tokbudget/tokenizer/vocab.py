"""Vocab files: where they are, what they must hash to, and how to parse them.

Nothing here touches the network. ``cl100k_base`` and ``o200k_base`` ship inside the
package (``tokbudget/data/vocab``); other encodings are read from the folders named by
``TOKBUDGET_VOCAB_DIR`` (``os.pathsep``-separated) or from an explicit path.

The patterns, special tokens and hashes below are tiktoken's own, pinned here from
``tiktoken_ext/openai_public.py`` so that we never read tiktoken's private attributes.
A test checks that they still produce tiktoken's published golden ids.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import UnknownEncodingError, VocabError

__all__ = [
    "ENCODINGS",
    "VOCAB_DIR_ENV",
    "EncodingSpec",
    "find_vocab_file",
    "known_encodings",
    "load_ranks",
]

VOCAB_DIR_ENV = "TOKBUDGET_VOCAB_DIR"
"""Environment variable naming extra folders of ``<name>.tiktoken[.gz]`` files."""

ENDOFTEXT = "<|endoftext|>"
ENDOFPROMPT = "<|endofprompt|>"
FIM_PREFIX = "<|fim_prefix|>"
FIM_MIDDLE = "<|fim_middle|>"
FIM_SUFFIX = "<|fim_suffix|>"

R50K_PAT = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
CL100K_PAT = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
O200K_PAT = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)

_HARMONY_SPECIALS: dict[str, int] = {
    "<|startoftext|>": 199998,
    ENDOFTEXT: 199999,
    "<|reserved_200000|>": 200000,
    "<|reserved_200001|>": 200001,
    "<|return|>": 200002,
    "<|constrain|>": 200003,
    "<|reserved_200004|>": 200004,
    "<|channel|>": 200005,
    "<|start|>": 200006,
    "<|end|>": 200007,
    "<|message|>": 200008,
    "<|reserved_200009|>": 200009,
    "<|reserved_200010|>": 200010,
    "<|reserved_200011|>": 200011,
    "<|call|>": 200012,
} | {f"<|reserved_{i}|>": i for i in range(200013, 201088)}


@dataclass(frozen=True, slots=True)
class EncodingSpec:
    """What tiktoken needs to build an encoding, besides the ranks themselves."""

    name: str
    vocab: str  # stem of the vocab file: ``<vocab>.tiktoken[.gz]``
    pat_str: str
    special_tokens: Mapping[str, int] = field(default_factory=dict)
    sha256: str | None = None  # of the decompressed file; None = not pinned (user encodings)
    explicit_n_vocab: int | None = None
    bundled: bool = False


ENCODINGS: dict[str, EncodingSpec] = {
    spec.name: spec
    for spec in (
        EncodingSpec(
            "cl100k_base",
            "cl100k_base",
            CL100K_PAT,
            {
                ENDOFTEXT: 100257,
                FIM_PREFIX: 100258,
                FIM_MIDDLE: 100259,
                FIM_SUFFIX: 100260,
                ENDOFPROMPT: 100276,
            },
            "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
            bundled=True,
        ),
        EncodingSpec(
            "o200k_base",
            "o200k_base",
            O200K_PAT,
            {ENDOFTEXT: 199999, ENDOFPROMPT: 200018},
            "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
            bundled=True,
        ),
        # gpt-oss: o200k_base's ranks with the harmony chat-format special tokens.
        EncodingSpec(
            "o200k_harmony",
            "o200k_base",
            O200K_PAT,
            {ENDOFPROMPT: 200018, **_HARMONY_SPECIALS},
            "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
            bundled=True,
        ),
        # Not bundled: users bring the file through TOKBUDGET_VOCAB_DIR.
        EncodingSpec(
            "r50k_base",
            "r50k_base",
            R50K_PAT,
            {ENDOFTEXT: 50256},
            "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
            explicit_n_vocab=50257,
        ),
        EncodingSpec(
            "p50k_base",
            "p50k_base",
            R50K_PAT,
            {ENDOFTEXT: 50256},
            "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
            explicit_n_vocab=50281,
        ),
        EncodingSpec(
            "p50k_edit",
            "p50k_base",
            R50K_PAT,
            {ENDOFTEXT: 50256, FIM_PREFIX: 50281, FIM_MIDDLE: 50282, FIM_SUFFIX: 50283},
            "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
        ),
    )
}
"""Every encoding tokbudget knows how to build, by name."""


def _user_dirs() -> list[Path]:
    raw = os.environ.get(VOCAB_DIR_ENV, "")
    return [Path(p).expanduser() for p in raw.split(os.pathsep) if p]


def _bundled_dir() -> Path:
    return Path(str(resources.files("tokbudget") / "data" / "vocab"))


def find_vocab_file(vocab: str) -> Path | None:
    """Return the first ``<vocab>.tiktoken[.gz]`` in the user folders, then the bundled one."""
    for folder in [*_user_dirs(), _bundled_dir()]:
        for suffix in (".tiktoken", ".tiktoken.gz"):
            candidate = folder / f"{vocab}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def known_encodings() -> tuple[str, ...]:
    """Names that can be loaded right now (bundled, or whose file is in a user folder)."""
    names = {name for name, spec in ENCODINGS.items() if find_vocab_file(spec.vocab)}
    for folder in _user_dirs():
        if folder.is_dir():
            for path in folder.iterdir():
                stem = path.name.removesuffix(".gz").removesuffix(".tiktoken")
                if stem != path.name and stem not in ENCODINGS:
                    names.add(stem)
    return tuple(sorted(names))


def spec_for(name: str) -> EncodingSpec:
    """Return the pinned spec of a known encoding, or raise ``UnknownEncodingError``."""
    try:
        return ENCODINGS[name]
    except KeyError:
        known = known_encodings()
        raise UnknownEncodingError(
            f"unknown encoding {name!r}; known here: {', '.join(known)}. "
            f"For another encoding put its <name>.tiktoken[.gz] file in a folder named by "
            f"{VOCAB_DIR_ENV}, or pass the file's path.",
            name=name,
            known=known,
        ) from None


def read_vocab_bytes(path: Path) -> bytes:
    """Read a vocab file, transparently gunzipping ``.gz``."""
    try:
        raw = path.read_bytes()
        return gzip.decompress(raw) if path.suffix == ".gz" else raw
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise VocabError(f"cannot read vocab file {path}: {exc}", path=str(path)) from exc


def load_ranks(path: Path, expected_sha256: str | None = None) -> dict[bytes, int]:
    """Parse a ``.tiktoken`` file (``base64-token rank`` per line), checking its hash first.

    Raises:
        VocabError: the file cannot be read, has the wrong hash, or a malformed line.
    """
    data = read_vocab_bytes(path)
    if expected_sha256 is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected_sha256:
            raise VocabError(
                f"vocab file {path} has sha256 {actual}, expected {expected_sha256}: "
                "the file is corrupt or not the official one; replace it with the official "
                "file (or reinstall tokbudget)",
                path=str(path),
                expected=expected_sha256,
                actual=actual,
            )
    ranks: dict[bytes, int] = {}
    for lineno, line in enumerate(data.splitlines(), 1):
        if not line:
            continue
        try:
            token, rank = line.split()
            ranks[base64.b64decode(token, validate=True)] = int(rank)
        except ValueError as exc:
            raise VocabError(
                f"vocab file {path} line {lineno} is not '<base64> <rank>': {line[:60]!r}",
                path=str(path),
            ) from exc
    return ranks
