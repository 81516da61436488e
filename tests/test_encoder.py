"""Offline encoders: golden ids, exactness, the long-whitespace panic, pickling, threads."""

from __future__ import annotations

import base64
import gzip
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tiktoken
from hypothesis import given

import tokbudget
from tokbudget import UnknownEncodingError, VocabError, get_encoding, load_encoding
from tokbudget.tokenizer.pretokenize import LONG_WHITESPACE, PieceSplitter

from .conftest import raw_encoding
from .strategies import tricky_text

GOLDEN = {
    # tiktoken's own tests (tests/test_encoding.py) and README
    ("cl100k_base", "hello world"): [15339, 1917],
    ("cl100k_base", " \x850"): [220, 126, 227, 15],
    ("cl100k_base", "hello <|endoftext|>"): [15339, 220, 100257],
    ("o200k_base", "hello world"): [24912, 2375],
    ("o200k_harmony", "hello world"): [24912, 2375],
}


@pytest.mark.parametrize(("name", "text"), list(GOLDEN))
def test_golden_ids(name: str, text: str) -> None:
    enc = get_encoding(name)
    assert enc.encode(text, allowed_special="all") == GOLDEN[name, text]


def test_encoder_is_a_tiktoken_encoding() -> None:
    enc = tokbudget.encoding_for("gpt-4o")
    assert isinstance(enc, tiktoken.Encoding)
    assert enc.decode(enc.encode("round trip ✓")) == "round trip ✓"
    assert enc.n_vocab == raw_encoding("o200k_base").n_vocab


def test_harmony_special_tokens() -> None:
    enc = get_encoding("o200k_harmony")
    assert enc.encode("<|start|>", allowed_special="all") == [200006]
    assert enc.encode("<|call|>", allowed_special="all") == [200012]
    assert enc.encode_single_token("<|reserved_201087|>") == 201087


@given(tricky_text)
def test_encode_ordinary_matches_tiktoken(text: str) -> None:
    for name in ("cl100k_base", "o200k_base"):
        assert get_encoding(name).encode_ordinary(text) == raw_encoding(name).encode_ordinary(text)


@given(tricky_text)
def test_piece_splitter_matches_tiktoken(text: str) -> None:
    # The regex-module path must split exactly like tiktoken's Rust regex.
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    for name in ("cl100k_base", "o200k_base"):
        enc = get_encoding(name)
        ids = [t for p in PieceSplitter(enc.spec.pat_str).pieces(text) for t in enc.encode_piece(p)]
        assert ids == raw_encoding(name).encode_ordinary(text)


@pytest.mark.parametrize(
    "text",
    [
        " " * (LONG_WHITESPACE + 5) + "x",
        "word" + "\t" * (LONG_WHITESPACE * 2) + "next word",
        "a\n" + "\u3000" * (LONG_WHITESPACE + 1) + " b c",
        "x " * 10 + " " * LONG_WHITESPACE + "\n" * 3 + " " * LONG_WHITESPACE + "!?",
        "12" + "\u00a0" * (LONG_WHITESPACE + 3),
    ],
)
def test_long_whitespace_path_is_exact(encoding_name: str, text: str) -> None:
    # Below tiktoken's panic threshold (~1M) tiktoken works, so it is the oracle for the
    # regex path that tokbudget takes from LONG_WHITESPACE on.
    enc = get_encoding(encoding_name)
    assert enc.encode_ordinary(text) == raw_encoding(encoding_name).encode_ordinary(text)
    assert enc.count(text) == len(raw_encoding(encoding_name).encode_ordinary(text))


def test_where_tiktoken_panics_we_count(encoding_name: str) -> None:
    # tiktoken raises a PanicException (a BaseException) on ~1M spaces followed by text.
    text = "start " + " " * 1_200_000 + "end"
    with pytest.raises(BaseException, match="StackOverflow"):
        raw_encoding(encoding_name).encode_ordinary(text)
    enc = get_encoding(encoding_name)
    n = enc.count(text)
    # Exact by construction: tiktoken counts the same text cut at the safe cut after "start".
    raw = raw_encoding(encoding_name)
    head, tail = "start", text[5:]
    assert n == len(raw.encode_ordinary(head)) + len(enc.encode_ordinary(tail))
    assert n == len(enc.encode_ordinary(text)) == len(enc.encode_to_numpy(text))


def test_long_whitespace_with_special_tokens() -> None:
    enc = get_encoding("cl100k_base")
    text = "<|endoftext|>" + " " * (LONG_WHITESPACE + 1) + "x<|endoftext|>"
    assert enc.encode(text, allowed_special="all") == raw_encoding("cl100k_base").encode(
        text, allowed_special="all"
    )
    with pytest.raises(ValueError, match="disallowed special token"):
        enc.encode(text)


def test_lone_surrogates_are_counted_like_tiktoken() -> None:
    enc = get_encoding("o200k_base")
    for text in ["\ud800", "a\udfffb", "\ud83d\ude00 split pair"]:
        assert enc.count(text) == len(raw_encoding("o200k_base").encode_ordinary(text))


def test_pickle_by_reference() -> None:
    enc = get_encoding("o200k_base")
    data = pickle.dumps(enc)
    assert len(data) < 200
    assert pickle.loads(data) is enc


def test_pickle_in_fresh_process() -> None:
    data = pickle.dumps(get_encoding("cl100k_base"))
    code = (
        "import pickle,sys; e=pickle.loads(sys.stdin.buffer.read()); print(e.encode('hello world'))"
    )
    out = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, check=True)
    assert out.stdout.decode().strip() == "[15339, 1917]"


