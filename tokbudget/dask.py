"""Token counts, chunks and costs of a whole corpus, on Dask (``pip install 'tokbudget[dask]'``).

Each function takes a Dask bag of strings or a Dask Series of strings (a DataFrame's text
column) and builds a lazy Dask collection whose tasks run one partition each through the
vectorised single-process path (:mod:`tokbudget.partitions`). Nothing is shared between
tasks but their arguments, and those are small: an encoder pickles as its name and is
built once per worker process. The same input gives the same output in the same order,
whatever the number of workers, and a task re-run after a worker dies gives the same rows.

Dask is imported when a function is first called, so ``import tokbudget`` never needs it.

>>> import dask.bag as db
>>> import tokbudget.dask
>>> bag = db.from_sequence(["hello world", "", "hi"], npartitions=2)
>>> tokbudget.dask.count(bag, encoding="cl100k_base").compute()
[2, 0, 1]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NoReturn

from tokbudget._util import require_choice
from tokbudget.counting import encoding_for, resolve_encoding
from tokbudget.errors import InvalidInputError, MissingDependencyError, SettingsError
from tokbudget.models.registry import get_model
from tokbudget.partitions import (
    cost_of_counts,
    count_series_with,
    count_texts,
    merge_totals,
    split_texts,
    unpack_partition,
)
from tokbudget.pricing import cost
from tokbudget.splitting.splitter import Splitter
from tokbudget.tokenizer.encoder import Encoder
from tokbudget.usage import UsageTotal

if TYPE_CHECKING:
    import dask.bag
    import dask.dataframe

__all__ = ["count", "estimate_cost", "split"]


def count(
    collection: dask.bag.Bag | dask.dataframe.Series,
    model: str | None = None,
    *,
    encoding: str | None = None,
) -> Any:
    """Return the token count of every text, lazily, in the input's order.

    Args:
        collection: a Dask bag of ``str`` or a Dask Series of ``str``.
        model: the model whose encoding counts (default gpt-4o).
        encoding: an encoding name instead of ``model``.

    Returns:
        A bag of ``int`` for a bag; for a Series, an ``int64`` Series named ``tokens``
        with the input's index and divisions. Call ``.compute()`` (or ``.sum()``) on it.

    Raises:
        InvalidInputError: when computed, if a partition holds a non-string; the message
            names the partition, the position (and index label) and the value's type.
    """
    encoder = resolve_encoding(model, encoding)  # bad names fail here, not in a task
    kind = _kind(collection, "count")
    if kind == "bag":
        return _per_bag_partition(collection, _count_bag_partition, encoder)
    import pandas as pd

    return _untyped(collection).map_partitions(
        _count_series_partition,
        encoder,
        meta=pd.Series([], dtype="int64", name="tokens"),
        enforce_metadata=False,
    )


def split(
    collection: dask.bag.Bag | dask.dataframe.Series,
    max_tokens: int | None = None,
    model: str | None = None,
    *,
    encoding: str | None = None,
    overlap: int | float = 0,
    ids: Literal["index", "position"] | None = None,
) -> Any:
    """Split every text into token-bounded chunks; return one row per chunk, lazily.

    Settings are those of :func:`tokbudget.split` (checked here, before any task runs).

    Args:
        collection: a Dask bag of ``str`` or a Dask Series of ``str``.
        max_tokens: most tokens per chunk (default: the model's input limit).
        model: the embedding model (default ``text-embedding-3-small``).
        encoding: an encoding name instead of ``model`` (then ``max_tokens`` is needed).
        overlap: tokens each chunk repeats from the previous one, or a fraction.
        ids: what ``document`` holds: ``"index"``, the Series's index label (the
            default for a Series: set the index to your document id), or
            ``"position"``, the text's 0-based position in the whole collection (the
            default, and the only choice, for a bag; it costs a first pass that counts
            each partition's texts).

    Returns:
        A Dask DataFrame with columns ``document``, ``chunk`` (0, 1, ... within a
        document), ``start``, ``end`` (character offsets into the document), ``tokens``
        and ``text``; documents in input order, then chunks in order. An empty text has
        no rows. The same input gives the same rows whatever the partitioning.
    """
    splitter = Splitter(max_tokens, model, encoding=encoding, overlap=overlap)
    kind = _kind(collection, "split")
    ids = ids or ("index" if kind == "series" else "position")
    require_choice("ids", ids, ("index", "position"))
    if kind == "bag" and ids == "index":
        raise SettingsError("a bag has no index: use ids='position' (the default for bags)")
    import dask.dataframe as dd
    from dask.delayed import delayed

    parts = _untyped(collection).to_delayed()
    if ids == "position":
        sizes = [delayed(len, pure=True)(part) for part in parts]
        starts: Any = delayed(_starts, pure=True)(sizes)
        index_meta = None
    else:
        starts = None
        import pandas as pd

        index_meta = pd.Index([], dtype=_untyped(collection).index.dtype)
    task = delayed(_split_partition, pure=True)
    frames = [task(part, splitter, i, starts) for i, part in enumerate(parts)]
    meta = split_texts([], splitter, ids=index_meta)
    return dd.from_delayed(frames, meta=meta, verify_meta=False)


def estimate_cost(
    collection: dask.bag.Bag | dask.dataframe.Series,
    model: str,
    *,
    output_tokens: int = 0,
    batch: bool = False,
    compute: bool = True,
) -> Any:
    """Return what sending every text to ``model`` costs: each text one request's input.

    Each document is priced on its own, as the API bills it (an embedding input, or a
    prompt with ``output_tokens`` of reply), exactly, in ``Decimal``; per-partition
    totals are added up on the client.

    Args:
        collection: a Dask bag of ``str`` or a Dask Series of ``str``.
        model: a model with a price in the registry (e.g. ``text-embedding-3-small``).
        output_tokens: reply tokens per document (0 for embeddings).
        batch: price at the model's Batch API rates.
        compute: ``False`` returns a ``dask.delayed`` object instead of the result.

    Returns:
        A :class:`tokbudget.UsageTotal`: ``requests`` (documents), token sums and the
        exact ``input``, ``output`` and ``total`` in USD.

    Raises:
        ContextOverflowError: a document does not fit one request (split it first);
            the message names its partition and position.
    """
    cost(model, 0, output_tokens, batch=batch)  # unknown model or price fails here
    encoder = encoding_for(model)
    _kind(collection, "estimate_cost")
    from dask.delayed import delayed

    task = delayed(_cost_partition, pure=True)
    totals = [
        task(part, encoder, model, output_tokens, batch, i)
        for i, part in enumerate(_untyped(collection).to_delayed())
    ]
    result = delayed(merge_totals, pure=True)(totals, model=get_model(model).name)
    return result.compute() if compute else result


# ------------------------------------------------------------------ partition tasks
# Module-level functions, so workers import them by name instead of unpickling code.


def _count_bag_partition(values: Any, encoder: Encoder, partition: int) -> list[int]:
    counts: list[int] = count_texts(values, encoder, partition=partition).tolist()
    return counts


def _count_series_partition(
    series: Any, encoder: Encoder, partition_info: dict[str, Any] | None = None
) -> Any:
    number = None if partition_info is None else int(partition_info["number"])
    return count_series_with(encoder, series, partition=number)


def _starts(sizes: list[int]) -> list[int]:
    """Each partition's first position in the whole collection."""
    out, total = [], 0
    for n in sizes:
        out.append(total)
        total += n
    return out


