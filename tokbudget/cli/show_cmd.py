"""``tokbudget show``: a text with its tokens marked, and what it amounts to."""

from __future__ import annotations

import os
import sys
from typing import IO, Any

import click

from ..chat.request import Request
from ..counting import DEFAULT_MODEL, resolve_encoding
from ..errors import InvalidInputError, MessageFormatError, SettingsError
from ..figures import budget_report, text_figures
from ..splitting.splitter import DEFAULT_EMBEDDING_MODEL, Chunk, Splitter
from ..tokenizer.spans import token_spans
from ._defaults import model_or_default
from ._inputs import single_input
from ._io import read_text
from ._notes import model_notes, warn_models
from ._output import BadInput, emit_json, write_bytes
from ._render import DIM, RESET, chunk_lines, footer_lines, render_chunks, render_tokens
from ._request import api_option
from ._request import as_request as read_request_text
from .options import (
    budget_options,
    chunk_options,
    json_option,
    make_splitter,
    model_options,
    text_option,
)

SHOW_MAX_BYTES = 4 << 20
"""The largest input ``show`` draws: it holds every token's span (tens of bytes each)."""


def _use_colour(flag: bool | None, stream: IO[str]) -> bool:
    if flag is not None:
        return flag
    # The NO_COLOR convention (no-color.org), and terminals that cannot draw colours.
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


@click.command("show")
@click.argument("file", required=False, default="-", metavar="[FILE]")
@model_options
@click.option("--ids", is_flag=True, help="Show token ids (after each token; plain: one line).")
@click.option(
    "--color/--no-color",
    "colour",
    default=None,
    help="Mark tokens with ANSI colours (default: only when stdout is a terminal).",
)
@budget_options
@click.option("--chunks", is_flag=True, help="Mark where `tokbudget split` would cut instead.")
@chunk_options("With --chunks: ")
@text_option
@click.option(
    "--request",
    "as_request",
    is_flag=True,
    help="The input is a request body (Chat Completions or Responses API): the budget line "
    "is its prompt (default: for a .json file holding one).",
)
@api_option
@json_option("Print tokens and figures as JSON.")
def show_command(
    file: str,
    model: str | None,
    encoding: str | None,
    ids: bool,
    colour: bool | None,
    max_output: int | None,
    reserve: int,
    chunks: bool,
    max_tokens: int | None,
    overlap: str,
    text: str | None,
    as_request: bool,
    api: str | None,
    as_json: bool,
) -> int:
    """Show how FILE (or stdin) is cut into tokens, with counts, context share and cost.

    On a terminal each token gets a background colour; whitespace-only tokens show
    visible glyphs (· space, → tab, ↵ newline) and tokens that split a character
    between them are underlined in red. Without colours stdout is the text itself,
    byte for byte, and the footer goes to stderr. The footer's budget line is
    `tokbudget check` with the same --max-output and --reserve: for a .json file holding
    a request body (Chat Completions or Responses API), or any input with --request
    (stdin too; --api forces the API), the request's prompt as the API counts it.

    With --chunks (model default: text-embedding-3-small, as for `tokbudget split`)
    it marks where split would cut: each chunk in a colour, followed by a marker
    "✂ #k · n tokens" (and "▸#k" where a chunk starts inside the one before, with
    --overlap; shared text underlined). Without colours stdout is still the exact text
    and the chunks, as "#k [start:end] n tokens", are listed in the footer.

    Inputs over 4 MiB (about a million tokens of English, more than any context
    window) are refused: `tokbudget count` counts any size, and a part can be shown
    (head -c 1M FILE | tokbudget show).

    \b
    Examples:
      tokbudget show prompt.txt -m gpt-5
      tokbudget show --text 'naïve 🦜' --ids
      echo 'naïve 🦜' | tokbudget show --ids -e cl100k_base
      tokbudget show notes.md --json | jq .figures
      tokbudget show notes.md --chunks --max-tokens 256 --overlap 32
    """
    if not chunks and (max_tokens is not None or overlap != "0"):
        raise click.UsageError("--max-tokens and --overlap apply to --chunks; add --chunks")
    if chunks and ids:
        raise click.UsageError("--ids and --chunks do not combine; use one or the other")
    model = model_or_default(
        model, encoding, builtin=DEFAULT_EMBEDDING_MODEL if chunks else DEFAULT_MODEL
    )
    splitter = None
    if chunks:  # settings are checked before any input is read
        splitter = make_splitter(max_tokens, model, encoding, overlap)
    resolve_encoding(model, encoding)  # a bad model is a usage error before reading stdin
    label = model
    instead = "count it with `tokbudget count`, or show a part (head -c 1M FILE | tokbudget show)"
    source = single_input(file, text)
    text = read_text(source, SHOW_MAX_BYTES, instead)
    cut = None if splitter is None else splitter.split(text)
    spans = token_spans(text, model=model, encoding=encoding)
    figures = text_figures(len(spans), len(text), spans.encoding, model=label)
    request = _request(text, file, source.label, as_request, api)
    if request is not None:
        budget = budget_report(request, label, max_output_tokens=max_output, reserve=reserve)
    else:
        budget = budget_report(
            text, label, max_output_tokens=max_output, reserve=reserve, tokens=len(spans)
        )
    warn_models([label])
    if as_json:
        emit_json(
            {
                "model": label,
                "encoding": spans.encoding,
                "count": len(spans),
                "characters": len(text),
                "tokens": [],  # written as spans.to_json() made it
                "figures": figures.to_dict(),
                "budget": None if budget is None else budget.to_dict(),
                "model_notes": model_notes([label]),
                **({} if cut is None or splitter is None else _chunks_doc(cut, splitter)),
            },
            raw={"tokens": spans.to_json()},
        )
        return 0
    footer = footer_lines(figures, budget)
    if cut is not None and splitter is not None:
        footer += chunk_lines(cut, splitter.max_tokens, splitter.overlap)
    if _use_colour(colour, sys.stdout):
        out = sys.stdout
        out.writelines(render_tokens(spans, ids=ids) if cut is None else render_chunks(text, cut))
        out.write("\n" if text and not text.endswith("\n") else "")
        out.write(DIM + "─" * 40 + RESET + "\n")
        out.writelines(line + "\n" for line in footer)
        return 0
    if ids:
        write_bytes(" ".join(map(str, spans.ids.tolist())).encode("ascii") + b"\n")
    else:
        write_bytes(text.encode("utf-8", "surrogatepass"))
    err = sys.stderr
    if text and not text.endswith("\n") and not ids:
        err.write("\n")
    err.writelines(line + "\n" for line in footer)
    return 0


def _chunks_doc(chunks: list[Chunk], splitter: Splitter) -> dict[str, Any]:
    return {
        "max_tokens": splitter.max_tokens,
        "overlap": splitter.overlap,
        "chunks": [{"start": c.start, "end": c.end, "tokens": c.tokens} for c in chunks],
    }


def _request(text: str, file: str, label: str, as_request: bool, api: str | None) -> Request | None:
    """The request body ``text`` holds, if it is to be read as one (else None)."""
    if not (as_request or api is not None or file.lower().endswith(".json")):
        return None
    try:
        request = read_request_text(text, api)
    except (MessageFormatError, SettingsError, InvalidInputError) as exc:
        raise BadInput(f"{file}: {exc}") from None
    if request is None and (as_request or api is not None):
        raise BadInput(
            f"{label} is not a request body (JSON: Chat Completions or Responses "
            "API); drop --request / --api to show it as text"
        )
    return request
