"""One partition's work, for distributed engines: plain functions over one batch of texts.

Dask and Spark hand a task one partition at a time: a list (a Dask bag) or a pandas
Series (a Dask DataFrame column, a Spark pandas UDF's batch). These functions check the
values, with errors that name the partition, the position and the value's type, then run
the vectorised path (:func:`tokbudget.count_many`'s) on one thread: the engine, not
tokbudget, decides how many run at once. :func:`cost_of_counts` prices a partition's
documents exactly, each as one request, and :func:`merge_totals` adds partitions up.
They hold no state between calls, so any worker can run any partition, and again after
a failure, with the same result.

pandas is needed only for the ``*_series`` functions, and imported only there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .counting import count_with, require_text, resolve_encoding
from .errors import ContextOverflowError, InvalidInputError
from .models.registry import get_model
from .pricing import cost
from .splitting.many import split_many
from .splitting.splitter import Splitter
from .tokenizer.encoder import Encoder
from .usage import UsageTotal

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "CHUNK_COLUMNS",
    "cost_of_counts",
    "count_series",
    "count_series_with",
    "count_texts",
    "merge_totals",
    "split_series",
    "split_texts",
    "texts_of",
    "unpack_partition",
]


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


def unpack_partition(part: Any) -> tuple[Any, Sequence[object] | None]:
    """A partition's values and, for a pandas Series, its index labels (else ``None``)."""
    if hasattr(part, "index") and hasattr(part, "tolist"):
        return part.tolist(), _Labels(part.index)
    return part, None


def _where(position: int, partition: int | None, labels: Sequence[object] | None) -> str:
    where = f"position {position}"
    if labels is not None:
        where += f" (index {labels[position]!r})"
    return where if partition is None else f"partition {partition}, {where}"


def _bad_value(
    value: object, position: int, partition: int | None, labels: Sequence[object] | None
) -> None:
    where = _where(position, partition, labels)
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

    values, labels = unpack_partition(series)
    counts = count_texts(values, encoder, partition=partition, labels=labels)
    return pd.Series(counts, index=series.index, name="tokens", dtype="int64")


# ---------------------------------------------------------------------------- split

CHUNK_COLUMNS = ("document", "chunk", "start", "end", "tokens", "text")
"""The columns of a chunk table: one row per chunk, documents and chunks in order."""


def split_texts(
    values: Iterable[object],
    splitter: Splitter,
    *,
    ids: Sequence[object] | None = None,
    first_id: int = 0,
    partition: int | None = None,
    labels: Sequence[object] | None = None,
) -> Any:
    """Split each text with ``splitter``; return the chunks as a pandas DataFrame.

    Columns :data:`CHUNK_COLUMNS`: ``document`` is ``ids[i]`` (e.g. a Series's index
    label) or else ``first_id + i``; ``chunk`` numbers a document's chunks from 0;
    ``start``/``end`` are character offsets into the document. An empty document has no
    chunks.

    >>> from tokbudget import Splitter
    >>> split_texts(["a b c", "d"], Splitter(2, encoding="cl100k_base"))["text"].tolist()
    ['a b', ' c', 'd']
    """
    import pandas as pd

    texts = texts_of(values, partition=partition, labels=labels)
    encoding = splitter.enc.name if splitter.model is None else None
    per_doc = split_many(
        texts,
        splitter.max_tokens,
        splitter.model,
        encoding=encoding,
        overlap=splitter.overlap,
        threads=1,  # the engine runs the partitions in parallel, not this call
    )
    sizes = np.fromiter((len(doc) for doc in per_doc), np.int64, len(per_doc))
    chunks = [c for doc in per_doc for c in doc]
    first = np.cumsum(sizes) - sizes  # each document's first row
    doc_ids = pd.RangeIndex(first_id, first_id + len(texts)) if ids is None else pd.Index(ids)
    n = len(chunks)
    return pd.DataFrame(
        {
            "document": doc_ids.repeat(sizes),
            "chunk": np.arange(n, dtype=np.int64) - np.repeat(first, sizes),
            "start": np.fromiter((c.start for c in chunks), np.int64, n),
            "end": np.fromiter((c.end for c in chunks), np.int64, n),
            "tokens": np.fromiter((c.tokens for c in chunks), np.int64, n),
            # Python-backed: an Arrow string cannot hold a lone surrogate, a Python str can.
            "text": pd.array([c.text for c in chunks], dtype=pd.StringDtype("python")),
        }
    )


