"""TOKBUDGET_MODEL through main(argv): every command's default, -m/-e over it, bad names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tokbudget.cli import main

from .helpers import run_cli as run

ENV = "TOKBUDGET_MODEL"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    text = tmp_path / "a.txt"
    text.write_text("hello world, naïve 🙂\n" * 3)
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({"messages": [{"role": "user", "content": "hi"}]}))
    own = tmp_path / "own.json"
    own.write_text(
        json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    )
    return {"text": str(text), "bare": str(bare), "own": str(own)}


def _model_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> object:
    code, out, err = run([*argv, "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    if isinstance(doc, list):  # cost: one row per model
        (doc,) = doc
    if "files" in doc and "model" in doc["files"][0]:  # count --messages
        return doc["files"][0]["model"]
    return doc["model"]


COMMANDS = [
    ["count", "{text}"],
    ["check", "{text}"],
    ["truncate", "{text}", "-n", "3"],
    ["show", "{text}"],
    ["cost", "{text}"],
    ["decode", "15339", "1917"],
    ["split", "{text}"],
    ["show", "{text}", "--chunks"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_variable_sets_every_commands_default(
    argv: list[str],
    files: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = [a.format(**files) for a in argv]
    monkeypatch.delenv(ENV, raising=False)
    builtin = _model_of(argv, capsys)
    assert builtin in ("gpt-4o", "text-embedding-3-small")
    monkeypatch.setenv(ENV, "gpt-4")
    assert _model_of(argv, capsys) == "gpt-4"
    assert _model_of([*argv, "-m", "gpt-5"], capsys) == "gpt-5"  # -m wins
    monkeypatch.setenv(ENV, "gpt-4oo")  # a typo: exit 2 naming the variable
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert "TOKBUDGET_MODEL='gpt-4oo' names no known model; did you mean gpt-4o" in err
    assert "Traceback" not in err
    assert _model_of([*argv, "-m", "gpt-5"], capsys) == "gpt-5"  # not read when -m is given


def test_encoding_option_does_not_read_the_variable(
    files: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "no-such-model")
    commands = [["count"], ["truncate", "-n", "2"], ["show"], ["split", "--max-tokens", "9"]]
    for argv in [*commands, ["encode", "-f"]]:
        code, _, err = run([*argv, files["text"], "-e", "cl100k_base"], capsys)
        assert code == 0, (argv, err)
    assert run(["decode", "15339", "-e", "cl100k_base"], capsys)[:2] == (0, "hello")


def test_variable_sets_the_encoding_of_encode(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "gpt-4")
    assert run(["encode", "hello world"], capsys)[:2] == (0, "15339 1917\n")  # cl100k_base
    assert run(["encode", "hello world", "-m", "gpt-4o"], capsys)[1] == "24912 2375\n"
    monkeypatch.setenv(ENV, "gpt-4oo")
    code, out, err = run(["encode", "hello world"], capsys)
    assert (code, out) == (2, "")
    assert "TOKBUDGET_MODEL='gpt-4oo'" in err


@pytest.mark.parametrize("argv", [["count", "--messages"], ["check"], ["cost"]])
def test_a_requests_own_model_outranks_the_variable(
    argv: list[str],
    files: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV, "gpt-4")
    assert _model_of([*argv, files["own"]], capsys) == "gpt-4o-mini"
    assert _model_of([*argv, files["bare"]], capsys) == "gpt-4"
    assert _model_of([*argv, files["own"], "-m", "gpt-5"], capsys) == "gpt-5"
    monkeypatch.setenv(ENV, "gpt-4oo")
    assert _model_of([*argv, files["own"]], capsys) == "gpt-4o-mini"  # not needed: not read
    code, _, err = run([*argv, files["bare"]], capsys)
    assert code == 2 and "TOKBUDGET_MODEL='gpt-4oo'" in err


def test_models_shows_the_default_and_its_source(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    code, out, _ = run(["models"], capsys)
    assert code == 0
    assert out.splitlines()[-2].startswith(
        "default model: gpt-4o (built-in; split and show --chunks use text-embedding-3-small)"
    )
    monkeypatch.setenv(ENV, "gpt-5-mini")
    code, out, _ = run(["models"], capsys)
    assert (
        out.splitlines()[-2]
        == "default model: gpt-5-mini (from TOKBUDGET_MODEL, for every command)"
    )
    monkeypatch.setenv(ENV, "gpt-4oo")
    code, out, err = run(["models"], capsys)
    assert code == 2
    assert "gpt-4o " in out  # the list is still shown, to pick a name from
    assert "TOKBUDGET_MODEL='gpt-4oo'" in err


def test_help_names_the_variable(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("count", "check", "truncate", "show", "split", "encode", "decode", "cost"):
        assert main([command, "-h"]) == 0
        assert "$TOKBUDGET_MODEL" in " ".join(capsys.readouterr().out.split()), command
