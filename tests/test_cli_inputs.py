"""What commands read (issue 15): --text, directories, and undecodable files in a glob or
directory, through main(argv)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tokbudget
from tokbudget.cli import _parallel

from .helpers import run_cli as run

WORDS = "some words, counted as they are"


@pytest.mark.parametrize(
    ("argv", "tokens"),
    [
        (["count", "--json"], lambda doc: doc["total"]["tokens"]),
        (["check", "--json"], lambda doc: doc["prompt_tokens"]),
        (["truncate", "-n", "100", "--json"], lambda doc: doc["tokens"]),
        (["show", "--json"], lambda doc: doc["count"]),
        (["cost", "-m", "gpt-4o", "--json"], lambda doc: doc[0]["total"]["input_tokens"]),
    ],
)
def test_text_counts_the_string_itself(
    argv: list[str], tokens: object, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*argv, "--text", WORDS], capsys)
    assert code == 0, err
    assert tokens(json.loads(out)) == tokbudget.count(WORDS)  # type: ignore[operator]


def test_text_and_files_do_not_mix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x")
    for command in ("count", "check", "cost"):
        code, _, err = run([command, str(path), "--text", "y"], capsys)
        assert code == 2 and "not both" in err


def test_text_on_split_and_truncate_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["split", "--text", WORDS, "--max-tokens", "3"], capsys)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and "".join(r["text"] for r in rows) == WORDS
    assert {r["file"] for r in rows} == {"<text>"}
    code, out, _ = run(["truncate", "--text", WORDS, "-n", "2"], capsys)
    assert code == 0 and WORDS.startswith(out) and tokbudget.count(out) <= 2


@pytest.mark.parametrize("command", ["count", "check", "truncate -n 5", "show", "cost", "split"])
def test_words_given_as_files_get_the_text_spelling(
    command: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # A ttok habit: `tokbudget count hello world` named two missing files and said only that.
    monkeypatch.chdir(tmp_path)
    name, *rest = command.split()
    words = ["hello"] if name in ("check", "truncate", "show") else ["hello", "world's"]
    code, out, err = run([name, *rest, *words], capsys)
    assert (code, out) == (2, "")
    quoted = "hello" if len(words) == 1 else "'hello world'\"'\"'s'"
    assert f"tokbudget {name} --text {quoted}" in err and "Traceback" not in err


@pytest.mark.parametrize("missing", ["notes.md", "docs/a", "hello world.txt"])
def test_a_missing_file_name_gets_no_text_hint(
    missing: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "real.txt").write_text("x")
    for argv in (["count", missing], ["count", "hello", "real.txt"]):
        code, _, err = run(argv, capsys)
        assert code == 2 and "file not found" in err and "--text" not in err


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    top = tmp_path / "docs"
    (top / "sub" / "deeper").mkdir(parents=True)
    (top / ".git").mkdir()
    (top / "a.md").write_text("alpha beta")
    (top / "sub" / "b.txt").write_text("gamma delta epsilon")
    (top / "sub" / "deeper" / "c.rst").write_text("zeta")
    (top / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (top / "sub" / "blob.bin").write_bytes(b"abc\x00def")
    (top / ".git" / "config").write_text("[core]")
    (top / ".hidden.txt").write_text("secret")
    return top


def test_directories_are_walked_for_text_files(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["count", str(tree), "--json"], capsys)
    assert code == 0, err
    files = [f["file"] for f in json.loads(out)["files"]]
    assert files == [
        str(tree / "a.md"),
        str(tree / "sub" / "b.txt"),
        str(tree / "sub" / "deeper" / "c.rst"),
    ]
    assert f"skipped {tree / 'logo.png'} (binary)" in err
    assert f"skipped {tree / 'sub' / 'blob.bin'} (binary)" in err
    assert ".git" not in err and "hidden" not in err  # hidden entries are not walked


@pytest.mark.parametrize("command", ["count", "split", "cost"])
def test_every_multi_file_command_takes_a_directory(
    command: str, tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([command, str(tree)], capsys)
    assert code == 0, err
    assert str(tree / "sub" / "deeper" / "c.rst") in out or command == "cost"
    if command == "cost":
        assert "alpha" not in out and out.startswith("model")


@pytest.mark.parametrize("command", ["count", "split", "cost"])
def test_a_directory_without_text_files_is_an_error(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run([command, str(empty)], capsys)
    assert code == 2 and out == "" and f"no text files under {empty}" in err
    binaries = tmp_path / "binaries"
    binaries.mkdir()
    (binaries / "x.gz").write_bytes(b"\x1f\x8b\x08\x00")
    (binaries / "y.bin").write_bytes(b"\x00\x01")
    code, out, err = run([command, str(binaries)], capsys)
    assert code == 2 and out == ""
    assert "x.gz (binary)" in err and "y.bin (binary)" in err and "no text files" in err


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    top = tmp_path / "mixed"
    top.mkdir()
    (top / "1.txt").write_text("one two three")
    (top / "2.txt").write_bytes(b"ok " * 1000 + b"caf\xe9 au lait")
    (top / "3.txt").write_text("four five")
    return top


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("how", ["dir", "glob"])
@pytest.mark.parametrize("command", ["count", "split", "cost"])
def test_an_undecodable_file_of_a_glob_or_directory_is_skipped(
    command: str,
    how: str,
    jobs: str,
    mixed: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_parallel, "PARALLEL_MIN_BYTES", 0)  # real workers with -j 2
    target = str(mixed) if how == "dir" else str(mixed / "*.txt")
    argv = [command, target] + (["-j", jobs] if command != "cost" else [])
    if command == "cost":
        argv += ["--json", "-m", "gpt-4o"]
    elif command == "count":
        argv += ["--json"]
    code, out, err = run(argv, capsys)
    assert code == 2
    bad = mixed / "2.txt"
    assert f"skipped {bad}: not UTF-8 text: invalid byte 0xe9 at byte offset 3003" in err
    assert "--skip-undecodable" in err and "Traceback" not in err
    assert str(bad) not in out  # nothing of it reaches the output
    assert str(mixed / "1.txt") in out and str(mixed / "3.txt") in out
    if command == "count":
        want = tokbudget.count("one two three") + tokbudget.count("four five")
        assert json.loads(out)["total"]["tokens"] == want
    code, again, err = run([*argv, "--skip-undecodable"], capsys)
    assert code == 0 and again == out and f"skipped {bad}" in err


def test_a_file_named_directly_still_stops_the_run(
    mixed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(mixed / n) for n in ("1.txt", "2.txt", "3.txt")]
    code, out, err = run(["count", *files, "--skip-undecodable"], capsys)
    assert code == 2 and out == ""
    assert "2.txt is not UTF-8 text: invalid byte 0xe9 at byte offset 3003" in err


def test_split_streams_a_big_file_of_a_directory_only_if_it_decodes(
    mixed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Files from this size on are split as a stream in the main process: the bad one must
    # leave no chunk behind.
    monkeypatch.setattr("tokbudget.cli.split_cmd.INLINE_BYTES", 10)
    monkeypatch.setattr(_parallel, "PARALLEL_MIN_BYTES", 0)
    code, out, err = run(["split", str(mixed), "-j", "2", "--max-tokens", "100"], capsys)
    assert code == 2
    files = {json.loads(line)["file"] for line in out.splitlines()}
    assert files == {str(mixed / "1.txt"), str(mixed / "3.txt")}
    assert "offset 3003" in err
