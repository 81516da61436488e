"""Pricing logged usage: every record shape, skipping what is not billed, clear errors."""

from __future__ import annotations

import pickle
from decimal import Decimal
from typing import Any

import pytest

from tokbudget import SettingsError, UsageRecordError, cost, cost_from_usage


def chat(model: str, prompt: int, completion: int, cached: int = 0) -> dict[str, Any]:
    return {
        "object": "chat.completion",
        "model": model,
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        },
    }


def test_sums_per_model_and_in_total() -> None:
    records = [
        chat("gpt-4o-2024-08-06", 1000, 100, cached=500),  # an alias: grouped as gpt-4o
        chat("gpt-4o", 2000, 0),
        chat("gpt-4o-mini", 10_000, 1000),
    ]
    result = cost_from_usage(records)
    assert list(result.by_model) == ["gpt-4o", "gpt-4o-mini"]
    gpt4o = result.by_model["gpt-4o"]
    assert (gpt4o.requests, gpt4o.input_tokens, gpt4o.cached_input_tokens) == (2, 3000, 500)
    expected = cost("gpt-4o", 1000, 100, 500).total + cost("gpt-4o", 2000).total
    assert gpt4o.total == expected
    assert result.total.total == expected + cost("gpt-4o-mini", 10_000, 1000).total
    assert result.total.requests == 3 and result.skipped == 0
    doc = result.as_dict()
    assert doc["total"]["total"] == str(result.total.total.normalize())
    assert [m["model"] for m in doc["models"]] == ["gpt-4o", "gpt-4o-mini"]


def test_responses_api_and_bare_usage() -> None:
    responses = {
        "object": "response",
        "model": "gpt-4.1",
        "usage": {
            "input_tokens": 100,
            "output_tokens": 10,
            "input_tokens_details": {"cached_tokens": 50},
        },
    }
    bare = {"prompt_tokens": 100, "completion_tokens": 10}
    result = cost_from_usage([responses, bare], model="gpt-4.1")
    assert result.total.total == cost("gpt-4.1", 100, 10, 50).total + cost("gpt-4.1", 100, 10).total
    single = cost_from_usage(chat("gpt-4o", 1, 1))  # one record as a mapping
    assert single.total.requests == 1
    embeddings = {
        "object": "list",
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 8, "total_tokens": 8},
    }
    assert cost_from_usage([embeddings]).total.total == Decimal("0.00000016")


def test_batch_output_lines() -> None:
    ok = {
        "custom_id": "a",
        "response": {"status_code": 200, "body": chat("gpt-4o", 1_000_000, 0)},
        "error": None,
    }
    failed = {"custom_id": "b", "response": None, "error": {"code": "server_error"}}
    rejected = {
        "custom_id": "c",
        "response": {"status_code": 400, "body": {"error": {}}},
        "error": None,
    }
    result = cost_from_usage([ok, failed, rejected])
    assert result.total.total == Decimal("1.25")  # batch price, not 2.50
    assert result.skipped == 2


def test_stream_chunks_and_events() -> None:
    chunk: dict[str, Any] = {
        "object": "chat.completion.chunk",
        "model": "gpt-4o",
        "choices": [],
        "usage": None,
    }
    no_usage = {"object": "chat.completion.chunk", "model": "gpt-4o", "choices": []}
    last = {**chat("gpt-4o", 1000, 10), "object": "chat.completion.chunk"}
    created = {"type": "response.created", "response": {"model": "gpt-4o", "usage": None}}
    delta = {"type": "response.output_text.delta", "delta": "Hi"}
    done = {
        "type": "response.completed",
        "response": {"model": "gpt-4o", "usage": {"input_tokens": 1000, "output_tokens": 10}},
    }
    result = cost_from_usage([chunk, no_usage, last, created, delta, done])
    assert result.total.requests == 2 and result.skipped == 4
    assert result.total.total == 2 * cost("gpt-4o", 1000, 10).total


@pytest.mark.parametrize(
    ("records", "index", "match"),
    [
        ([chat("gpt-4o", 1, 1), {"prompt_tokens": 5}], 1, "names no model"),
        ([{"model": "gpt-4o", "usage": "lots"}], 0, "not an object"),
        ([{"model": "gpt-4o", "usage": {"total_tokens": 5}}], 0, "neither prompt_tokens"),
        ([{"model": "gpt-4o", "choices": []}], 0, "has no 'usage'"),
        (
            [{"model": "gpt-4o", "usage": {"prompt_tokens": -5}}],
            0,
            "got -5; pass 0 or more",
        ),
        ([chat("gpt-4o", 5, 1, cached=9)], 0, "exceeds input_tokens"),
        ([chat("gpt-9", 5, 1)], 0, "unknown model 'gpt-9'"),
        ([chat("text-embedding-3-small", 5, 1)], 0, "no output tokens"),
        ([["not", "an", "object"]], 0, "expected a JSON object, got list"),
        (
            [
                {
                    "model": "gpt-4o",
                    "usage": {"prompt_tokens": 5, "prompt_tokens_details": {"audio_tokens": 3}},
                }
            ],
            0,
            "audio",
        ),
        ([{"custom_id": "a", "response": {"status_code": 200}}], 0, "no response body"),
    ],
)
def test_bad_records_name_their_index(records: list[Any], index: int, match: str) -> None:
    with pytest.raises(UsageRecordError, match=f"usage record {index}: .*{match}") as info:
        cost_from_usage(records)
    assert info.value.index == index
    assert match.split("'")[0] in info.value.reason
    # A malformed record is a format error, not a settings error (issue 11).
    assert not isinstance(info.value, SettingsError) and isinstance(info.value, ValueError)
    back = pickle.loads(pickle.dumps(info.value))
    assert (back.index, back.reason, str(back)) == (index, info.value.reason, str(info.value))


def test_model_argument_only_for_records_without_one() -> None:
    result = cost_from_usage([chat("gpt-4o-mini", 1000, 0)], model="gpt-4o")
    assert list(result.by_model) == ["gpt-4o-mini"]
