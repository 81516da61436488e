"""``tokbudget count``: tokens of files or stdin."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..counting import DEFAULT_MODEL, resolve_encoding, safe_segments
from ._io import InputFile, text_blocks
from .app import cli, emit_json, model_options


@cli.command("count")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@model_options
@click.option(
    "--messages",
    is_flag=True,
    help="FILEs are Chat Completions request bodies (JSON): count messages + tools.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document.")
def count_command(
    files: tuple[str, ...], model: str | None, encoding: str | None, messages: bool, as_json: bool
) -> int:
    """Count the tokens of FILEs (or stdin, also as '-').

    Files are read in blocks, so files of any size are counted in bounded memory; the
    count equals counting the whole text at once. With --messages, each FILE is a Chat
    Completions request body and is counted as the API bills its prompt, message by
    message (the model is -m, else the body's "model", else gpt-4o).
    """
    if messages:
        if encoding is not None:
            raise click.UsageError("--messages needs a model's chat format: pass -m, not -e")
        from .messages_cmd import count_requests

        return count_requests(files, model, as_json)
    enc = resolve_encoding(model, encoding)
    inputs = [InputFile(name) for name in (files or ("-",))]
    rows: list[dict[str, Any]] = []
    for source in inputs:
        chars = 0
        tokens = 0

        def blocks(source: InputFile = source) -> Any:
            nonlocal chars
            for block in text_blocks(source):
                chars += len(block)
                yield block

        for segment in safe_segments(enc, blocks()):
            tokens += enc.count(segment)
        rows.append({"file": source.label, "tokens": tokens, "characters": chars})
    total = {
        "tokens": sum(r["tokens"] for r in rows),
        "characters": sum(r["characters"] for r in rows),
    }
    label = model or (None if encoding else DEFAULT_MODEL)
    if as_json:
        emit_json({"model": label, "encoding": enc.name, "files": rows, "total": total})
        return 0
    width = max(len(f"{r['tokens']:,}") for r in [*rows, total])
    out = sys.stdout
    for r in rows:
        out.write(f"{r['tokens']:>{width},}  {r['file']}\n")
    if len(rows) > 1:
        out.write(f"{total['tokens']:>{width},}  total\n")
    return 0
