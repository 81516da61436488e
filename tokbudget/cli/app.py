"""The ``tokbudget`` command group: every command, loaded only when it is run.

``tokbudget --help`` lists the commands from :data:`COMMANDS` without importing them,
so asking for help does not load the web server or the worker-process machinery. A new
command is one line in :data:`COMMANDS` (module, function, one-line help); a test checks
that each line's help is the first line of its command's docstring.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

import click

from .. import __version__
from ..errors import TokbudgetError
from ..tokenizer.fast import backend
from ._errors import LibraryError, describe
from ._output import PipeClosed, emit_json
from .options import budget_options, chunk_options, model_options, parse_overlap

__all__ = [
    "COMMANDS",
    "budget_options",
    "chunk_options",
    "cli",
    "emit_json",
    "model_options",
    "parse_overlap",
]

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"tokbudget, version {__version__}\ncounting backend: {backend()}")
    ctx.exit()


class Entry(NamedTuple):
    """Where a command lives and its one-line help (shown by ``tokbudget --help``)."""

    module: str
    attr: str
    short_help: str


COMMANDS: dict[str, Entry] = {
    "check": Entry(
        "check_cmd",
        "check_command",
        "Check that FILE (or stdin) fits MODEL with room for the output.",
    ),
    "cost": Entry(
        "cost_cmd",
        "cost_command",
        "Price FILEs (text, a Chat Completions or Responses API request, or a JSONL batch "
        "file) on each -m MODEL.",
    ),
    "count": Entry(
        "count_cmd", "count_command", "Count the tokens of FILEs (or stdin, also as '-')."
    ),
    "decode": Entry("decode_cmd", "decode_command", "Write the text of token IDs, byte-exact."),
    "encode": Entry(
        "encode_cmd", "encode_command", "Print the token ids of TEXT, a file or stdin."
    ),
    "models": Entry(
        "models_cmd",
        "models_group",
        "List the known models (name, limits, prices); `models show NAME` for one in full.",
    ),
    "serve": Entry(
        "serve_cmd",
        "serve_command",
        "Serve a local page that shows tokens, counts, budget, cost and chunks as you type.",
    ),
    "show": Entry(
        "show_cmd",
        "show_command",
        "Show how FILE (or stdin) is cut into tokens, with counts, context share and cost.",
    ),
    "split": Entry(
        "split_cmd",
        "split_command",
        "Split FILEs (or stdin, also as '-') into chunks of at most --max-tokens tokens.",
    ),
    "truncate": Entry(
        "truncate_cmd",
        "truncate_command",
        "Cut FILE (or stdin) to at most --max-tokens tokens and write it to stdout.",
    ),
}
"""Every command: name -> (module in ``tokbudget.cli``, attribute, short help)."""


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        entry = COMMANDS[cmd_name]
        module = importlib.import_module(f"{__package__}.{entry.module}")
        command = getattr(module, entry.attr)
        if not isinstance(command, click.Command):  # pragma: no cover - a wrong table entry
            raise TypeError(f"{entry.module}.{entry.attr} is not a click command")
        self.commands[cmd_name] = command
        return command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # click would exit 1; see PipeClosed
            raise PipeClosed from None
        except TokbudgetError as exc:  # worded for the command that was running
            raise LibraryError(describe(exc, ctx.invoked_subcommand)) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The table's short help, so that listing the commands imports none of them.
        rows = [
            (name, COMMANDS[name].short_help if name in COMMANDS else self._loaded_help(name))
            for name in self.list_commands(ctx)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _loaded_help(self, name: str) -> str:
        return self.commands[name].get_short_help_str()


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and the counting backend, then exit.",
)
def cli() -> None:
    """Exact, offline token counts, budgets, chunks and costs for OpenAI-style models.

    \b
    Examples:
      tokbudget count README.md            tokens of a file (gpt-4o)
      cat prompt.txt | tokbudget count -m gpt-5 --json
      tokbudget count --text 'some words'  the string itself
      tokbudget count docs/                every text file under docs/
      tokbudget count --messages request.json
      tokbudget models --kind embedding
      tokbudget cost prompt.txt -m gpt-4o -m gpt-4o-mini --output-tokens 500
      tokbudget check prompt.md -m gpt-5 --max-output 20000   exit 1 if it does not fit
      tokbudget truncate notes.md -n 8000 > short.md          cut to 8,000 tokens
      tokbudget show prompt.txt --ids      where the tokens go
      tokbudget split doc.md --max-tokens 512 --overlap 64 > chunks.jsonl
      tokbudget serve                      the local tokenizer page (127.0.0.1:8000)
      tokbudget encode hello world         token ids: 24912 2375
      tokbudget decode 24912 2375          and back, byte-exact

    The default model is gpt-4o; set TOKBUDGET_MODEL to choose another for every
    command (-m still wins). `tokbudget models` shows the one in force.

    \b
    Shell completion (add the line to your shell's startup file):
      bash  eval "$(_TOKBUDGET_COMPLETE=bash_source tokbudget)"
      zsh   eval "$(_TOKBUDGET_COMPLETE=zsh_source tokbudget)"
      fish  _TOKBUDGET_COMPLETE=fish_source tokbudget | source

    Exit codes: 0 done, 1 a check failed (check: it does not fit), 2 a usage error.
    """
