"""Commands over many files on one machine: globs, ``--jobs`` worker processes, progress, summary.

``tokbudget count`` and ``tokbudget split`` share this. The command reads its inputs in
the main process (so an undecodable byte is reported with its file and offset, exactly as
with one job) and hands batches of text to worker processes; results come back in input
order, so the output does not depend on the number of jobs. At most a few batches per
worker are in flight, so memory stays bounded whatever the size of the inputs.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

import click
from tqdm import tqdm

from .._util import all_cores, by_size
from ..counting import encoding_for
from ..errors import TokbudgetError, UnknownModelError
from ..models.registry import get_model
from ..pricing import cost
from ._output import money, plural

__all__ = [
    "PARALLEL_MIN_BYTES",
    "PROGRESS_DELAY",
    "Progress",
    "Summary",
    "Workers",
    "batched",
    "input_cost",
]

K = TypeVar("K")
A = TypeVar("A")
R = TypeVar("R")

PARALLEL_MIN_BYTES = 2 << 20
"""Below this much input, worker processes cost more than they save: run inline."""

_WINDOW_PER_JOB = 3  # batches in flight per worker: keeps workers busy, memory bounded


# ------------------------------------------------------------------ workers


def _start_method() -> str:
    # fork starts workers instantly with the encoder already built, but forking a process
    # that runs other threads can deadlock the child; then take a clean forkserver.
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


PARENT_POLL = 0.5
"""Seconds between a worker's checks that the process that started it is still there."""


def _init_worker(main_pid: int, forked: bool) -> None:
    # Ctrl-C goes to the whole process group; the main process alone handles it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker must not outlive the command: `kill`, `timeout` or a CI cancel end the
    # main process at once, without a chance to stop its pool, and a worker waiting for
    # work would then wait forever. So each worker watches the main process and ends
    # itself once it is gone (portable: no prctl, any start method).
    threading.Thread(target=_exit_with, args=(main_pid, forked), daemon=True).start()


def _exit_with(main_pid: int, forked: bool) -> None:
    # A forked worker is re-parented when the main process ends, even before that is
    # reaped; a forkserver's or spawned worker asks whether the main process still exists.
    while _alive(main_pid) and (not forked or os.getppid() == main_pid):
        time.sleep(PARENT_POLL)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's process
        return True
    return True


class Workers:
    """An order-keeping map over worker processes (inline when one job suffices)."""

    def __init__(self, jobs: int | None, input_bytes: int | None = None) -> None:
        wanted = jobs if jobs is not None else all_cores()
        small = input_bytes is not None and input_bytes < PARALLEL_MIN_BYTES
        self.jobs = 1 if small else wanted  # the processes actually used
        self._pool: ProcessPoolExecutor | None = None
        if self.jobs > 1:
            method = _start_method()
            self._pool = ProcessPoolExecutor(
                self.jobs,
                mp_context=multiprocessing.get_context(method),
                initializer=_init_worker,
                initargs=(os.getpid(), method == "fork"),
            )
            # Start every worker now, before a progress bar starts its thread.
            for f in [self._pool.submit(int) for _ in range(self.jobs)]:
                f.result()

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=exc is None, cancel_futures=True)

    def map(self, func: Callable[[A], R], items: Iterable[tuple[K, A]]) -> Iterator[tuple[K, R]]:
        """Yield ``(key, func(arg))`` for each ``(key, arg)``, in order.

        ``func`` must be picklable (a module-level function or a bound method of a
        picklable object); keys stay in this process.
        """
        if self._pool is None:
            for key, arg in items:
                yield key, func(arg)
            return
        pending: deque[tuple[K, Future[R]]] = deque()
        window = self.jobs * _WINDOW_PER_JOB
        for key, arg in items:
            pending.append((key, self._pool.submit(func, arg)))
            if len(pending) >= window:
                yield self._next(pending)
        while pending:
            yield self._next(pending)

    @staticmethod
    def _next(pending: deque[tuple[K, Future[R]]]) -> tuple[K, R]:
        key, future = pending.popleft()
        try:
            return key, future.result()
        except BrokenProcessPool:
            raise click.ClickException(
                "a worker process died (out of memory, or killed); "
                "retry with fewer --jobs, or --jobs 1 to see the error"
            ) from None


