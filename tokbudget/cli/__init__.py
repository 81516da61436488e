"""The ``tokbudget`` command: a thin layer over the public API.

Exit codes: 0 success, 1 a check failed (the request does not fit), 2 a usage error
(bad option, missing or undecodable file, unknown model). User errors print one line,
never a traceback.
"""

from __future__ import annotations

from ._main import main
from .app import cli

__all__ = ["cli", "main"]
