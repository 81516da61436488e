"""``main``: run a command, turn every user error into one line and an exit code.

Exit codes: 0 done, 1 a check failed, 2 a usage error. A closed pipe (``| head``) ends
the run quietly with 0, whatever the command was writing.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Sequence

import click

from ..errors import SettingsError, TokbudgetError, UnknownModelError
from ..models.registry import list_models
from ._output import PipeClosed
from .app import cli

__all__ = ["FLAGS", "describe", "main"]

FLAGS = {
    "encoding": "-e/--encoding",
    "max_output_tokens": "-o/--max-output",
    "max_tokens": "--max-tokens",
    "model": "-m/--model",
    "output_tokens": "--output-tokens",
    "overlap": "--overlap",
    "reserve": "-r/--reserve",
    "marker": "--marker",
    "batch": "--batch",
}
"""The command-line flag of each library argument a command passes on."""

# ``name=value`` for every argument; a bare name only where it cannot be an English word.
_ARGUMENT = re.compile(
    r"\b(?:(?P<name>" + "|".join(FLAGS) + r")=(?P<value>\S*?)(?=[;,)]?(?:\s|$))"
    r"|(?P<bare>" + "|".join(n for n in FLAGS if "_" in n) + r")\b)"
)


def _flag(m: re.Match[str]) -> str:
    if m.group("bare"):
        return FLAGS[m.group("bare")]
    flag, value = FLAGS[m.group("name")], m.group("value")
    if value == "False":
        return f"no {flag}"
    if value == "True":
        return flag
    return f"{flag} {value}" if value else flag


def describe(exc: TokbudgetError) -> str:
    """``exc``'s message as a command-line user needs it: flags, not library arguments."""
    if isinstance(exc, UnknownModelError):
        close = exc.suggestions or _case_insensitive(exc.model)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return (
            f"unknown model {exc.model!r}{hint} (`tokbudget models` lists them; add your own "
            "with a TOML file named by TOKBUDGET_MODELS, or count with -e ENCODING instead)"
        )
    message = str(exc)
    if isinstance(exc, SettingsError):
        # Library messages spell an argument as Python does (``max_tokens=512``); on the
        # command line it is a flag. Only the spelling changes: the value, the limit and
        # the fix stay the library's own.
        message = _ARGUMENT.sub(_flag, message)
    return message


def _case_insensitive(name: str) -> tuple[str, ...]:
    """Model names that equal ``name`` but for case (``GPT-4o``: gpt-4o)."""
    lower = name.lower()
    return tuple(s.name for s in list_models() if s.name.lower() == lower)


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
    except TokbudgetError as exc:
        click.echo(f"tokbudget: error: {describe(exc)}", err=True)
        return 2
    return result if isinstance(result, int) else 0
