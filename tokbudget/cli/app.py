"""The command group and options shared by every command."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from .. import __version__
from ..tokenizer.fast import backend

__all__ = [
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


@click.group(context_settings=CONTEXT_SETTINGS)
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
      tokbudget count --messages request.json
      tokbudget models --kind embedding
      tokbudget cost prompt.txt -m gpt-4o -m gpt-4o-mini --output-tokens 500
      tokbudget check prompt.md -m gpt-5 --max-output 20000   exit 1 if it does not fit
      tokbudget truncate notes.md -n 8000 > short.md          cut to 8,000 tokens
      tokbudget show prompt.txt --ids      where the tokens go
      tokbudget split doc.md --max-tokens 512 --overlap 64 > chunks.jsonl
      tokbudget serve                      the local tokenizer page (127.0.0.1:8000)
    """


def model_options(f: Any) -> Any:
    """``-m/--model`` and ``-e/--encoding`` (mutually exclusive)."""
    f = click.option(
        "-e", "--encoding", default=None, help="Encoding name or .tiktoken file instead of a model."
    )(f)
    f = click.option("-m", "--model", default=None, help="Model name (default: gpt-4o).")(f)
    return f


def budget_options(f: Any) -> Any:
    """``-o/--max-output`` and ``-r/--reserve``, the settings of :func:`tokbudget.check`."""
    f = click.option(
        "-r",
        "--reserve",
        type=click.IntRange(min=0),
        default=0,
        help="Tokens held back from the prompt.",
    )(f)
    f = click.option(
        "-o",
        "--max-output",
        type=click.IntRange(min=0),
        default=None,
        help="Output tokens to make room for (default: whatever is left, at least 1).",
    )(f)
    return f


def chunk_options(when: str = "") -> Callable[[Any], Any]:
    """``--max-tokens`` and ``--overlap``, the settings of :func:`tokbudget.split`.

    ``when`` starts their help (``"With --chunks: "``) where they apply only sometimes.
    ``--overlap`` stays a string: pass it through :func:`parse_overlap`.
    """

    def decorate(f: Any) -> Any:
        f = click.option(
            "--overlap",
            default="0",
            show_default=not when,
            help=f"{when}Tokens each chunk repeats from the previous one, or a fraction of "
            "--max-tokens.",
        )(f)
        return click.option(
            "--max-tokens",
            type=int,
            default=None,
            help=f"{when}Most tokens per chunk (default: the model's input limit).",
        )(f)

    return decorate


def parse_overlap(value: str) -> int | float:
    """``--overlap``: tokens (``64``) or a fraction of ``--max-tokens`` (``0.1``)."""
    try:
        return float(value) if any(c in value for c in ".eE") else int(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither tokens (e.g. 50) nor a fraction of --max-tokens (e.g. 0.1)"
        ) from None


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def register() -> None:
    # Each module registers its command on import.
    from . import (  # noqa: F401
        check_cmd,
        cost_cmd,
        count_cmd,
        models_cmd,
        serve_cmd,
        show_cmd,
        split_cmd,
        truncate_cmd,
    )


register()
