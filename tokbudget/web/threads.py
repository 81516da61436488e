"""Starting the server's threads so that Ctrl-C and SIGTERM always reach the main thread."""

from __future__ import annotations

import signal
import threading

__all__ = ["start_without_signals"]

_MAIN_THREAD_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def start_without_signals(thread: threading.Thread) -> None:
    """Start ``thread`` with Ctrl-C and SIGTERM blocked in it, so they reach the main thread.

    The kernel hands a process's signal to any thread that does not block it. On Python
    3.11 a signal caught by another thread can sit unnoticed while the main thread waits
    in ``select()`` (the server's idle loop): Ctrl-C was lost in about one run in three of
    the test suite. A new thread inherits the mask of the thread that starts it.
    """
    if not hasattr(signal, "pthread_sigmask"):  # not POSIX: signals go to the main thread
        thread.start()
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _MAIN_THREAD_SIGNALS)
    try:
        thread.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
