"""``tokbudget encode``: the token ids of a text (ttok's ``--encode``), and ``--allow-special``.

Special-token text (``<|endoftext|>``) is ordinary text unless ``--allow-special`` names it:
tiktoken's ``encode(text, allowed_special=..., disallowed_special=())``, so without the
option the ids are ``encode_ordinary``'s, as every other command counts them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from ..counting import encode, resolve_encoding
from ..tokenizer.encoder import Encoder
from ._defaults import model_or_default
from ._io import InputFile, read_text
from .options import json_option, model_options

__all__ = ["allow_special_option", "allowed_special", "encode_command", "write_ids"]

_IDS_PER_WRITE = 1 << 16


def allow_special_option(what: str) -> Callable[[Any], Any]:
    """``--allow-special [all|TOKEN]``, repeatable; alone it means ``all``."""
    return click.option(
        "--allow-special",
        "allow_special",
        multiple=True,
        is_flag=False,
        flag_value="all",
        metavar="[all|TOKEN]",
        help=f"{what} Alone or 'all': every special token; repeat to name several.",
    )


def allowed_special(enc: Encoder, values: Sequence[str]) -> frozenset[str]:
    """The special tokens ``--allow-special`` names, checked against ``enc``'s."""
    known = enc.special_tokens_set
    if "all" in values:
        return frozenset(known)
    for value in values:
        if value not in known:
            raise click.BadParameter(
                f"{value!r} is not a special token of {enc.name}; its special tokens are "
                f"{', '.join(sorted(known))} (or 'all'). Followed by an argument, the option "
                "takes it as a token name: to allow them all, write --allow-special all or "
                "put the option last",
                param_hint="'--allow-special'",
            )
    return frozenset(values)


def checked_argument_text(words: Sequence[str]) -> str:
    """TEXT arguments joined by spaces (as ttok does); bytes that were not UTF-8 are an error.

    Python hands undecodable argument bytes over as lone surrogates: encoding those would
    give ids that do not decode to the bytes that were typed.
    """
    text = " ".join(words)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        char = ord(text[exc.start])
        if 0xDC80 <= char <= 0xDCFF:  # an undecodable byte (surrogateescape)
            at = len(text[: exc.start].encode("utf-8", "surrogateescape"))
            what = f"invalid byte 0x{char - 0xDC00:02x} at byte offset {at}"
        else:
            what = f"a lone surrogate U+{char:04X} at character {exc.start}"
        raise click.BadParameter(
            f"TEXT is not UTF-8 ({what}); pass the text in a UTF-8 file with -f",
            param_hint="TEXT",
        ) from None
    return text


def write_ids(ids: Sequence[int], as_json: bool) -> None:
    """The ids, space-separated on one line, or as a JSON list (written in slices)."""
    out = sys.stdout
    if as_json:
        out.write(json.dumps(list(ids)) + "\n")
        return
    for start in range(0, len(ids), _IDS_PER_WRITE):
        if start:
            out.write(" ")
        out.write(" ".join(map(str, ids[start : start + _IDS_PER_WRITE])))
    out.write("\n")


@click.command("encode")
@click.argument("words", nargs=-1, metavar="[TEXT]...")
@click.option("-f", "--file", default=None, metavar="FILE", help="Encode FILE ('-': stdin).")
@model_options
@allow_special_option("Encode this special token's text as the control token.")
@json_option("Print a JSON list of ids.")
def encode_command(
    words: tuple[str, ...],
    file: str | None,
    model: str | None,
    encoding: str | None,
    allow_special: tuple[str, ...],
    as_json: bool,
) -> int:
    """Print the token ids of TEXT, a file or stdin.

    TEXT is its words joined by spaces (as ttok reads them); -f FILE or stdin otherwise.

    Text that looks like a special token ('<|endoftext|>') is ordinary text, as when
    counting, unless --allow-special names it: then it is the one control token, as
    tiktoken's encode(text, allowed_special=...) makes it. `tokbudget decode` turns the
    ids back into the same bytes.

    \b
    Examples:
      tokbudget encode hello world                  24912 2375
      tokbudget encode -f prompt.txt -m gpt-4 --json
      tokbudget encode --allow-special all 'hi<|endoftext|>'
      tokbudget encode 'hi<|endoftext|>' --allow-special '<|endoftext|>'
    """
    if words and file is not None:
        raise click.UsageError("give TEXT or -f FILE, not both")
    model = model_or_default(model, encoding)
    enc = resolve_encoding(model, encoding)
    allowed = allowed_special(enc, allow_special)
    text = checked_argument_text(words) if words else read_text(InputFile(file or "-"))
    write_ids(encode(text, model, encoding=encoding, allowed_special=allowed), as_json)
    return 0
