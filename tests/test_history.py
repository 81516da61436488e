"""fit_messages: fits, keeps what must stay, keeps tool calls whole, never mutates, never loops."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tokbudget import ContextOverflowError
from tokbudget.budget import limits_for
from tokbudget.chat.fit import CUT_MARKER, fit_messages
from tokbudget.chat.messages import count_messages

from .helpers import SdkMessage
from .strategies import chats

MODEL = "gpt-4o"
SYSTEM_LIKE = ("system", "developer")
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup",
            "description": "Look a word up.",
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
        },
    }
]


def must_stay(messages: list[dict[str, Any]], keep_system: bool = True) -> list[int]:
    users = [i for i, m in enumerate(messages) if m["role"] == "user"]
    keep = {i for i, m in enumerate(messages) if keep_system and m["role"] in SYSTEM_LIKE}
    return sorted(keep | set(users[-1:]))


def call_of(messages: list[dict[str, Any]], tool_index: int) -> int:
    """The call a tool result answers: the nearest earlier call with its id."""
    wanted = messages[tool_index]["tool_call_id"]
    return max(
        i
        for i, m in enumerate(messages[:tool_index])
        if any(c["id"] == wanted for c in m.get("tool_calls") or [])
    )


def results_of(messages: list[dict[str, Any]], call_index: int) -> set[int]:
    return {
        j
        for j, m in enumerate(messages)
        if m["role"] == "tool" and call_of(messages, j) == call_index
    }


def check_fit(
    messages: list[dict[str, Any]],
    budget: int,
    result: list[dict[str, Any]],
    report: Any,
    tools: list[dict[str, Any]] | None = None,
) -> None:
    assert count_messages(result, MODEL, tools=tools) == report.tokens <= budget
    assert report.budget.fits and report.budget.prompt_budget == budget
    assert list(report.kept) == sorted(report.kept)
    assert sorted(report.kept + report.dropped) == list(range(len(messages)))
    for i, m in zip(report.kept, result, strict=True):
        if i in report.truncated:
            assert m["content"].endswith(CUT_MARKER)
            assert messages[i]["content"].startswith(m["content"][: -len(CUT_MARKER)])
        else:
            assert m == messages[i]
        assert m is not messages[i]
    kept = set(report.kept)
    for i in kept:
        m = messages[i]
        if m.get("tool_calls"):  # every call keeps all its results ...
            assert results_of(messages, i) <= kept
        if m["role"] == "tool":  # ... and every result keeps its call
            assert call_of(messages, i) in kept


@given(st.one_of(chats(), chats(reuse_ids=True)), st.data())
def test_fits_keeps_what_must_stay_and_never_mutates(
    messages: list[dict[str, Any]], data: Any
) -> None:
    before = copy.deepcopy(messages)
    total = count_messages(messages, MODEL)
    stay = must_stay(messages)
    least = count_messages([messages[i] for i in stay], MODEL)  # mostly between the two
    output = data.draw(st.integers(1, 16_384), label="max_output")
    reserve = 128_000 - output - data.draw(st.integers(least - 3, total + 3), label="budget")
    if reserve < 0:
        return
    budget = limits_for(MODEL, max_output_tokens=output, reserve=reserve).prompt_budget
    try:
        result, report = fit_messages(
            messages, model=MODEL, max_output_tokens=output, reserve=reserve
        )
    except ContextOverflowError as err:
        # Only when the messages that must stay do not fit on their own.
        event("raised")
        minimum = count_messages([messages[i] for i in stay], MODEL)
        assert minimum > budget
        assert (err.needed, err.available, err.model) == (minimum, budget, MODEL)
        assert f"{minimum - budget:,} more than the {budget:,} that fit" in str(err)
    else:
        event("dropped" if report.dropped else "fitted")
        check_fit(messages, budget, result, report)
        assert set(stay) <= set(report.kept)
        assert not report.truncated
        if total <= budget:
            assert not report.dropped
        # Oldest first: every dropped message is older than every kept one that could go.
        droppable_kept = [i for i in report.kept if i not in stay]
        if report.dropped and droppable_kept:
            assert max(report.dropped) < min(droppable_kept)
        # ... and no more than needed: putting back the newest dropped unit is too much.
        if report.dropped:
            last = max(report.dropped)
            if messages[last]["role"] == "tool":
                last = call_of(messages, last)
            unit = {last} | results_of(messages, last)
            restored = [messages[i] for i in sorted(set(report.kept) | unit)]
            assert count_messages(restored, MODEL) > budget
    assert messages == before


@given(st.one_of(chats(), chats(reuse_ids=True)), st.data())
def test_truncate_long_keep_system_false_and_tools(
    messages: list[dict[str, Any]], data: Any
) -> None:
    # With tools, a system message changes how the tools are counted: dropping it
    # (keep_system=False) changes more than its own tokens, which the re-count catches.
    before = copy.deepcopy(messages)
    tools = data.draw(st.sampled_from([None, TOOLS]), label="tools")
    total = count_messages(messages, MODEL, tools=tools)
    budget = data.draw(st.integers(total // 3, total + 2), label="budget")
    keep_system = data.draw(st.booleans(), label="keep_system")
    reserve = 128_000 - 1 - budget
    if reserve < 0:
        return
    try:
        result, report = fit_messages(
            messages,
            model=MODEL,
            reserve=reserve,
            tools=tools,
            keep_system=keep_system,
            truncate_long=True,
        )
    except ContextOverflowError as err:
        event("raised")
        assert err.needed > err.available == budget
    else:
        event("cut" if report.truncated else "dropped" if report.dropped else "fitted")
        check_fit(messages, budget, result, report, tools)
        stay = set(must_stay(messages, keep_system))
        assert stay <= set(report.kept)
        for i in report.truncated:
            assert messages[i]["role"] not in SYSTEM_LIKE or not keep_system
    assert messages == before


# ------------------------------------------------------------------ examples


def turn(role: str, words: int) -> dict[str, Any]:
    return {"role": role, "content": " ".join(["word"] * words)}


def tool_unit(call_id: str, result_words: int) -> list[dict[str, Any]]:
    call = {"id": call_id, "type": "function", "function": {"name": "f", "arguments": "{}"}}
    return [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call_id, "content": " ".join(["r"] * result_words)},
    ]


def fit(chat: list[Any], budget: int, **kwargs: Any) -> tuple[list[dict[str, Any]], Any]:
    """fit_messages on gpt-4 (8,192 window) with a prompt budget of ``budget``."""
    return fit_messages(chat, model="gpt-4", reserve=8_191 - budget, **kwargs)


def test_drops_oldest_turns_first() -> None:
    chat = [
        turn("system", 10),
        turn("user", 1000),
        turn("assistant", 1000),
        turn("user", 1000),
        turn("assistant", 1000),
        turn("user", 50),
    ]
    result, report = fit(chat, 2_200)
    assert report.dropped == (1, 2)
    assert report.kept == (0, 3, 4, 5)
    assert result == [chat[0], chat[3], chat[4], chat[5]]
    assert report.tokens_before == count_messages(chat, "gpt-4")


def test_tool_call_and_results_go_together() -> None:
    chat = [
        turn("system", 5),
        turn("user", 20),
        *tool_unit("call_a", 2000),
        turn("assistant", 20),
        turn("user", 20),
    ]
    result, report = fit(chat, 1_000)
    assert report.dropped == (1, 2, 3)
    assert all(m["role"] != "tool" for m in result)


def test_a_reused_call_id_pairs_each_result_with_its_own_call() -> None:
    # Two turns both call "call_1": the newer result belonged to the older call's unit,
    # so dropping the older turn dropped it too and left the newer call without a result.
    chat = [
        turn("user", 1),
        *tool_unit("call_1", 3000),
        turn("user", 1),
        *tool_unit("call_1", 1),
        turn("user", 1),
    ]
    total = count_messages(chat, "gpt-4")
    kept, report = fit(chat, total - 2000)
    assert report.dropped == (0, 1, 2)
    assert [m["role"] for m in kept] == ["user", "assistant", "tool", "user"]


def test_truncate_long_cuts_instead_of_dropping() -> None:
    chat = [turn("system", 5), turn("user", 3000), turn("assistant", 10), turn("user", 10)]
    budget = 1_000
    result, report = fit(chat, budget)
    assert report.dropped == (1,) and not report.truncated
    result, report = fit(chat, budget, truncate_long=True)
    assert report.dropped == () and report.truncated == (1,)
    assert result[1]["content"].endswith(CUT_MARKER)
    assert budget - 3 <= report.tokens <= budget  # cut to fit, not more
    assert chat[1]["content"] == " ".join(["word"] * 3000)  # the input is untouched


def test_truncate_long_cuts_a_long_tool_result_keeping_the_unit() -> None:
    chat = [turn("user", 10), *tool_unit("call_1", 5000), turn("user", 10)]
    result, report = fit(chat, 1_000, truncate_long=True)
    assert report.truncated == (2,) and report.dropped == (0,)
    assert [m["role"] for m in result] == ["assistant", "tool", "user"]


def test_nothing_to_drop_raises_instead_of_looping() -> None:
    chat = [turn("system", 5000), turn("user", 5000)]
    with pytest.raises(ContextOverflowError) as info:
        fit_messages(chat, model="gpt-4", max_output_tokens=1)
    err = info.value
    needed = count_messages(chat, "gpt-4")
    assert (err.needed, err.available, err.model) == (needed, 8_191, "gpt-4")
    message = str(err)
    assert "1 system message and the latest user message" in message
    assert f"{needed - 8_191:,} more than the 8,191 that fit" in message
    assert "truncate_long=True" in message and "keep_system=False" in message


def test_truncate_long_cuts_the_latest_user_message_last() -> None:
    chat = [turn("system", 10), turn("user", 20_000)]
    result, report = fit_messages(chat, model="gpt-4", truncate_long=True)
    assert report.truncated == (1,) and report.tokens <= 8_191
    assert result[0] == chat[0]
    # A system message is never cut while keep_system is on.
    with pytest.raises(ContextOverflowError):
        fit_messages([turn("system", 20_000), turn("user", 5)], model="gpt-4", truncate_long=True)


def test_keep_system_false_drops_system_like_any_turn() -> None:
    chat = [turn("system", 6000), turn("user", 100), turn("assistant", 10), turn("user", 10)]
    _, report = fit(chat, 4_000, keep_system=False)
    assert 0 in report.dropped and 3 in report.kept


def test_tools_count_and_are_kept() -> None:
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {}}}]
    chat = [turn("system", 5), turn("user", 4100), turn("assistant", 4100), turn("user", 5)]
    result, report = fit_messages(chat, model="gpt-4", tools=tools)
    assert count_messages(result, "gpt-4", tools=tools) == report.tokens <= 8_191
    assert report.dropped == (1,)


def test_fits_already_returns_copies() -> None:
    chat = [turn("user", 3)]
    result, report = fit_messages(chat)
    assert result == chat and result[0] is not chat[0]
    assert (report.dropped, report.truncated, report.kept) == ((), (), (0,))
    assert fit_messages([])[0] == []


def test_sdk_objects() -> None:
    chat = [SdkMessage("user", "word " * 9000), SdkMessage("user", "hi")]
    result, report = fit_messages(chat, model="gpt-4")
    assert result == [{"role": "user", "content": "hi"}] and report.dropped == (0,)


def test_bad_input() -> None:
    with pytest.raises(TypeError, match="messages must be a list of chat messages, got str"):
        fit_messages("hello")
    with pytest.raises(ValueError, match=r"messages\[0\]"):
        fit_messages([{"content": "no role"}])
