"""Library errors in a command-line user's words.

Errors carry their facts as fields: an unknown model is rebuilt from ``model`` and
``suggestions`` (plus a case-insensitive match, ``GPT-4o``), with the CLI's own fix. A
settings error's message spells arguments as Python does (``max_tokens=512``); those
spellings, and only those, become the command's flags (``--max-tokens 512``).
"""

from __future__ import annotations

import re

import click

from ..errors import SettingsError, TokbudgetError, UnknownModelError
from ..models.registry import list_models

__all__ = ["FLAGS", "LibraryError", "describe"]


class LibraryError(click.ClickException):
    """A library error raised while a command ran: exit 2, one line, in the CLI's words."""

    exit_code = 2  # shown as click shows every other error: "Error: <message>"


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

_COMMAND_FLAGS = {
    "cost": {"max_output_tokens": "--output-tokens"},
    "truncate": {"max_tokens": "-n/--max-tokens"},
}
"""Where a command spells an argument its own way."""

# ``name=value`` for every argument; a bare name only where it cannot be an English word.
_ARGUMENT = re.compile(
    r"\b(?:(?P<name>" + "|".join(FLAGS) + r")=(?P<value>\S*?)(?=[;,)]?(?:\s|$))"
    r"|(?P<bare>" + "|".join(n for n in FLAGS if "_" in n) + r")\b)"
)


def _flag(m: re.Match[str], flags: dict[str, str]) -> str:
    if m.group("bare"):
        return flags[m.group("bare")]
    flag, value = flags[m.group("name")], m.group("value")
    if value == "False":
        return f"no {flag}"
    if value == "True":
        return flag
    return f"{flag} {value}" if value else flag


def describe(exc: TokbudgetError, command: str | None = None) -> str:
    """``exc``'s message as a user of ``command`` needs it: flags, not library arguments."""
    if isinstance(exc, UnknownModelError):
        close = exc.suggestions or _case_insensitive(exc.model)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        if exc.variable is not None:  # the default model, named in the environment
            return (
                f"{exc.variable}={exc.model!r} names no known model{hint} (`tokbudget models` "
                f"lists them; set {exc.variable} to one of them, or unset it)"
            )
        return (
            f"unknown model {exc.model!r}{hint} (`tokbudget models` lists them; add your own "
            "with a TOML file named by TOKBUDGET_MODELS, or count with -e ENCODING instead)"
        )
    message = str(exc)
    if isinstance(exc, SettingsError):
        # Library messages spell an argument as Python does (``max_tokens=512``); on the
        # command line it is a flag. Only the spelling changes: the value, the limit and
        # the fix stay the library's own.
        flags = FLAGS | _COMMAND_FLAGS.get(command or "", {})
        message = _ARGUMENT.sub(lambda m: _flag(m, flags), message)
    return message


def _case_insensitive(name: str) -> tuple[str, ...]:
    """Model names that equal ``name`` but for case (``GPT-4o``: gpt-4o)."""
    lower = name.lower()
    return tuple(s.name for s in list_models() if s.name.lower() == lower)
