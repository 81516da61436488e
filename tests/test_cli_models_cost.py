"""`tokbudget models`, `tokbudget cost` and `tokbudget count --messages` through main(argv)."""

from __future__ import annotations

import io
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import tokbudget
from tokbudget.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
WEATHER = json.loads((FIXTURES / "chat_requests.json").read_text())["requests"][1]["body"]


def run(
    argv: list[str], capsys: pytest.CaptureFixture[str], stdin: bytes | None = None
) -> tuple[int, str, str]:
    if stdin is not None:
        old = sys.stdin
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        code = main(argv)
    finally:
        if stdin is not None:
            sys.stdin = old
    out, err = capsys.readouterr()
    return code, out, err


def write_json(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- models


def test_models_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["models"], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["model", "kind", "context", "max"]
    gpt5 = next(line for line in lines if line.startswith("gpt-5 "))
    assert gpt5.split() == [
        "gpt-5",
        "(deprecated)",  # shut down 2026-12-11 (issue 12)
        "reasoning",
        "400,000",
        "272,000",
        "128,000",
        "1.25",
        "0.125",
        "10.00",
        "2026-11-25",
    ]
    assert f"{len(tokbudget.list_models())} models" in lines[-1]
    code, out2, _ = run(["models", "list"], capsys)
    assert code == 0 and out2 == out


def test_models_kind_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["models", "--kind", "embedding", "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert {m["name"] for m in doc} == {
        "text-embedding-3-small",
        "text-embedding-3-large",
        "text-embedding-ada-002",
    }
    small = next(m for m in doc if m["name"] == "text-embedding-3-small")
    assert small["price"]["input"] == "0.02" and small["price"]["output"] is None
    assert small["embedding"] == {
        "dimensions": 1536,
        "max_inputs_per_request": 2048,
        "max_tokens_per_request": 300000,
    }
    assert small["as_of"] == "2026-11-25"
    code, _, err = run(["models", "--kind", "llm"], capsys)
    assert code == 2 and "'llm' is not one of" in err


def test_models_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["models", "show", "gpt-5.4-2026-03-05"], capsys)
    assert code == 0
    assert out.startswith("gpt-5.4  (alias gpt-5.4-2026-03-05)")
    assert "prompts > 272,000  input 5.00, cached input 0.50, output 22.50" in out
    assert "batch              input 1.25, output 7.50" in out
    code, out, _ = run(["models", "show", "gpt-4o-mini"], capsys)
    assert "512-px tiles: 2833 + 5667 per tile" in out
    code, out, _ = run(["models", "show", "o4-mini", "--json"], capsys)
    doc = json.loads(out)
    assert doc["image"] == {
        "scheme": "patch",
        "base_tokens": 0,
        "tile_tokens": 0,
        "patch_multiplier": "1.72",
        "max_patches": 1536,
        "original": False,  # no "original" detail level (gpt-5.4+ and GPT-6 have one)
        "original_max_patches": None,
        "assumed": False,  # measured / published, not its family's bound
    }
    code, out, _ = run(["models", "show", "gpt-4o-2099-01-01"], capsys)
    assert "has no entry of its own; these are gpt-4o's figures" in out.splitlines()[0]


def test_models_user_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["models", "show", "gpt-4oo"], capsys)
    assert code == 2 and "unknown model 'gpt-4oo'; did you mean gpt-4o" in err
    assert "Traceback" not in err
    code, _, err = run(["models", "gpt-4o"], capsys)
    assert code == 2 and "tokbudget models show gpt-4o" in err


# ----------------------------------------------------------------------------- cost


