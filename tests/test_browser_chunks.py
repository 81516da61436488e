"""The page of `tokbudget serve` in headless Chromium: the budget bar (text and chat
request) against tokbudget.check, and the chunks mode against tokbudget.split.

See ``tests/browser_support.py`` for what the browser tests need and the knobs they take.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import tokbudget
from tokbudget import SettingsError

from .conftest import FIXTURES, real_texts

pytest.importorskip("selenium.webdriver", reason="selenium is in the test extra")
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from .browser_support import idle, injected, readme_screenshot, set_text, text_of
from .helpers import tokens

WEATHER = next(
    r["body"]
    for r in json.loads((FIXTURES / "chat_requests.json").read_text(encoding="utf-8"))["requests"]
    if r.get("name") == "weather tool"
)


def set_value(drv: Any, element_id: str, value: str) -> None:
    """Set a box's value as a user's paste would (the value, then an input event)."""
    drv.execute_script(
        "const el = document.getElementById(arguments[0]); el.value = arguments[1];"
        "el.dispatchEvent(new Event('input', {bubbles: true}));",
        element_id,
        value,
    )
    idle(drv)


def budget_text(report: tokbudget.BudgetReport) -> str:
    """What the page should say under the bar, built here from the library's report."""
    parts = [
        f"prompt {report.prompt_tokens:,}",
        f"budget {report.prompt_budget:,} ({report.reason()})",
    ]
    if report.max_input_tokens is not None:
        parts.append(f"max input {report.max_input_tokens:,}")
    parts.append(f"context window {report.context_window:,}")
    parts.append(f"max output {report.max_output_tokens:,}")
    if report.reserve:
        parts.append(f"reserve {report.reserve:,}")
    parts.append(f"room for output {report.completion_room:,}")
    return " · ".join(parts)


def verdict(report: tokbudget.BudgetReport) -> str:
    return "fits" if report.fits else f"does not fit: over by {report.overflow:,}"


def bar_geometry(drv: Any) -> dict[str, float]:
    """Left and width of each part of the bar, in percent of the window (the browser keeps
    about four decimals)."""
    return dict(
        drv.execute_script(
            "const out = {}; for (const id of ['bar-prompt', 'bar-reserve', 'bar-room',"
            " 'bar-input-cap', 'bar-budget']) { const s = document.getElementById(id).style;"
            " out[id + '.left'] = parseFloat(s.left || '0');"
            " out[id + '.width'] = parseFloat(s.width || '0'); } return out;"
        )
    )


# ---------------------------------------------------------------------------- budget bar


def test_budget_bar_is_check(page: Any) -> None:
    Select(page.find_element(By.ID, "model")).select_by_value("gpt-4")
    text = tokens(9_000)  # more than gpt-4's 8,192-token window
    set_text(page, text)
    report = tokbudget.check(text, "gpt-4", exact=True)
    assert not report.fits and report.overflow == 9_000 - 8_191
    assert text_of(page, "verdict") == verdict(report) == "does not fit: over by 809"
    assert text_of(page, "budget-text") == budget_text(report)
    assert page.find_element(By.ID, "bar-prompt").get_attribute("class") == "bar-prompt over"
    # Room for output and a reserve move the budget; the page asks the library again.
    set_value(page, "max-output", "4096")
    set_value(page, "reserve", "100")
    set_text(page, tokens(3_500))
    report = tokbudget.check(tokens(3_500), "gpt-4", max_output_tokens=4_096, reserve=100)
    assert report.fits and report.prompt_budget == 8_192 - 4_096 - 100
    assert text_of(page, "verdict") == "fits"
    assert text_of(page, "budget-text") == budget_text(report)
    geometry = bar_geometry(page)
    window = 8_192
    assert geometry["bar-prompt.width"] == pytest.approx(100 * 3_500 / window, abs=0.01)
    assert geometry["bar-reserve.left"] == pytest.approx(100 * 3_500 / window, abs=0.01)
    assert geometry["bar-reserve.width"] == pytest.approx(100 * 100 / window, abs=0.01)
    assert geometry["bar-room.left"] == pytest.approx(100 * 3_600 / window, abs=0.01)
    assert geometry["bar-room.width"] == pytest.approx(
        100 * report.completion_room / window, abs=0.01
    )
    assert geometry["bar-budget.left"] == pytest.approx(
        100 * report.prompt_budget / window, abs=0.01
    )
    assert not page.find_element(By.ID, "bar-input-cap").is_displayed()  # gpt-4 has none


