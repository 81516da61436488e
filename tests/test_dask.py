"""tokbudget.dask on a real distributed cluster: 2 worker processes, not threads.

One cluster serves the whole module (starting one takes seconds). Results are compared
with the single-process functions on a few thousand real and generated documents.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import dask
import dask.bag as db
import dask.dataframe as dd
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import tokbudget
import tokbudget.dask as tdask
import tokbudget.tokenizer.encoder
from tokbudget import InvalidInputError, MissingDependencyError

from .documents import sample_documents

DOCS = sample_documents(3000, seed=6)
# pyarrow strings (Dask's default for text columns) are UTF-8: no lone surrogates.
CLEAN_DOCS = [d.encode("utf-8", "replace").decode("utf-8") for d in DOCS]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Client]:
    """A client of a two-process LocalCluster; a test using it must be marked slow (conftest)."""
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 3}),
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            worker_dashboard_address=None,
        ) as local,
        Client(local) as c,
    ):
        yield c


@pytest.mark.slow  # on the LocalCluster
def test_cluster_runs_separate_worker_processes(cluster: Client) -> None:
    pids = cluster.run(os.getpid)
    assert len(set(pids.values())) == 2
    assert os.getpid() not in pids.values()


@pytest.mark.slow  # on the LocalCluster
def test_bag_counts_equal_single_process(cluster: Client) -> None:
    bag = db.from_sequence(DOCS, npartitions=13)
    got = tdask.count(bag, model="gpt-4o").compute()
    assert got == tokbudget.count_many(DOCS, model="gpt-4o").tolist()
    # Each worker built the encoder it used, by name: nothing was shipped but the name.
    built = cluster.run(lambda: sorted(tokbudget.tokenizer.encoder._CACHE))
    assert all(names == ["o200k_base"] for names in built.values()), built


@pytest.mark.slow  # on the LocalCluster
def test_series_counts_keep_index_and_order(cluster: Client) -> None:
    index = [f"doc-{i:05d}" for i in range(len(CLEAN_DOCS))]
    frame = pd.DataFrame({"text": CLEAN_DOCS, "lang": "x"}, index=index)
    ddf = dd.from_pandas(frame, npartitions=7)
    got = tdask.count(ddf["text"], encoding="cl100k_base")
    assert got.npartitions == 7
    assert got.divisions == ddf.divisions
    series = got.compute()
    assert series.name == "tokens"
    assert str(series.dtype) == "int64"
    assert series.index.tolist() == index
    assert series.tolist() == tokbudget.count_many(CLEAN_DOCS, encoding="cl100k_base").tolist()


@pytest.mark.slow  # on the LocalCluster
def test_output_is_deterministic_whatever_the_partitioning(cluster: Client) -> None:
    first = tdask.count(db.from_sequence(DOCS, npartitions=5), model="gpt-4").compute()
    again = tdask.count(db.from_sequence(DOCS, npartitions=5), model="gpt-4").compute()
    other = tdask.count(db.from_sequence(DOCS, npartitions=31), model="gpt-4").compute()
    assert first == again == other


def _die_once(values: list[str], marker: str, victim: str) -> list[str]:
    # Runs on a worker: the first time it meets ``victim`` it kills its own process,
    # as the OOM killer or a lost machine would. The marker makes the retry succeed.
    if victim in values and not os.path.exists(marker):
        Path(marker).write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return values


@pytest.mark.slow  # on the LocalCluster
def test_worker_killed_mid_run_is_retried_nothing_lost_or_duplicated(
    cluster: Client, tmp_path: Path
) -> None:
    marker = tmp_path / "killed"
    victim = DOCS[1777]
    before = set(cluster.run(os.getpid).values())
    bag = db.from_sequence(DOCS, npartitions=20).map_partitions(_die_once, str(marker), victim)
    got = tdask.count(bag, model="gpt-4o").compute()
    assert marker.exists(), "no worker was killed: the test proved nothing"
    killed = int(marker.read_text())
    assert killed in before
    assert got == tokbudget.count_many(DOCS, model="gpt-4o").tolist()
    cluster.wait_for_workers(2)
    after = set(cluster.run(os.getpid).values())
    assert killed not in after  # the nanny replaced it


@pytest.mark.slow  # on the LocalCluster
def test_non_string_names_partition_position_and_type(cluster: Client) -> None:
    docs: list[Any] = ["ok"] * 100
    docs[57] = b"raw bytes"
    bag = db.from_sequence(docs, npartitions=4)  # 25 per partition: 57 is #2, position 7
    with pytest.raises(InvalidInputError, match=r"partition 2, position 7 .*bytes") as info:
        tdask.count(bag).compute()
    assert (info.value.partition, info.value.position) == (2, 7)

    frame = pd.DataFrame({"text": ["a", "b", None, "d"]}, index=["w", "x", "y", "z"])
    column = dd.from_pandas(frame, npartitions=2)["text"]
    with pytest.raises(InvalidInputError, match=r"partition 1, position 0 \(index 'y'\)"):
        tdask.count(column).compute()


def test_wrong_collection_types_say_what_to_pass() -> None:
    ddf = dd.from_pandas(pd.DataFrame({"body": ["a"]}), npartitions=1)
    with pytest.raises(InvalidInputError, match=r"pass the column, e.g. df\['body'\]"):
        tdask.count(ddf)
    with pytest.raises(InvalidInputError, match=r"got list; .*count_many"):
        tdask.count(["a", "b"])  # type: ignore[arg-type]
    with pytest.raises(tokbudget.UnknownModelError):  # on the client, before any task
        tdask.count(db.from_sequence(["a"]), model="gpt-nope")


def test_missing_dask_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dask.bag", None)  # makes `import dask.bag` fail
    with pytest.raises(MissingDependencyError, match=r"pip install 'tokbudget\[dask\]'"):
        tdask.count(object())  # type: ignore[arg-type]


def test_importing_tokbudget_does_not_import_dask() -> None:
    code = (
        "import sys, tokbudget, tokbudget.dask, tokbudget.partitions; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'pandas')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert out.stdout.strip() == b"[]"


@pytest.mark.slow  # on the LocalCluster
def test_estimate_cost_equals_pricing_every_document(cluster: Client) -> None:
    model = "text-embedding-3-small"
    short = [d[:2000] for d in DOCS]  # within the model's 8,191 tokens per input
    expected = sum(
        (tokbudget.cost(model, n).total for n in tokbudget.count_many(short, model=model)),
        Decimal(0),
    )
    bag_total = tdask.estimate_cost(db.from_sequence(short, npartitions=9), model)
    assert isinstance(bag_total, tokbudget.UsageTotal)
    assert bag_total.total == expected
    assert bag_total.requests == len(short)
    column = dd.from_pandas(pd.Series(CLEAN_DOCS), npartitions=4)
    lazy = tdask.estimate_cost(column, "gpt-4o", output_tokens=50, compute=False)
    chat = lazy.compute()
    counts = tokbudget.count_many(CLEAN_DOCS, model="gpt-4o")
    assert chat.total == sum(
        (tokbudget.cost("gpt-4o", n, 50).total for n in counts.tolist()), Decimal(0)
    )
    assert chat.output_tokens == 50 * len(CLEAN_DOCS)


@pytest.mark.slow  # on the LocalCluster
def test_estimate_cost_errors(cluster: Client) -> None:
    big = ["word " * 9000, "ok"]
    with pytest.raises(tokbudget.ContextOverflowError, match="partition 0, position 0 needs"):
        tdask.estimate_cost(db.from_sequence(big), "text-embedding-3-small")
    with pytest.raises(tokbudget.SettingsError, match="embedding model"):  # on the client
        tdask.estimate_cost(db.from_sequence(big), "text-embedding-3-small", output_tokens=5)


# ---------------------------------------------------------------------------- split


def _expected_rows(docs: list[str], ids: list[Any], **settings: Any) -> list[tuple[Any, ...]]:
    rows = []
    for doc_id, doc in zip(ids, docs, strict=True):
        for j, c in enumerate(tokbudget.split(doc, **settings)):
            rows.append((doc_id, j, c.start, c.end, c.tokens, c.text))
    return rows


def _rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    assert list(frame.columns) == ["document", "chunk", "start", "end", "tokens", "text"]
    return list(frame.itertuples(index=False, name=None))


@pytest.mark.slow  # on the LocalCluster
def test_bag_chunks_equal_single_process(cluster: Client) -> None:
    settings: dict[str, Any] = {"max_tokens": 200, "model": "text-embedding-3-small"}
    frame = tdask.split(db.from_sequence(DOCS, npartitions=11), **settings).compute()
    assert _rows(frame) == _expected_rows(DOCS, list(range(len(DOCS))), **settings)
    assert frame["tokens"].max() <= 200


@pytest.mark.slow  # on the LocalCluster
def test_series_chunks_keep_document_ids_and_overlap(cluster: Client) -> None:
    index = [f"doc-{i:05d}" for i in range(len(CLEAN_DOCS))]
    column = dd.from_pandas(pd.Series(CLEAN_DOCS, index=index), npartitions=6)
    settings: dict[str, Any] = {"max_tokens": 64, "encoding": "cl100k_base", "overlap": 16}
    chunks = tdask.split(column, **settings)
    assert list(chunks.dtypes.index) == ["document", "chunk", "start", "end", "tokens", "text"]
    assert _rows(chunks.compute()) == _expected_rows(CLEAN_DOCS, index, **settings)
    by_position = tdask.split(column, **settings, ids="position").compute()
    assert by_position["document"].tolist() == [int(d[4:]) for d in chunks.compute()["document"]]


@pytest.mark.slow  # on the LocalCluster
def test_split_is_deterministic_whatever_the_partitioning(cluster: Client) -> None:
    frames = [
        tdask.split(db.from_sequence(DOCS[:800], npartitions=n), 128).compute() for n in (1, 7, 40)
    ]
    assert _rows(frames[0]) == _rows(frames[1]) == _rows(frames[2])


@pytest.mark.slow  # on the LocalCluster
def test_split_survives_a_killed_worker(cluster: Client, tmp_path: Path) -> None:
    marker = tmp_path / "killed"
    bag = db.from_sequence(DOCS, npartitions=20).map_partitions(_die_once, str(marker), DOCS[2222])
    frame = tdask.split(bag, 300).compute()
    assert marker.exists(), "no worker was killed: the test proved nothing"
    expected = _expected_rows(DOCS, list(range(len(DOCS))), max_tokens=300)
    assert _rows(frame) == expected  # nothing lost, nothing twice, in order


@pytest.mark.slow  # on the LocalCluster
def test_split_settings_and_input_errors(cluster: Client) -> None:
    bag = db.from_sequence(["a", None, "b"], npartitions=1)
    with pytest.raises(tokbudget.SettingsError, match="overlap"):  # on the client
        tdask.split(bag, 10, overlap=10)
    with pytest.raises(tokbudget.SettingsError, match="a bag has no index"):
        tdask.split(bag, 10, ids="index")
    with pytest.raises(InvalidInputError, match=r"partition 0, position 1 is a missing value"):
        tdask.split(bag, 10).compute()
