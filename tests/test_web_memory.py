"""Memory of `tokbudget serve` on maximal requests, measured in a real server process.

``/api/tokenize`` once answered an 8 MiB body of emoji (6.3 million partial tokens) with
435 MB of JSON and took the server to 2.3 GiB. The server's peak resident memory
(``VmHWM``, Linux) must stay well under 1 GiB for any one request up to the body limit.
Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import http.client
import re
from pathlib import Path

import pytest

from tokbudget.web.api import TOKENIZE_MAX_TOKENS
from tokbudget.web.server import MAX_BODY_BYTES

from .web_support import serve_process

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)"),
]

PARROT = "🦜"  # 4 UTF-8 bytes, 3 partial tokens in o200k_base
_OVERHEAD = len('{"text": "", "offsets": "utf16"}')


def _peak_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    assert found, status
    return int(found[1]) / 1024


def _post(port: int, body: bytes) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request("POST", "/api/tokenize", body, {"Content-Type": "application/json"})
    reply = conn.getresponse()
    size = 0
    while chunk := reply.read(1 << 20):  # read it away without holding it
        size += len(chunk)
    conn.close()
    return reply.status, size


@pytest.mark.parametrize(
    ("name", "text", "status"),
    [
        # The request: 8 MiB of emoji, 6.3 million tokens: refused with 413.
        ("maximal emoji", PARROT * ((MAX_BODY_BYTES - _OVERHEAD) // 4), 413),
        # The largest answer: just under the cap, every token partial (the longest JSON).
        ("emoji at the cap", PARROT * (TOKENIZE_MAX_TOKENS // 3), 200),
        # English-like text at the cap.
        ("words at the cap", "a " * (TOKENIZE_MAX_TOKENS - 1), 200),
    ],
)
def test_one_maximal_request_stays_well_under_1_gib(name: str, text: str, status: int) -> None:
    body = ('{"text": "' + text + '", "offsets": "utf16"}').encode()
    assert len(body) <= MAX_BODY_BYTES
    with serve_process() as (proc, url):
        port = int(url.rsplit(":", 1)[1].rstrip("/"))
        # Warm up: both vocabularies and their tables are loaded before the baseline.
        assert _post(port, b'{"text": "warm up"}')[0] == 200
        assert _post(port, b'{"text": "warm up", "model": "gpt-4"}')[0] == 200
        base = _peak_mib(proc.pid)
        got, size = _post(port, body)
        peak = _peak_mib(proc.pid)
    print(
        f"\n{name}: body {len(body) / 2**20:.1f} MiB -> {got}, answer {size / 2**20:.1f} MiB; "
        f"server peak RSS {peak:,.0f} MiB (after warm-up {base:,.0f} MiB)"
    )
    assert got == status
    assert peak < 700, f"peak RSS {peak:.0f} MiB"