def test_gpt5_input_cap_below_its_window(page: Any) -> None:
    Select(page.find_element(By.ID, "model")).select_by_value("gpt-5")
    set_text(page, "hello world")
    report = tokbudget.check("hello world", "gpt-5")
    assert text_of(page, "budget-text") == budget_text(report)
    assert "budget 272,000 (gpt-5 accepts at most 272,000 input tokens)" in budget_text(report)
    assert page.find_element(By.ID, "bar-input-cap").is_displayed()
    geometry = bar_geometry(page)
    assert geometry["bar-input-cap.left"] == pytest.approx(68.0, abs=0.01)  # 272,000 of 400,000
    assert geometry["bar-budget.left"] == pytest.approx(68.0, abs=0.01)
    assert geometry["bar-room.width"] == pytest.approx(32.0, abs=0.01)  # 128,000 output tokens


def test_bad_setting_shows_the_library_message(page: Any) -> None:
    set_text(page, "hello world")  # gpt-4o
    set_value(page, "max-output", "20000")
    with pytest.raises(SettingsError) as caught:
        tokbudget.check("hello world", "gpt-4o", max_output_tokens=20_000)
    assert text_of(page, "budget-error") == str(caught.value)
    assert not page.find_element(By.ID, "budget").is_displayed()
    assert text_of(page, "count") == "2"  # the tokens still show
    set_value(page, "max-output", "")
    assert not page.find_element(By.ID, "budget-error").is_displayed()
    assert text_of(page, "verdict") == "fits"


def test_chat_request_budget_is_check(page: Any) -> None:
    page.find_element(By.ID, "tab-chat").click()
    idle(page)
    request = {**WEATHER, "max_completion_tokens": 1_000}
    set_value(page, "chat-input", json.dumps(request))
    report = tokbudget.check(request, "gpt-4o")
    assert report.requested_output == 1_000  # the request's own setting applies
    assert text_of(page, "budget-text") == budget_text(report)
    set_value(page, "max-output", "2000")  # unless the page's box says otherwise
    report = tokbudget.check(request, "gpt-4o", max_output_tokens=2_000)
    assert text_of(page, "budget-text") == budget_text(report)
    assert text_of(page, "verdict") == "fits"


# ---------------------------------------------------------------------------- chunks


def chunks_mode(drv: Any) -> None:
    drv.find_element(By.ID, "tab-chunks").click()
    idle(drv)
    assert drv.find_element(By.ID, "chunk-pane").get_property("hidden") is False
    assert drv.find_element(By.ID, "input").is_displayed()  # the text box is shared
    assert not drv.find_element(By.ID, "token-pane").is_displayed()
    assert drv.find_element(By.ID, "max-tokens").is_displayed()
    assert not drv.find_element(By.ID, "max-output").is_displayed()


def shown_chunks(drv: Any) -> list[dict[str, Any]]:
    """Each chunk card's offsets, tokens and text, as the DOM holds them."""
    model = drv.find_element(By.ID, "model").get_attribute("value")
    assert drv.find_element(By.ID, "chunks").get_attribute("data-model") == model
    return list(
        drv.execute_script(
            "return [...document.querySelectorAll('#chunks .chunk')].map(c => ({"
            " start: +c.dataset.start, end: +c.dataset.end, tokens: +c.dataset.tokens,"
            " text: c.querySelector('.chunk-text').textContent,"
            " shared: [...c.querySelectorAll('.shared')].map(s => s.textContent).join('')}))"
        )
    )


def expected_chunks(text: str, chunks: list[tokbudget.Chunk]) -> list[dict[str, Any]]:
    """The library's chunks with UTF-16 offsets (JavaScript's), and what each repeats."""

    def units(i: int) -> int:
        return len(text[:i].encode("utf-16-le", "surrogatepass")) // 2

    out = []
    for k, c in enumerate(chunks):
        shared = text[c.start : min(chunks[k - 1].end, c.end)] if k else ""
        out.append(
            {"start": units(c.start), "end": units(c.end), "tokens": c.tokens, "text": c.text,
             "shared": shared}
        )  # fmt: skip
    return out


