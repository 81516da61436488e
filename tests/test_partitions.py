"""One partition's work: the functions Dask tasks and Spark pandas UDFs run."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tokbudget
from tokbudget import InvalidInputError
from tokbudget.partitions import (
    CHUNK_COLUMNS,
    cost_of_counts,
    count_series,
    count_texts,
    merge_totals,
    split_series,
    split_texts,
    texts_of,
)

from .documents import sample_documents


def test_count_texts_equals_count_many() -> None:
    docs = sample_documents(400, seed=1)
    enc = tokbudget.get_encoding("o200k_base")
    assert count_texts(docs, enc).tolist() == tokbudget.count_many(docs).tolist()
    assert count_texts(iter(docs), enc).tolist() == tokbudget.count_many(docs).tolist()


def test_count_series_keeps_index_names_tokens() -> None:
    series = pd.Series(["hello world", "", "hi"], index=["a", "b", "c"], name="body")
    out = count_series(series, encoding="cl100k_base")
    assert out.tolist() == [2, 0, 1]
    assert out.index.tolist() == ["a", "b", "c"]
    assert (out.name, str(out.dtype)) == ("tokens", "int64")
    assert count_series(pd.Series([], dtype=object)).tolist() == []


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        (None, "missing value (NoneType: None), not text; fill or drop"),
        (math.nan, "missing value (float: nan)"),
        (pd.NA, "missing value (NAType: <NA>)"),
        (np.float64("nan"), "missing value (float64: nan)"),
        (b"\xc3\xa9", "must be str, got bytes (2 bytes); decode it first"),
        (42, "must be str, got int: 42"),
    ],
)
def test_non_string_is_named_with_partition_position_and_type(value: Any, needle: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        texts_of(["a", "b", value], partition=3, labels=["x", "y", "z"])
    message = str(info.value)
    assert message.startswith("partition 3, position 2 (index 'z') ")
    assert needle in message
    assert (info.value.partition, info.value.position) == (3, 2)


def test_series_error_names_index_label() -> None:
    series = pd.Series(["a", 7], index=pd.Index([10, 20]))
    with pytest.raises(InvalidInputError, match=r"^position 1 \(index 20\) must be str, got int"):
        count_series(series)


def _tiered_model() -> str:
    return next(m.name for m in tokbudget.list_models() if m.price and m.price.tiers)


def test_cost_of_counts_prices_each_document_as_its_own_request() -> None:
    model = _tiered_model()
    threshold = tokbudget.get_model(model).price.tiers[0].above_input_tokens  # type: ignore[union-attr]
    counts = [threshold + 1, 10, 10, 0]
    got = cost_of_counts(counts, model, output_tokens=7)
    expected = [tokbudget.cost(model, n, 7) for n in counts]
    assert got.total == sum((c.total for c in expected), Decimal(0))
    assert got.total != tokbudget.cost(model, sum(counts), 7 * 4).total  # not the sum's tier
    assert (got.requests, got.input_tokens, got.output_tokens) == (4, sum(counts), 28)
    assert got.input == sum((c.input for c in expected), Decimal(0))
    # A histogram gives the same total as the documents it counts.
    hist = cost_of_counts([threshold + 1, 10, 0], model, repeats=[1, 2, 1], output_tokens=7)
    assert hist == got


def test_cost_of_counts_names_the_document_that_does_not_fit() -> None:
    with pytest.raises(tokbudget.ContextOverflowError) as info:
        cost_of_counts(
            [5, 9000, 8192], "text-embedding-3-small", partition=4, labels=["a", "b", "c"]
        )
    assert str(info.value).startswith(
        "partition 4, position 1 (index 'b') needs 9,000 tokens, over text-embedding-3-small's "
        "input limit of 8,191 per request; split the documents first"
    )
    assert (info.value.needed, info.value.available) == (9000, 8191)
    window = tokbudget.get_model("gpt-4o").context_window
    assert window is not None
    with pytest.raises(tokbudget.ContextOverflowError, match=r"position 0 needs .* \+ 100 output"):
        cost_of_counts([window - 99], "gpt-4o", output_tokens=100)


def test_merge_totals_adds_every_field() -> None:
    a = cost_of_counts([100, 200], "gpt-4o", output_tokens=5)
    b = cost_of_counts([300], "gpt-4o", output_tokens=5)
    assert merge_totals([a, b]) == cost_of_counts([100, 200, 300], "gpt-4o", output_tokens=5)
    assert merge_totals([], model="gpt-4o").requests == 0
    with pytest.raises(InvalidInputError, match="at least one"):
        merge_totals([])


def test_split_texts_rows_match_split() -> None:
    docs = sample_documents(200, seed=4)
    splitter = tokbudget.Splitter(48, encoding="o200k_base", overlap=8)
    frame = split_texts(docs, splitter, first_id=1000)
    expected = [
        (1000 + i, j, c.start, c.end, c.tokens, c.text)
        for i, doc in enumerate(docs)
        for j, c in enumerate(tokbudget.split(doc, 48, encoding="o200k_base", overlap=8))
    ]
    assert list(frame.itertuples(index=False, name=None)) == expected
    assert tuple(frame.columns) == CHUNK_COLUMNS
    assert [str(t) for t in frame.dtypes][1:5] == ["int64"] * 4


def test_split_series_uses_index_labels_and_typed_empty_frames() -> None:
    series = pd.Series(["one two three", "", "four"], index=pd.Index(["a", "b", "c"]))
    frame = split_series(series, 2, encoding="cl100k_base")
    assert frame["document"].tolist() == ["a", "a", "c"]
    assert frame["chunk"].tolist() == [0, 1, 0]
    empty = split_series(series[:0], 2, encoding="cl100k_base")
    assert len(empty) == 0 and list(empty.dtypes) == list(frame.dtypes)
    with pytest.raises(InvalidInputError, match=r"^position 1 \(index 'y'\) is a missing"):
        split_series(pd.Series(["x", None], index=["x", "y"]), 2, encoding="cl100k_base")
