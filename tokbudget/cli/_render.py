"""Drawing token spans, chunks and a text's figures on a terminal (ANSI colours).

Tokens alternate between background colours. Tokens that split a character between them
(see :mod:`tokbudget.tokenizer.spans`) are drawn as one group, underlined on a red background.
Whitespace-only tokens show their characters as visible glyphs (``·`` space, ``→`` tab,
``↵`` newline), and control characters in the text are never sent to the terminal raw:
they appear as their Unicode control pictures (ESC as ``␛``), so a text cannot move the
cursor or change the terminal's state.

Chunks (``show --chunks``) alternate between the same colours, one per chunk; text that
two chunks share (their overlap) is underlined on grey. Each chunk is followed by a
marker in reverse video, `` ✂ #k · n tokens ``, and where a chunk starts inside the one
before (overlap) a marker `` ▸#k `` opens it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import regex

from ..budget import BudgetReport
from ..figures import TextFigures
from ..splitting.splitter import Chunk
from ..tokenizer.spans import TokenSpans
from ._output import money, plural

__all__ = [
    "PALETTE",
    "PARTIAL",
    "RESET",
    "bar",
    "budget_line",
    "chunk_lines",
    "footer_lines",
    "money",
    "render_chunks",
    "render_tokens",
]

RESET = "\x1b[0m"
PALETTE = tuple(f"\x1b[48;5;{c}m" for c in (24, 22, 94, 53, 30))
"""Background colours that alternate from token to token (xterm-256: blue, green, brown,
purple, teal: dark enough for light text, distinct side by side)."""
PARTIAL = "\x1b[48;5;124;4m"
"""Tokens that split a character: red background, underlined."""
DIM = "\x1b[2m"
OVERLAP = "\x1b[48;5;240;4m"
"""Text two chunks share: grey background, underlined."""
MARK = "\x1b[7m"
"""Chunk markers: reverse video."""

_WHITESPACE_GLYPHS = {" ": "·", "\t": "→", "\n": "↵\n", "\r": "␍"}
_WHITESPACE = regex.compile(r"\s")
# C0 controls other than tab/newline/carriage return, DEL and C1 controls.
_CONTROL = regex.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def _control_picture(m: regex.Match[str]) -> str:
    code = ord(m.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ .. ␟
    return "␡" if code == 0x7F else "�"


def _visible(segment: str, whitespace_only: bool) -> str:
    if whitespace_only:
        segment = _WHITESPACE.sub(lambda m: _WHITESPACE_GLYPHS.get(m.group(), "␣"), segment)
    return _CONTROL.sub(_control_picture, segment)


def render_tokens(spans: TokenSpans, *, ids: bool = False) -> Iterator[str]:
    """Yield the text of ``spans`` with ANSI colours marking each token.

    Colours are reset before every line break so no background bleeds to the line's end.
    """
    text = spans.text
    n = len(spans)
    if n == 0:
        return
    starts, ends = spans.starts, spans.ends
    # A new group starts wherever a token does not share a character with the one before.
    firsts = np.concatenate(([0], np.flatnonzero(starts[1:] >= ends[:-1]) + 1)).tolist()
    lasts = [*firsts[1:], n]
    id_list = spans.ids.tolist()
    for g, (first, last) in enumerate(zip(firsts, lasts, strict=True)):
        segment = text[int(starts[first]) : int(ends[last - 1])]
        split_char = last - first > 1
        style = PARTIAL if split_char else PALETTE[g % len(PALETTE)]
        shown = _visible(segment, not split_char and segment.isspace())
        yield style + shown.replace("\n", RESET + "\n" + style) + RESET
        if ids:
            yield DIM + "[" + "+".join(map(str, id_list[first:last])) + "]" + RESET


def _painted(style: str, segment: str) -> str:
    # Colours are reset before every line break, so no background bleeds to the line's end.
    painted = style + segment.replace("\n", RESET + "\n" + style) + RESET
    return painted.replace(style + RESET, "")  # no empty colour runs around line breaks


def render_chunks(text: str, chunks: list[Chunk]) -> Iterator[str]:
    """Yield ``text`` with each chunk in a colour and a marker after each chunk.

    >>> from tokbudget import split
    >>> chunks = split("One. Two. Three.", 4, encoding="cl100k_base")
    >>> "".join(render_chunks("One. Two. Three.", chunks)).replace("\x1b", "^")
    '^[48;5;24mOne. Two.^[0m^[7m ✂ #0 · 4 tokens ^[0m^[48;5;22m Three.^[0m^[7m ✂ #1 · 2 tokens ^[0m'
    """
    cuts = sorted({c.start for c in chunks} | {c.end for c in chunks})
    n = len(chunks)
    first = 0  # chunks before this one end at or before the segment at hand
    for p, q in itertools.pairwise(cuts):
        while chunks[first].end <= p:
            first += 1
        # Starts and ends both rise from chunk to chunk: the chunks covering [p, q) are
        # ``first`` and those after it that start by p.
        last = first
        while last + 1 < n and chunks[last + 1].start <= p:
            last += 1
        for k in range(first + 1, last + 1):
            if chunks[k].start == p:
                yield MARK + f" ▸#{k} " + RESET  # it starts inside the chunk before
        style = OVERLAP if last > first else PALETTE[first % len(PALETTE)]
        yield _painted(style, _visible(text[p:q], False))
        for k in range(first, last + 1):
            if chunks[k].end == q:
                yield MARK + f" ✂ #{k} · {plural(chunks[k].tokens, 'token')} " + RESET


def chunk_lines(chunks: list[Chunk], max_tokens: int, overlap: int, most: int = 100) -> list[str]:
    """The footer's chunk list: how many, then each one's ``[start:end]`` and tokens.

    >>> from tokbudget import split
    >>> chunk_lines(split("One. Two. Three.", 4, encoding="cl100k_base"), 4, 0)
    ['chunks   2 of at most 4 tokens', '         #0 [0:9] 4 tokens', '         #1 [9:16] 2 tokens']
    """
    extra = f" (overlap {overlap:,})" if overlap else ""
    lines = [f"chunks   {len(chunks):,} of at most {max_tokens:,} tokens{extra}"]
    lines += [
        f"         #{k} [{c.start}:{c.end}] {plural(c.tokens, 'token')}"
        for k, c in enumerate(chunks)
    ]
    if len(chunks) > most:
        lines[most + 1 :] = [f"         ... {len(chunks) - most:,} more (--json lists them all)"]
    return lines


def bar(share: float, width: int = 24, room: float = 0.0) -> str:
    """A text bar: ``share`` full (█), then ``room`` more (▒), then empty (░), clipped to
    the bar (the figures beside it say the rest).

    >>> bar(0.5, 8), bar(0.25, 8, room=0.5)
    ('████░░░░', '██▒▒▒▒░░')
    """
    filled = min(width, max(0, round(share * width)))
    if share > 0 and filled == 0:
        filled = 1  # never show a non-empty text as an empty bar
    extra = min(width - filled, max(0, round((share + room) * width) - filled))
    return "█" * filled + "▒" * extra + "░" * (width - filled - extra)


def footer_lines(fig: TextFigures, budget: BudgetReport | None = None) -> list[str]:
    """The footer: counts, the share of the context window used (a bar: the prompt, then
    the room left for output), whether it fits (``budget``, :func:`tokbudget.check`'s
    report) and the input cost."""
    cpt = fig.chars_per_token
    who = f"{fig.model} ({fig.encoding})" if fig.model else fig.encoding
    chars = f" · {fig.characters:,} characters" if fig.characters is not None else ""
    ratio = f" · {cpt:.2f} characters/token" if cpt is not None else ""
    lines = [f"{plural(fig.tokens, 'token')}{chars}{ratio} · {who}"]
    share = fig.window_share
    if share is not None and fig.context_window is not None:
        shown = "<0.1%" if 0 < share < 0.001 else f"{share:.1%}"
        room = budget.completion_room / fig.context_window if budget is not None else 0.0
        line = f"context  {bar(share, room=room)}  {shown} of {fig.context_window:,} tokens"
        if fig.max_input_tokens is not None and fig.max_input_tokens < fig.context_window:
            line += f" (max input {fig.max_input_tokens:,})"
        lines.append(line)
    elif fig.model is not None:
        lines.append("context  unknown for this model")
    if budget is not None:
        lines.append("budget   " + budget_line(budget))
    if fig.input_cost is not None and fig.input_price is not None:
        lines.append(
            f"input    {money(fig.input_cost)} at {money(fig.input_price)} / 1M input tokens"
        )
    elif fig.model is not None:
        lines.append("input    no price")
    lines.extend(f"         {note}" for note in fig.cost_notes)
    return lines


def budget_line(report: BudgetReport) -> str:
    """Whether the prompt fits, against what, and the room left for output.

    >>> import tokbudget
    >>> line = budget_line(tokbudget.check("hello", model="gpt-4", reserve=1000))
    >>> line.split(" (")[0], line.split(" · ")[1]
    ('fits: 1 of 7,191 prompt tokens', 'room for output 4,096')
    """
    verdict = "fits" if report.fits else f"does not fit, over by {report.overflow:,}"
    return (
        f"{verdict}: {report.prompt}{report.estimated_note} of {report.prompt_budget:,} prompt "
        f"tokens ({report.reason()}) · room for output {report.completion_room:,}"
    )
