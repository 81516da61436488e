"""One partition's work, for distributed engines: plain functions over one batch of texts.

Dask and Spark hand a task one partition at a time: a list (a Dask bag) or a pandas
Series (a Dask DataFrame column, a Spark pandas UDF's batch). These functions check the
values, with errors that name the partition, the position and the value's type, then run
the vectorised path (:func:`tokbudget.count_many`'s) on one thread: the engine, not
tokbudget, decides how many run at once. They hold no state between calls, so any worker
can run any partition, and again after a failure, with the same result.

pandas is needed only for the ``*_series`` functions, and imported only there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .counting import count_with, require_text, resolve_encoding
from .encoder import Encoder
from .errors import InvalidInputError

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["count_series", "count_series_with", "count_texts", "texts_of"]


def texts_of(
    values: Iterable[object],
    *,
    partition: int | None = None,
    labels: Sequence[object] | None = None,
) -> list[str]:
    """Return ``values`` as a list of ``str``, or raise naming where the first non-string is.

    Args:
        values: one partition's values.
        partition: the partition's number, for the error message.
        labels: the values' index labels (a Series's index), for the error message.

    >>> texts_of(["a", "b"])
    ['a', 'b']
    """
    texts = values if isinstance(values, list) else list(values)
    for i, value in enumerate(texts):
        if type(value) is not str and not isinstance(value, str):
            _bad_value(value, i, partition, labels)
    return cast(list[str], texts)


def _bad_value(
    value: object, position: int, partition: int | None, labels: Sequence[object] | None
) -> None:
    where = f"position {position}"
    if labels is not None:
        where += f" (index {labels[position]!r})"
    if partition is not None:
        where = f"partition {partition}, {where}"
    if _is_missing(value):
        hint = (
            f"{where} is a missing value ({type(value).__name__}: {value}), not text; "
            "fill or drop missing text first, e.g. col.fillna('') or col.dropna()"
        )
    else:
        try:
            require_text(value, what=where)
        except InvalidInputError as exc:
            hint = str(exc)
    raise InvalidInputError(hint, position=position, partition=partition)


def _is_missing(value: object) -> bool:
    # None, float NaN, pandas.NA and NaT: the ways a DataFrame says "no text here".
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except TypeError:  # pandas.NA: its comparisons return NA, whose bool() raises
        return type(value).__name__ == "NAType"


def count_texts(
    values: Iterable[object],
    encoder: Encoder,
    *,
    partition: int | None = None,
    labels: Sequence[object] | None = None,
) -> npt.NDArray[np.int64]:
    """Return the token count of each value (which must all be ``str``), in order.

    >>> from tokbudget import get_encoding
    >>> count_texts(["hello world", ""], get_encoding("cl100k_base")).tolist()
    [2, 0]
    """
    texts = texts_of(values, partition=partition, labels=labels)
    return count_with(encoder, texts, threads=1)


def count_series(
    series: Any,
    model: str | None = None,
    *,
    encoding: str | None = None,
    partition: int | None = None,
) -> Any:
    """Return a pandas Series of token counts (int64, named ``tokens``, same index).

    The body of a Spark pandas UDF or a Dask ``map_partitions`` call.

    >>> import pandas as pd
    >>> count_series(pd.Series(["hello world", "hi"]), encoding="cl100k_base").tolist()
    [2, 1]
    """
    return count_series_with(resolve_encoding(model, encoding), series, partition=partition)


def count_series_with(encoder: Encoder, series: Any, *, partition: int | None = None) -> Any:
    """:func:`count_series` with an encoder in hand (what worker tasks receive)."""
    import pandas as pd

    counts = count_texts(
        series.tolist(), encoder, partition=partition, labels=_Labels(series.index)
    )
    return pd.Series(counts, index=series.index, name="tokens", dtype="int64")


class _Labels(Sequence[object]):
    """A Series index read lazily: only an error message ever looks at it."""

    def __init__(self, index: Any) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index)

    def __getitem__(self, i: Any) -> Any:
        value = self._index[i]
        return value.item() if isinstance(value, np.generic) else value
