"""``tokbudget count``: tokens of files, globs, directories, stdin or ``--text``, on every core."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from typing import Any

import click

from ..counting import DEFAULT_MODEL, count_with, resolve_encoding, safe_segments
from ..tokenizer.encoder import Encoder
from ._inputs import Skips, input_files
from ._io import BLOCK, InputFile, Undecodable, text_blocks, typing_into
from ._notes import model_notes, warn_models
from ._output import emit_json
from ._parallel import Progress, Summary, Workers, batched, input_cost
from .messages_cmd import count_requests
from .options import input_options, jobs_option, json_option, model_options, summary_option


@click.command("count")
@click.argument("files", nargs=-1, metavar="[FILE|DIR|GLOB]...")
@model_options
@input_options
@click.option(
    "--messages",
    is_flag=True,
    help="FILEs are Chat Completions request bodies (JSON): count messages + tools.",
)
@json_option()
@jobs_option
@summary_option
def count_command(
    files: tuple[str, ...],
    model: str | None,
    encoding: str | None,
    text: str | None,
    skip_undecodable: bool,
    messages: bool,
    as_json: bool,
    jobs: int | None,
    summary: bool | None,
) -> int:
    """Count the tokens of FILEs (or stdin, also as '-').

    Files are read in blocks, so files of any size are counted in bounded memory; the
    count equals counting the whole text at once. Quoted globs ('docs/**/*.md') are
    expanded and directories are walked (text files only: binary and hidden files are
    skipped). A file of a glob or directory that is not UTF-8 is skipped and named on
    stderr, and the exit code is 2 unless --skip-undecodable. Counting runs on all cores
    (--jobs); the output is the same for any --jobs. --text 'some words' counts the
    string itself. With --messages, each FILE is a Chat Completions request body and is
    counted as the API bills its prompt, message by message (the model is -m, else the
    body's "model", else gpt-4o).
    """
    if messages:
        if encoding is not None:
            raise click.UsageError("--messages needs a model's chat format: pass -m, not -e")
        return count_requests(input_files(files, text), model, as_json)
    enc = resolve_encoding(model, encoding)
    inputs = input_files(files, text)
    tally = _Tally(inputs, Skips(skip_undecodable))
    stats = Summary(files=len(inputs))
    with Workers(jobs, tally.known_bytes) as workers:
        stats.jobs = workers.jobs
        progress = Progress(tally.known_bytes, "counting", typing_into(inputs))
        try:
            pieces = tally.segments(enc, progress)
            count_batch = functools.partial(count_with, enc, threads=1)
            for keys, counts in workers.map(count_batch, batched(pieces, BLOCK)):
                for key, n in zip(keys, counts.tolist(), strict=True):
                    tally.tokens[key] += n
        finally:
            progress.close()
    counted = [i for i in range(len(inputs)) if i not in tally.skipped]
    rows: list[dict[str, Any]] = [
        {"file": inputs[i].label, "tokens": tally.tokens[i], "characters": tally.chars[i]}
        for i in counted
    ]
    total = {key: sum(r[key] for r in rows) for key in ("tokens", "characters")}
    label = model or (None if encoding else DEFAULT_MODEL)
    notes = model_notes([label])
    if as_json:
        doc = {"model": label, "encoding": enc.name, "files": rows, "total": total}
        emit_json({**doc, "model_notes": notes})
    else:
        width = max(len(f"{r['tokens']:,}") for r in [*rows, total])
        out = sys.stdout
        for r in rows:
            out.write(f"{r['tokens']:>{width},}  {r['file']}\n")
        if len(rows) > 1:
            out.write(f"{total['tokens']:>{width},}  total\n")
    stats.files = len(rows)
    stats.add(sum(tally.bytes[i] for i in counted), total["tokens"])
    stats.cost = input_cost(label, stats.tokens)
    stats.show(summary)
    warn_models([label])
    return tally.skips.exit_code()


class _Tally:
    """Per-file counts, filled in as the files are read and their pieces counted."""

    def __init__(self, inputs: list[InputFile], skips: Skips) -> None:
        self.inputs = inputs
        self.skips = skips
        self.skipped: set[int] = set()
        self.tokens = [0] * len(inputs)
        self.chars = [0] * len(inputs)
        self.bytes = [s.size or 0 for s in inputs]
        sizes = [s.size for s in inputs]
        self.known_bytes = None if None in sizes else sum(s or 0 for s in sizes)

    def segments(self, enc: Encoder, progress: Progress) -> Iterator[tuple[int, str]]:
        """Yield ``(file index, piece)``: pieces cut where tokens cannot cross."""
        for i, source in enumerate(self.inputs):
            try:
                for segment in safe_segments(enc, self._blocks(i, source, progress)):
                    yield i, segment
            except Undecodable as exc:  # its counts so far are dropped with its row
                self.skips.skip(source, exc)
                self.skipped.add(i)

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