def _split_partition(
    part: Any, splitter: Splitter, partition: int, starts: list[int] | None
) -> Any:
    values, labels = unpack_partition(part)
    if starts is None:  # ids="index"
        ids = part.index
        return split_texts(values, splitter, ids=ids, partition=partition, labels=labels)
    first = starts[partition]
    return split_texts(values, splitter, first_id=first, partition=partition, labels=labels)


def _cost_partition(
    part: Any, encoder: Encoder, model: str, output_tokens: int, batch: bool, partition: int
) -> UsageTotal:
    values, labels = unpack_partition(part)
    counts = count_texts(values, encoder, partition=partition, labels=labels)
    return cost_of_counts(
        counts, model, output_tokens=output_tokens, batch=batch, partition=partition, labels=labels
    )


# ------------------------------------------------------------------ collections


def _per_bag_partition(bag: Any, func: Any, *args: Any) -> Any:
    """Map ``func(partition_values, *args, partition_number)`` over a bag's partitions."""
    import dask.bag as db
    from dask.delayed import delayed

    parts = bag.to_delayed()
    task = delayed(func, pure=True)
    return db.from_delayed([task(part, *args, i) for i, part in enumerate(parts)])


def _untyped(collection: Any) -> Any:
    return collection  # Dask's collection methods carry no annotations


def _kind(collection: Any, caller: str) -> Literal["bag", "series"]:
    """Tell a bag from a Series; anything else is a clear error that names the fix."""
    try:
        import dask.bag as db
    except ImportError as exc:
        _missing(str(exc.name or "dask"))

    if isinstance(collection, db.Bag):
        return "bag"
    try:
        import dask.dataframe as dd
    except ImportError as exc:
        _missing(str(exc.name or "pandas"))
    if isinstance(collection, dd.Series):
        return "series"
    if isinstance(collection, dd.DataFrame):
        columns = ", ".join(repr(c) for c in collection.columns[:5])
        raise InvalidInputError(
            f"tokbudget.dask.{caller}() takes one text column, got a DataFrame with columns "
            f"[{columns}]; pass the column, e.g. df[{collection.columns[0]!r}]"
        )
    raise InvalidInputError(
        f"tokbudget.dask.{caller}() takes a dask.bag.Bag or dask.dataframe.Series of str, "
        f"got {type(collection).__name__}; for texts in memory use tokbudget.count_many(), "
        "or make a bag first: dask.bag.from_sequence(texts)"
    )


def _missing(package: str) -> NoReturn:
    raise MissingDependencyError(
        f"tokbudget.dask needs {package}, which is not installed; "
        "install the extra: pip install 'tokbudget[dask]'",
        package=package,
        extra="dask",
    ) from None
