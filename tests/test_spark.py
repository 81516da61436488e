"""The README's Spark recipe, run on a local Spark (2 cores): pandas UDFs over tokbudget.partitions.

Needs pyspark (the ``spark`` extra, part of ``test``) and a Java runtime (17+); without
either the module is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

import tokbudget
from tokbudget.partitions import cost_of_counts, count_series, split_series

from .documents import sample_documents

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (the 'spark' extra)")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java runtime for Spark (install Java 17+)", allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql.functions import pandas_udf  # noqa: E402

pytestmark = [
    pytest.mark.slow,  # a SparkSession (JVM) takes seconds to start
    pytest.mark.filterwarnings(
        # pyspark 4 warns that it does not fully support pandas 3; the recipe's UDFs only
        # pass Series of str and int64 (tested here), which it does support.
        "ignore:PySpark does not yet fully support pandas:FutureWarning",
    ),
]

DOCS = [d.encode("utf-8", "replace").decode("utf-8") for d in sample_documents(2000, seed=9)]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    saved = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # workers must see tokbudget
    session = (
        SparkSession.builder.master("local[2]")
        .appName("tokbudget-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
        if saved is None:
            os.environ.pop("PYSPARK_PYTHON", None)
        else:
            os.environ["PYSPARK_PYTHON"] = saved


@pytest.fixture(scope="module")
def n_tokens(spark: Any) -> Any:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "PySpark does not yet fully support", FutureWarning)

        # The recipe, as in the README.
        @pandas_udf("long")  # type: ignore[untyped-decorator]
        def n_tokens(texts: pd.Series) -> pd.Series:
            return count_series(texts, model="gpt-4o")

    return n_tokens


def test_count_udf_equals_count_many(spark: Any, n_tokens: Any) -> None:
    rows = spark.sparkContext.parallelize(list(enumerate(DOCS)), 5)
    df = spark.createDataFrame(rows, "id long, text string")
    got = sorted(df.select("id", n_tokens("text").alias("tokens")).collect())
    assert [r.id for r in got] == list(range(len(DOCS)))
    assert [r.tokens for r in got] == tokbudget.count_many(DOCS, model="gpt-4o").tolist()


def test_count_udf_error_names_the_missing_value(spark: Any, n_tokens: Any) -> None:
    df = spark.createDataFrame([(0, "fine"), (1, None)], "id long, text string").coalesce(1)
    with pytest.raises(Exception, match=r"position 1 \(index 1\) is a missing value"):
        df.select(n_tokens("text")).collect()


def test_cost_from_a_token_histogram(spark: Any, n_tokens: Any) -> None:
    # The recipe's cost step: a histogram of counts is small whatever the corpus size.
    rows = spark.sparkContext.parallelize([(d,) for d in DOCS], 4)
    df = spark.createDataFrame(rows, "text string").select(n_tokens("text").alias("tokens"))
    hist = df.groupBy("tokens").count().collect()
    total = cost_of_counts(
        [r["tokens"] for r in hist], "gpt-4o", repeats=[r["count"] for r in hist]
    )
    assert total == cost_of_counts(tokbudget.count_many(DOCS, model="gpt-4o"), "gpt-4o")
    assert total.requests == len(DOCS)


CHUNK_SCHEMA = "document long, chunk long, start long, end long, tokens long, text string"


def chunk_rows(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    # The recipe's split step, for DataFrame.mapInPandas: one chunk table per batch.
    for frame in frames:
        yield split_series(frame.set_index("id")["text"], max_tokens=128)


def test_split_with_map_in_pandas_equals_split(spark: Any) -> None:
    rows = spark.sparkContext.parallelize(list(enumerate(DOCS[:600])), 3)
    df = spark.createDataFrame(rows, "id long, text string")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "PySpark does not yet fully support", FutureWarning)
        chunks = df.mapInPandas(chunk_rows, CHUNK_SCHEMA)
    got = sorted(tuple(r) for r in chunks.collect())
    expected = [
        (i, j, c.start, c.end, c.tokens, c.text)
        for i, doc in enumerate(DOCS[:600])
        for j, c in enumerate(tokbudget.split(doc, 128))
    ]
    assert got == expected
