"""The tokenizer: offline vocab, the tiktoken-backed encoder, and the pre-tokenizer machinery.

:mod:`.vocab` (bundled, sha256-pinned files; the patterns) -> :mod:`.charclass` /
:mod:`.pretokenize` (where pieces provably end; no vocab needed) -> :mod:`.encoder`
(tiktoken plus exact paths where it panics) -> :mod:`.longest` (the longest cut within a
budget) / :mod:`.tokenbytes` / :mod:`.resolve` (a model's or a named encoder, through the
registry) / :mod:`.spans` (tokens back to text offsets).
"""

__all__: list[str] = []
