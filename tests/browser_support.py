"""Headless Chromium for the page of `tokbudget serve`, and helpers to drive the page.

Needs Debian's ``chromium`` and ``chromium-driver`` on ``PATH`` (``TOKBUDGET_CHROMIUM`` and
``TOKBUDGET_CHROMEDRIVER`` name other binaries). Without them the browser tests are
skipped with a one-line reason, so the README's test command passes on a fresh machine
with only Python; ``TOKBUDGET_REQUIRE_BROWSER=1`` (``.ci/run`` sets it) makes a missing
browser a failure instead. ``TOKBUDGET_SKIP_BROWSER=1`` skips them even where Chromium is
installed, unless they are required. The ``driver`` (one browser for the whole session)
and ``page`` fixtures in ``conftest.py`` use :func:`start_chromium`.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tokbudget.tokenizer.spans import token_spans

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # we run as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",  # the server is on this machine; never ask a proxy
    "--window-size=1280,900",
]


REQUIRE = "TOKBUDGET_REQUIRE_BROWSER"
_INSTALL = "apt-get install chromium chromium-driver"


def _binary(env: str, *names: str) -> str | None:
    given = os.environ.get(env)
    if given:
        return given if os.path.exists(given) else None
    return next(filter(None, map(shutil.which, names)), None)


def start_chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Yield a headless Chromium driven by selenium; quit it afterwards.

    Skips (or fails, when ``TOKBUDGET_REQUIRE_BROWSER`` is set) if there is none.
    """
    required = os.environ.get(REQUIRE, "") not in ("", "0")
    if os.environ.get("TOKBUDGET_SKIP_BROWSER") and not required:
        pytest.skip("TOKBUDGET_SKIP_BROWSER is set: browser tests skipped")
    chromium = _binary("TOKBUDGET_CHROMIUM", "chromium", "chromium-browser")
    chromedriver = _binary("TOKBUDGET_CHROMEDRIVER", "chromedriver")
    missing = [n for n, p in (("chromium", chromium), ("chromedriver", chromedriver)) if not p]
    if missing:
        what = " and ".join(missing)
        verb = "are" if len(missing) > 1 else "is"
        if required:
            pytest.fail(
                f"{REQUIRE} is set but {what} {verb} not installed ({_INSTALL})", pytrace=False
            )
        pytest.skip(
            f"browser tests skipped: no {what} on PATH ({_INSTALL}; with {REQUIRE}=1 this fails)"
        )
    assert chromium is not None and chromedriver is not None
    options = Options()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    log = tmp_path_factory.mktemp("chromedriver") / "chromedriver.log"
    # An explicit driver path: selenium never looks for (or downloads) one itself.
    drv = webdriver.Chrome(service=Service(chromedriver, log_output=str(log)), options=options)
    drv.set_script_timeout(60)
    try:
        yield drv
    finally:
        drv.quit()


def open_page(drv: Any, url: str) -> Any:
    """Load the page afresh and wait until its models are loaded."""
    drv.get(url)
    WebDriverWait(drv, 30).until(lambda d: d.execute_script("return document.body.dataset.ready"))
    return drv


_SETTLED = """
const box = document.getElementById("tokens");
return document.body.dataset.state === "idle" &&
       box.textContent === document.getElementById("input").value &&
       box.dataset.model === document.getElementById("model").value;
"""


def idle(drv: Any) -> None:
    """Wait until the page says it is idle (no request in flight, nothing pending)."""
    WebDriverWait(drv, 60, poll_frequency=0.02).until(
        lambda d: d.execute_script("return document.body.dataset.state === 'idle'")
    )


def settle(drv: Any, timeout: float = 60) -> None:
    """Wait until the page shows the tokens of the text box's current text and model."""
    WebDriverWait(drv, timeout, poll_frequency=0.02).until(lambda d: d.execute_script(_SETTLED))


def set_text(drv: Any, text: str) -> None:
    # ChromeDriver's send_keys types only Basic Multilingual Plane characters; astral ones
    # (emoji) are set as a user's paste would: the value, then an input event.
    drv.execute_script(
        "const el = document.getElementById('input'); el.value = arguments[0];"
        "el.dispatchEvent(new Event('input', {bubbles: true}));",
        text,
    )
    settle(drv)


def span_texts(drv: Any) -> list[str]:
    return list(
        drv.execute_script(
            "return [...document.querySelectorAll('#tokens .tok')].map(s => s.textContent)"
        )
    )


def expected_groups(text: str, model: str) -> tuple[list[str], int]:
    """The spans the page should draw (tokens sharing a character drawn as one) and how
    many of them are partial-character groups."""
    spans = token_spans(text, model=model)
    groups: list[str] = []
    partial = 0
    i = 0
    while i < len(spans):
        j, end = i + 1, int(spans.ends[i])
        while j < len(spans) and spans.starts[j] < end:
            end = max(end, int(spans.ends[j]))
            j += 1
        groups.append(text[int(spans.starts[i]) : end])
        partial += j - i > 1
        i = j
    return groups, partial


def readme_screenshot(drv: Any, shot: Path, height: int) -> None:
    """Save a 1100-pixel-wide screenshot; copy it to $TOKBUDGET_SCREENSHOT_DIR if set."""
    drv.set_window_size(1100, height)
    drv.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    target = os.environ.get("TOKBUDGET_SCREENSHOT_DIR")
    if target:
        shutil.copy(shot, Path(target) / shot.name)


def text_of(drv: Any, element_id: str) -> str:
    return str(drv.find_element(By.ID, element_id).text)


def injected(drv: Any, selector: str, ours: str) -> list[str]:
    """The elements under ``selector`` the page did not make itself (their outerHTML), after
    checking that no injected script ran (the test markup sets ``window.__pwned``).

    ``ours`` is a JavaScript expression of ``e``, true for the page's own elements.
    """
    assert drv.execute_script("return window.__pwned") is None
    return list(
        drv.execute_script(
            f"return [...document.querySelectorAll({json.dumps(selector)})]"
            f".filter(e => !({ours})).map(e => e.outerHTML)"
        )
    )
