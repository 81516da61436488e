"""split_many: the same chunks as split() per text, with progress, on threads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget.splitting.many
from tokbudget import split
from tokbudget.errors import InvalidInputError, SettingsError
from tokbudget.splitting.many import split_many

from .conftest import real_texts
from .strategies import boundary_text


@given(texts=st.lists(boundary_text, max_size=8), limit=st.sampled_from([4, 8, 40]))
def test_same_as_split_each(texts: list[str], limit: int) -> None:
    got = split_many(texts, limit, encoding="o200k_base", overlap=1)
    assert got == [split(t, limit, encoding="o200k_base", overlap=1) for t in texts]


@pytest.mark.parametrize("threads", [1, 2])
def test_real_texts_on_threads(threads: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokbudget.splitting.many, "_BATCH_CHARS", 20_000)  # several batches
    docs = [*real_texts().values(), "short", "", "x " * 10]
    calls: list[tuple[int, int]] = []
    got = split_many(
        docs, 128, encoding="cl100k_base", threads=threads, progress=lambda *a: calls.append(a)
    )
    assert got == [split(d, 128, encoding="cl100k_base") for d in docs]
    assert calls[-1] == (len(docs), len(docs))
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
    assert len(calls) > 2


def test_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="single str"):
        split_many("one text", 5, encoding="cl100k_base")
    with pytest.raises(InvalidInputError, match=r"texts\[1\]"):
        split_many(["ok", None], 5, encoding="cl100k_base")  # type: ignore[list-item]
    with pytest.raises(SettingsError, match="overlap"):
        split_many(["a"], 5, encoding="cl100k_base", overlap=5)
