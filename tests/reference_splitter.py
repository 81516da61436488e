"""A slow, obviously-correct splitter: the rules of ``tokbudget.splitting.chunker`` in plain Python.

It re-encodes with tiktoken itself, recounts every candidate from scratch, classifies
every cut one character at a time (``reference_levels``), and scans plain lists; the
fast path must produce exactly the same chunks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import regex

from tokbudget._util import fix_surrogates
from tokbudget.errors import SettingsError
from tokbudget.splitting.boundaries import OTHER, PARAGRAPH
from tokbudget.splitting.chunker import FILL
from tokbudget.splitting.splitter import Chunk

from .conftest import raw_encoding
from .reference_levels import level_at


def char_offsets(enc_name: str, text: str) -> list[tuple[int, int, int]]:
    """Every token boundary that falls between characters: (token, offset, fixed offset).

    ``fixed`` offsets are into ``fix_surrogates(text)``, the text tiktoken really encodes.
    """
    raw = raw_encoding(enc_name)
    fixed = fix_surrogates(text)
    back, i = [], 0  # character of `fixed` -> offset in `text` (a pair is one char there)
    for _ in fixed:
        back.append(i)
        pair = "\ud800" <= text[i] <= "\udbff" and "\udc00" <= text[i + 1 : i + 2] <= "\udfff"
        i += 2 if pair else 1
    back.append(len(text))
    byte_to_char, offset = {}, 0
    for index, ch in enumerate(fixed):
        byte_to_char[offset] = index
        offset += len(ch.encode("utf-8"))
    byte_to_char[offset] = len(fixed)
    out, offset = [], 0
    for k, token in enumerate([*raw.encode_ordinary(text), None]):
        if offset in byte_to_char:
            c = byte_to_char[offset]
            out.append((k, back[c], c))
        if token is not None:
            offset += len(raw.decode_single_token_bytes(token))
    return out


@dataclass
class _Bound:
    tok: int
    pos: int
    level: int


def _between_chars(text: str, p: int) -> bool:
    return not (0 < p < len(text) and text[p - 1 : p + 1] != fix_surrogates(text[p - 1 : p + 1]))


def reference_split(
    text: str, enc_name: str, limit: int, overlap: int = 0, fill: float = FILL
) -> list[Chunk]:
    raw = raw_encoding(enc_name)

    def count(s: int, e: int) -> int:
        return len(raw.encode_ordinary(text[s:e]))

    fixed = fix_surrogates(text)
    bounds = [
        _Bound(k, p, PARAGRAPH if p in (0, len(text)) else level_at(fixed, fp))
        for k, p, fp in char_offsets(enc_name, text)
    ]
    need = max(1, math.ceil(fill * limit))
    chunks: list[Chunk] = []
    s = f = 0
    while s < len(text):
        t_s = next(b.tok for b in bounds if b.pos >= s)
        hi = t_s + limit
        region_end = next((b.pos for b in bounds if b.tok > hi), len(text))
        floor = max(s, f)
        window = [b for b in bounds if b.pos > floor and b.tok <= hi]
        found = None

        def first_fit(positions: list[int], s: int = s) -> tuple[int, int] | None:
            for p in positions:
                n = count(s, p)
                if n <= limit:
                    return p, n
            return None

        for lowest in (t_s + need, -1):
            for level in range(PARAGRAPH, OTHER - 1, -1):
                cands = [b.pos for b in reversed(window) if b.level >= level and b.tok >= lowest]
                found = found or first_fit(cands)
        if found is None:  # C: grapheme cluster boundaries
            ends = [s + m.end() for m in regex.finditer(r"\X", text[s:region_end])]
            found = first_fit([p for p in reversed(ends) if p > floor and _between_chars(text, p)])
        if found is None:  # D: token boundaries inside clusters, then any character
            found = first_fit([b.pos for b in reversed(window)])
        if found is None:
            chars = range(region_end, floor, -1)
            found = first_fit([p for p in chars if _between_chars(text, p)])
        if found is None and f > s:
            s = f
            continue
        if found is None:
            raise SettingsError(f"cannot split at {s}")
        e, n = found
        chunks.append(Chunk(text[s:e], s, e, n))
        nxt = e
        end_bound = [b for b in bounds if b.pos == e]
        if overlap and e < len(text) and end_bound:
            te = end_bound[0].tok
            reach = [b for b in bounds if s < b.pos < e and b.tok >= te - overlap]
            for level in range(PARAGRAPH, OTHER - 1, -1):
                ok = [b.pos for b in reach if b.level >= level and count(b.pos, e) <= overlap]
                if ok:
                    nxt = ok[0]
                    break
        s, f = nxt, e
    return chunks
