"""When the browser tests run, skip or fail: the README's test command must pass on a fresh
machine with only Python (no Chromium: skipped, one line says why), and CI, which sets
TOKBUDGET_REQUIRE_BROWSER=1, must fail rather than skip when the browser is missing.

Each case runs one browser test in a subprocess whose PATH hides chromium and chromedriver.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ONE_TEST = "tests/test_browser.py::test_hover_shows_id_and_bytes"
_BROWSER_KNOBS = (
    "TOKBUDGET_REQUIRE_BROWSER",
    "TOKBUDGET_SKIP_BROWSER",
    "TOKBUDGET_CHROMIUM",
    "TOKBUDGET_CHROMEDRIVER",
    "CI",
)


def run_without_chromium(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``ONE_TEST`` with an empty folder as PATH and only the given browser knobs."""
    clean = {k: v for k, v in os.environ.items() if k not in _BROWSER_KNOBS}
    empty = tmp_path / "bin"
    empty.mkdir()
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rsfE", "-p", "no:cacheprovider", ONE_TEST],
        cwd=ROOT,
        env=clean | {"PATH": str(empty)} | env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("env", [{}, {"CI": "true"}, {"TOKBUDGET_REQUIRE_BROWSER": "0"}])
def test_without_chromium_browser_tests_skip_with_a_reason(
    tmp_path: Path, env: dict[str, str]
) -> None:
    done = run_without_chromium(tmp_path, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout
    reasons = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(reasons) == 1, done.stdout
    assert "no chromium and chromedriver on PATH" in reasons[0]
    assert "apt-get install chromium chromium-driver" in reasons[0]


@pytest.mark.parametrize("skip", ["", "1"])
def test_required_browser_tests_fail_without_chromium(tmp_path: Path, skip: str) -> None:
    # Required wins over TOKBUDGET_SKIP_BROWSER: CI never passes by skipping them.
    done = run_without_chromium(
        tmp_path, TOKBUDGET_REQUIRE_BROWSER="1", TOKBUDGET_SKIP_BROWSER=skip
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "skipped" not in done.stdout
    assert (
        "TOKBUDGET_REQUIRE_BROWSER is set but chromium and chromedriver is not" not in done.stdout
    )
    assert "TOKBUDGET_REQUIRE_BROWSER is set but chromium and chromedriver are not installed" in (
        done.stdout
    )


def test_a_named_binary_that_does_not_exist_counts_as_missing(tmp_path: Path) -> None:
    done = run_without_chromium(tmp_path, TOKBUDGET_CHROMIUM=str(tmp_path / "nope"))
    assert done.returncode == 0 and "1 skipped" in done.stdout, done.stdout


def test_ci_runs_the_readme_command_last_and_requires_the_browser() -> None:
    ci = (ROOT / ".ci" / "run").read_text().rstrip("\n").splitlines()
    readme = (ROOT / "README.md").read_text()
    command = (
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' "
        "&& .venv/bin/python -m pytest"
    )
    assert f"\n{command}\n" in readme
    assert ci[-1] == command
    assert "export TOKBUDGET_REQUIRE_BROWSER=1" in ci
