"""Shared fixtures. Nothing here touches the network: vocab comes from the package."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tiktoken
from hypothesis import HealthCheck, settings

from tokbudget.tokenizer.vocab import ENCODINGS, find_vocab_file, load_ranks
from tokbudget.web import LocalServer

from .web_support import Client, running_server

SLOW_FIXTURES = {"cluster", "spark"}
"""Fixtures that start a Dask LocalCluster or a SparkSession: a test using one is slow."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `pytest -m "not slow"` is the inner loop (README): a test that starts a cluster or a
    # JVM and forgets the marker would make it slow for everyone, so it fails collection.
    unmarked = [
        item.nodeid
        for item in items
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
        and item.get_closest_marker("slow") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "these tests start a cluster or a JVM but are not marked slow "
            f"(add @pytest.mark.slow): {', '.join(unmarked)}"
        )


FIXTURES = Path(__file__).parent / "fixtures"

settings.register_profile(
    "default",
    max_examples=int(os.environ.get("TOKBUDGET_MAX_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# CI (.ci/run exports TOKBUDGET_HYPOTHESIS_PROFILE=ci) runs the same examples every time,
# so a landing never hangs on a lucky draw; local runs keep exploring new examples.
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile(os.environ.get("TOKBUDGET_HYPOTHESIS_PROFILE", "default"))

_RAW: dict[str, tiktoken.Encoding] = {}


def raw_encoding(name: str) -> tiktoken.Encoding:
    """A plain tiktoken.Encoding over the same vocab: the oracle for exactness tests."""
    if name not in _RAW:
        spec = ENCODINGS[name]
        path = find_vocab_file(spec.vocab)
        assert path is not None
        _RAW[name] = tiktoken.Encoding(
            name,
            pat_str=spec.pat_str,
            mergeable_ranks=load_ranks(path, spec.sha256),
            special_tokens=dict(spec.special_tokens),
        )
    return _RAW[name]


@pytest.fixture(params=["cl100k_base", "o200k_base"])
def encoding_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def real_texts() -> dict[str, str]:
    """The committed real-text fixtures (several scripts), by file name."""
    folder = FIXTURES / "text"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


def spy_encoded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the length of every text an Encoder encodes (to test what work is done)."""
    from tokbudget.tokenizer.encoder import Encoder

    seen: list[int] = []
    original = Encoder.encode_to_numpy

    def spy(self: Encoder, text: str, **kwargs: Any) -> Any:
        seen.append(len(text))
        return original(self, text, **kwargs)

    monkeypatch.setattr(Encoder, "encode_to_numpy", spy)
    # The fast engine's entry points too: with it, most work never reaches tiktoken.
    from tokbudget.tokenizer.fast import Engine

    for name in ("count", "count_till_limit", "encode"):
        method = getattr(Engine, name)

        def fast_spy(self: Engine, text: str, *args: Any, _method: Any = method) -> Any:
            seen.append(len(text))
            return _method(self, text, *args)

        monkeypatch.setattr(Engine, name, fast_spy)
    return seen


# A `tokbudget serve` in a thread (one per test module) and a keep-alive client to it.


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with running_server() as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: LocalServer) -> Iterator[Client]:
    c = Client(server)
    yield c
    c.close()


# A headless Chromium for the browser tests (one per session), and the page in it.


@pytest.fixture(scope="session")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pytest.importorskip("selenium.webdriver", reason="selenium is in the test extra")
    from .browser_support import start_chromium

    yield from start_chromium(tmp_path_factory)


@pytest.fixture
def page(driver: Any, server: LocalServer) -> Any:
    from .browser_support import open_page

    return open_page(driver, server.url)
