"""The tokenizer: offline vocab, the tiktoken-backed encoder, and the pre-tokenizer machinery.

:mod:`.vocab` (bundled, sha256-pinned files) -> :mod:`.encoder` (tiktoken plus exact paths
where it panics) -> :mod:`.pretokenize` / :mod:`.charclass` (where pieces provably end) ->
:mod:`.tokenbytes` / :mod:`.spans` (tokens back to text offsets).
"""

__all__: list[str] = []
