"""``tokbudget serve``: a local tokenizer page and its JSON API (see :mod:`.api`)."""

from __future__ import annotations

from .server import MAX_BODY_BYTES, LocalServer, make_server

__all__ = ["MAX_BODY_BYTES", "LocalServer", "make_server"]