def test_chunks_equal_the_library(page: Any) -> None:
    chunks_mode(page)
    text = (
        real_texts()["english.txt"][:3000]
        + "\n\n"
        + real_texts()["emoji.txt"][:600]
        + "\n\n🦜𝔘 👩‍👩‍👧‍👦 e\u0301 🇫🇷 龘 日本語のテキスト。\n"
    )
    Select(page.find_element(By.ID, "model")).select_by_value("text-embedding-3-small")
    idle(page)
    set_value(page, "max-tokens", "64")
    set_value(page, "input", text)
    expected = tokbudget.split(text, 64, "text-embedding-3-small")
    shown = shown_chunks(page)
    assert len(shown) == len(expected) > 10
    assert page.find_element(By.ID, "chunks").get_attribute("data-count") == str(len(expected))
    assert shown == expected_chunks(text, expected)
    assert "".join(c["text"] for c in shown) == text  # no overlap: they tile the text
    assert all(c["tokens"] <= 64 for c in shown)
    summary = text_of(page, "chunk-summary")
    assert summary.startswith(f"{len(expected)} chunks of at most 64 tokens")
    # With overlap: the repeated text is marked, and still the library's chunks.
    set_value(page, "overlap", "16")
    expected = tokbudget.split(text, 64, "text-embedding-3-small", overlap=16)
    shown = shown_chunks(page)
    assert shown == expected_chunks(text, expected)
    assert any(c["shared"] for c in shown)
    assert "(overlap 16)" in text_of(page, "chunk-summary")
    # Another model: another encoding, other cuts.
    Select(page.find_element(By.ID, "model")).select_by_value("gpt-4o")
    idle(page)
    assert shown_chunks(page) == expected_chunks(
        text, tokbudget.split(text, 64, "gpt-4o", overlap=16)
    )
    # A fraction of max tokens works as in the library.
    set_value(page, "overlap", "0.25")
    expected = tokbudget.split(text, 64, "gpt-4o", overlap=0.25)
    assert shown_chunks(page) == expected_chunks(text, expected)


@pytest.mark.parametrize(
    ("max_tokens", "overlap", "kwargs"),
    [
        ("16", "16", {"max_tokens": 16, "overlap": 16}),
        ("2", "0", {"max_tokens": 2, "overlap": 0}),  # 🦜 alone needs 3 tokens
    ],
)
def test_chunks_bad_settings_show_the_library_message(
    page: Any, max_tokens: str, overlap: str, kwargs: dict[str, Any]
) -> None:
    chunks_mode(page)
    set_value(page, "input", "a 🦜 b")
    set_value(page, "max-tokens", max_tokens)
    set_value(page, "overlap", overlap)
    with pytest.raises(SettingsError) as caught:
        tokbudget.split("a 🦜 b", model="gpt-4o", **kwargs)
    assert text_of(page, "chunk-info") == str(caught.value)
    assert shown_chunks(page) == []
    set_value(page, "max-tokens", "8")
    set_value(page, "overlap", "0")
    assert len(shown_chunks(page)) == 1 and text_of(page, "chunk-info") == ""


def test_chunks_injected_markup_never_runs(page: Any, tmp_path: Path) -> None:
    chunks_mode(page)
    evil = (
        '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> '
        "<svg onload=window.__pwned=3> <b>bold?</b> <iframe src=javascript:window.__pwned=4>"
    ) * 3
    set_value(page, "max-tokens", "12")
    set_value(page, "overlap", "4")
    set_value(page, "input", evil)
    shown = shown_chunks(page)
    assert shown == expected_chunks(evil, tokbudget.split(evil, 12, "gpt-4o", overlap=4))
    ours = (
        "(e.tagName === 'DIV' && ['chunk', 'chunk-head', 'fill-bar', 'chunk-text', '']"
        ".includes(e.classList[0] || '')) || (e.tagName === 'SPAN' && e.children.length === 0)"
    )
    # No <img>, <script>, <svg>, <b> or <iframe> element was created, no script ran.
    assert injected(page, "#chunks *", ours) == []
    page.save_screenshot(str(tmp_path / "chunks-injected.png"))


def test_screenshot_of_chunks(page: Any, tmp_path: Path) -> None:
    """The README's chunks-mode screenshot: copied to $TOKBUDGET_SCREENSHOT_DIR when set."""
    chunks_mode(page)
    Select(page.find_element(By.ID, "model")).select_by_value("text-embedding-3-small")
    idle(page)
    set_value(page, "max-tokens", "48")
    set_value(page, "overlap", "8")
    set_value(page, "input", real_texts()["english.txt"][:1200])
    assert len(shown_chunks(page)) > 3
    readme_screenshot(page, tmp_path / "tokbudget-serve-chunks.png", height=800)
