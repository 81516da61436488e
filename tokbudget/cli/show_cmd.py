"""``tokbudget show``: a text with its tokens marked, and what it amounts to."""

from __future__ import annotations

import json
import os
import sys
from typing import IO

import click

from ..counting import DEFAULT_MODEL, resolve_encoding
from ..figures import text_figures
from ..spans import token_spans
from ._io import InputFile, read_text
from ._render import DIM, RESET, footer_lines, render_tokens
from .app import cli, emit_json, model_options


def _use_colour(flag: bool | None, stream: IO[str]) -> bool:
    if flag is not None:
        return flag
    # The NO_COLOR convention (no-color.org), and terminals that cannot draw colours.
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


def _write_exact(text: str) -> None:
    # Bytes, not str: stdout's encoding (ASCII under LANG=C) and newline handling must not
    # change the text.
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # pragma: no cover - a replaced stdout without a byte layer
        sys.stdout.write(text)
    else:
        buffer.write(text.encode("utf-8", "surrogatepass"))
        buffer.flush()


@cli.command("show")
@click.argument("file", required=False, default="-", metavar="[FILE]")
@model_options
@click.option("--ids", is_flag=True, help="Show token ids (after each token; plain: one line).")
@click.option(
    "--color/--no-color",
    "colour",
    default=None,
    help="Mark tokens with ANSI colours (default: only when stdout is a terminal).",
)
@click.option("--json", "as_json", is_flag=True, help="Print tokens and figures as JSON.")
def show_command(
    file: str,
    model: str | None,
    encoding: str | None,
    ids: bool,
    colour: bool | None,
    as_json: bool,
) -> int:
    """Show how FILE (or stdin) is cut into tokens, with counts, context share and cost.

    On a terminal each token gets a background colour; whitespace-only tokens show
    visible glyphs (· space, → tab, ↵ newline) and tokens that split a character
    between them are underlined in red. Without colours stdout is the text itself,
    byte for byte, and the footer goes to stderr.

    \b
    Examples:
      tokbudget show prompt.txt -m gpt-5
      echo 'naïve 🦜' | tokbudget show --ids -e cl100k_base
      tokbudget show notes.md --json | jq .figures
    """
    resolve_encoding(model, encoding)  # a bad model is a usage error before reading stdin
    label = model if model is not None else (None if encoding else DEFAULT_MODEL)
    text = read_text(InputFile(file))
    spans = token_spans(text, model=model, encoding=encoding)
    figures = text_figures(len(spans), len(text), spans.encoding, model=label)
    if as_json:
        emit_json(
            {
                "model": label,
                "encoding": spans.encoding,
                "count": len(spans),
                "characters": len(text),
                "tokens": json.loads(spans.to_json()),
                "figures": figures.to_json(),
            }
        )
        return 0
    if _use_colour(colour, sys.stdout):
        out = sys.stdout
        out.writelines(render_tokens(spans, ids=ids))
        out.write("\n" if text and not text.endswith("\n") else "")
        out.write(DIM + "─" * 40 + RESET + "\n")
        out.writelines(line + "\n" for line in footer_lines(figures))
        return 0
    if ids:
        _write_exact(" ".join(map(str, spans.ids.tolist())) + "\n")
    else:
        _write_exact(text)
    err = sys.stderr
    if text and not text.endswith("\n") and not ids:
        err.write("\n")
    err.writelines(line + "\n" for line in footer_lines(figures))
    return 0
