"""`tokbudget count` with several -m: a column per model, each exact, the input read once."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import tokbudget
from tokbudget.cli import _parallel

from .conftest import raw_encoding
from .helpers import run_cli as run
from .strategies import boundary_text

MODELS = {"gpt-4": "cl100k_base", "gpt-4o": "o200k_base", "gpt-5": "o200k_base"}


@pytest.fixture
def two_files(tmp_path: Path) -> list[str]:
    a = tmp_path / "a.txt"
    a.write_text("hello world")
    b = tmp_path / "b.txt"
    b.write_text("naïve 日本語 🙂 <|endoftext|>\n" * 50)
    return [str(a), str(b)]


def _exact(path: str, model: str) -> int:
    return len(raw_encoding(MODELS[model]).encode_ordinary(Path(path).read_text()))


def test_a_column_per_model_repeats_dropped(
    two_files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["count", *two_files, "-m", "gpt-4", "-m", "gpt-4o", "-m", "gpt-4", "-m", "gpt-5"]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    header, *rows = [line.split() for line in out.splitlines()]
    assert header == ["file", "gpt-4", "gpt-4o", "gpt-5"]
    for row, path in zip(rows, two_files, strict=False):
        assert row == [path, *(f"{_exact(path, m):,}" for m in ("gpt-4", "gpt-4o", "gpt-5"))]
    totals = [sum(_exact(p, m) for p in two_files) for m in ("gpt-4", "gpt-4o", "gpt-5")]
    assert rows[-1] == ["total", *(f"{n:,}" for n in totals)]
    assert len(rows) == 3
    assert totals[0] != totals[1]  # the columns really come from different encodings


def test_json_is_one_document_per_model(
    two_files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["count", *two_files, "-m", "gpt-4", "-m", "gpt-4o", "--json"], capsys)
    assert code == 0
    docs = json.loads(out)
    for model, doc in zip(["gpt-4", "gpt-4o"], docs, strict=True):
        code, single, _ = run(["count", *two_files, "-m", model, "--json"], capsys)
        assert doc == json.loads(single)
        assert doc["encoding"] == MODELS[model]
    # One -m keeps the document it always printed.
    code, out, _ = run(["count", *two_files, "-m", "gpt-4", "-m", "gpt-4", "--json"], capsys)
    assert json.loads(out)["model"] == "gpt-4"


def test_stdin_is_read_once_for_every_model(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "naïve 日本語 🙂 and more\n" * 300
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code, out, _ = run(["count", "-m", "gpt-4", "-m", "gpt-4o", "--json"], capsys)
    assert code == 0
    got = [doc["files"][0]["tokens"] for doc in json.loads(out)]
    assert got == [tokbudget.count(text, "gpt-4"), tokbudget.count(text, "gpt-4o")]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25)
@given(text=boundary_text)
def test_streamed_counts_stay_exact_for_every_model(
    text: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small blocks and pieces: each file is cut in many places, differently per encoding.
    monkeypatch.setattr("tokbudget.cli._io.BLOCK", 37)
    monkeypatch.setattr("tokbudget.cli.count_cmd.BLOCK", 53)
    monkeypatch.setattr("tokbudget.counting._PIECE", 16)
    data = text.encode("utf-8", "replace")
    path = tmp_path / "t.txt"
    path.write_bytes(data * 3)
    code, out, err = run(["count", str(path), "-m", "gpt-4", "-m", "gpt-4o", "--json"], capsys)
    assert code == 0, err
    whole = data.decode() * 3
    for doc in json.loads(out):
        assert doc["total"]["tokens"] == len(raw_encoding(doc["encoding"]).encode_ordinary(whole))


def test_jobs_2_equals_jobs_1(
    two_files: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr("tokbudget.cli.count_cmd.BLOCK", 101)
    argv = ["count", *two_files, *two_files, "-m", "gpt-4", "-m", "gpt-4o", "--json"]
    one = run([*argv, "--jobs", "1"], capsys)
    two = run([*argv, "--jobs", "2", "--summary"], capsys)
    assert one[:2] == two[:2]
    assert "2 jobs)" in two[2]


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["-m", "gpt-4", "-e", "cl100k_base"], "not both"),
        (["-m", "gpt-4", "-m", "gpt-4oo"], "unknown model 'gpt-4oo'"),
        (["--messages", "-m", "gpt-4", "-m", "gpt-4o"], "one model at a time"),
    ],
)
def test_usage_errors(
    extra: list[str], needle: str, two_files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["count", two_files[0], *extra], capsys)
    assert (code, out) == (2, "")
    assert needle in err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_columns_of_a_directory_skip_an_undecodable_file(
    jobs: str, two_files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # The two issue-15 features together: a column per -m, and a bad file of a directory
    # dropped from every column (and the totals), named on stderr, exit 2.
    folder = Path(two_files[0]).parent
    bad = folder / "bad.txt"
    bad.write_bytes(b"ok " * 5000 + b"caf\xe9")
    argv = ["count", str(folder), "-m", "gpt-4", "-m", "gpt-4o", "--jobs", jobs]
    code, out, err = run(argv, capsys)
    assert code == 2
    assert f"skipped {bad}: not UTF-8 text: invalid byte 0xe9 at byte offset 15003" in err
    rows = [line.split() for line in out.splitlines()[1:]]
    assert [r[0] for r in rows] == [*two_files, "total"]
    for m, col in (("gpt-4", 1), ("gpt-4o", 2)):
        assert rows[-1][col] == f"{sum(_exact(p, m) for p in two_files):,}"
    code, out, _ = run([*argv, "--skip-undecodable", "--json"], capsys)
    assert code == 0
    assert [[f["file"] for f in doc["files"]] for doc in json.loads(out)] == [two_files] * 2
