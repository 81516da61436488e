"""Many files on every core: globs, --jobs, progress, summary; output independent of --jobs."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from click import ClickException

import tokbudget
from tokbudget.cli import _parallel
from tokbudget.cli._parallel import Summary, Workers
from tokbudget.money import money

from .conftest import real_texts
from .documents import sample_documents
from .helpers import run_cli as run


@pytest.fixture
def many_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """A folder of real and generated files, some empty, some read in many blocks."""
    # Tiny blocks and pieces, and no size threshold: many tasks go to the workers even for
    # this small input, and a file's pieces are spread over both workers.
    monkeypatch.setattr(_parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr("tokbudget.cli._io.BLOCK", 4093)
    monkeypatch.setattr("tokbudget.cli.count_cmd.BLOCK", 4093)
    monkeypatch.setattr("tokbudget.counting._PIECE", 3000)
    paths = []
    for name, text in real_texts().items():
        path = tmp_path / "real" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8") * 4)
        paths.append(path)
    docs = sample_documents(120, seed=2)
    for i, doc in enumerate(docs):
        path = tmp_path / "gen" / f"{i:03d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(doc.encode("utf-8", "replace"))  # files hold UTF-8: no surrogates
        paths.append(path)
    return paths


def test_summary_prices_through_cost_with_its_tiers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 11: the summary priced 300,001 tokens on gpt-5.4 at the base rate ($0.75)
    # while `show` used the long-context tier ($1.50). Both now price through cost().
    path = tmp_path / "a.txt"
    path.write_text("hello world " * 150_000)  # 300,001 tokens on o200k_base
    n = tokbudget.count(path.read_text(), model="gpt-5.4")
    assert n > 272_000
    code, _, err = run(["count", "--summary", "-m", "gpt-5.4", str(path)], capsys)
    assert code == 0
    assert f"{money(tokbudget.cost('gpt-5.4', n).total)} as gpt-5.4 input" in err
    assert tokbudget.cost("gpt-5.4", n).tier == 272_000


@pytest.mark.parametrize("name", ["gpt-5.9-mini-2027-01-01", "gpt-6.9-nova"])
def test_summary_of_a_family_name_says_no_price(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 10 item 6: a name that resolves only by family counts, exits 0, says why.
    path = tmp_path / "a.txt"
    path.write_text("hello world")
    code, out, err = run(["count", "--summary", "-m", name, str(path)], capsys)
    assert (code, out.split()[0]) == (0, "2")
    assert f"no price: {name} resolves by family to o200k_base (not in the registry)" in err


@pytest.mark.parametrize("fmt", [[], ["--json"]])
def test_jobs_2_output_is_byte_identical_to_jobs_1(
    many_files: list[Path], fmt: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["count", *map(str, many_files), *fmt]
    code1, out1, err1 = run([*args, "--jobs", "1", "--summary"], capsys)
    code2, out2, err2 = run([*args, "--jobs", "2", "--summary"], capsys)
    assert code1 == code2 == 0
    assert out1 == out2
    assert "1 job)" in err1 and "2 jobs)" in err2  # really ran on two processes
    # And the numbers are right, not merely equal.
    if fmt:
        doc = json.loads(out2)
        expected = [tokbudget.count(p.read_bytes().decode()) for p in many_files]
        assert [r["tokens"] for r in doc["files"]] == expected


def test_quoted_globs_expand_recursively_in_sorted_order(
    many_files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = many_files[0].parent.parent
    code, out, _ = run(["count", "--json", "-j", "2", f"{root}/**/*.txt"], capsys)
    assert code == 0
    names = [r["file"] for r in json.loads(out)["files"]]
    assert names == sorted(str(p) for p in many_files)


def test_glob_without_match_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["count", f"{tmp_path}/*.nothing"], capsys)
    assert code == 2
    assert f"no files match '{tmp_path}/*.nothing'" in err


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("command", ["count", "split"])
def test_undecodable_file_reports_offset_for_any_jobs(
    command: str, jobs: str, many_files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = many_files[0].parent / "latin1.txt"
    bad.write_bytes(b"ok " * 5000 + b"caf\xe9")
    code, _, err = run([command, "-j", jobs, str(many_files[1]), str(bad)], capsys)
    assert code == 2
    assert f"{bad} is not UTF-8 text: invalid byte 0xe9 at byte offset 15003" in err
    assert "Traceback" not in err


def test_jobs_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["count", "--jobs", "0"], capsys)
    assert code == 2
    assert "--jobs" in err


def test_summary_line(many_files: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    files = many_files[:3]
    total_bytes = sum(p.stat().st_size for p in files)
    tokens = sum(tokbudget.count(p.read_bytes().decode()) for p in files)
    code, _, err = run(["count", "--summary", *map(str, files)], capsys)
    assert code == 0
    assert err.startswith(f"tokbudget: 3 files, {total_bytes / 1000:,.1f} KB, {tokens:,} tokens, $")
    assert "B/s, " in err and " tokens/s, " in err
    # Not a terminal: no summary unless asked.
    code, _, err = run(["count", *map(str, files)], capsys)
    assert (code, err) == (0, "")


def test_progress_bar_only_on_a_terminal(
    many_files: list[Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, _, err = run(["count", "-j", "1", str(many_files[0])], capsys)
    assert "counting:" not in err  # a quick run shows no bar, only the summary
    monkeypatch.setattr(_parallel, "PROGRESS_DELAY", 0)
    code, out, err = run(["count", "-j", "1", *map(str, many_files)], capsys)
    assert code == 0
    assert "counting:" in err and "tokbudget: " in err  # the bar, then the summary
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    code, out2, err = run(["count", "-j", "1", *map(str, many_files)], capsys)
    assert (out2, err) == (out, "")


def _pid(_: int) -> int:
    return os.getpid()


def test_workers_run_in_other_processes_and_keep_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_parallel, "_WINDOW_PER_JOB", 1)
    with Workers(2) as workers:
        assert workers.jobs == 2
        got = list(workers.map(_pid, ((i, i) for i in range(40))))
    assert [k for k, _ in got] == list(range(40))
    pids = {pid for _, pid in got}
    assert os.getpid() not in pids
    with Workers(2, input_bytes=10) as workers:  # too small to be worth processes
        assert workers.jobs == 1
        assert {pid for _, pid in workers.map(_pid, [(0, 0)])} == {os.getpid()}


def test_a_dead_worker_is_a_clear_error() -> None:
    with pytest.raises(ClickException, match="a worker process died"), Workers(2) as workers:
        list(workers.map(os._exit, [(0, 3)]))


def test_summary_formats_sizes_and_rates() -> None:
    s = Summary(files=1, bytes=999, tokens=5, jobs=1, started=0.0)
    assert s.line().startswith("tokbudget: 1 file, 999 B, 5 tokens in ")
    s = Summary(files=2, bytes=250_000_000, tokens=60_000_000, chunks=7, cost="$1.50 input")
    assert "2 files, 250.0 MB, 60,000,000 tokens, 7 chunks, $1.50 input in " in s.line()


def test_summary_prices_the_tokens_as_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello world " * 100_000)
    n = tokbudget.count(path.read_text(), model="gpt-4o")
    code, _, err = run(["count", "--summary", "-m", "gpt-4o", str(path)], capsys)
    assert code == 0
    # Priced by tokbudget.cost (one pricing path), shown by the one money format.
    assert f"{n:,} tokens, {money(tokbudget.cost('gpt-4o', n).total)} as gpt-4o input in " in err
    code, _, err = run(["count", "--summary", "-m", "text-embedding-3-small", str(path)], capsys)
    assert ", $0.00400002 as text-embedding-3-small input in " in err  # 200,001 tokens
    code, _, err = run(["count", "--summary", "-e", "cl100k_base", str(path)], capsys)
    assert " tokens in " in err and "input" not in err  # an encoding has no price


@pytest.mark.parametrize(
    "fmt", [["--format", "jsonl"], ["--format", "text"], ["--json"]], ids=["jsonl", "text", "json"]
)
def test_split_jobs_2_output_is_byte_identical_to_jobs_1(
    many_files: list[Path],
    fmt: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Files of 20 KB and more are streamed by the main process, the others go to workers:
    # both paths interleave in one run.
    monkeypatch.setattr("tokbudget.cli.split_cmd.INLINE_BYTES", 20_000)
    args = ["split", *map(str, many_files), "--max-tokens", "50", "--overlap", "5", *fmt]
    code1, out1, err1 = run([*args, "-j", "1", "--summary"], capsys)
    code2, out2, err2 = run([*args, "-j", "2", "--summary"], capsys)
    assert code1 == code2 == 0
    assert out1 == out2
    assert "1 job)" in err1 and "2 jobs)" in err2
    if fmt == ["--format", "jsonl"]:
        rows = [json.loads(line) for line in out2.splitlines()]
        expected = [
            (str(p), c.start, c.end, c.tokens, c.text)
            for p in many_files
            for c in tokbudget.split(p.read_bytes().decode(), 50, overlap=5)
        ]
        assert [(r["file"], r["start"], r["end"], r["tokens"], r["text"]) for r in rows] == (
            expected
        )
        chunks = len(expected)
        assert f" tokens, {chunks:,} chunks, $" in err2
