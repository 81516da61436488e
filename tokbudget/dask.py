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

from tokbudget.counting import resolve_encoding
from tokbudget.encoder import Encoder
from tokbudget.errors import InvalidInputError, MissingDependencyError
from tokbudget.partitions import count_series_with, count_texts

if TYPE_CHECKING:
    import dask.bag
    import dask.dataframe

__all__ = ["count"]

Collection = Any
"""A ``dask.bag.Bag`` of ``str`` or a ``dask.dataframe.Series`` of ``str``."""


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

    series: Any = collection  # dask's DataFrame methods are untyped
    return series.map_partitions(
        _count_series_partition,
        encoder,
        meta=pd.Series([], dtype="int64", name="tokens"),
        enforce_metadata=False,
    )


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


# ------------------------------------------------------------------ collections


def _per_bag_partition(bag: Any, func: Any, *args: Any) -> Any:
    """Map ``func(partition_values, *args, partition_number)`` over a bag's partitions."""
    import dask.bag as db
    from dask.delayed import delayed

    parts = bag.to_delayed()
    task = delayed(func, pure=True)
    return db.from_delayed(  # type: ignore[no-untyped-call]
        [task(part, *args, i) for i, part in enumerate(parts)]
    )


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
