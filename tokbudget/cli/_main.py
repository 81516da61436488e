"""``main``: run a command, turn every user error into one line and an exit code.

Exit codes: 0 done, 1 a check failed, 2 a usage error. A closed pipe (``| head``) ends
the run quietly with 0, whatever the command was writing.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence

import click

from ..errors import TokbudgetError
from ._errors import describe
from ._output import PipeClosed
from .app import cli

__all__ = ["main"]


def _silence_stdout() -> None:
    # Whatever is still buffered must not be flushed into the closed pipe at exit
    # ("Exception ignored ... BrokenPipeError"): point stdout's descriptor at /dev/null.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    try:
        try:
            result = cli.main(
                args=list(argv) if argv is not None else None,
                prog_name="tokbudget",
                standalone_mode=False,
            )
            sys.stdout.flush()  # inside the handlers: a closed pipe shows up here
        except BrokenPipeError:
            raise PipeClosed from None
    except PipeClosed:
        _silence_stdout()
        return 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except TokbudgetError as exc:  # raised outside any command (none today)
        click.echo(f"Error: {describe(exc)}", err=True)
        return 2
    return result if isinstance(result, int) else 0
