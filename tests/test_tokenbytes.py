"""The per-token byte table shared by spans and boundaries equals tiktoken's own bytes."""

from __future__ import annotations

import numpy as np
import pytest

from tokbudget.tokenizer.encoder import get_encoding
from tokbudget.tokenizer.tokenbytes import token_bytes


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_every_token_is_its_own_bytes(name: str) -> None:
    enc = get_encoding(name)
    table = token_bytes(enc)
    assert table is token_bytes(enc)  # built once
    assert table.lengths.size == enc.n_vocab == table.offsets.size - 1
    data = table.data.tobytes()
    for token in range(enc.n_vocab):
        try:
            expected = enc.decode_single_token_bytes(token)
        except KeyError:  # an id no text encodes to
            expected = b""
        got = data[table.offsets[token] : table.offsets[token + 1]]
        assert got == expected, token
    assert (table.lengths == np.diff(table.offsets)).all()
    first = table.first_bytes()
    assert first[enc.encode_single_token(b" world")] == ord(" ")


def test_per_token_sum() -> None:
    table = token_bytes(get_encoding("cl100k_base"))
    ones = np.ones(table.data.size, dtype=np.int64)
    assert (table.per_token_sum(ones) == table.lengths).all()
