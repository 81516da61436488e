"""``tokbudget count``: tokens of files, globs, directories, stdin or ``--text``, on every core."""

from __future__ import annotations

import functools
import itertools
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import click
import numpy as np

from ..counting import count_with, resolve_encoding, safe_segments
from ..tokenizer.encoder import Encoder
from ._defaults import MODEL_HELP, model_or_default
from ._inputs import Skips, input_files
from ._io import BLOCK, InputFile, Undecodable, text_blocks, typing_into
from ._notes import model_notes, warn_models
from ._output import emit_json, render_table
from ._parallel import Progress, Summary, Workers, batched, input_cost
from ._request import api_option
from .messages_cmd import count_requests
from .options import encoding_option, input_options, jobs_option, json_option, summary_option


@click.command("count")
@click.argument("files", nargs=-1, metavar="[FILE|DIR|GLOB]...")
@click.option(
    "-m", "--model", "models", multiple=True, help=f"{MODEL_HELP[:-1]}; repeat for a column each."
)
@encoding_option
@input_options
@click.option(
    "--request",
    "--messages",
    "messages",
    is_flag=True,
    help="FILEs are request bodies (JSON, Chat Completions or Responses API): print where "
    "their prompt tokens go, and which parts are estimates.",
)
@api_option
@json_option()
@jobs_option
@summary_option
def count_command(
    files: tuple[str, ...],
    models: tuple[str, ...],
    encoding: str | None,
    text: str | None,
    skip_undecodable: bool,
    messages: bool,
    api: str | None,
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
    string itself. Several -m print a column per model (--json: a list of one document
    per model). With --request (or --messages), each FILE is a request body (Chat
    Completions, Responses API, or a Batch API line; --api forces one) and is counted as
    the API bills its prompt, message by message or item by item, with tools and response
    format (the model is -m, else the body's "model", else the default model). Estimated
    parts are marked ~ and explained on stderr.
    """
    names = list(dict.fromkeys(models))  # repeats dropped, order kept
    if api is not None and not messages:
        raise click.UsageError("--api applies to request bodies; add --request")
    if messages:
        if encoding is not None:
            raise click.UsageError("--request needs a model's chat format: pass -m, not -e")
        if len(names) > 1:
            raise click.UsageError("--request counts for one model at a time: pass one -m")
        first = names[0] if names else None
        return count_requests(input_files(files, text), first, as_json, api)
    labels: list[str | None] = [*names] or [model_or_default(None, encoding)]  # [None]: -e
    encs = [resolve_encoding(label, encoding) for label in labels]
    distinct = list({enc.name: enc for enc in encs}.values())  # count once per encoding
    inputs = input_files(files, text)
    tally = _Tally(inputs, Skips(skip_undecodable), len(distinct))
    stats = Summary(files=len(inputs))
    with Workers(jobs, tally.known_bytes) as workers:
        stats.jobs = workers.jobs
        progress = Progress(tally.known_bytes, "counting", typing_into(inputs))
        try:
            pieces = batched(tally.segments(distinct, progress), BLOCK)
            tasks = ((keys, ([e for e, _ in keys], texts)) for keys, texts in pieces)
            count_batch = functools.partial(_count_batch, tuple(distinct))
            for keys, counts in workers.map(count_batch, tasks):
                for (e, i), n in zip(keys, counts.tolist(), strict=True):
                    tally.tokens[e][i] += n
        finally:
            progress.close()
    counted = [i for i in range(len(inputs)) if i not in tally.skipped]
    order = [d.name for d in distinct]
    columns = [[tally.tokens[order.index(enc.name)][i] for i in counted] for enc in encs]
    totals = [sum(column) for column in columns]
    chars = [tally.chars[i] for i in counted]
    files_counted = [inputs[i].label for i in counted]
    if as_json:
        docs = [
            {
                "model": label,
                "encoding": enc.name,
                "files": [
                    {"file": name, "tokens": n, "characters": c}
                    for name, n, c in zip(files_counted, column, chars, strict=True)
                ],
                "total": {"tokens": total, "characters": sum(chars)},
                "model_notes": model_notes([label]),
            }
            for label, enc, column, total in zip(labels, encs, columns, totals, strict=True)
        ]
        emit_json(docs[0] if len(docs) == 1 else docs)
    elif len(labels) == 1:
        width = max(len(f"{n:,}") for n in [*columns[0], totals[0]])
        out = sys.stdout
        for name, n in zip(files_counted, columns[0], strict=True):
            out.write(f"{n:>{width},}  {name}\n")
        if len(counted) > 1:
            out.write(f"{totals[0]:>{width},}  total\n")
    else:
        rows = [[name, *(f"{c[k]:,}" for c in columns)] for k, name in enumerate(files_counted)]
        if len(counted) > 1:
            rows.append(["total", *(f"{n:,}" for n in totals)])
        sys.stdout.write(render_table(["file", *(str(label) for label in labels)], rows))
    stats.files = len(counted)
    stats.add(sum(tally.bytes[i] for i in counted), totals[0])
    stats.cost = input_cost(labels[0], stats.tokens)
    stats.show(summary)
    warn_models(labels)
    return tally.skips.exit_code()


def _count_batch(encs: tuple[Encoder, ...], task: tuple[list[int], list[str]]) -> Any:
    """Token counts of ``texts``, each with the encoder its index in ``which`` names."""
    which, texts = task
    if len(encs) == 1:
        return count_with(encs[0], texts, threads=1)
    out = np.zeros(len(texts), dtype=np.int64)
    for e, enc in enumerate(encs):
        mine = [j for j, w in enumerate(which) if w == e]
        if mine:
            out[mine] = count_with(enc, [texts[j] for j in mine], threads=1)
    return out


class _Tally:
    """Per-file counts, filled in as the files are read and their pieces counted."""

    def __init__(self, inputs: list[InputFile], skips: Skips, encodings: int = 1) -> None:
        self.inputs = inputs
        self.skips = skips
        self.skipped: set[int] = set()
        self.tokens = [[0] * len(inputs) for _ in range(encodings)]
        self.chars = [0] * len(inputs)
        self.bytes = [s.size or 0 for s in inputs]
        sizes = [s.size for s in inputs]
        self.known_bytes = None if None in sizes else sum(s or 0 for s in sizes)

    def segments(
        self, encs: list[Encoder], progress: Progress
    ) -> Iterator[tuple[tuple[int, int], str]]:
        """Yield ``((encoder index, file index), piece)``: pieces cut where tokens cannot cross.

        Each file is read once; with several encoders (whose safe cuts differ) its blocks
        are shared, and the encoders' pieces interleaved so none runs far ahead.
        """
        for i, source in enumerate(self.inputs):
            blocks = self._blocks(i, source, progress)
            streams = itertools.tee(blocks, len(encs)) if len(encs) > 1 else (blocks,)
            try:
                yield from _round_robin(
                    [
                        _keyed((e, i), safe_segments(enc, s))
                        for e, (enc, s) in enumerate(zip(encs, streams, strict=True))
                    ]
                )
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


def _keyed(key: tuple[int, int], pieces: Iterable[str]) -> Iterator[tuple[tuple[int, int], str]]:
    for piece in pieces:
        yield key, piece


def _round_robin(streams: list[Iterator[Any]]) -> Iterator[Any]:
    """One item from each stream in turn until all are exhausted."""
    active = list(streams)
    while active:
        for stream in list(active):
            try:
                yield next(stream)
            except StopIteration:
                active.remove(stream)
