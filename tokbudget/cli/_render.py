"""Drawing token spans and a text's figures on a terminal (ANSI colours).

Tokens alternate between background colours. Tokens that split a character between them
(see :mod:`tokbudget.spans`) are drawn as one group, underlined on a red background.
Whitespace-only tokens show their characters as visible glyphs (``·`` space, ``→`` tab,
``↵`` newline), and control characters in the text are never sent to the terminal raw:
they appear as their Unicode control pictures (ESC as ``␛``), so a text cannot move the
cursor or change the terminal's state.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import regex

from ..cost import decimal_str
from ..figures import TextFigures
from ..spans import TokenSpans

__all__ = ["PALETTE", "PARTIAL", "RESET", "bar", "footer_lines", "money", "render_tokens"]

RESET = "\x1b[0m"
PALETTE = tuple(f"\x1b[48;5;{c}m" for c in (24, 22, 94, 53, 30))
"""Background colours that alternate from token to token (xterm-256: blue, green, brown,
purple, teal: dark enough for light text, distinct side by side)."""
PARTIAL = "\x1b[48;5;124;4m"
"""Tokens that split a character: red background, underlined."""
DIM = "\x1b[2m"

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


def bar(share: float, width: int = 24) -> str:
    """A text bar ``share`` full (clipped to the bar; the figure beside it says the rest).

    >>> bar(0.5, 8)
    '████░░░░'
    """
    filled = min(width, max(0, round(share * width)))
    if share > 0 and filled == 0:
        filled = 1  # never show a non-empty text as an empty bar
    return "█" * filled + "░" * (width - filled)


def money(value: Decimal) -> str:
    """Dollars with every significant digit and no exponent.

    >>> money(Decimal("0.0030850")), money(Decimal("12.5"))
    ('$0.003085', '$12.50')
    """
    whole, _, frac = decimal_str(value).partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"


def footer_lines(fig: TextFigures) -> list[str]:
    """The footer: counts, the share of the context window used (a bar), the input cost."""
    cpt = fig.chars_per_token
    who = f"{fig.model} ({fig.encoding})" if fig.model else fig.encoding
    chars = f" · {fig.characters:,} characters" if fig.characters is not None else ""
    ratio = f" · {cpt:.2f} characters/token" if cpt is not None else ""
    lines = [f"{fig.tokens:,} tokens{chars}{ratio} · {who}"]
    share = fig.window_share
    if share is not None and fig.context_window is not None:
        shown = "<0.1%" if 0 < share < 0.001 else f"{share:.1%}"
        line = f"context  {bar(share)}  {shown} of {fig.context_window:,} tokens"
        if fig.max_input_tokens is not None and fig.max_input_tokens < fig.context_window:
            line += f" (max input {fig.max_input_tokens:,})"
        if fig.tokens > (fig.max_input_tokens or fig.context_window):
            line += " — does not fit"
        lines.append(line)
    elif fig.model is not None:
        lines.append("context  unknown for this model")
    if fig.input_cost is not None and fig.input_price is not None:
        lines.append(
            f"input    {money(fig.input_cost)} at {money(fig.input_price)} / 1M input tokens"
        )
    elif fig.model is not None:
        lines.append("input    no price")
    lines.extend(f"         {note}" for note in fig.cost_notes)
    return lines
