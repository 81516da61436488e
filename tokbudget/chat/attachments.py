"""Estimates for what a Responses request attaches rather than writes: files and
encrypted reasoning.

None of these is published as a token rule, so each returns an estimate that leans high
(the caller flags it):

* ``input_file`` ``file_data`` (OpenAI's file-inputs guide: the API extracts a file's text,
  and for a PDF on a vision model also an image of each page): a text file is counted as
  its text; a PDF as its bytes / 4 for the text plus the model's largest image per page
  (``/Type /Page`` objects; the low-detail image with ``detail="low"``); another document
  (docx, xlsx, ...) as its bytes / 4.
* ``encrypted_content`` (reasoning, compaction): OpenAI's Codex CLI estimate (base64 -> 3/4
  of the length in bytes, less a 650-byte envelope, 4 bytes a token), rounded up.
"""

from __future__ import annotations

import base64
import binascii
import math
import re

from ..errors import SettingsError
from ..tokenizer.encoder import Encoder
from .images import image_rules, rules_tokens

__all__ = ["FILE_DETAILS", "encrypted_tokens", "file_data_tokens"]

FILE_DETAILS = ("auto", "low", "high")
"""The ``detail`` values of an ``input_file`` (openai-python's ResponseInputFileParam)."""

_BYTES_PER_TOKEN = 4
_ENVELOPE_BYTES = 650  # Codex CLI's estimate of an encrypted blob's non-reasoning bytes
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_DOCUMENT_WHY = (
    "input_file: a document (docx, xlsx, ...): the API extracts its text; counted as its bytes / 4"
)


def encrypted_tokens(blob: str) -> int:
    """Estimated tokens of an ``encrypted_content`` blob (Codex CLI's rule, rounded up).

    >>> encrypted_tokens("A" * 4000)
    588
    """
    return math.ceil(max(0, len(blob) * 3 // 4 - _ENVELOPE_BYTES) / _BYTES_PER_TOKEN)


def file_data_tokens(
    enc: Encoder, model: str, data: str, detail: str, where: str
) -> tuple[int, str]:
    """``(tokens, why)`` of a file sent as ``file_data`` (a data: URL or bare base64).

    ``where`` names the part in an error about the model's image rules.
    """
    raw = _base64(data.split(",", 1)[-1])
    if raw is None:
        return _quarter(len(data) * 3 // 4), _DOCUMENT_WHY
    if raw.startswith(b"%PDF"):
        pages = max(1, len(_PDF_PAGE.findall(raw)))
        try:
            _, rules = image_rules(model, where=where)
            page = rules_tokens(rules, None, None, "low" if detail == "low" else "high")
        except SettingsError:  # no vision: the API sends the text only
            page = 0
        return _quarter(len(raw)) + pages * page, (
            f"PDF: its text (counted as bytes / 4) and an image of each of its {pages} "
            f"page{'s' * (pages != 1)} (counted as the model's largest"
            f"{' low-detail' if detail == 'low' else ''} image); extraction not published"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _quarter(len(raw)), _DOCUMENT_WHY
    return enc.count(text), (
        "input_file: a text file counted as its text; the framing the API adds is not published"
    )


def _base64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _quarter(n_bytes: int) -> int:
    """Bytes / 4, rounded up: ~4 bytes a token for text the API extracts."""
    return math.ceil(n_bytes / _BYTES_PER_TOKEN)
