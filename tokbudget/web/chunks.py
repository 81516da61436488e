"""``POST /api/split``: where :func:`tokbudget.split` cuts a text, chunk by chunk.

Request: ``{"text", "model"?, "encoding"?, "max_tokens"?, "overlap"?, "offsets"?}``.
``model`` defaults to the server's default model if it was started with one
(``TOKBUDGET_MODEL``), else to the splitter's own default, ``text-embedding-3-small``;
``max_tokens`` (default: the model's input limit) and ``overlap`` (tokens, or a
fraction of ``max_tokens`` as a number below 1; default 0) go to the library unchanged,
so a bad one gets 400 ``bad_setting`` with the library's message.

Answer::

    {"model", "encoding", "max_tokens", "overlap", "offsets", "characters",
     "count", "tokens", "chunks": [{"start", "end", "tokens"}]}

``max_tokens`` and ``overlap`` are the settings as the splitter resolved them (tokens);
``count`` is the number of chunks and ``tokens`` the sum of their tokens: the text's own
count plus what overlapping chunks repeat, give or take a token where a cut has to fall
inside a pre-tokenizer piece (its two sides encode differently). Each chunk is
``text[start:end]`` with ``tokens`` tokens (``tokbudget.Chunk`` without its text, which
the client has). Offsets follow ``/api/tokenize``: code points by default, UTF-16 code
units with ``"offsets": "utf16"``; a chunk never starts or ends inside a character.
"""

from __future__ import annotations

from ..splitting.splitter import DEFAULT_EMBEDDING_MODEL, Splitter
from ..tokenizer.spans import utf16_offsets
from .protocol import (
    Call,
    Response,
    canonical_model,
    check_fields,
    library_settings,
    model_fields,
    offsets_field,
    parse_body,
    text_field,
)

__all__ = ["split"]


def split(body: bytes, call: Call) -> Response:
    """Answer ``POST /api/split`` (see the module doc)."""
    data = parse_body(body)
    check_fields(data, ("text", "model", "encoding", "max_tokens", "overlap", "offsets"))
    text = text_field(data)
    units = offsets_field(data)
    # The embedding model unless the server was given a default (as `tokbudget split`).
    label, enc = model_fields(data, call.model(DEFAULT_EMBEDDING_MODEL))
    overlap = data.get("overlap")
    with library_settings(max_tokens=data.get("max_tokens"), overlap=overlap):
        splitter = Splitter(
            data.get("max_tokens"),
            label,
            encoding=None if label is not None else enc.name,
            overlap=0 if overlap is None else overlap,
        )
        chunks = splitter.split(text)
    starts = [c.start for c in chunks]
    ends = [c.end for c in chunks]
    if units == "utf16":
        starts = utf16_offsets(text, starts).tolist()
        ends = utf16_offsets(text, ends).tolist()
    rows = [
        {"start": s, "end": e, "tokens": c.tokens}
        for s, e, c in zip(starts, ends, chunks, strict=True)
    ]
    return Response.of(
        {
            "model": canonical_model(label),
            "encoding": enc.name,
            "max_tokens": splitter.max_tokens,
            "overlap": splitter.overlap,
            "offsets": units,
            "characters": len(text),
            "count": len(chunks),
            "tokens": sum(c.tokens for c in chunks),
            "chunks": rows,
        }
    )
