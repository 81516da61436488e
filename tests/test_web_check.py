"""`POST /api/check` of `tokbudget serve`: tokbudget.check's answer for a text or a request."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import tokbudget
from tokbudget import InvalidInputError, SettingsError
from tokbudget.cli import main

from .conftest import real_texts
from .helpers import tokens
from .web_support import Client, assert_clean_error

WEATHER: dict[str, Any] = next(
    r["body"]
    for r in json.loads(
        (Path(__file__).parent / "fixtures" / "chat_requests.json").read_text(encoding="utf-8")
    )["requests"]
    if r.get("name") == "weather tool"
)

BIG = tokens(300_001)


def budget_of(client: Client, doc: dict[str, Any]) -> dict[str, Any]:
    reply = client.post("/api/check", doc)
    assert reply.status == 200, reply.body
    answer = reply.json()
    assert answer["figures"]["tokens"] == answer["budget"]["prompt_tokens"]
    return dict(answer["budget"])


def expected(prompt: Any, model: str, **settings: Any) -> dict[str, Any]:
    report = tokbudget.check(prompt, model, exact=True, **settings)
    return report.to_dict()


# ---------------------------------------------------------------------------- text


def test_gpt5_input_cap_below_its_window(client: Client) -> None:
    got = budget_of(client, {"text": BIG, "model": "gpt-5"})
    assert got == expected(BIG, "gpt-5")
    assert (got["context_window"], got["max_input_tokens"], got["max_output_tokens"]) == (
        400_000,
        272_000,
        128_000,
    )
    # 300,001 tokens fit the 400,000 window but not the 272,000 input cap; the count is
    # exact (not check's early-exit lower bound), so is the overflow.
    assert (got["fits"], got["exact"], got["prompt_tokens"], got["overflow"]) == (
        False,
        True,
        300_001,
        28_001,
    )
    assert got["prompt_budget"] == 272_000
    assert got["reason"] == "gpt-5 accepts at most 272,000 input tokens"
    assert got["completion_room"] == 400_000 - 300_001  # what the window has left
    # Just at the cap it fits, with the full 128,000 output cap as room.
    at_cap = budget_of(client, {"text": tokens(272_000), "model": "gpt-5"})
    assert (at_cap["fits"], at_cap["overflow"], at_cap["completion_room"]) == (True, 0, 128_000)
    over = budget_of(client, {"text": tokens(272_001), "model": "gpt-5"})
    assert (over["fits"], over["overflow"]) == (False, 1)
    # A model with no input cap: the same text fits its 1,050,000-token window.
    long = budget_of(client, {"text": BIG, "model": "gpt-5.4"})
    assert (long["fits"], long["max_input_tokens"], long["prompt_budget"]) == (
        True,
        None,
        1_049_999,  # the window less at least 1 token for output
    )


@pytest.mark.parametrize(
    ("model", "settings"),
    [
        ("gpt-4o", {}),
        ("gpt-4o", {"max_output_tokens": 16_384}),
        ("gpt-4o", {"reserve": 120_000}),
        ("gpt-4o", {"max_output_tokens": 4_096, "reserve": 500}),
        ("gpt-5", {"max_output_tokens": 128_000, "reserve": 1_000}),
        ("gpt-4", {"max_output_tokens": 4_096}),
        ("text-embedding-3-small", {}),
        ("gpt-4o-2024-08-06", {"reserve": 0, "max_output_tokens": None}),
    ],
)
def test_settings_equal_the_library(client: Client, model: str, settings: dict[str, Any]) -> None:
    text = real_texts()["mixed.txt"] * 2
    doc = client.post("/api/check", {"text": text, "model": model, **settings}).json()
    budget = doc["budget"]
    assert budget == expected(text, model, **settings)
    fig = doc["figures"]
    assert fig["tokens"] == budget["prompt_tokens"] == tokbudget.count(text, model=model)
    assert fig["characters"] == len(text)
    assert (
        fig["input_cost"]
        == tokbudget.figures.text_figures(
            budget["prompt_tokens"], len(text), tokbudget.encoding_for(model).name, model=model
        ).to_dict()["input_cost"]
    )


def test_reserve_and_output_move_the_budget(client: Client) -> None:
    text = tokens(100_000)
    plain = budget_of(client, {"text": text, "model": "gpt-4o"})
    assert (plain["prompt_budget"], plain["fits"], plain["completion_room"]) == (
        127_999,
        True,
        16_384,
    )
    held = budget_of(
        client, {"text": text, "model": "gpt-4o", "max_output_tokens": 16_384, "reserve": 20_000}
    )
    assert held["prompt_budget"] == 128_000 - 16_384 - 20_000
    assert (held["fits"], held["overflow"]) == (False, 100_000 - 91_616)
    assert (
        held["reason"]
        == "gpt-4o's 128,000-token window less 16,384 for output, less 20,000 reserved"
    )
    assert (held["requested_output"], held["output_set_aside"], held["reserve"]) == (
        16_384,
        16_384,
        20_000,
    )
    assert held["completion_room"] == 8_000  # the window left after prompt and reserve


@pytest.mark.parametrize(
    ("settings", "needle"),
    [
        ({"max_output_tokens": 16_385}, "is more than gpt-4o's cap of 16,384 output tokens"),
        ({"max_output_tokens": 0}, "max_output_tokens must be a whole number >= 1, got 0"),
        ({"max_output_tokens": "many"}, "got str 'many'"),
        ({"max_output_tokens": 1.5}, "got float 1.5"),
        ({"max_output_tokens": True}, "got bool True"),
        ({"reserve": -1}, "reserve must be a whole number of tokens >= 0, got -1"),
        ({"reserve": 128_000}, "leaves no room for a prompt"),
        ({"reserve": [1]}, "got list [1]"),
    ],
)
def test_bad_settings_get_the_library_message(
    client: Client, settings: dict[str, Any], needle: str
) -> None:
    with pytest.raises((SettingsError, InvalidInputError)) as caught:
        tokbudget.check("hello", "gpt-4o", **settings)
    error = assert_clean_error(
        client.post("/api/check", {"text": "hello", "model": "gpt-4o", **settings}),
        400,
        "bad_setting",
        needle,
    )
    assert error["message"] == str(caught.value)


def test_embedding_model_has_no_output(client: Client) -> None:
    got = budget_of(client, {"text": "hello", "model": "text-embedding-3-small"})
    assert (got["output_set_aside"], got["completion_room"], got["prompt_budget"]) == (0, 0, 8191)
    assert_clean_error(
        client.post(
            "/api/check",
            {"text": "hello", "model": "text-embedding-3-small", "max_output_tokens": 5},
        ),
        400,
        "bad_setting",
        "is an embedding model and produces no output",
    )


def test_no_budget_without_known_limits(client: Client) -> None:
    doc = client.post("/api/check", {"text": "hello world", "encoding": "cl100k_base"}).json()
    assert doc["budget"] is None and doc["model"] is None
    assert doc["figures"]["tokens"] == 2
    doc = client.post(
        "/api/check", {"text": "hello world", "model": "gpt-5.9-mini-2031-01-01"}
    ).json()
    assert doc["budget"] is None and doc["figures"]["tokens"] == 2
    assert any("is not in the registry" in note for note in doc["figures"]["cost_notes"])


# ---------------------------------------------------------------------------- chat requests


def test_request_budget_equals_the_library(client: Client) -> None:
    for model in ("gpt-4o", "gpt-4", "gpt-5"):
        doc = client.post("/api/check", {"request": WEATHER, "model": model}).json()
        budget = doc["budget"]
        assert budget == expected(WEATHER, model)
        assert budget["prompt_tokens"] == tokbudget.count_messages(
            WEATHER["messages"], model, tools=WEATHER["tools"]
        )
        assert budget["message_tokens"] == list(
            tokbudget.message_counts(WEATHER["messages"], model, tools=WEATHER["tools"]).messages
        )
        assert budget["tool_tokens"] > 0
        assert doc["figures"]["characters"] is None
        assert doc["figures"]["tokens"] == budget["prompt_tokens"]
        price = tokbudget.cost(model, input_tokens=budget["prompt_tokens"]).total
        assert Decimal(doc["figures"]["input_cost"]) == price


def test_request_model_and_output_apply_unless_given(client: Client) -> None:
    request = {**copy.deepcopy(WEATHER), "model": "gpt-4", "max_completion_tokens": 1_000}
    own = client.post("/api/check", {"request": request}).json()
    assert own["model"] == "gpt-4" and own["budget"]["requested_output"] == 1_000
    assert own["budget"] == expected(request, "gpt-4")
    given = client.post(
        "/api/check", {"request": request, "model": "gpt-4o", "max_output_tokens": 2_000}
    ).json()
    assert given["model"] == "gpt-4o" and given["budget"]["requested_output"] == 2_000
    assert given["budget"] == expected(request, "gpt-4o", max_output_tokens=2_000)
    # A Batch API input line: its body's settings apply too.
    line = {"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions", "body": request}
    assert client.post("/api/check", {"request": line}).json()["budget"] == own["budget"]
    # The request's own setting is checked by the library like any other.
    too_many = {**request, "max_completion_tokens": 5_000}
    assert_clean_error(
        client.post("/api/check", {"request": too_many}), 400, "bad_setting", "cap of 4,096"
    )


def test_request_that_does_not_fit(client: Client) -> None:
    request = {"messages": [{"role": "user", "content": tokens(9_000)}]}
    got = budget_of(client, {"request": request, "model": "gpt-4"})
    assert got == expected(request, "gpt-4")
    assert not got["fits"] and got["overflow"] == got["prompt_tokens"] - 8_191


@pytest.mark.parametrize(
    ("doc", "code", "needle"),
    [
        ({"request": {"messages": [{"role": "user", "content": 3}]}}, "bad_message",
         "messages[0].content must be a string or a list of parts"),
        ({"request": WEATHER, "text": "x"}, "bad_request", "give 'text' or 'request', not both"),
        ({"request": WEATHER, "encoding": "o200k_base"}, "bad_request", "never an 'encoding'"),
        ({"request": "hi"}, "bad_request", "must be an object"),
        ({"request": WEATHER, "model": "gpt-nope"}, "unknown_model", "'gpt-nope'"),
        ({"model": "gpt-4o"}, "bad_request", "missing field 'text'"),
        ({"text": "x", "max_tokens": 5}, "bad_request", "unknown field 'max_tokens'"),
    ],
)  # fmt: skip
def test_bad_requests(client: Client, doc: dict[str, Any], code: str, needle: str) -> None:
    assert_clean_error(client.post("/api/check", doc), 400, code, needle)


def test_unlisted_snapshot_request_is_counted_without_budget(client: Client) -> None:
    model = "gpt-5.9-mini-2031-01-01"
    doc = client.post("/api/check", {"request": WEATHER, "model": model}).json()
    assert doc["budget"] is None and doc["model"] == model
    assert doc["figures"]["tokens"] == tokbudget.count_messages(
        WEATHER["messages"], model, tools=WEATHER["tools"]
    )


@pytest.mark.parametrize("prompt", ["hello there", tokens(9_000)])
def test_check_show_and_the_page_emit_one_report_shape(
    client: Client, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], prompt: str
) -> None:
    # One JSON shape per value: `check --json`, `show --json`'s budget and /api/check's
    # budget are all BudgetReport.to_dict() (check adds only the file it read and the
    # model's notes, beside the report).
    path = tmp_path / "prompt.txt"
    path.write_text(prompt, encoding="utf-8")
    main(["check", str(path), "-m", "gpt-4", "--json"])
    checked = json.loads(capsysbinary.readouterr().out)
    assert "file" in checked and "model_notes" in checked
    del checked["file"], checked["model_notes"]
    main(["show", str(path), "-m", "gpt-4", "--json"])
    shown = json.loads(capsysbinary.readouterr().out)["budget"]
    served = budget_of(client, {"text": prompt, "model": "gpt-4"})
    report = tokbudget.check(prompt, "gpt-4", exact=True)
    assert list(checked) == list(shown) == list(served) == list(report.to_dict())
    assert shown == served == report.to_dict()
    if report.fits:  # check stops counting a prompt once it cannot fit; the rest agree
        assert checked == report.to_dict()
