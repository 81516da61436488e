"""``tokbudget count``: tokens of files, globs or stdin, on every core."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from typing import Any

import click

from ..counting import DEFAULT_MODEL, count_with, resolve_encoding, safe_segments
from ..tokenizer.encoder import Encoder
from ._io import BLOCK, InputFile, text_blocks
from ._parallel import (
    Progress,
    Summary,
    Workers,
    batched,
    input_cost,
    input_files,
    jobs_option,
    summary_option,
)
from ._request import api_option
from .app import cli, emit_json, model_options


@cli.command("count")
@click.argument("files", nargs=-1, metavar="[FILE|GLOB]...")
@model_options
@click.option(
    "--request",
    "--messages",
    "messages",
    is_flag=True,
    help="FILEs are request bodies (JSON, Chat Completions or Responses API): print where "
    "their prompt tokens go, and which parts are estimates.",
)
@api_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document.")
@jobs_option
@summary_option
def count_command(
    files: tuple[str, ...],
    model: str | None,
    encoding: str | None,
    messages: bool,
    api: str | None,
    as_json: bool,
    jobs: int | None,
    summary: bool | None,
) -> int:
    """Count the tokens of FILEs (or stdin, also as '-').

    Files are read in blocks, so files of any size are counted in bounded memory; the
    count equals counting the whole text at once. Quoted globs ('docs/**/*.md') are
    expanded. Counting runs on all cores (--jobs); the output is the same for any --jobs.
    With --request (or --messages), each FILE is a request body (Chat Completions,
    Responses API, or a Batch API line; --api forces one) and is counted as the API bills
    its prompt, message by message or item by item, with tools and response format (the
    model is -m, else the body's "model", else gpt-4o). Estimated parts are marked ~ and
    explained on stderr.
    """
    if api is not None and not messages:
        raise click.UsageError("--api applies to request bodies; add --request")
    if messages:
        if encoding is not None:
            raise click.UsageError("--request needs a model's chat format: pass -m, not -e")
        from .messages_cmd import count_requests

        return count_requests(files, model, as_json, api)
    enc = resolve_encoding(model, encoding)
    inputs = input_files(files)
    tally = _Tally(inputs)
    stats = Summary(files=len(inputs))
    with Workers(jobs, tally.known_bytes) as workers:
        stats.jobs = workers.jobs
        progress = Progress(tally.known_bytes, "counting")
        try:
            pieces = tally.segments(enc, progress)
            count_batch = functools.partial(count_with, enc, threads=1)
            for keys, counts in workers.map(count_batch, batched(pieces, BLOCK)):
                for key, n in zip(keys, counts.tolist(), strict=True):
                    tally.tokens[key] += n
        finally:
            progress.close()
    rows: list[dict[str, Any]] = [
        {"file": source.label, "tokens": tokens, "characters": chars}
        for source, tokens, chars in zip(inputs, tally.tokens, tally.chars, strict=True)
    ]
    total = {"tokens": sum(tally.tokens), "characters": sum(tally.chars)}
    label = model or (None if encoding else DEFAULT_MODEL)
    if as_json:
        emit_json({"model": label, "encoding": enc.name, "files": rows, "total": total})
    else:
        width = max(len(f"{r['tokens']:,}") for r in [*rows, total])
        out = sys.stdout
        for r in rows:
            out.write(f"{r['tokens']:>{width},}  {r['file']}\n")
        if len(rows) > 1:
            out.write(f"{total['tokens']:>{width},}  total\n")
    stats.add(sum(tally.bytes), total["tokens"])
    stats.cost = input_cost(label, stats.tokens)
    stats.show(summary)
    return 0


class _Tally:
    """Per-file counts, filled in as the files are read and their pieces counted."""

    def __init__(self, inputs: list[InputFile]) -> None:
        self.inputs = inputs
        self.tokens = [0] * len(inputs)
        self.chars = [0] * len(inputs)
        self.bytes = [s.size or 0 for s in inputs]
        sizes = [s.size for s in inputs]
        self.known_bytes = None if None in sizes else sum(s or 0 for s in sizes)

    def segments(self, enc: Encoder, progress: Progress) -> Iterator[tuple[int, str]]:
        """Yield ``(file index, piece)``: pieces cut where tokens cannot cross."""
        for i, source in enumerate(self.inputs):
            for segment in safe_segments(enc, self._blocks(i, source, progress)):
                yield i, segment

    def _blocks(self, i: int, source: InputFile, progress: Progress) -> Iterator[str]:
        measure = progress.active or source.size is None
        for block in text_blocks(source):
            self.chars[i] += len(block)
            if measure:  # only stdin's size, and a progress bar, need the byte count
                nbytes = len(block.encode("utf-8", "surrogatepass"))
                progress.advance(nbytes)
                if source.size is None:
                    self.bytes[i] += nbytes
            yield block
