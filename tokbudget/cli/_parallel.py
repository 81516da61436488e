"""Commands over many files on one machine: globs, ``--jobs`` worker processes, progress, summary.

``tokbudget count`` and ``tokbudget split`` share this. The command reads its inputs in
the main process (so an undecodable byte is reported with its file and offset, exactly as
with one job) and hands batches of text to worker processes; results come back in input
order, so the output does not depend on the number of jobs. At most a few batches per
worker are in flight, so memory stays bounded whatever the size of the inputs.
"""

from __future__ import annotations

import glob
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

import click

from .._util import by_size
from ..errors import TokbudgetError, UnknownModelError
from ..money import money
from ..pricing import cost
from ._io import InputFile

__all__ = [
    "PARALLEL_MIN_BYTES",
    "PROGRESS_DELAY",
    "Progress",
    "Summary",
    "Workers",
    "all_cores",
    "batched",
    "input_cost",
    "input_files",
    "jobs_option",
    "summary_option",
]

K = TypeVar("K")
A = TypeVar("A")
R = TypeVar("R")

PARALLEL_MIN_BYTES = 2 << 20
"""Below this much input, worker processes cost more than they save: run inline."""

_WINDOW_PER_JOB = 3  # batches in flight per worker: keeps workers busy, memory bounded


def all_cores() -> int:
    """The CPUs this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def jobs_option(f: Any) -> Any:
    """``-j/--jobs N``: worker processes (default: every core)."""
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help=f"Worker processes (default: all cores, {all_cores()} here).",
    )(f)


def summary_option(f: Any) -> Any:
    """``--summary/--no-summary``: totals and throughput on stderr (default: if a terminal)."""
    return click.option(
        "--summary/--no-summary",
        default=None,
        help="Print files, bytes, tokens and throughput to stderr (default: when a terminal).",
    )(f)


# ------------------------------------------------------------------ inputs

_MAGIC = ("*", "?", "[")


def input_files(args: Sequence[str]) -> list[InputFile]:
    """The files named by ``args``, globs expanded (``**`` recurses), in the order given.

    The shell usually expands globs; expanding them here as well lets a quoted pattern
    name more files than a command line can hold. A pattern that matches no file is an
    error, as is a missing file (``-`` is stdin; no arguments means stdin).
    """
    files: list[InputFile] = []
    for arg in args or ("-",):
        if arg != "-" and not os.path.exists(arg) and any(m in arg for m in _MAGIC):
            matches = [p for p in sorted(glob.glob(arg, recursive=True)) if os.path.isfile(p)]
            if not matches:
                raise click.UsageError(f"no files match {arg!r}")
            files.extend(InputFile(p) for p in matches)
        else:
            files.append(InputFile(arg))
    return files


# ------------------------------------------------------------------ workers


def _start_method() -> str:
    # fork starts workers instantly with the encoder already built, but forking a process
    # that runs other threads can deadlock the child; then take a clean forkserver.
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _ignore_sigint() -> None:
    # Ctrl-C goes to the whole process group; the main process alone handles it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Workers:
    """An order-keeping map over worker processes (inline when one job suffices)."""

    def __init__(self, jobs: int | None, input_bytes: int | None = None) -> None:
        wanted = jobs if jobs is not None else all_cores()
        small = input_bytes is not None and input_bytes < PARALLEL_MIN_BYTES
        self.jobs = 1 if small else wanted  # the processes actually used
        self._pool: ProcessPoolExecutor | None = None
        if self.jobs > 1:
            self._pool = ProcessPoolExecutor(
                self.jobs,
                mp_context=multiprocessing.get_context(_start_method()),
                initializer=_ignore_sigint,
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
    """A progress bar over input bytes on stderr, drawn only when stderr is a terminal."""

    def __init__(self, total_bytes: int | None, what: str) -> None:
        self._bar: Any = None
        if sys.stderr.isatty():
            from tqdm import tqdm

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
    cost: str | None = None  # e.g. "$0.52 input (gpt-4o)"
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
            f"{self.files:,} file{'s' if self.files != 1 else ''}",
            _size(self.bytes),
            f"{self.tokens:,} tokens",
        ]
        if self.chunks is not None:
            parts.append(f"{self.chunks:,} chunk{'s' if self.chunks != 1 else ''}")
        if self.cost is not None:
            parts.append(self.cost)
        rate = f"{_size(self.bytes / seconds)}/s, {_count(self.tokens / seconds)} tokens/s"
        jobs = f"{self.jobs} job{'s' if self.jobs != 1 else ''}"
        return f"tokbudget: {', '.join(parts)} in {seconds:.2f} s ({rate}, {jobs})"

    def show(self, wanted: bool | None) -> None:
        if wanted or (wanted is None and sys.stderr.isatty()):
            sys.stdout.flush()  # the summary comes after the output on a shared terminal
            click.echo(self.line(), err=True)


def input_cost(model: str | None, tokens: int) -> str | None:
    """``$X as MODEL input``, priced by :func:`tokbudget.cost`, or why there is no price.

    A summary, not a bill: all the files' tokens priced as one prompt of ``tokens``
    tokens (``tokbudget cost`` prices each request). A name that resolves only by family,
    or a model without a price, gives "no price (why)", never an error after a result.
    """
    if model is None:
        return None
    try:
        priced = cost(model, input_tokens=tokens)
    except TokbudgetError as exc:
        return f"no price for {model} ({_why(exc)})"
    return f"{money(priced.total)} as {model} input"


def _why(exc: Exception) -> str:
    if isinstance(exc, UnknownModelError):
        return "not in the registry: counted by its family's encoding"
    return str(exc).split(";")[0]


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError  # unreachable


def _count(n: float) -> str:
    return f"{n / 1e6:,.2f}M" if n >= 1e6 else f"{n:,.0f}"
