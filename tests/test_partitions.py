"""One partition's work: the functions Dask tasks and Spark pandas UDFs run."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tokbudget
from tokbudget import InvalidInputError
from tokbudget.partitions import count_series, count_texts, texts_of

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
