"""``tokbudget split``: token-bounded chunks of files or stdin, as JSON lines or text."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import click

from ..models.defaults import MODEL_ENV
from ..splitting.splitter import DEFAULT_EMBEDDING_MODEL, Chunk, Splitter
from ._defaults import model_or_default
from ._inputs import Skips, input_files
from ._io import InputFile, Undecodable, text_blocks, typing_into
from ._output import emit_json, plural
from ._parallel import Progress, Summary, Workers, input_cost
from .options import (
    chunk_options,
    input_options,
    jobs_option,
    json_option,
    make_splitter,
    summary_option,
)

INLINE_BYTES = 64 << 20
"""Files at least this large (and stdin) are split by the main process as a stream, so
memory stays bounded; smaller ones go to worker processes whole, rendered output back."""


@click.command("split")
@click.argument("files", nargs=-1, metavar="[FILE|DIR|GLOB]...")
@click.option(
    "-m",
    "--model",
    default=None,
    help=f"Model (default: ${MODEL_ENV}, else {DEFAULT_EMBEDDING_MODEL}).",
)
@click.option("-e", "--encoding", default=None, help="Encoding name instead of a model.")
@chunk_options()
@input_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "text"]),
    default="jsonl",
    show_default=True,
    help="One JSON object per chunk, or the chunks' text under a header line each.",
)
@json_option("Print one JSON document (all chunks).")
@jobs_option
@summary_option
def split_command(
    files: tuple[str, ...],
    model: str | None,
    encoding: str | None,
    max_tokens: int | None,
    overlap: str,
    text: str | None,
    skip_undecodable: bool,
    fmt: str,
    as_json: bool,
    jobs: int | None,
    summary: bool | None,
) -> int:
    """Split FILEs (or stdin, also as '-') into chunks of at most --max-tokens tokens.

    Chunks end at the most natural boundary that fits (paragraph, line, sentence,
    clause, word), every chunk's token count is exact, and offsets are characters into
    each file. Files are read in blocks: any size works in bounded memory. Quoted globs
    ('docs/**/*.md') are expanded and directories walked, as in `count`; files are
    split on all cores (--jobs), and the output is the same for any --jobs.
    --max-tokens may not exceed the model's input limit (8,191 for the default model).

    \b
    Examples:
      tokbudget split notes.md --max-tokens 512 --overlap 64 > chunks.jsonl
      cat book.txt | tokbudget split --format text --max-tokens 256 | less
    """
    model = model_or_default(model, encoding, builtin=DEFAULT_EMBEDDING_MODEL)
    splitter = make_splitter(max_tokens, model, encoding, overlap)
    inputs = input_files(files, text)
    skips = Skips(skip_undecodable)
    sizes = [i.size for i in inputs]
    known = None if None in sizes else sum(s or 0 for s in sizes)
    stats = Summary(files=len(inputs), chunks=0)
    files_doc: list[dict[str, Any]] = []
    with Workers(jobs, known) as workers:
        stats.jobs = workers.jobs
        progress = Progress(known, "splitting", typing_into(inputs))
        # Files go to the workers whole and come back rendered, in input order; big
        # files, stdin and --text come back as None and are streamed here, in their turn.
        small = workers.jobs > 1
        tasks = ((s, s.name if small and not _inline(s) else None) for s in inputs)
        render = functools.partial(_render, splitter, fmt, as_json)
        try:
            for source, part in workers.map(render, tasks):
                if part is None:
                    part = _stream(splitter, fmt, as_json, source, progress, skips)
                    if part is None:
                        continue
                elif part.undecodable is not None:
                    skips.skip(source, Undecodable(source.label, *part.undecodable))
                    continue
                else:
                    sys.stdout.write(part.text)
                    progress.advance(part.bytes)
                stats.add(part.bytes, part.tokens, part.chunks)
                if as_json:
                    files_doc.append({"file": source.label, "chunks": part.rows})
        finally:
            progress.close()
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
    stats.files -= len(skips.labels)
    stats.cost = input_cost(splitter.model, stats.tokens)
    stats.show(summary)
    return skips.exit_code()


def _stream(
    splitter: Splitter,
    fmt: str,
    as_json: bool,
    source: InputFile,
    progress: Progress,
    skips: Skips,
) -> _Part | None:
    """Split ``source`` here, writing as it goes; None if it was skipped as not UTF-8."""
    if source.expanded:
        # Output is written as the file is read: make sure all of it decodes first, so
        # a skipped file leaves no chunks behind.
        try:
            for _ in text_blocks(source):
                pass
        except Undecodable as exc:
            skips.skip(source, exc)
            return None
    return _split(splitter, fmt, as_json, source, sys.stdout.write, progress)


def _inline(source: InputFile) -> bool:
    return source.size is None or source.text is not None or source.size >= INLINE_BYTES


@dataclass(slots=True)
class _Part:
    """One file's output (rendered text or JSON rows) and what the summary counts."""

    text: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    chunks: int = 0
    tokens: int = 0
    bytes: int = 0
    undecodable: tuple[int, int, str] | None = None  # not UTF-8: offset, byte, hint


def _render(splitter: Splitter, fmt: str, as_json: bool, name: str | None) -> _Part | None:
    """In a worker: split a whole file, output rendered. None: the main process streams."""
    if name is None:
        return None
    lines: list[str] = []
    try:
        part = _split(splitter, fmt, as_json, InputFile(name), lines.append, None)
    except Undecodable as exc:  # the main process decides: skip it, or stop
        return _Part(undecodable=(exc.offset, exc.byte, exc.hint))
    part.text = "".join(lines)
    return part


def _split(
    splitter: Splitter,
    fmt: str,
    as_json: bool,
    source: InputFile,
    write: Callable[[str], object],
    progress: Progress | None,
) -> _Part:
    """Split one file, writing its chunks as the output shows them (rows for --json)."""
    part = _Part(bytes=source.size or 0)
    for index, chunk in enumerate(splitter.iter_split(_blocks(source, progress, part))):
        part.chunks += 1
        part.tokens += chunk.tokens
        if as_json:
            part.rows.append(_row(chunk))
        elif fmt == "jsonl":
            row = {"file": source.label, "index": index, **_row(chunk)}
            write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            write(
                f"----- {source.label} #{index} [{chunk.start}:{chunk.end}] "
                f"{plural(chunk.tokens, 'token')} -----\n{chunk.text}\n"
            )
    return part


def _row(chunk: Chunk) -> dict[str, Any]:
    return {"start": chunk.start, "end": chunk.end, "tokens": chunk.tokens, "text": chunk.text}


def _blocks(source: InputFile, progress: Progress | None, part: _Part) -> Iterator[str]:
    measure = source.size is None or (progress is not None and progress.active)
    for block in text_blocks(source):
        if measure:
            nbytes = len(block.encode("utf-8", "surrogatepass"))
            if progress is not None:
                progress.advance(nbytes)
            if source.size is None:
                part.bytes += nbytes
        yield block
