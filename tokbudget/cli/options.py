"""The options several commands share, defined once so every command spells them alike.

Commands import their options from here; a new shared option goes here too, next to
its siblings, so the help texts and defaults stay the same from command to command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from .._util import all_cores
from ..counting import encoding_for
from ..errors import UnknownModelError
from ..models.registry import get_model
from ..splitting.splitter import DEFAULT_EMBEDDING_MODEL, Splitter
from ._defaults import MODEL_HELP

__all__ = [
    "budget_options",
    "chunk_options",
    "encoding_option",
    "input_options",
    "jobs_option",
    "json_option",
    "make_splitter",
    "model_options",
    "parse_overlap",
    "summary_option",
    "text_option",
]

Decorator = Callable[[Any], Any]


def encoding_option(f: Any) -> Any:
    """``-e/--encoding``: an encoding instead of a model."""
    return click.option(
        "-e", "--encoding", default=None, help="Encoding name or .tiktoken file instead of a model."
    )(f)


def model_options(f: Any) -> Any:
    """``-m/--model`` and ``-e/--encoding`` (mutually exclusive)."""
    return click.option("-m", "--model", default=None, help=MODEL_HELP)(encoding_option(f))


def json_option(help: str = "Print a JSON document.") -> Decorator:
    """``--json``: the result as JSON (the parameter is ``as_json``)."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def text_option(f: Any) -> Any:
    """``--text STRING``: the string itself is the input, instead of FILEs or stdin."""
    return click.option(
        "--text",
        "text",
        default=None,
        metavar="STRING",
        help="Read STRING itself instead of files or stdin (e.g. --text 'some words').",
    )(f)


def input_options(f: Any) -> Any:
    """``--text`` and ``--skip-undecodable``: for commands over many files and directories."""
    f = click.option(
        "--skip-undecodable",
        is_flag=True,
        help="Files from a glob or directory that are not UTF-8 are skipped (named on "
        "stderr) and the exit code stays 0 (default: skipped, exit 2).",
    )(f)
    return text_option(f)


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
        type=click.IntRange(min=1),
        default=None,
        help="Output tokens to make room for, at least 1 (default: whatever is left).",
    )(f)
    return f


def chunk_options(when: str = "") -> Decorator:
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
            f"{value!r} is neither tokens (e.g. 50) nor a fraction of --max-tokens (e.g. 0.1)",
            param_hint="'--overlap'",
        ) from None


def make_splitter(
    max_tokens: int | None, model: str | None, encoding: str | None, overlap: str
) -> Splitter:
    """The :class:`~tokbudget.Splitter` of ``split`` and ``show --chunks``'s flags.

    ``--max-tokens`` above the model's input limit is refused: the API would reject
    such chunks (``-e`` has no model, hence no limit).
    """
    if encoding is None:
        name = model if model is not None else DEFAULT_EMBEDDING_MODEL
        try:
            limit = get_model(name).input_limit
        except UnknownModelError:
            limit = None  # a new snapshot, known only by its family, or a typo
            encoding_for(name)  # a typo is an unknown model here, with suggestions
            if max_tokens is None:
                raise click.UsageError(
                    f"{name} is not in the registry (its family gives the encoding, not "
                    "its input limit); pass --max-tokens"
                ) from None
        if max_tokens is not None and limit is not None and max_tokens > limit:
            raise click.BadParameter(
                f"{max_tokens:,} is more than {name}'s input limit of {limit:,} tokens, "
                f"so the API would reject such chunks; pass at most {limit:,} (or -e "
                "ENCODING, which has no model limit)",
                param_hint="'--max-tokens'",
            )
    return Splitter(max_tokens, model, encoding=encoding, overlap=parse_overlap(overlap))


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
