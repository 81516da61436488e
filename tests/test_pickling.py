"""What a worker process needs travels cheaply: encoders by reference, registry entries whole.

Dask, Spark and ``multiprocessing`` pickle every argument of every task. An encoder that
shipped its vocab (megabytes) with each task would dominate the run; it must pickle to a
name and be rebuilt once per receiving process.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import pytest

import tokbudget

SMALL = 1024  # bytes: "kilobytes, not megabytes", with a wide margin
SPEC = 4096  # a ModelSpec carries its dated prices, tiers and service tiers (issue 12)


@pytest.mark.parametrize("model", [m.name for m in tokbudget.list_models()])
def test_every_models_encoder_pickles_small_and_by_reference(model: str) -> None:
    enc = tokbudget.encoding_for(model)
    data = pickle.dumps(enc)
    assert len(data) < SMALL
    # Not a copy: the receiver gets its process's cached encoder.
    assert pickle.loads(data) is enc


def test_every_model_spec_round_trips_small() -> None:
    for spec in tokbudget.list_models():
        data = pickle.dumps(spec)
        assert len(data) < SPEC, spec.name
        back = pickle.loads(data)
        assert back == spec
        assert back.price == spec.price  # Decimals survive exactly


def test_fresh_process_rebuilds_each_encoder_once_and_only_when_needed() -> None:
    payload = pickle.dumps(
        [tokbudget.encoding_for(m) for m in ("gpt-4o", "gpt-4", "gpt-5", "gpt-3.5-turbo")] * 25
    )
    code = textwrap.dedent(
        """
        import pickle, sys
        import tokbudget.tokenizer.encoder as encoder
        loads = []
        real = encoder.load_ranks
        def spy(path, sha256):
            loads.append(path.name)
            return real(path, sha256)
        encoder.load_ranks = spy
        data = sys.stdin.buffer.read()
        assert loads == [], loads  # importing reads no vocab
        encs = pickle.loads(data)
        assert len({id(e) for e in encs}) == 2, encs  # one object per encoding
        assert sorted(loads) == sorted(set(loads)) and len(loads) == 2, loads
        print(encs[0].count("hello world"), encs[1].count("hello world"))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=payload, capture_output=True, check=False
    )
    assert out.returncode == 0, out.stderr.decode()
    assert out.stdout.split() == [b"2", b"2"]


@pytest.mark.parametrize(
    "error",
    [
        tokbudget.UnknownModelError("unknown model 'x'", model="x", suggestions=("gpt-4o",)),
        tokbudget.ContextOverflowError("too big", needed=9, available=8, model="gpt-4o"),
        tokbudget.InvalidInputError("partition 2 holds a float", position=7, partition=2),
        tokbudget.VocabError("bad hash", path="/v", expected="a", actual="b"),
        tokbudget.SettingsError("overlap 9 >= max_tokens 8"),
        tokbudget.SettingsError("max_tokens must be >= 1", parameter="max_tokens", value=0),
        tokbudget.InvalidInputError("max_tokens must be an int", parameter="max_tokens"),
        tokbudget.UsageRecordError("usage record 3: bad", index=3, reason="bad"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_raised_in_a_worker_arrive_whole(error: tokbudget.TokbudgetError) -> None:
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert back.__dict__ == error.__dict__


def test_split_settings_and_chunks_travel_small() -> None:
    splitter = tokbudget.Splitter(512, "text-embedding-3-small", overlap=64)
    data = pickle.dumps(splitter)
    assert len(data) < 200  # settings only: the encoder is rebuilt from its name
    back = pickle.loads(data)
    assert (back.max_tokens, back.model, back.overlap) == (512, "text-embedding-3-small", 64)
    assert back.enc is splitter.enc
    by_encoding = pickle.loads(pickle.dumps(tokbudget.Splitter(8, encoding="cl100k_base")))
    assert (by_encoding.max_tokens, by_encoding.enc.name) == (8, "cl100k_base")
    chunks = tokbudget.split("One. Two. Three. " * 50, 16)
    assert pickle.loads(pickle.dumps(chunks)) == chunks
    assert len(pickle.dumps(chunks[0])) < len(chunks[0].text.encode()) + 200
