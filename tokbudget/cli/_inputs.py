"""What a command over many inputs reads: files, quoted globs, directories, or ``--text``.

Directories are walked recursively, in sorted order, skipping hidden entries (``.git``);
binary files found there are skipped and named on stderr. A file found by a glob or a
walk that turns out not to be UTF-8 does not stop the run: :class:`Skips` names it with
the offset of its first bad byte, and the command exits 2 unless ``--skip-undecodable``.
"""

from __future__ import annotations

import glob
import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field

import click

from ._io import InputFile, Undecodable

__all__ = ["Skips", "input_files", "looks_binary", "single_input"]

_MAGIC = ("*", "?", "[")
_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")


def looks_binary(path: str) -> bool:
    """The file's first 8 KiB hold a NUL byte or the signature of a binary format."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError:
        return False  # reading it later reports the error with its name
    return b"\x00" in head or head.startswith(_BINARY_MAGIC)


def single_input(name: str, text: str | None) -> InputFile:
    """The one input of ``check``, ``truncate`` and ``show``: FILE, stdin or ``--text``."""
    if text is not None:
        if name != "-":
            raise click.UsageError("give a FILE or --text, not both")
        return InputFile("<text>", text=text)
    _refuse_words((name,))
    return InputFile(name)


def input_files(args: Sequence[str], text: str | None = None) -> list[InputFile]:
    """The inputs named by ``args``: files, globs (``**`` recurses), directories, in order.

    The shell usually expands globs; expanding them here as well lets a quoted pattern
    name more files than a command line can hold. A pattern that matches no file, or a
    directory without a text file, is an error, as is a missing file (``-`` is stdin;
    no arguments means stdin; ``text`` is ``--text``).
    """
    if text is not None:
        if args:
            raise click.UsageError("give FILEs or --text, not both")
        return [InputFile("<text>", text=text)]
    _refuse_words(args)
    files: list[InputFile] = []
    for arg in args or ("-",):
        if arg and os.path.isdir(arg):
            found = _walk(arg)
            if not found:
                raise click.UsageError(f"no text files under {arg}")
            files.extend(found)
        elif arg and arg != "-" and not os.path.exists(arg) and any(m in arg for m in _MAGIC):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                raise click.UsageError(f"no files match {arg!r}")
            for path in matches:
                if os.path.isdir(path):
                    files.extend(_walk(path))
                elif os.path.isfile(path):
                    files.append(InputFile(path, expanded=True))
        else:
            files.append(InputFile(arg))
    return files


def _refuse_words(args: Sequence[str]) -> None:
    """Arguments that are all missing and none path-like are words (``count hello world``,
    as ttok reads them): say how to count them, not just that there is no file ``hello``."""
    if not args or any(_path_like(a) for a in args):
        return
    ctx = click.get_current_context(silent=True)
    command = ctx.info_name if ctx is not None else "count"
    raise click.UsageError(
        f"file not found: {args[0]}; arguments are files. To read the words themselves: "
        f"tokbudget {command} --text {shlex.quote(' '.join(args))}"
    )


def _path_like(arg: str) -> bool:
    """``arg`` exists, is stdin, or reads as a path (a separator, a glob, an extension)."""
    if arg in ("", "-") or os.path.lexists(arg) or os.sep in arg or "/" in arg:
        return True
    return any(m in arg for m in _MAGIC) or len(os.path.splitext(arg)[1]) > 1


def _walk(top: str) -> list[InputFile]:
    found: list[InputFile] = []
    for root, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(n for n in names if not n.startswith(".")):
            path = os.path.join(root, name)
            if not os.path.isfile(path):
                continue
            if looks_binary(path):
                click.echo(f"tokbudget: skipped {path} (binary)", err=True)
                continue
            found.append(InputFile(path, expanded=True))
    return found


@dataclass(slots=True)
class Skips:
    """Files of a glob or directory that were not UTF-8: named on stderr as they go."""

    allowed: bool = False  # --skip-undecodable
    labels: list[str] = field(default_factory=list)

    def skip(self, source: InputFile, error: Undecodable) -> None:
        """Record ``source`` as skipped, or re-raise ``error`` if it was named directly."""
        if not source.expanded:
            raise error
        self.labels.append(source.label)
        click.echo(f"tokbudget: skipped {source.label}: {error.reason}", err=True)

    def exit_code(self) -> int:
        """2 if a file was skipped without ``--skip-undecodable``, else 0."""
        if self.labels and not self.allowed:
            n = len(self.labels)
            click.echo(
                f"tokbudget: {n} file{'s' if n != 1 else ''} skipped as not UTF-8 "
                "(exit 2; --skip-undecodable to accept)",
                err=True,
            )
            return 2
        return 0
