"""Every token's bytes as numpy arrays, built once per encoding.

Two modules need per-token facts as lookup tables indexed by token id: :mod:`.spans`
(each token's byte length, to place it in the text) and :mod:`.boundaries` (how many
characters start in a token, whether it begins inside one). Both derive them from the
one :class:`TokenBytes` table here, read straight from the encoding's rank tables
(about 0.05 s for o200k_base, once per process).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

    from .encoder import Encoder

__all__ = ["TokenBytes", "token_bytes"]


@dataclass(frozen=True, slots=True, eq=False)
class TokenBytes:
    """The bytes of every token id of an encoding, concatenated in id order.

    Token ``i`` is ``data[offsets[i]:offsets[i + 1]]`` and ``lengths[i]`` bytes long; an
    id no text encodes to (a gap in the vocabulary) is empty.
    """

    data: npt.NDArray[np.uint8]
    offsets: npt.NDArray[np.int64]
    lengths: npt.NDArray[np.int64]

    def first_bytes(self) -> npt.NDArray[np.uint8]:
        """Each token's first byte (0 for an empty id)."""
        if not self.data.size:
            return np.zeros(self.lengths.size, dtype=np.uint8)
        first = self.data[np.minimum(self.offsets[:-1], self.data.size - 1)]
        return np.where(self.lengths > 0, first, 0).astype(np.uint8)

    def per_token_sum(self, values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """``values`` (one per byte of :attr:`data`) summed over each token's bytes."""
        sums = np.concatenate(([0], np.cumsum(values, dtype=np.int64)))
        out: npt.NDArray[np.int64] = sums[self.offsets[1:]] - sums[self.offsets[:-1]]
        return out


_TABLES: dict[Encoder, TokenBytes] = {}  # encoders hash by identity
_LOCK = threading.Lock()


def token_bytes(enc: Encoder) -> TokenBytes:
    """The :class:`TokenBytes` of ``enc`` (built on first use, then cached).

    >>> from tokbudget import get_encoding
    >>> table = token_bytes(get_encoding("cl100k_base"))
    >>> int(table.lengths[15339]), bytes(table.data[table.offsets[1917] : table.offsets[1918]])
    (5, b' world')
    """
    table = _TABLES.get(enc)
    if table is not None:
        return table
    with _LOCK:  # a server's threads may all ask for a cold table at once: build it once
        table = _TABLES.get(enc)
        if table is not None:
            return table
        tokens = [b""] * (enc.max_token_value + 1)
        for token, rank in enc.ranks.items():
            tokens[rank] = token
        for text, rank in enc.spec.special_tokens.items():
            tokens[rank] = text.encode("utf-8")
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        offsets = np.concatenate(([0], np.cumsum(lengths)))
        data = np.frombuffer(b"".join(tokens), dtype=np.uint8)
        table = TokenBytes(data=data, offsets=offsets, lengths=lengths)
        _TABLES[enc] = table
        return table
