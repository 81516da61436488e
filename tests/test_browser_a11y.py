"""The page of `tokbudget serve` by keyboard and screen reader, in headless Chromium: labels,
real tabs, token details without a mouse, a quiet live region, and failed tokenize requests
that leave no stale tokens behind (issue 11, "The page").

See ``tests/browser_support.py`` for what the browser tests need and the knobs they take.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

import tokbudget
from tokbudget.web import api as web_api

pytest.importorskip("selenium.webdriver", reason="selenium is in the test extra")
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from .browser_support import idle, injected, set_text, settle, span_texts, text_of


def active_id(drv: Any) -> str:
    return str(drv.execute_script("return document.activeElement.id"))


def add_model_option(drv: Any, name: str) -> None:
    """Put a model the server does not know into the picker and pick it (as a page left
    open while the registry changed would)."""
    drv.execute_script(
        "const o = document.createElement('option'); o.value = arguments[0];"
        "o.text = arguments[0]; document.getElementById('model').append(o);",
        name,
    )
    Select(drv.find_element(By.ID, "model")).select_by_value(name)


def token_error(drv: Any, code: str) -> None:
    WebDriverWait(drv, 60, poll_frequency=0.02).until(
        lambda d: d.execute_script(
            "return document.body.dataset.state === 'idle' &&"
            " document.getElementById('tokens').dataset.error === arguments[0]",
            code,
        )
    )


# ---------------------------------------------------------------------------- labels


def test_every_control_has_a_name(page: Any) -> None:
    # Chromium's own accessibility tree (WebDriver's "computed label"), not our attributes.
    # Hidden controls have no name there, so each mode is shown in turn.
    names: dict[str, str] = {}
    for mode, ids in [
        ("text", ("input", "model", "max-output", "reserve", "tokens")),
        ("chat", ("chat-input",)),
        ("chunks", ("max-tokens", "overlap")),
    ]:
        page.find_element(By.ID, f"tab-{mode}").click()
        idle(page)
        names |= {i: page.find_element(By.ID, i).accessible_name for i in ids}
    assert names["input"] == "Text to tokenize"
    assert names["chat-input"] == "Request body (JSON): Chat Completions or Responses API"
    assert all(names.values()), names


def test_decorative_bars_are_hidden_from_screen_readers(page: Any) -> None:
    set_text(page, "hello world")
    assert page.find_element(By.ID, "bar").get_attribute("aria-hidden") == "true"
    assert "context window" in text_of(page, "budget-text")  # the bar, in words


# ---------------------------------------------------------------------------- tabs


def test_tabs_switch_with_the_arrow_keys(page: Any) -> None:
    tabs = page.find_elements(By.CSS_SELECTOR, "#modes [role=tab]")
    assert [t.aria_role for t in tabs] == ["tab"] * 3
    tab_to(page, "tab-text")  # from the page's start, the selected tab is a Tab stop
    for key, mode in [
        (Keys.ARROW_RIGHT, "chat"),
        (Keys.ARROW_RIGHT, "chunks"),
        (Keys.ARROW_RIGHT, "text"),  # wraps
        (Keys.ARROW_LEFT, "chunks"),
        (Keys.HOME, "text"),
        (Keys.END, "chunks"),
        (Keys.ARROW_LEFT, "chat"),
    ]:
        page.switch_to.active_element.send_keys(key)
        idle(page)
        assert page.execute_script("return document.body.dataset.mode") == mode
        assert active_id(page) == f"tab-{mode}"  # the focus stays on the tabs
        selected = [
            t.get_attribute("id") for t in tabs if t.get_attribute("aria-selected") == "true"
        ]
        assert selected == [f"tab-{mode}"]
        # One tab stop: only the selected tab is in the Tab order.
        assert [t.get_attribute("tabindex") for t in tabs] == [
            "0" if t.get_attribute("id") == f"tab-{mode}" else "-1" for t in tabs
        ]
        for tab in tabs:
            panel = page.find_element(By.ID, tab.get_attribute("aria-controls"))
            assert panel.aria_role == "tabpanel"
        assert panel.get_attribute("aria-labelledby") == f"tab-{mode}"
    assert page.find_element(By.ID, "chat-input").is_displayed()
    assert not page.find_element(By.ID, "input").is_displayed()
    # Tab from the tabs goes into the panel: the mode's input.
    page.switch_to.active_element.send_keys(Keys.TAB)
    assert active_id(page) == "chat-input"


# ---------------------------------------------------------------------------- token details


def tab_to(drv: Any, element_id: str, limit: int = 12) -> None:
    """Press Tab until ``element_id`` has the focus (at most ``limit`` times)."""
    for _ in range(limit):
        if active_id(drv) == element_id:
            return
        drv.switch_to.active_element.send_keys(Keys.TAB)
    assert active_id(drv) == element_id


def tip_and_detail(drv: Any) -> tuple[str, str]:
    WebDriverWait(drv, 10).until(lambda d: d.find_element(By.ID, "tip").is_displayed())
    detail = drv.execute_script("return document.getElementById('token-detail').textContent")
    return text_of(drv, "tip"), str(detail)


def test_token_details_by_keyboard(page: Any) -> None:
    text = "hello world 🦜"
    set_text(page, text)
    ids = tokbudget.encode(text, model="gpt-4o")
    page.find_element(By.ID, "input").click()
    tab_to(page, "tokens")  # the token box is in the Tab order
    tip, detail = tip_and_detail(page)
    assert f"id {ids[0]}" in tip and '"hello"' in tip and detail == tip
    page.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
    tip, detail = tip_and_detail(page)
    assert f"id {ids[1]}" in tip and '" world"' in tip and detail == tip
    page.switch_to.active_element.send_keys(Keys.END)  # the emoji: its partial tokens
    tip, _ = tip_and_detail(page)
    assert "part of a character" in tip and f"id {ids[-1]}" in tip
    page.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)  # stays on the last
    assert "part of a character" in tip_and_detail(page)[0]
    page.switch_to.active_element.send_keys(Keys.HOME)
    assert f"id {ids[0]}" in tip_and_detail(page)[0]
    current = page.execute_script(
        "return [...document.querySelectorAll('#tokens .current')].map(e => e.textContent)"
    )
    assert current == ["hello"]
    page.switch_to.active_element.send_keys(Keys.TAB)  # leaving hides the tip
    assert not page.find_element(By.ID, "tip").is_displayed()


# ---------------------------------------------------------------------------- live region

_WATCH = """
window.__heard = [];
new MutationObserver(() => window.__heard.push(document.getElementById('announce').textContent))
  .observe(document.getElementById('announce'), {childList: true, characterData: true,
                                                  subtree: true});
