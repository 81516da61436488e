"""The CLI as a real process: signals, and stdin typed on a terminal (a pseudo-terminal).

These start ``tokbudget`` in a subprocess; what they wait for has a generous bound that
only a hang would reach (they assert what happened, never how fast).
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tokbudget.cli._io import STDIN_HINT

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").exists(), reason="needs Linux /proc to find child processes"
)

HANG = 60.0  # seconds: only a hang takes this long


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _until(condition: object, what: str) -> None:
    deadline = time.monotonic() + HANG
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {HANG:.0f} s: {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_workers_end_with_their_parent(how: signal.Signals) -> None:
    # split of stdin streams in the main process while its worker pool waits; stdin never
    # ends, so the command is mid-run when it is killed (as by `timeout` or a CI cancel).
    code = (
        "import sys; from tokbudget.cli import main; "
        "sys.exit(main(['split', '-', '-j', '2', '--max-tokens', '50']))"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL
    ) as proc:
        _until(lambda: len(_children(proc.pid)) >= 2, "the worker processes to start")
        workers = _children(proc.pid)
        proc.send_signal(how)
        proc.wait()
        try:
            _until(lambda: not any(_running(p) for p in workers), "the workers to end")
        finally:
            for pid in workers:  # never leave one behind, even when the test fails
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _read_until(fd: int, needle: bytes, seen: bytearray) -> None:
    def found() -> bool:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            with contextlib.suppress(OSError):
                seen.extend(os.read(fd, 65536))
        return needle in seen

    _until(found, f"{needle!r} on the terminal")


USAGE_LINE = b'{"model": "gpt-4o", "usage": {"prompt_tokens": 1, "completion_tokens": 1}}'


@pytest.mark.parametrize(
    ("argv", "typed", "printed"),
    [
        (["count"], b"hello world", b"3  <stdin>"),
        (["split"], b"hello world", b'"text": "hello world\\n"'),
        (["check"], b"hello world", b"fits"),
        (["cost", "--usage", "-"], USAGE_LINE, b"gpt-4o"),
        (["encode"], b"hello world", b"24912 2375 198"),
        (["decode"], b"24912 2375", b"hello world"),
    ],
)
def test_typed_stdin_ends_with_one_ctrl_d_and_draws_no_bar(
    argv: list[str], typed: bytes, printed: bytes
) -> None:
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "80"}
    with subprocess.Popen(
        [sys.executable, "-m", "tokbudget", *argv],
        stdin=slave,
        stderr=slave,
        stdout=subprocess.PIPE,
        env=env,
    ) as proc:
        os.close(slave)
        seen = bytearray()
        try:
            _read_until(master, STDIN_HINT.encode(), seen)
            os.write(master, typed + b"\n")
            _read_until(master, typed[-10:], seen)  # the echo
            time.sleep(1.0)  # longer than PROGRESS_DELAY: a bar would have been drawn
            os.write(master, b"\x04")  # one Ctrl-D at the start of a line: end of input
            assert proc.stdout is not None
            out = proc.stdout.read()
            proc.wait(timeout=HANG)
        finally:
            if proc.poll() is None:
                proc.kill()
            with contextlib.suppress(OSError):
                seen.extend(os.read(master, 65536))
            os.close(master)
    assert proc.returncode == 0
    assert printed in out
    assert seen.count(STDIN_HINT.encode()) == 1
    assert b"counting:" not in seen and b"splitting:" not in seen  # tqdm's bar, by its label


def test_no_hint_on_a_pipe() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tokbudget", "count"],
        input=b"hello world",
        capture_output=True,
        check=True,
    )
    assert done.stdout.split() == [b"2", b"<stdin>"]
    assert STDIN_HINT.encode() not in done.stderr and done.stderr == b""
