"""check / ensure_fits / `tokbudget check` on chat requests (messages, tools, bodies)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tokbudget
from tokbudget import ContextOverflowError, InvalidInputError
from tokbudget.chat.messages import count_messages, message_counts
from tokbudget.cli import main

CHAT = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "word " * 5000},
    {"role": "assistant", "content": "ok"},
    {"role": "user", "content": "Summarise."},
]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather of a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


def test_messages_list_counts_like_count_messages() -> None:
    r = tokbudget.check(CHAT, model="gpt-4", tools=TOOLS)
    counted = message_counts(CHAT, "gpt-4", tools=TOOLS)
    assert r.prompt_tokens == counted.total == count_messages(CHAT, "gpt-4", tools=TOOLS)
    assert r.message_tokens == tuple(counted.messages)
    assert r.tool_tokens == counted.tools > 0
    assert r.exact and r.fits and r.prompt_budget == 8_191


def test_body_model_and_output_apply_unless_given() -> None:
    body = {"model": "gpt-4", "messages": CHAT, "tools": TOOLS, "max_completion_tokens": 4_096}
    r = tokbudget.check(body)
    assert (r.model, r.requested_output, r.prompt_budget) == ("gpt-4", 4_096, 8_192 - 4_096)
    assert r.prompt_tokens == count_messages(CHAT, "gpt-4", tools=TOOLS)
    assert not r.fits and r.overflow == r.prompt_tokens - 4_096
    r = tokbudget.check(body, model="gpt-4o", max_output_tokens=100)
    assert (r.model, r.requested_output) == ("gpt-4o", 100)
    legacy = {"model": "gpt-4", "messages": CHAT, "max_tokens": 1_000}
    assert tokbudget.check(legacy).requested_output == 1_000
    with pytest.raises(ContextOverflowError, match=r"cut .* tokens"):
        tokbudget.ensure_fits(body)


def test_bad_request_body() -> None:
    with pytest.raises(ValueError, match="messages"):
        tokbudget.check({"model": "gpt-4o"})
    with pytest.raises(
        InvalidInputError, match=r"max_completion_tokens.* must be a whole number >= 1"
    ):
        tokbudget.check({"messages": CHAT, "max_completion_tokens": "lots"})


def test_cli_request_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps({"model": "gpt-4", "messages": CHAT, "tools": TOOLS}))
    assert main(["check", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["prompt_tokens"] == count_messages(CHAT, "gpt-4", tools=TOOLS)
    assert doc["model"] == "gpt-4" and len(doc["message_tokens"]) == 4
    assert main(["check", str(path), "--max-output", "4096"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("does not fit: cut ")
    assert "message 1" in out and "tools" in out
    # A bare list of messages, forced with --messages on a file of another name.
    other = tmp_path / "chat.txt"
    other.write_text(json.dumps(CHAT))
    assert main(["check", str(other), "--messages", "-m", "gpt-4o", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["prompt_tokens"] == count_messages(CHAT, "gpt-4o")
    # --plain reads the same file as plain text (--text STRING checks a string itself).
    assert main(["check", str(path), "--text", "--json"]) == 2  # never a silent new meaning
    capsys.readouterr()
    assert main(["check", str(path), "--plain", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["prompt_tokens"] == tokbudget.count(path.read_text())