def batched(items: Iterable[tuple[K, str]], size: int) -> Iterator[tuple[list[K], list[str]]]:
    """Group ``(key, text)`` pairs into lists of about ``size`` characters.

    One task per small file would cost more in messages than in counting.
    """
    for group in by_size(items, size, lambda item: len(item[1])):
        yield [key for key, _ in group], [text for _, text in group]


# ------------------------------------------------------------------ progress and summary


PROGRESS_DELAY = 0.5
"""Seconds before a progress bar appears: quick runs never show one."""


class Progress:
    """A progress bar over input bytes on stderr, drawn only when stderr is a terminal.

    Never while someone types into stdin on a terminal (``typing``): the bar would be
    drawn over what they type.
    """

    def __init__(self, total_bytes: int | None, what: str, typing: bool = False) -> None:
        self._bar: Any = None
        if sys.stderr.isatty() and not typing:
            self._bar = tqdm(
                total=total_bytes,
                desc=what,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                file=sys.stderr,
                leave=False,
                dynamic_ncols=True,
                delay=PROGRESS_DELAY,
            )

    @property
    def active(self) -> bool:
        return self._bar is not None

    def advance(self, nbytes: int) -> None:
        if self._bar is not None:
            self._bar.update(nbytes)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@dataclass(slots=True)
class Summary:
    """What a run did, for the closing line on stderr."""

    files: int = 0
    bytes: int = 0
    tokens: int = 0
    chunks: int | None = None
    cost: str = ""  # e.g. "$0.52 as gpt-4o input", or why there is no price
    jobs: int = 1
    started: float = field(default_factory=time.perf_counter)

    def add(self, nbytes: int, tokens: int, chunks: int = 0) -> None:
        """Count one more input's bytes, tokens and (for split) chunks."""
        self.bytes += nbytes
        self.tokens += tokens
        if self.chunks is not None:
            self.chunks += chunks

    def line(self) -> str:
        seconds = max(time.perf_counter() - self.started, 1e-9)
        parts = [
            plural(self.files, "file"),
            _size(self.bytes),
            plural(self.tokens, "token"),
        ]
        if self.chunks is not None:
            parts.append(plural(self.chunks, "chunk"))
        if self.cost:
            parts.append(self.cost)
        rate = f"{_size(self.bytes / seconds)}/s, {_count(self.tokens / seconds)} tokens/s"
        jobs = plural(self.jobs, "job")
        return f"tokbudget: {', '.join(parts)} in {seconds:.2f} s ({rate}, {jobs})"

    def show(self, wanted: bool | None) -> None:
        if wanted or (wanted is None and sys.stderr.isatty()):
            sys.stdout.flush()  # the summary comes after the output on a shared terminal
            click.echo(self.line(), err=True)


def input_cost(model: str | None, tokens: int) -> str:
    """``$X as MODEL input``, priced by :func:`tokbudget.cost`, or why there is no price.

    A summary, not a bill: the tokens of all files as one prompt (``tokbudget cost``
    prices requests one by one). A model the registry knows only by its family (a new
    snapshot) is counted with its family's encoding but has no price; a model without a
    price (open-weight), or one priced otherwise (fine-tuned), says why. The summary says
    so rather than turn a finished count into an error.
    """
    if model is None:
        return ""
    try:
        get_model(model)
    except UnknownModelError:
        encoding = encoding_for(model).name
        return f"no price: {model} resolves by family to {encoding} (not in the registry)"
    try:
        priced = cost(model, input_tokens=tokens)
    except TokbudgetError as exc:  # no price in the registry, or one for other rates
        return f"no price: {str(exc).split(';')[0]}"
    return f"{money(priced.total)} as {model} input"


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError  # unreachable


def _count(n: float) -> str:
    return f"{n / 1e6:,.2f}M" if n >= 1e6 else f"{n:,.0f}"