def test_cost_compares_models(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "hello world " * 100
    (tmp_path / "p.txt").write_text(text)
    argv = [
        "cost",
        str(tmp_path / "p.txt"),
        "-m",
        "gpt-4o",
        "-m",
        "gpt-4",
        "-m",
        "text-embedding-3-small",
    ]
    # Output tokens for an embedding model are an error, never silently priced at 0.
    code, out, err = run([*argv, "--output-tokens", "50", "--json"], capsys)
    assert code == 2 and out == ""
    assert "text-embedding-3-small is an embedding model" in err and "--output-tokens 0" in err
    code, out, err = run([*argv[:-2], "--output-tokens", "50", "--json"], capsys)
    assert code == 0, err
    rows = {r["model"]: r for r in json.loads(out)}
    code, out, err = run(["cost", str(tmp_path / "p.txt"), *argv[-2:], "--json"], capsys)
    rows.update({r["model"]: r for r in json.loads(out)})
    assert list(rows) == ["gpt-4o", "gpt-4", "text-embedding-3-small"]
    for model, row in rows.items():
        n_in = tokbudget.count(text, model)
        n_out = 0 if model == "text-embedding-3-small" else 50  # embeddings have no output
        assert Decimal(row["total"]["total"]) == tokbudget.cost(model, n_in, n_out).total
        assert row["total"]["input_tokens"] == n_in and row["errors"] == []
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert out.splitlines()[0].split() == [
        "model",
        "input",
        "tokens",
        "output",
        "tokens",
        "input",
        "$",
        "output",
        "$",
        "total",
        "$",
    ]
    assert "replies not priced: pass --output-tokens" in out


def test_cost_of_requests_and_batch_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = write_json(
        tmp_path / "r.json", {**WEATHER, "model": "gpt-4o", "max_completion_tokens": 200}
    )
    lines = [
        json.dumps(
            {
                "custom_id": str(i),
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {**WEATHER, "max_tokens": 100},
            }
        )
        for i in range(3)
    ]
    (tmp_path / "b.jsonl").write_text("\n".join(lines) + "\n")
    code, out, err = run(
        ["cost", request, str(tmp_path / "b.jsonl"), "-m", "gpt-4.1", "--batch", "--json"], capsys
    )
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["total"]["requests"] == 4
    assert row["total"]["input_tokens"] == 4 * 101 and row["total"]["output_tokens"] == 500
    assert Decimal(row["total"]["total"]) == tokbudget.cost("gpt-4.1", 404, 500, batch=True).total
    code, out, _ = run(["cost", request, "--json"], capsys)  # no -m: the request's own model
    assert json.loads(out)[0]["model"] == "gpt-4o"


def test_cost_that_does_not_fit_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "big.txt").write_text("word " * 9000)
    code, out, _ = run(["cost", str(tmp_path / "big.txt"), "-m", "gpt-4", "-m", "gpt-4o"], capsys)
    assert code == 1
    assert "gpt-4 (does not fit)" in out and "accepts at most 8,192" in out
    assert any(line.startswith("gpt-4o ") for line in out.splitlines())


def test_cost_user_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "p.txt").write_text("hi")
    code, _, err = run(["cost", str(tmp_path / "p.txt"), "-m", "gpt-oss-120b"], capsys)
    assert code == 2 and "gpt-oss-120b has no price" in err
    code, _, err = run(["cost", str(tmp_path / "nope.txt")], capsys)
    assert code == 2 and "file not found" in err
    code, _, err = run(
        ["cost", str(tmp_path / "p.txt"), "--usage", str(tmp_path / "p.txt")], capsys
    )
    assert code == 2 and "not both" in err


# ----------------------------------------------------------------------- cost --usage


def usage_log(tmp_path: Path) -> str:
    records = [
        {
            "object": "chat.completion",
            "model": "gpt-4o-2024-08-06",
            "usage": {
                "prompt_tokens": 1200,
                "completion_tokens": 300,
                "prompt_tokens_details": {"cached_tokens": 1024},
            },
        },
        {
            "object": "chat.completion",
            "model": "gpt-4o-mini",
            "usage": {"prompt_tokens": 50_000, "completion_tokens": 1000},
        },
        {"object": "chat.completion.chunk", "model": "gpt-4o", "choices": [], "usage": None},
    ]
    path = tmp_path / "usage.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n\n")
    return str(path)


