"""Which ``Host`` names a loopback server answers (the guard against DNS rebinding).

A web page on another site can make the browser send requests to ``127.0.0.1`` by
pointing its own name at it (DNS rebinding); such requests still carry the page's name in
``Host``. On loopback the server answers only Host names that can only mean this machine.
"""

from __future__ import annotations

import ipaddress

__all__ = ["bad_host_message", "host_name", "is_loopback"]

_LOOPBACK_NAMES = ("localhost", "localhost.")


def is_loopback(host: str) -> bool:
    """True for names and addresses that reach only this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The host part of a ``Host`` header (``[::1]:8000`` -> ``::1``).

    >>> host_name("[::1]:8000"), host_name("localhost:8000"), host_name("127.0.0.1")
    ('::1', 'localhost', '127.0.0.1')
    """
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def bad_host_message(given: str | None, port: int) -> str:
    """Why a request with Host ``given`` is refused, naming every form that is accepted.

    >>> bad_host_message("evil.example", 8000)  # doctest: +ELLIPSIS
    "this server answers only requests addressed to this machine: Host localhost:8000, ...
    """
    names = ", ".join(f"{host}:{port}" for host in ("localhost", "127.0.0.1", "[::1]"))
    got = "no Host header" if given is None else f"Host {given!r}"
    return (
        f"this server answers only requests addressed to this machine: Host {names} (or "
        f"any 127.x.x.x address or localhost., with or without the port), not {got}; "
        "start it with --host to serve other names"
    )