window.__shown = 0;
new MutationObserver(() => window.__shown++)
  .observe(document.getElementById('status'), {childList: true, characterData: true,
                                                subtree: true});
"""


_TYPE = """
const [text, done] = arguments;
const box = document.getElementById('input');
let i = 0;
const next = () => {
  if (i === text.length) return done();
  box.value += text[i++];
  box.dispatchEvent(new Event('input', {bubbles: true}));
  setTimeout(next, 40);
};
next();
"""


def test_live_region_announces_only_the_count_once_typing_pauses(page: Any) -> None:
    live = page.execute_script(
        "return [...document.querySelectorAll('[aria-live], [role=status], [role=log]')]"
        ".map(e => e.id)"
    )
    # The count's region, and the token details (changed only by the arrow keys).
    assert sorted(live) == ["announce", "token-detail"]
    page.execute_script(_WATCH)
    text = "The quick brown fox jumps over the lazy dog. " * 2
    # Type key by key at a steady 40 ms a key from inside the page: WebDriver's own
    # send_keys paces keys by the machine's load, and a loaded CI machine could pause
    # longer than the debounce between two keys.
    page.execute_async_script(_TYPE, text)
    settle(page)
    n = tokbudget.count(text, model="gpt-4o")
    WebDriverWait(page, 10).until(
        lambda d: (
            d.execute_script("return document.getElementById('announce').textContent")
            == f"{n} tokens"
        )
    )
    heard = page.execute_script("return window.__heard")
    shown = page.execute_script("return window.__shown")
    assert all(re.fullmatch(r"[\d,]+ tokens", h) for h in heard), heard  # no "API 12 ms"
    # Debounced: the status line changed with the typing, the live region once at the
    # end (twice at most, should the server stall past the debounce mid-typing).
    assert shown >= 2 and 1 <= len(heard) <= 2 and heard[-1] == f"{n} tokens", (heard, shown)
    assert "API" in text_of(page, "status")  # the timing is still there, for the eye


# ---------------------------------------------------------------------------- tokenize errors


def test_a_failed_tokenize_clears_the_old_tokens(page: Any) -> None:
    set_text(page, "hello world")
    assert span_texts(page) == ["hello", " world"]
    add_model_option(page, "gpt-nope")
    token_error(page, "unknown_model")
    # Nothing of the old text's tokens is left; the message says what went wrong.
    assert page.find_elements(By.CSS_SELECTOR, "#tokens *") == []
    assert "gpt-nope" in text_of(page, "token-error")
    assert page.find_element(By.ID, "token-error").get_attribute("role") == "alert"
    assert text_of(page, "count") == "–"
    assert "unknown_model" in text_of(page, "status")
    # Back to a known model: the tokens return and the error goes.
    Select(page.find_element(By.ID, "model")).select_by_value("gpt-4o")
    settle(page)
    assert span_texts(page) == ["hello", " world"]
    assert not page.find_element(By.ID, "token-error").is_displayed()


@pytest.fixture
def tiny_token_cap() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:  # the server runs in this process
        patch.setattr(web_api, "TOKENIZE_MAX_TOKENS", 5)
        yield


def test_a_text_over_the_token_cap_keeps_its_count(page: Any, tiny_token_cap: None) -> None:
    set_text(page, "one")
    text = "one two three four five six seven"
    page.execute_script(
        "const el = document.getElementById('input'); el.value = arguments[0];"
        "el.dispatchEvent(new Event('input', {bubbles: true}));",
        text,
    )
    token_error(page, "too_many_tokens")
    n = tokbudget.count(text, model="gpt-4o")
    assert page.find_elements(By.CSS_SELECTOR, "#tokens *") == []
    assert f"{n} tokens: too many to highlight" in text_of(page, "token-error")
    assert "up to 5 tokens" in text_of(page, "token-error")
    assert text_of(page, "count") == f"{n:,}"  # /api/check still counts it
    assert page.find_element(By.ID, "budget").is_displayed()


def test_markup_stays_inert_in_errors_and_keyboard_details(page: Any) -> None:
    evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    text = evil + " <svg onload=window.__pwned=3>"
    set_text(page, text)
    page.find_element(By.ID, "input").click()
    tab_to(page, "tokens")
    seen = [tip_and_detail(page)[1]]  # the focus lands on the first token
    for _ in range(tokbudget.count(text, model="gpt-4o") - 1):
        page.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
        seen.append(tip_and_detail(page)[1])
    assert any('"<' in s for s in seen) and any('"script"' in s for s in seen), seen
    assert injected(page, "#tip *, #token-detail *, #announce *", "false") == []
    add_model_option(page, evil)  # the server's message quotes the model name
    token_error(page, "unknown_model")
    assert "<img src=x" in text_of(page, "token-error")
    assert injected(page, "#token-error *, #status *, #tokens *", "false") == []