def split_series(
    series: Any,
    max_tokens: int | None = None,
    model: str | None = None,
    *,
    encoding: str | None = None,
    overlap: int | float = 0,
    partition: int | None = None,
) -> Any:
    """Split every text of a pandas Series; ``document`` is the text's index label.

    The body of a Spark ``mapInPandas`` function or a Dask task. Returns a DataFrame
    with :data:`CHUNK_COLUMNS`.

    >>> import pandas as pd
    >>> chunks = split_series(pd.Series(["a b c"], index=[7]), 2, encoding="cl100k_base")
    >>> chunks["document"].tolist(), chunks["text"].tolist()
    ([7, 7], ['a b', ' c'])
    """
    splitter = Splitter(max_tokens, model, encoding=encoding, overlap=overlap)
    values, labels = unpack_partition(series)
    return split_texts(values, splitter, ids=series.index, partition=partition, labels=labels)


# ---------------------------------------------------------------------------- cost


def cost_of_counts(
    counts: Sequence[int] | npt.NDArray[np.integer[Any]],
    model: str,
    *,
    repeats: Sequence[int] | npt.NDArray[np.integer[Any]] | None = None,
    output_tokens: int = 0,
    batch: bool = False,
    partition: int | None = None,
    labels: Sequence[object] | None = None,
) -> UsageTotal:
    """Price each count as the input of one request to ``model`` and sum, exactly.

    Each request is priced on its own, as the API bills it (a long-context tier applies
    to a request over its threshold, not to a sum that crosses it). ``repeats[i]``, if
    given, is how many documents have ``counts[i]`` tokens (a histogram, e.g. from a
    Spark ``groupBy("tokens").count()``).

    Raises:
        ContextOverflowError: a document does not fit one request (over the model's
            input limit, or with ``output_tokens`` over its window); names where it is.

    >>> str(cost_of_counts([1000, 1000, 0], "text-embedding-3-small").total)
    '0.00004'
    """
    spec = get_model(model)
    n = np.asarray(counts, dtype=np.int64)
    k = np.ones_like(n) if repeats is None else np.asarray(repeats, dtype=np.int64)
    if n.shape != k.shape:
        raise InvalidInputError(f"repeats has {k.size} values but counts has {n.size}")
    _check_fits(n, spec.name, output_tokens, partition, labels)
    values, inverse = np.unique(n, return_inverse=True)
    weights = np.bincount(inverse.ravel(), weights=k, minlength=values.size).astype(np.int64)
    total = UsageTotal(spec.name)
    for v, w in zip(values.tolist(), weights.tolist(), strict=True):
        if w:
            total = total.add(cost(model, int(v), output_tokens, batch=batch), times=int(w))
    return total


def _check_fits(
    counts: npt.NDArray[np.int64],
    model: str,
    output_tokens: int,
    partition: int | None,
    labels: Sequence[object] | None,
) -> None:
    spec = get_model(model)
    limits = [(spec.input_limit, 0, "input limit")]
    if spec.kind != "embedding":
        limits.append((spec.context_window, output_tokens, "window"))
    for limit, extra, what in limits:
        if limit is None or not counts.size or int(counts.max()) + extra <= limit:
            continue
        i = int(np.flatnonzero(counts + extra > limit)[0])
        needed = int(counts[i]) + extra
        plus = f" + {extra:,} output" if extra else ""
        raise ContextOverflowError(
            f"{_where(i, partition, labels)} needs {int(counts[i]):,} tokens{plus}, over "
            f"{spec.name}'s {what} of {limit:,} per request; split the documents first "
            "(tokbudget.split, tokbudget.dask.split) or pick a model with more room",
            needed=needed,
            available=limit,
            model=spec.name,
        )


def merge_totals(totals: Iterable[UsageTotal], *, model: str | None = None) -> UsageTotal:
    """Add up totals (of partitions, of files); the model is the first one's (or ``model``).

    >>> merge_totals([UsageTotal("m", requests=2), UsageTotal("m", requests=3)]).requests
    5
    """
    out: UsageTotal | None = None if model is None else UsageTotal(model)
    for t in totals:
        out = t if out is None else out + t
    if out is None:
        raise InvalidInputError("merge_totals() needs at least one total, or model=")
    return out


class _Labels(Sequence[object]):
    """A Series index read lazily: only an error message ever looks at it."""

    def __init__(self, index: Any) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index)

    def __getitem__(self, i: Any) -> Any:
        value = self._index[i]
        return value.item() if isinstance(value, np.generic) else value
