"""The page's files (HTML, script modules, style, icon), read once from the package.

They ship inside the package (``tokbudget/web/static/``), so the page fetches nothing
from anywhere but the server.
"""

from __future__ import annotations

from importlib import resources

__all__ = ["PAGE_TYPES", "load_pages"]

PAGE_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
"""The Content-Type of each kind of file served; files of other kinds are not served."""


def load_pages() -> dict[str, tuple[bytes, str]]:
    """Path (``/app.js``; ``/`` is ``/index.html``) -> the file's bytes and Content-Type."""
    folder = resources.files("tokbudget.web") / "static"
    files: dict[str, tuple[bytes, str]] = {}
    for item in folder.iterdir():
        suffix = "." + item.name.rsplit(".", 1)[-1]
        if item.is_file() and suffix in PAGE_TYPES:
            files["/" + item.name] = (item.read_bytes(), PAGE_TYPES[suffix])
    files["/"] = files["/index.html"]
    return files
