"""``tokbudget truncate``: cut a file (or stdin) to a token budget, byte-exact."""

from __future__ import annotations

from typing import cast

import click

from ..counting import resolve_encoding
from ..truncation import SIDES, Side, truncate_encoded
from ._defaults import model_or_default
from ._inputs import single_input
from ._io import read_text
from ._output import emit_json, write_bytes
from .options import json_option, model_options, text_option


@click.command("truncate")
@click.argument("file", default="-", metavar="[FILE]")
@click.option(
    "-n", "--max-tokens", type=click.IntRange(min=0), required=True, help="Budget for the result."
)
@model_options
@click.option(
    "--side",
    type=click.Choice(SIDES),
    default="end",
    show_default=True,
    help="What goes: end (keep the head), start (keep the tail), middle (keep both).",
)
@click.option("--marker", default="", help="Text put where the cut is, e.g. ' … '.")
@text_option
@json_option("Print a JSON document instead.")
def truncate_command(
    file: str,
    max_tokens: int,
    model: str | None,
    encoding: str | None,
    side: str,
    marker: str,
    text: str | None,
    as_json: bool,
) -> int:
    """Cut FILE (or stdin) to at most --max-tokens tokens and write it to stdout.

    The output is a byte-exact slice of the input (plus the marker, only if something
    was cut): no character is broken and nothing is re-encoded. With --json, prints the
    text with its token count and the kept character offsets (head, tail).

    \b
    Examples:
      tokbudget truncate notes.md -n 8000 -m gpt-4o > prompt.md
      tokbudget truncate log.txt -n 2000 --side middle --marker $'\\n[...]\\n'
    """
    model = model_or_default(model, encoding)
    enc = resolve_encoding(model, encoding)
    source = single_input(file, text)
    whole = read_text(source)
    result = truncate_encoded(enc, whole, max_tokens, cast(Side, side), marker)
    if as_json:
        emit_json(
            {
                "file": source.label,
                "model": model,
                "encoding": enc.name,
                "max_tokens": max_tokens,
                "side": side,
                "tokens": result.tokens,
                "cut": result.cut,
                "head": result.head,
                "tail": result.tail,
                "characters": len(whole),
                "text": result.text,
            }
        )
        return 0
    write_bytes(result.text.encode("utf-8"))
    return 0
