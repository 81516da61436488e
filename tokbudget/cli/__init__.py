"""The ``tokbudget`` command: a thin layer over the public API.

Exit codes: 0 success, 1 a check failed (the request does not fit), 2 a usage error
(bad option, missing or undecodable file, unknown model). User errors print one line,
never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from ..errors import TokbudgetError
from .app import cli

__all__ = ["cli", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    stdout = sys.stdout
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="tokbudget",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except TokbudgetError as exc:
        click.echo(f"tokbudget: error: {exc}", err=True)
        return 2
    except BrokenPipeError:  # `tokbudget ... | head`
        sys.stderr.close()
        return 0
    except SystemExit:
        if sys.stdout is not stdout:  # click's answer to a broken pipe: a quiet stdout, exit 1
            return 0  # `tokbudget encode ... | head` is not a failure
        raise
    return result if isinstance(result, int) else 0
