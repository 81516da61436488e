"""Splitting text into chunks that never exceed a token limit, cut at natural boundaries.

:mod:`.boundaries` (where text may be cut) -> :mod:`.chunker` (choosing cuts) ->
:mod:`.splitter` (the public ``split``/``iter_split``) -> :mod:`.many` (``split_many``).
"""

__all__: list[str] = []
