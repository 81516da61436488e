"""The one request reader, and check / estimate_cost / fit_request on Responses bodies."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import tokbudget
from tokbudget import check, count_request, estimate_cost, fit_request
from tokbudget.budget import REASONING_RESERVE
from tokbudget.chat.fit_items import item_units
from tokbudget.chat.request import read_request

FIXTURES = Path(__file__).parent / "fixtures"
EVERY = json.loads((FIXTURES / "responses_every_item.json").read_text(encoding="utf-8"))["body"]


# ------------------------------------------------------------- one reader everywhere


def test_max_completion_tokens_null_means_max_tokens_everywhere() -> None:
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}],
            "max_completion_tokens": None, "max_tokens": 100}  # fmt: skip
    assert read_request(body).max_output_tokens == 100
    assert check(body).requested_output == 100
    assert estimate_cost(body).output_tokens == 100
    line = {"custom_id": "1", "method": "POST", "url": "/v1/chat/completions", "body": body}
    assert check(line).requested_output == 100 and estimate_cost(line).output_tokens == 100


def test_batch_lines_of_either_api() -> None:
    line = {"custom_id": "a", "url": "/v1/responses", "body": {"model": "gpt-5", "input": "hi"}}
    assert count_request(line).api == "responses"
    assert count_request(line).total == count_request(line["body"]).total


class FakeSDK:
    """An object like the openai SDK's pydantic models: only ``model_dump``."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def model_dump(self, exclude_none: bool = False) -> dict[str, Any]:
        return copy.deepcopy(self.data)


def test_sdk_objects_are_accepted_without_openai() -> None:
    items = EVERY["input"][:8]
    plain = count_request({"input": items}).total
    assert count_request({"input": [FakeSDK(i) for i in items]}).total == plain
    assert count_request(FakeSDK({"input": items})).total == plain
    chat = [FakeSDK({"role": "user", "content": "hi"})]
    assert count_request({"messages": chat}).total == count_request({"input": "hi"}).total


def test_inputs_are_never_mutated() -> None:
    body = copy.deepcopy(EVERY)
    body["max_output_tokens"] = 100
    kept = copy.deepcopy(body)
    count_request(body)
    check(body)
    estimate_cost(body)
    fit_request(body)
    fit_request(body, "gpt-4o-mini", max_output_tokens=100, reserve=100_000)
    assert body == kept


# ------------------------------------------------------------ check, cost, fit


def test_check_a_responses_body() -> None:
    body = {"model": "gpt-4o", "input": "hello world", "max_output_tokens": 500}
    report = check(body)
    assert report.prompt_tokens == count_request(body).total == 9
    assert report.requested_output == 500 and report.reasoning_reserve == 0


def test_reasoning_reserve() -> None:
    body = {"model": "gpt-5", "input": "hi", "reasoning": {"effort": "high"}}
    report = check(body)
    assert report.reasoning_reserve == REASONING_RESERVE == 25_000
    assert report.output_set_aside == 25_000
    assert "25,000 kept for reasoning and output" in report.reason()  # the input cap binds
    o3 = check({**body, "model": "o3"})
    assert "o3's 200,000-token window less 25,000 reserved for reasoning and output" in o3.reason()
    assert report.prompt_budget == min(272_000, 400_000 - 25_000)
    assert check(body, reasoning_reserve=0).reasoning_reserve == 0
    assert check(body, reasoning_reserve=200_000).output_set_aside == 128_000  # the output cap
    assert check({**body, "max_output_tokens": 1_000}).reasoning_reserve == 0  # a cap bounds it
    assert check({**body, "reasoning": {"effort": "none"}}).reasoning_reserve == 0
    assert check({**body, "model": "gpt-4o"}).reasoning_reserve == 0  # not a reasoning model
    chat = {
        "model": "o3",
        "messages": [{"role": "user", "content": "hi"}],
        "reasoning_effort": "low",
    }
    assert check(chat).reasoning_reserve == 25_000


def test_estimate_cost_of_a_responses_body() -> None:
    body = {"model": "gpt-4o", "input": "hello world", "max_output_tokens": 10}
    cost = estimate_cost(body)
    assert cost.input_tokens == 9 and cost.output_tokens == 10
    embeddings = {"model": "text-embedding-3-small", "input": "hello world"}
    assert estimate_cost(embeddings).input_tokens == 2  # still an embeddings body


