"""The command group itself: lazy commands, version, exit codes, closed pipes, error wording."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import click
import pytest

import tokbudget
from tokbudget.cli import app, main
from tokbudget.cli._output import emit_json

CLI = [sys.executable, "-m", "tokbudget"]


def test_help_imports_no_command(tmp_path: Path) -> None:
    # `tokbudget --help` lists every command but loads none: no web server, no workers.
    code = (
        "import sys\n"
        "from tokbudget.cli import main\n"
        "assert main(['--help']) == 0\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(out.split())
    assert "tokbudget.cli.app" in loaded
    heavy = ("tokbudget.web", "http.server", "multiprocessing", "concurrent.futures.process")
    assert not {m for m in loaded if m.startswith(heavy) or m.endswith("_cmd") or "tqdm" in m}


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in app.COMMANDS:
        assert f"\n  {name} " in out


@pytest.mark.parametrize("name", sorted(app.COMMANDS))
def test_table_matches_the_commands(name: str) -> None:
    entry = app.COMMANDS[name]
    command = getattr(importlib.import_module(f"tokbudget.cli.{entry.module}"), entry.attr)
    assert isinstance(command, click.Command) and command.name == name
    assert entry.short_help == command.get_short_help_str(limit=1000)


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    assert tokbudget.__version__ == version("tokbudget")
    assert main(["--version"]) == 0
    assert tokbudget.__version__ in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [["models", "--json"], ["models"], ["split", "-", "--max-tokens", "5"], ["count", "-"]],
)
def test_a_closed_pipe_exits_quietly(argv: list[str], tmp_path: Path) -> None:
    # The reader is gone before the command writes (`... | head -1` that already quit).
    stdin = tmp_path / "in.txt"
    stdin.write_text("one two three four five six seven\n" * 20_000)
    with (
        stdin.open("rb") as fh,
        subprocess.Popen(
            [*CLI, *argv], stdin=fh, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ) as proc,
    ):
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait() == 0, err
    assert err == ""


def test_unknown_model_suggests_by_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", "--text", "hi", "-m", "GPT-4o"]) == 2
    err = capsys.readouterr().err
    assert "did you mean gpt-4o?" in err and "encoding=" not in err and "-e ENCODING" in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["check", "-o", "100000"], "-o/--max-output 100,000 is more than gpt-4o's cap"),
        (["check", "-r", "127999", "-o", "10"], "-r/--reserve 127,999 with 10 output"),
        (["truncate", "-n", "1", "--marker", "xx yy zz"], "(--marker '' for none)"),
        (["count", "-m", "gpt-4o", "-e", "cl100k_base"], "give -m/--model or -e/--encoding"),
        (["split", "-e", "cl100k_base"], "--max-tokens is required with -e"),
        (["truncate", "-n", "1", "--marker", "a b c"], "more than -n/--max-tokens 1"),
        (["cost", "-m", "gpt-4o", "--output-tokens", "100000"], "--output-tokens is 100,000"),
    ],
)
def test_errors_name_flags_not_arguments(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--text", "hello world"]) == 2
    err = capsys.readouterr().err
    assert needle in err, err
    for argument in ("max_output_tokens", "max_tokens", "reserve=", "marker=", "encoding="):
        assert argument not in err


def test_dash_o_zero_is_refused_by_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    assert "at least 1" in capsys.readouterr().out
    assert main(["check", "--text", "hi", "-o", "0"]) == 2
    assert "'-o' / '--max-output': 0 is not in the range x>=1" in capsys.readouterr().err


def test_python_dash_m(tmp_path: Path) -> None:
    out = subprocess.run(
        [*CLI, "count", "--json", "--text", "hello world"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NO_COLOR": "1"},
    ).stdout
    assert json.loads(out)["total"]["tokens"] == 2


def test_emit_json_writes_raw_values_in_place(capsys: pytest.CaptureFixture[str]) -> None:
    data = {"a": 1, "tokens": None, "z": "naïve \x00 text"}
    emit_json(data, raw={"tokens": '[{"id":1}]'})
    out = capsys.readouterr().out
    assert list(json.loads(out)) == ["a", "tokens", "z"]
    assert json.loads(out) == {"a": 1, "tokens": [{"id": 1}], "z": "naïve \x00 text"}
    assert data["tokens"] is None  # the caller's dict is left alone
