"""The command line on Responses API bodies: count --request, check, cost, show, --api."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import tokbudget
from tokbudget import count_request

from .test_cli_models_cost import run, write_json

FIXTURES = Path(__file__).parent / "fixtures"
EVERY = json.loads((FIXTURES / "responses_every_item.json").read_text(encoding="utf-8"))["body"]
SMALL = {
    "model": "gpt-4o",
    "instructions": "Be brief.",
    "input": [
        {"role": "user", "content": "Weather in Paris?"},
        {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "18C"},
    ],
    "tools": [{"type": "function", "name": "get_weather", "parameters": {}}],
    "max_output_tokens": 100,
}


def test_count_request_prints_the_breakdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_json(tmp_path / "r.json", SMALL)
    code, out, err = run(["count", "--request", path], capsys)
    assert code == 0, err
    lines = [line.split() for line in out.splitlines()]
    assert lines[0] == [path, "(gpt-4o,", "Responses", "API)"]
    parts = [line[0] for line in lines[2:-2]]
    assert parts == ["instructions", "input[0]", "input[1]", "input[2]", "tools"]
    assert lines[-1] == ["total", f"{count_request(SMALL).total:,}"]
    assert "~ estimated parts" in err and "tools" in err  # the functions block is fitted


def test_count_request_json_has_parts_and_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_json(tmp_path / "every.json", EVERY)
    code, out, err = run(["count", "--request", path, "--json"], capsys)
    assert code == 0, err
    (f,) = json.loads(out)["files"]
    expected = count_request(EVERY)
    assert (f["api"], f["total"], f["exact"]) == ("responses", expected.total, False)
    assert [m["part"] for m in f["messages"]] == list(expected.labels)
    assert {e["part"] for e in f["estimated"]} == {e.part for e in expected.estimated}
    assert f["messages"][0]["index"] is None and f["messages"][1]["index"] == 0


def test_api_forces_a_bare_list(capsys: pytest.CaptureFixture[str]) -> None:
    items = json.dumps([{"role": "user", "content": "hi"}]).encode()
    code, out, _ = run(["count", "--request", "--api", "responses", "--json"], capsys, stdin=items)
    assert code == 0 and json.loads(out)["files"][0]["api"] == "responses"
    code, _, err = run(["count", "--api", "chat"], capsys, stdin=b"hi")
    assert code == 2 and "add --request" in err


def test_check_detects_a_responses_body(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = {"model": "gpt-4", "input": "word " * 9_000}
    path = write_json(tmp_path / "big.json", big)
    code, out, _ = run(["check", path, "--json"], capsys)
    doc = json.loads(out)
    assert code == 1 and doc["prompt_tokens"] == count_request(big).total  # not the JSON text
    small = write_json(tmp_path / "small.json", SMALL)
    code, out, _ = run(["check", small, "--json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["requested_output"] == 100
    assert {e["part"] for e in doc["estimated"]} == {"tools"}
    code, out, _ = run(["check", "--request"], capsys, stdin=json.dumps(SMALL).encode())
    assert code == 0 and out.startswith("fits")


def test_check_reports_the_reasoning_reserve(capsys: pytest.CaptureFixture[str]) -> None:
    body = {"model": "o3", "input": "hi", "reasoning": {"effort": "high"}}
    code, out, _ = run(["check", "--request"], capsys, stdin=json.dumps(body).encode())
    assert code == 0 and "25,000 reserved for reasoning and output" in out


def test_check_names_a_bad_item(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = {"input": [{"type": "function_call_output", "call_id": "x", "output": "y"}]}
    path = write_json(tmp_path / "bad.json", bad)
    code, _, err = run(["check", path], capsys)
    assert code == 2 and "input[0].call_id" in err and "Traceback" not in err


def test_cost_of_a_responses_body(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_json(tmp_path / "r.json", SMALL)
    code, out, err = run(["cost", path, "--json"], capsys)
    assert code == 0, err
    (row,) = json.loads(out)
    (f,) = row["files"]
    assert f["input_tokens"] == count_request(SMALL).total and f["output_tokens"] == 100


def test_show_budget_is_the_requests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_json(tmp_path / "r.json", SMALL)
    code, out, _ = run(["show", path, "--json"], capsys)
    doc: dict[str, Any] = json.loads(out)
    assert code == 0 and doc["budget"]["prompt_tokens"] == count_request(SMALL).total
    assert doc["count"] != doc["budget"]["prompt_tokens"]  # the JSON text's own tokens differ


def test_show_request_reads_stdin_as_a_request(capsys: pytest.CaptureFixture[str]) -> None:
    body = json.dumps(SMALL).encode()
    code, out, _ = run(["show", "--request", "--json"], capsys, stdin=body)
    assert code == 0 and json.loads(out)["budget"]["prompt_tokens"] == count_request(SMALL).total
    code, out, _ = run(["show", "--json"], capsys, stdin=body)  # without: stdin is text
    assert json.loads(out)["budget"]["prompt_tokens"] == json.loads(out)["count"]
    code, _, err = run(["show", "--request"], capsys, stdin=b"just words")
    assert code == 2 and "not a request body" in err


def test_check_names_each_part_as_count_request_does(capsys: pytest.CaptureFixture[str]) -> None:
    # A Responses body's rows are its parts (instructions, input[0], ...), not "message i"
    # (input[0] would read as message 1), and the rows add up to the prompt.
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    body = {**SMALL, "text": {"format": {"type": "json_schema", "name": "x", "schema": schema}}}
    expected = count_request(body)
    report = tokbudget.check(body)
    assert report.message_labels == expected.labels and report.format_tokens > 0
    code, out, _ = run(["check", "--request"], capsys, stdin=json.dumps(body).encode())
    rows = dict(line.split(None, 1) for line in out.splitlines()[3:] if line.startswith("    "))
    assert code == 0 and "instructions" in rows and "input[2]" in rows and "format" in rows
    parts = [
        int(rows[k].split()[0].replace(",", "")) for k in (*expected.labels, "tools", "format")
    ]
    assert sum(parts) + expected.overhead == expected.total
    chat = {"messages": [{"role": "user", "content": "hi"}]}
    code, out, _ = run(["check", "--request"], capsys, stdin=json.dumps(chat).encode())
    assert "message 0" in out  # a Chat body keeps its rows' names


def test_show_says_the_budget_has_estimates(capsys: pytest.CaptureFixture[str]) -> None:
    body = json.dumps(SMALL).encode()
    code, _, err = run(["show", "--request", "--no-color"], capsys, stdin=body)
    (line,) = [x for x in err.splitlines() if x.startswith("budget")]
    assert code == 0 and "(estimated: tools)" in line