def call(i: int) -> list[dict[str, Any]]:
    return [
        {
            "type": "reasoning",
            "id": f"r{i}",
            "summary": [{"type": "summary_text", "text": "think " * 50}],
        },
        {"type": "function_call", "call_id": f"c{i}", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": f"c{i}", "output": "result " * 100},
    ]


@given(st.lists(st.sampled_from(["user", "call", "assistant"]), min_size=1, max_size=8),
       st.integers(200, 2_000))  # fmt: skip
def test_fit_request_never_separates_calls_outputs_or_reasoning(
    kinds: list[str], room: int
) -> None:
    items: list[dict[str, Any]] = [{"role": "developer", "content": "rules"}]
    for i, kind in enumerate(kinds):
        if kind == "call":
            items += call(i)
        else:
            items.append({"role": kind, "content": "word " * 80})
    items.append({"role": "user", "content": "now?"})
    body = {"model": "gpt-4", "input": items}
    need = count_request(body).total
    budget = 8_192 - 1
    reserve = max(0, budget - max(need - room, 1))  # leave `room` tokens too few
    try:
        fitted, report = fit_request(body, reserve=reserve)
    except tokbudget.ContextOverflowError:
        return
    assert report.budget.fits and report.tokens == count_request(fitted).total
    kept = set(report.kept)
    for unit in item_units(items):
        assert set(unit) <= kept or not set(unit) & kept
    assert 0 in kept and len(items) - 1 in kept  # the developer message, the latest user turn
    assert fitted["input"] == [items[i] for i in report.kept]


def test_fit_request_of_a_chat_body_is_fit_messages() -> None:
    chat = [{"role": "user", "content": "word " * 200}, {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "Summarise."}]  # fmt: skip
    fitted, report = fit_request({"model": "gpt-4", "messages": chat}, reserve=8_000)
    _, expected = tokbudget.fit_messages(chat, "gpt-4", reserve=8_000)
    assert report == expected and fitted["messages"] == [chat[1], chat[2]]


def test_fit_request_holds_back_a_chat_schema() -> None:
    schema = {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(40)}}
    chat = [{"role": "user", "content": "word " * 4_000}, {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "Summarise."}]  # fmt: skip
    fmt = {"type": "json_schema", "json_schema": {"name": "s", "schema": schema}}
    body = {"model": "gpt-4", "messages": chat, "max_tokens": 4_000, "response_format": fmt}
    fitted, report = fit_request(body)
    assert report.dropped == (0,)
    assert check(fitted).fits  # the schema is counted by check, and was held back by fit
    assert not check(body).fits and check({**body, "response_format": None}).fits


def test_estimates_are_said_wherever_the_count_is_shown() -> None:
    # A count with estimated parts says so in check's sentence, in the overflow error and
    # in estimate_cost's notes, not only in count_request.
    body = {"model": "gpt-4o", "input": "hi", "tools": [{"type": "web_search"}]}
    report = check(body)
    assert report.estimated and "estimated: tools[0]" in str(report)
    assert "estimated" not in str(check({"model": "gpt-4o", "input": "hi"}))
    big = {**body, "input": "x " * 130_000}
    try:
        tokbudget.ensure_fits(big)
    except tokbudget.ContextOverflowError as exc:
        assert "estimated: tools[0]" in str(exc)
    else:
        raise AssertionError("130,000 tokens fit gpt-4o")
    notes = estimate_cost(body, max_output_tokens=1).notes
    assert any("estimated: tools[0]" in n for n in notes)
    assert not estimate_cost({"model": "gpt-4o", "input": "hi"}, max_output_tokens=1).notes


def measured_requests() -> list[tuple[str, dict[str, Any], str, int]]:
    out = []
    for name in ("chat_requests.json", "tool_requests.json"):
        doc = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        for k, req in enumerate(doc["requests"]):
            for model, tokens in req["prompt_tokens"].items():
                out.append((f"{name}:{req.get('name', k)}:{model}", req["body"], model, tokens))
    return out


def as_responses_body(body: dict[str, Any]) -> dict[str, Any] | None:
    """The same request in Responses shape, where it has one (text messages, tools form)."""
    if "functions" in body or any(set(m) - {"role", "content"} for m in body["messages"]):
        return None
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        choice = {"type": "function", "name": choice["function"]["name"]}
    tools = [{"type": "function", **t["function"]} for t in body.get("tools", [])]
    out: dict[str, Any] = {"input": body["messages"], "tools": tools}
    return out if choice is None else {**out, "tool_choice": choice}


def test_the_one_reader_counts_every_measured_request_as_the_chat_path_does() -> None:
    # 42 tool requests and the cookbook's conversations, on every model they were measured
    # on: count_request (the one reader) equals message_counts, never undercounts the API,
    # and the Responses shape of the same request counts the same.
    checked = responses_checked = 0
    for label, body, model, api_tokens in measured_requests():
        messages, tools, choice = tokbudget.parse_request(body)
        chat = tokbudget.message_counts(messages, model, tools=tools, tool_choice=choice).total
        assert count_request(body, model).total == chat, label
        assert chat >= api_tokens, label
        other = as_responses_body(body)
        if other is not None:
            assert count_request(other, model).total == chat, label
            responses_checked += 1
        checked += 1
    assert checked >= 60 and responses_checked >= 15