def test_import_reads_no_vocab() -> None:
    code = textwrap.dedent(
        """
        import builtins, io, gzip
        opened = []
        real_open = io.open
        def spy(file, *a, **k):
            opened.append(str(file))
            return real_open(file, *a, **k)
        builtins.open = io.open = spy
        import pathlib
        real_read = pathlib.Path.read_bytes
        pathlib.Path.read_bytes = lambda self: (opened.append(str(self)), real_read(self))[1]
        import tokbudget, tokbudget.tokenizer.encoder
        assert tokbudget.tokenizer.encoder._CACHE == {}, tokbudget.tokenizer.encoder._CACHE
        assert not [p for p in opened if "tiktoken" in p], opened
        tokbudget.count("x", encoding="cl100k_base")
        assert [p for p in opened if "cl100k_base.tiktoken" in p], opened
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_sixteen_threads_on_a_cold_process() -> None:
    code = textwrap.dedent(
        """
        import threading, tokbudget, tokbudget.tokenizer.encoder as E
        calls = []
        real = E.load_ranks
        E.load_ranks = lambda *a: (calls.append(a), real(*a))[1]
        barrier = threading.Barrier(16)
        results = []
        def work():
            barrier.wait()
            results.append(tokbudget.count("hello world " * 100, encoding="o200k_base"))
        threads = [threading.Thread(target=work) for _ in range(16)]
        for t in threads: t.start()
        for t in threads: t.join()
        assert len(results) == 16 and len(set(results)) == 1, results
        assert len(calls) == 1, len(calls)
        print(results[0])
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "201"


def test_hash_mismatch_raises_vocab_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "cl100k_base.tiktoken.gz"
    bad.write_bytes(gzip.compress(b"aGVsbG8= 0\n"))
    monkeypatch.setenv("TOKBUDGET_VOCAB_DIR", str(tmp_path))
    monkeypatch.setattr("tokbudget.tokenizer.encoder._CACHE", {})
    with pytest.raises(VocabError) as info:
        get_encoding("cl100k_base")
    err = info.value
    assert err.path == str(bad)
    assert err.expected == "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
    assert err.actual is not None and err.actual in str(err) and err.expected in str(err)


def test_unknown_encoding_lists_known() -> None:
    with pytest.raises(UnknownEncodingError) as info:
        get_encoding("cl200k_base")
    assert isinstance(info.value, KeyError)
    assert "cl100k_base" in str(info.value) and "o200k_base" in info.value.known


def test_known_but_not_bundled_encoding_says_where_to_put_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TOKBUDGET_VOCAB_DIR", raising=False)
    with pytest.raises(UnknownEncodingError, match="TOKBUDGET_VOCAB_DIR"):
        get_encoding("r50k_base")


def test_user_vocab_dir_and_explicit_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A user's own encoding: a tiny vocab of single bytes plus "ab".
    lines = [f"{base64.b64encode(bytes([i])).decode()} {i}" for i in range(256)]
    lines.append(f"{base64.b64encode(b'ab').decode()} 256")
    path = tmp_path / "tiny.tiktoken"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(tokbudget.SettingsError, match="pat_str"):
        load_encoding(path)
    enc = load_encoding(path, pat_str=r"\S+|\s+", special_tokens={"<|end|>": 257})
    assert enc.encode("abab a") == [256, 256, 32, 97]
    assert pickle.loads(pickle.dumps(enc)).encode("ab") == [256]
    # Without special tokens (and a name tokbudget does not know): none, not a crash.
    bare_path = tmp_path / "bare.tiktoken"
    bare_path.write_text("\n".join(lines) + "\n")
    bare = load_encoding(bare_path, pat_str=r"\S+|\s+")
    assert bare.special_tokens_set == set() and bare.encode("ab <|end|>") == [
        256,
        32,
        60,
        124,
        101,
        110,
        100,
        124,
        62,
    ]
    # A known encoding's file found through TOKBUDGET_VOCAB_DIR keeps its pinned hash.
    monkeypatch.setenv("TOKBUDGET_VOCAB_DIR", str(tmp_path))
    (tmp_path / "r50k_base.tiktoken").write_text("\n".join(lines) + "\n")
    monkeypatch.setattr("tokbudget.tokenizer.encoder._CACHE", {})
    with pytest.raises(VocabError, match="306cd27f"):
        get_encoding("r50k_base")


TIKTOKEN_CHECKED = ("0.9.0", "0.14.0")
"""tiktoken versions on which Encoder.encode_piece (tiktoken's private
``Encoding._encode_single_piece``) was checked to be BPE of one piece."""


def test_encode_piece_is_tiktoken_bpe() -> None:
    # The one private tiktoken method tokbudget calls; pyproject.toml bounds tiktoken < 1.
    major = int(tiktoken.__version__.split(".")[0])
    assert major == 0, f"tiktoken {tiktoken.__version__}: re-check encode_piece, then the bound"
    text = "Hello world, it's 2026!\n\n  日本語 テキスト 👩\u200d👩\u200d👧 -----" + "x" * 300
    for name in ("cl100k_base", "o200k_base"):
        enc = get_encoding(name)
        pieces = list(PieceSplitter(enc.spec.pat_str).pieces(text))
        assert len(pieces) > 10
        assert [t for p in pieces for t in enc.encode_piece(p)] == enc.encode_ordinary(text)
        # One piece, not re-split: a space inside stays inside the BPE.
        assert enc.decode(enc.encode_piece("ab cd")) == "ab cd"
