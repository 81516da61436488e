"""``tokbudget decode``: token ids back to their exact bytes (ttok's ``--decode``).

A token can hold part of a character, so the bytes of some id lists are not UTF-8 text
on their own; they are written as they are (byte-exact, with a note on stderr) unless
``--errors replace`` asks for text. Special-token ids are refused unless
``--allow-special`` names them, the mirror of ``tokbudget encode``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import click

from ..counting import decode_bytes, resolve_encoding
from ..tokenizer.encoder import Encoder
from ._defaults import model_or_default
from ._io import InputFile, read_text
from ._output import BadInput, emit_json, write_bytes
from .encode_cmd import allow_special_option, allowed_special
from .options import json_option, model_options

__all__ = ["decode_command", "parse_ids"]

_SEPARATORS = re.compile(r"[\s,\[\]]+")
_ID = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: int() would also take '١' or '1_000'
_MAX_DIGITS = 20
"""Longer numbers are refused as they are read: token ids have at most 10 digits (u32), and
int() refuses strings of over 4,300 digits (a ValueError, not a message)."""


def parse_ids(pieces: Iterable[str]) -> list[int]:
    """The ids in ``pieces``: whole numbers separated by spaces, commas or brackets.

    Brackets and commas are separators so that ``encode --json`` output decodes as is.

    >>> parse_ids(["1 2", "[3, 4]"])
    [1, 2, 3, 4]
    """
    ids: list[int] = []
    for piece in pieces:
        for word in _SEPARATORS.split(piece):
            if not word:
                continue
            if not _ID.fullmatch(word):
                if word.startswith("--"):
                    raise click.NoSuchOption(word)
                raise BadInput(
                    f"not a token id: {_shown(word)} (at {len(ids)}); ids are whole numbers "
                    "such as 24912, separated by spaces or commas"
                )
            digits = len(word.lstrip("+-").lstrip("0"))
            if digits > _MAX_DIGITS:
                raise BadInput(
                    f"not a token id: {_shown(word)} (at {len(ids)}), a number of {digits:,} "
                    f"digits; token ids are below {2**32:,}"
                )
            ids.append(int(word))
    return ids


def _shown(word: str) -> str:
    """``word`` quoted, or its start if long (a whole file of junk must not fill the screen)."""
    return repr(word) if len(word) <= 40 else f"{word[:30]!r}... ({len(word):,} characters)"


def _refuse_specials(enc: Encoder, ids: Sequence[int], allowed: frozenset[str]) -> None:
    names = {i: name for name, i in enc.spec.special_tokens.items() if name not in allowed}
    found = [(at, t) for at, t in enumerate(ids) if t in names]
    if found:
        at, t = found[0]
        more = f" (and {len(found) - 1:,} more special ids)" if len(found) > 1 else ""
        raise BadInput(
            f"id {t} (at {at}) is the special token {names[t]}{more}; pass "
            f"--allow-special '{names[t]}' (or --allow-special all) to decode it"
        )


def _not_text_note(enc: Encoder, ids: Sequence[int], exc: UnicodeDecodeError) -> str:
    """Where the first byte that is not UTF-8 is: its offset, and the token it came from."""
    end = 0
    for at, t in enumerate(ids):
        end += len(enc.decode_single_token_bytes(t))
        if end > exc.start:
            return f"{exc.reason} at byte offset {exc.start}, from id {t} (at {at})"
    return f"{exc.reason} at byte offset {exc.start}"


@click.command("decode", context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, metavar="[ID]...")
@click.option("-f", "--file", default=None, metavar="FILE", help="Read the ids from FILE.")
@model_options
@allow_special_option("Decode this special token's id (refused otherwise).")
@click.option(
    "--errors",
    type=click.Choice(["bytes", "replace", "strict"]),
    default="bytes",
    show_default=True,
    help="Bytes that are not UTF-8: write them as they are (and say so on stderr), "
    "replace them with U+FFFD, or refuse (exit 2).",
)
@json_option("Print a JSON document (text as UTF-8).")
def decode_command(
    words: tuple[str, ...],
    file: str | None,
    model: str | None,
    encoding: str | None,
    allow_special: tuple[str, ...],
    errors: str,
    as_json: bool,
) -> int:
    """Write the text of token IDs, byte-exact.

    The ids are the arguments, or are read from -f FILE or stdin.

    Ids are separated by spaces, commas or brackets, so `tokbudget encode` output, plain
    or --json, decodes as it is. Nothing is added: no newline at the end. An id that is
    not in the vocabulary, or is not a whole number, is an error (exit 2) naming it.

    \b
    Examples:
      tokbudget decode 24912 2375                        hello world
      tokbudget encode -f a.txt | tokbudget decode > b.txt   (b.txt == a.txt)
      tokbudget decode -e cl100k_base --allow-special '<|endoftext|>' 15339 100257
    """
    if words and file is not None:
        raise click.UsageError("give IDs or -f FILE, not both")
    model = model_or_default(model, encoding)
    enc = resolve_encoding(model, encoding)
    allowed = allowed_special(enc, allow_special)
    ids = parse_ids(words if words else [read_text(InputFile(file or "-"))])
    data = decode_bytes(ids, model, encoding=encoding)  # names every id not in the vocab
    _refuse_specials(enc, ids, allowed)
    valid = True
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        valid = False
        where = _not_text_note(enc, ids, exc)
        if errors == "strict":
            raise BadInput(
                f"the ids' bytes are not UTF-8 text ({where}); pass --errors bytes to "
                "write them as they are, or --errors replace"
            ) from None
        text = data.decode("utf-8", "replace")
        if errors == "bytes" and not as_json:
            click.echo(
                f"tokbudget: note: the ids' bytes are not UTF-8 text ({where}); written as "
                "they are (--errors replace writes U+FFFD instead)",
                err=True,
            )
        if errors == "replace":
            data = text.encode("utf-8")
    if as_json:
        label = {"model": model, "encoding": enc.name, "tokens": len(ids)}
        emit_json({**label, "utf8": valid, "text": text})
        return 0
    write_bytes(data)
    return 0
