"""`tokbudget show` through main(argv): colour only on a terminal, exact text, true figures."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget
from tests.strategies import tricky_text
from tokbudget.cli import main
from tokbudget.cli._render import PALETTE, PARTIAL, bar, budget_line, money
from tokbudget.figures import budget_report

from .conftest import raw_encoding, real_texts
from .helpers import run_cli_bytes as run_bytes
from .helpers import tokens

SAMPLE = "Hello   world!\r\n\tnaïve 🦜 日本語 \x1b[31mred\x1b[0m <script>x</script>\n\n  end"
SGR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "sample.txt"
    path.write_bytes(SAMPLE.encode("utf-8"))
    return path


def test_plain_output_is_the_exact_bytes(
    sample: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, out, err = run_bytes(["show", str(sample), "-m", "gpt-4o"], capsysbinary)
    assert code == 0
    assert out == sample.read_bytes()  # not a terminal: no colour, nothing added
    assert "tokens" in err  # the footer went to stderr


@pytest.mark.parametrize("name", sorted(real_texts()))
def test_plain_output_exact_on_real_text(
    name: str, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = tmp_path / name
    path.write_bytes(real_texts()[name].encode("utf-8"))
    code, out, _ = run_bytes(["show", str(path), "--no-color"], capsysbinary)
    assert code == 0 and out == path.read_bytes()


def footer_numbers(footer: str) -> dict[str, str]:
    first = re.search(r"([\d,]+) tokens · ([\d,]+) characters · ([\d.]+) characters/token", footer)
    assert first, footer
    found = {"tokens": first[1], "characters": first[2], "cpt": first[3]}
    if m := re.search(r"context  ([█▒░]+)  ([\d.<%]+) of ([\d,]+) tokens", footer):
        found.update(bar=m[1], share=m[2], window=m[3])
    if m := re.search(r"budget   (.*)", footer):
        found.update(budget=m[1])
    if m := re.search(r"input    (\$[\d.]+) at (\$[\d.]+) / 1M", footer):
        found.update(cost=m[1], price=m[2])
    return found


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4", "gpt-5", "text-embedding-3-small"])
def test_footer_figures_equal_the_library(
    model: str, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    text = real_texts()["mixed.txt"] * 3
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    code, _, err = run_bytes(["show", str(path), "-m", model], capsysbinary)
    assert code == 0
    got = footer_numbers(err)
    n = tokbudget.count(text, model=model)
    spec = tokbudget.get_model(model)
    assert spec.price is not None and spec.context_window is not None
    assert got["tokens"] == f"{n:,}"
    assert got["characters"] == f"{len(text):,}"
    assert got["cpt"] == f"{len(text) / n:.2f}"
    assert got["window"] == f"{spec.context_window:,}"
    assert got["share"] == f"{n / spec.context_window:.1%}"
    report = tokbudget.check(text, model=model, exact=True)
    assert report.prompt_tokens == n
    room = report.completion_room / spec.context_window
    assert got["bar"] == bar(n / spec.context_window, room=room)
    assert got["budget"] == budget_line(report)
    budget = report.prompt_budget
    verdict = "fits" if n <= budget else f"does not fit, over by {n - budget:,}"
    assert got["budget"].startswith(f"{verdict}: {n:,} of {budget:,} prompt tokens")
    # Cost computed here independently: tokens x USD per 1M / 1M, exact decimals.
    assert Decimal(got["cost"][1:]) == Decimal(n) * spec.price.input / Decimal(10**6)
    assert Decimal(got["price"][1:]) == spec.price.input
    assert got["cost"] == money(tokbudget.cost(model, input_tokens=n).total)


@pytest.mark.parametrize(
    ("model", "note"),
    [
        ("gpt-oss-20b", "gpt-oss-20b has no price in the registry"),
        ("ft:gpt-4o-mini-2024-07-18:acme:x:1", "is a fine-tuned model"),
        ("gpt-5.9-mini-2031-01-01", "is not in the registry"),
    ],
)
def test_a_model_without_a_price_says_so(
    model: str,
    note: str,
    sample: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    code, _, err = run_bytes(["show", str(sample), "-m", model], capsysbinary)
    assert code == 0 and "Traceback" not in err
    assert "input    no price\n" in err and note in err
    code, out, _ = run_bytes(["show", str(sample), "--json", "-m", model], capsysbinary)
    fig = json.loads(out)["figures"]
    assert code == 0
    assert fig["input_cost"] is None and fig["input_price_per_mtok"] is None
    assert any(note in line for line in fig["cost_notes"])


def test_long_context_price_in_the_footer(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    # Above 272,000 input tokens gpt-5.4 bills the whole prompt at its higher tier.
    path = tmp_path / "long.txt"
    path.write_text("hello " * 280_000, encoding="utf-8")
    code, _, err = run_bytes(["show", str(path), "-m", "gpt-5.4"], capsysbinary)
    got = footer_numbers(err)
    n = int(got["tokens"].replace(",", ""))
    assert code == 0 and n > 272_000
    assert got["price"] == "$5.00"
    assert Decimal(got["cost"][1:]) == Decimal(n) * Decimal("5.00") / 10**6


@pytest.mark.parametrize(
    ("argv", "verdict"),
    [
        # gpt-5: prompt capped at 272,000 input tokens of a 400,000 window.
        (["-m", "gpt-5"], "does not fit, over by 28,001: 300,001 of 272,000 prompt tokens "
         "(gpt-5 accepts at most 272,000 input tokens) · room for output 99,999"),
        (["-m", "gpt-5", "-r", "1000", "-o", "128000"], "does not fit, over by 29,001: "
         "300,001 of 271,000 prompt tokens (gpt-5 accepts at most 272,000 input tokens, less "
         "1,000 reserved) · room for output 98,999"),
        (["-m", "gpt-5.4"], "fits: 300,001 of 1,049,999 prompt tokens"),
        (["-m", "gpt-4o", "-o", "16384"], "does not fit, over by 188,385: 300,001 of 111,616"),
    ],
)  # fmt: skip
@pytest.mark.slow  # 300,001 tokens through show, four times
def test_budget_line_is_check(
    argv: list[str], verdict: str, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = tmp_path / "big.txt"
    path.write_text(tokens(300_001), encoding="utf-8")
    code, _, err = run_bytes(["show", str(path), *argv], capsysbinary)
    assert code == 0  # show shows; `tokbudget check` is the gate that exits 1
    got = footer_numbers(err)
    assert got["budget"].startswith(verdict), got["budget"]
    flags = dict(zip(argv[2::2], map(int, argv[3::2]), strict=True))
    report = tokbudget.check(
        path.read_text(), argv[1], max_output_tokens=flags.get("-o"), reserve=flags.get("-r", 0),
        exact=True,
    )  # fmt: skip
    assert got["budget"] == budget_line(report)
    code, out, _ = run_bytes(["show", str(path), "--json", *argv], capsysbinary)
    assert json.loads(out)["budget"] == report.to_dict()


def test_colour_when_asked_marks_every_token(
    sample: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, out, _ = run_bytes(
        ["show", str(sample), "-e", "cl100k_base", "--color", "--ids"], capsysbinary
    )
    assert code == 0
    shown = out.decode("utf-8")
    body = shown.split("\x1b[2m─")[0]
    # Only our own SGR codes reach the terminal: the ESC in the text is shown as ␛.
    assert all(code in {*PALETTE, PARTIAL, "\x1b[0m", "\x1b[2m"} for code in SGR.findall(shown))
    plain = SGR.sub("", re.sub(r"\x1b\[2m\[[\d+]+\]", "", body))
    assert "\x1b" not in plain
    assert "␛[31mred␛[0m" in plain
    # Every token id appears, in order, in the [id] / [id+id] labels.
    labels = re.findall(r"\x1b\[2m\[([\d+]+)\]", body)
    ids = [int(i) for label in labels for i in label.split("+")]
    assert ids == raw_encoding("cl100k_base").encode_ordinary(SAMPLE)
    # 🦜 is three byte tokens in cl100k: drawn as one partial group with three ids.
    assert PARTIAL + " 🦜" in body and "[11410+99+250]" in body
    # Whitespace-only tokens are visible: the run of spaces and the tab.
    assert "··" in body and "→" in body
    assert "tokens · " in shown  # the footer follows the text on stdout


def test_colour_only_on_a_terminal(
    sample: Path, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _, out, _ = run_bytes(["show", str(sample)], capsysbinary)
    assert PALETTE[0].encode() in out
    _, out, _ = run_bytes(["show", str(sample), "--no-color"], capsysbinary)
    assert out == sample.read_bytes()
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run_bytes(["show", str(sample)], capsysbinary)
    assert out == sample.read_bytes()


def test_real_terminal_gets_colour_and_pipe_does_not(sample: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm"}
    cmd = [sys.executable, "-m", "tokbudget", "show", str(sample)]
    piped = subprocess.run(cmd, capture_output=True, env=env, check=True)
    assert piped.stdout == sample.read_bytes()
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.run(cmd, stdout=secondary, stderr=subprocess.PIPE, env=env, check=True)
        os.close(secondary)
        data = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            data += chunk
    finally:
        os.close(primary)
    assert proc.returncode == 0
    assert PALETTE[0].encode() in data and b"tokens \xc2\xb7 " in data


def test_ids_plain(sample: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, out, _ = run_bytes(["show", str(sample), "--ids", "-m", "gpt-4"], capsysbinary)
    assert code == 0
    assert [int(i) for i in out.split()] == raw_encoding("cl100k_base").encode_ordinary(SAMPLE)


def test_json(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(sample), "--json", "-m", "gpt-4o"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["count"] == len(doc["tokens"]) == tokbudget.count(SAMPLE, model="gpt-4o")
    assert [t["id"] for t in doc["tokens"]] == raw_encoding("o200k_base").encode_ordinary(SAMPLE)
    assert doc["tokens"][-1]["end"] == doc["characters"] == len(SAMPLE)
    fig = doc["figures"]
    assert fig["model"] == "gpt-4o" and fig["context_window"] == 128_000
    assert Decimal(fig["input_cost"]) == Decimal(doc["count"]) * Decimal("2.50") / 10**6


def test_stdin_and_encoding(
    capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = b"hello world"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, err = run_bytes(["show", "-e", "cl100k_base"], capsysbinary)
    assert code == 0 and out == data
    assert "2 tokens · 11 characters · 5.50 characters/token · cl100k_base" in err
    assert "context" not in err  # no model, no window


def test_empty_text(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, err = run_bytes(["show", str(empty)], capsysbinary)
    assert (code, out) == (0, b"")
    assert err.splitlines()[0] == "0 tokens · 0 characters · gpt-4o (o200k_base)"
    code, out, _ = run_bytes(["show", str(empty), "--color"], capsysbinary)
    assert code == 0 and out.decode().startswith("\x1b[2m─")  # no token, just the footer


def test_unlisted_snapshot_has_counts_but_no_guessed_limits(
    sample: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, _, err = run_bytes(["show", str(sample), "-m", "gpt-5.9-mini-2031-01-01"], capsysbinary)
    assert code == 0
    assert "(o200k_base)" in err and "context  unknown" in err and "$" not in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["show", "-m", "gpt-nope", "{file}"], "unknown model 'gpt-nope'"),
        (["show", "{missing}"], "file not found"),
        (["show", "{latin1}"], "not UTF-8 text: invalid byte 0xe9 at byte offset 3"),
        (["show", "-m", "gpt-4o", "-e", "cl100k_base", "{file}"], "not both"),
        (["show", "-m", "gpt-4o", "-o", "20000", "{file}"], "more than gpt-4o's cap of 16,384"),
    ],
)
def test_usage_errors(
    argv: list[str], needle: str, sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("café".encode("latin-1"))
    names = {"{file}": str(sample), "{missing}": str(tmp_path / "nope"), "{latin1}": str(latin1)}
    code = main([names.get(a, a) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err and "Traceback" not in err
    assert any(needle in line for line in err.splitlines())  # the message is one line


def test_money_keeps_every_digit() -> None:
    assert money(Decimal("0.000002500")) == "$0.0000025"
    assert money(Decimal("3")) == "$3.00"
    assert money(Decimal("2E-8")) == "$0.00000002"  # never an exponent
    assert money(Decimal("1.000000000000000000000000000001")) == "$1.000000000000000000000000000001"


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-5", "text-embedding-3-small"])
@given(text=tricky_text, max_output=st.sampled_from([None, 1, 100]), reserve=st.integers(0, 50))
def test_budget_from_a_known_count_equals_check(
    model: str, text: str, max_output: int | None, reserve: int
) -> None:
    # show passes the count its spans already made; the report must be check's own.
    if model.startswith("text-embedding"):
        max_output = None
    n = tokbudget.count(text, model=model)
    given_count = budget_report(
        text, model, max_output_tokens=max_output, reserve=reserve, tokens=n
    )
    assert given_count == tokbudget.check(
        text, model, max_output_tokens=max_output, reserve=reserve, exact=True
    )
