"""``tokbudget split``: token-bounded chunks of files or stdin, as JSON lines or text."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import click

from ..splitter import DEFAULT_EMBEDDING_MODEL, Chunk, Splitter
from ._io import InputFile, text_blocks
from .app import cli, emit_json

PROGRESS_BYTES = 32 << 20
"""Inputs at least this large show a progress bar (when stderr is a terminal)."""


def _overlap(value: str) -> int | float:
    try:
        return float(value) if any(c in value for c in ".eE") else int(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither tokens (e.g. 50) nor a fraction of --max-tokens (e.g. 0.1)"
        ) from None


@cli.command("split")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("-m", "--model", default=None, help=f"Model (default: {DEFAULT_EMBEDDING_MODEL}).")
@click.option("-e", "--encoding", default=None, help="Encoding name instead of a model.")
@click.option(
    "--max-tokens",
    type=int,
    default=None,
    help="Most tokens per chunk (default: the model's input limit).",
)
@click.option(
    "--overlap",
    default="0",
    show_default=True,
    help="Tokens each chunk repeats from the previous one, or a fraction of --max-tokens.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "text"]),
    default="jsonl",
    show_default=True,
    help="One JSON object per chunk, or the chunks' text under a header line each.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (all chunks).")
def split_command(
    files: tuple[str, ...],
    model: str | None,
    encoding: str | None,
    max_tokens: int | None,
    overlap: str,
    fmt: str,
    as_json: bool,
) -> int:
    """Split FILEs (or stdin, also as '-') into chunks of at most --max-tokens tokens.

    Chunks end at the most natural boundary that fits (paragraph, line, sentence,
    clause, word), every chunk's token count is exact, and offsets are characters into
    each file. Files are read in blocks: any size works in bounded memory.

    \b
    Examples:
      tokbudget split notes.md --max-tokens 512 --overlap 64 > chunks.jsonl
      cat book.txt | tokbudget split --format text --max-tokens 256 | less
    """
    splitter = Splitter(max_tokens, model, encoding=encoding, overlap=_overlap(overlap))
    inputs = [InputFile(name) for name in (files or ("-",))]
    total_bytes = sum(i.size or 0 for i in inputs)
    show_bar = sys.stderr.isatty() and total_bytes >= PROGRESS_BYTES and not as_json
    out = sys.stdout
    files_doc: list[dict[str, Any]] = []
    with ExitStack() as stack:
        bar = None
        if show_bar:
            bar = stack.enter_context(
                click.progressbar(length=total_bytes, label="splitting", file=sys.stderr)
            )
        for source in inputs:
            chunks = splitter.iter_split(_blocks(source, bar))
            if as_json:
                files_doc.append({"file": source.label, "chunks": [_row(c) for c in chunks]})
                continue
            for index, chunk in enumerate(chunks):
                if fmt == "jsonl":
                    row = {"file": source.label, "index": index, **_row(chunk)}
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                else:
                    out.write(
                        f"----- {source.label} #{index} [{chunk.start}:{chunk.end}] "
                        f"{chunk.tokens} tokens -----\n{chunk.text}\n"
                    )
    if as_json:
        emit_json(
            {
                "model": splitter.model,
                "encoding": splitter.enc.name,
                "max_tokens": splitter.max_tokens,
                "overlap": splitter.overlap,
                "files": files_doc,
            }
        )
    return 0


def _row(chunk: Chunk) -> dict[str, Any]:
    return {"start": chunk.start, "end": chunk.end, "tokens": chunk.tokens, "text": chunk.text}


def _blocks(source: InputFile, bar: Any) -> Iterator[str]:
    for block in text_blocks(source):
        if bar is not None:
            bar.update(len(block))
        yield block