def test_cost_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = usage_log(tmp_path)
    code, out, err = run(["cost", "--usage", log], capsys)
    assert code == 0, err
    rows = {
        line.split()[0]: line.split()
        for line in out.splitlines()[1:]
        if not line.startswith("note")
    }
    expected = tokbudget.cost("gpt-4o", 1200, 300, 1024).total
    assert rows["gpt-4o"] == ["gpt-4o", "1", "1,200", "1,024", "300", str(expected.normalize())]
    assert rows["total"][1] == "2"
    assert "note: 1 record skipped" in out
    code, out, _ = run(["cost", "--usage", log, "--json"], capsys)
    doc = json.loads(out)
    total = expected + tokbudget.cost("gpt-4o-mini", 50_000, 1000).total
    assert Decimal(doc["total"]["total"]) == total and doc["skipped"] == 1
    code, out2, _ = run(["cost", "--usage", "-", "--json"], capsys, stdin=Path(log).read_bytes())
    assert code == 0 and out2 == out


def test_cost_usage_errors_name_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = tmp_path / "bare.jsonl"
    bare.write_text('\n{"prompt_tokens": 5, "completion_tokens": 1}\n')
    code, _, err = run(["cost", "--usage", str(bare)], capsys)
    assert code == 2 and f"{bare} line 2: it names no model" in err
    assert err.count("\n") == 1  # one line
    code, out, _ = run(["cost", "--usage", str(bare), "-m", "gpt-4o", "--json"], capsys)
    assert code == 0 and json.loads(out)["total"]["requests"] == 1
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"model": "gpt-4o", "usage": {"prompt_tokens": 1}}\n{oops\n')
    code, _, err = run(["cost", "--usage", str(broken)], capsys)
    assert code == 2 and "line 2 is not valid JSON" in err


# ----------------------------------------------------------------- count --messages


def test_count_messages_breakdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = write_json(tmp_path / "r.json", {**WEATHER, "model": "gpt-4"})
    code, out, err = run(["count", "--messages", request], capsys)
    assert code == 0, err
    lines = [line.split() for line in out.splitlines()]
    assert lines[0] == [request, "(gpt-4)"]
    assert lines[-1] == ["total", "105"]  # the cookbook's published figure
    assert lines[-3][:1] == ["tools"] and lines[-2] == ["reply", "priming", "3"]
    code, out, _ = run(["count", "--messages", request, "-m", "gpt-4o", "--json"], capsys)
    doc = json.loads(out)
    (f,) = doc["files"]
    assert (f["model"], f["total"], doc["total"]) == ("gpt-4o", 101, 101)
    assert [m["role"] for m in f["messages"]] == ["system", "user"]
    assert sum(m["tokens"] for m in f["messages"]) + f["tools"] + f["overhead"] == 101


def test_count_messages_stdin_and_lists(capsys: pytest.CaptureFixture[str]) -> None:
    body = json.dumps([{"role": "user", "content": "hello world"}]).encode()
    code, out, _ = run(["count", "--messages", "--json"], capsys, stdin=body)
    assert code == 0 and json.loads(out)["total"] == 9


def test_count_messages_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_json(tmp_path / "bad.json", {"messages": [{"role": "user", "content": 5}]})
    code, _, err = run(["count", "--messages", bad], capsys)
    assert code == 2 and f"{bad}: messages[0].content must be a string" in err
    (tmp_path / "t.txt").write_text("not json")
    code, _, err = run(["count", "--messages", str(tmp_path / "t.txt")], capsys)
    assert code == 2 and "is not valid JSON" in err
    code, _, err = run(["count", "--messages", bad, "-e", "cl100k_base"], capsys)
    assert code == 2 and "pass -m, not -e" in err
    ok = write_json(tmp_path / "ok.json", {"messages": [{"role": "user", "content": "x"}]})
    code, _, err = run(["count", "--messages", ok, "-m", "text-embedding-3-small"], capsys)
    assert code == 2 and "is an embedding model" in err
    assert "Traceback" not in err


def test_cost_prices_a_repeated_model_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 10 item 9: `-m gpt-4o -m gpt-4o` doubled the tokens.
    path = tmp_path / "p.txt"
    path.write_text("hello world")
    code, out, _ = run(["cost", str(path), "-m", "gpt-4o", "-m", "gpt-4o", "--json"], capsys)
    rows = json.loads(out)
    assert code == 0 and len(rows) == 1 and rows[0]["total"]["input_tokens"] == 2
    assert rows[0]["total"]["requests"] == 1
