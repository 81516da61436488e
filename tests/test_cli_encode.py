"""`tokbudget encode` / `tokbudget decode` through main(argv): ids, bytes, errors, pipes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokbudget.cli import main

from .conftest import raw_encoding
from .test_cli_budget import run  # main(argv) with bytes stdin, stdout as bytes

Captured = pytest.CaptureFixture[bytes]

# Text that looks like special tokens, or almost: none of it is a control token unless allowed.
LOOK_ALIKES = [
    "<|endoftext|>", "<|endofprompt|>", "<|fim_prefix|>", "<|endoftext|", "<|endof", "|>",
    "<|", "<| endoftext |>", "<|ENDOFTEXT|>", "<<|endoftext|>>", "<|endoftext|><|endoftext|>",
]  # fmt: skip

surrogate_free = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30)
texts = st.lists(st.one_of(st.sampled_from(LOOK_ALIKES), surrogate_free), max_size=8).map("".join)
property_settings = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def ids_of(out: bytes) -> list[int]:
    return [int(word) for word in out.split()]


# ------------------------------------------------------------------ encode


def test_encode_words_stdin_and_file(
    tmp_path: Path, capsysbinary: Captured, monkeypatch: pytest.MonkeyPatch
) -> None:
    o200k = raw_encoding("o200k_base")
    code, out, _ = run(["encode", "hello", "world"], capsysbinary)
    assert (code, out) == (0, b"24912 2375\n")
    code, out, _ = run(["encode", "hello world", "--json"], capsysbinary)
    assert json.loads(out) == [24912, 2375]
    text = "naïve 日本語 🙂\n\tend"
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    expected = o200k.encode_ordinary(text)
    assert ids_of(run(["encode", "-f", str(path)], capsysbinary)[1]) == expected
    piped = run(["encode"], capsysbinary, text.encode(), monkeypatch)[1]
    assert ids_of(piped) == expected
    dash = run(["encode", "-f", "-"], capsysbinary, text.encode(), monkeypatch)[1]
    assert ids_of(dash) == expected
    code, out, _ = run(["encode", "-e", "cl100k_base", "hello", "world"], capsysbinary)
    assert out == b"15339 1917\n"
    code, out, _ = run(["encode"], capsysbinary, b"", monkeypatch)
    assert (code, out) == (0, b"\n")
    assert run(["encode", "--json"], capsysbinary, b"", monkeypatch)[1] == b"[]\n"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["encode", "hi", "-f", "x.txt"], "give TEXT or -f FILE, not both"),
        (["encode", "caf\udce9 ok"], "TEXT is not UTF-8 (invalid byte 0xe9 at byte offset 3)"),
        (["encode", "a \ud800"], "a lone surrogate U+D800 at character 2"),
        (["encode", "-f", "missing.txt"], "file not found: missing.txt"),
        (["encode", "hi", "-m", "gpt-4oo"], "unknown model 'gpt-4oo'"),
        (["encode", "hi", "-m", "gpt-4o", "-e", "cl100k_base"], "not both"),
    ],
)
def test_encode_usage_errors(argv: list[str], needle: str, capsysbinary: Captured) -> None:
    code, out, err = run(argv, capsysbinary)
    assert (code, out) == (2, b"")
    assert needle in err
    assert "Traceback" not in err


def test_allow_special_mirrors_tiktoken(capsysbinary: Captured) -> None:
    raw = raw_encoding("cl100k_base")
    text = "a<|endoftext|>b<|fim_prefix|>c"
    base = ["encode", "-e", "cl100k_base", text]

    def ids(*extra: str) -> list[int]:
        code, out, err = run([*base, *extra], capsysbinary)
        assert code == 0, err
        return ids_of(out)

    assert ids() == raw.encode_ordinary(text)  # without the option: ordinary text
    every = raw.encode(text, allowed_special="all")
    assert ids("--allow-special") == every  # alone, after TEXT: all
    assert ids("--allow-special", "all") == every
    one = raw.encode(text, allowed_special={"<|endoftext|>"}, disallowed_special=())
    assert ids("--allow-special", "<|endoftext|>") == one
    assert 100257 in one and 100258 not in one  # the other stays text
    both = ids("--allow-special", "<|endoftext|>", "--allow-special", "<|fim_prefix|>")
    assert both == every


@pytest.mark.parametrize("command", ["encode", "decode"])
def test_unknown_special_token_names_the_known_ones(command: str, capsysbinary: Captured) -> None:
    arg = "hi" if command == "encode" else "15339"
    code, out, err = run(
        [command, "-e", "cl100k_base", arg, "--allow-special", "<|end|>"], capsysbinary
    )
    assert (code, out) == (2, b"")
    assert "'<|end|>' is not a special token of cl100k_base" in err
    for name in ("<|endoftext|>", "<|fim_prefix|>", "<|endofprompt|>"):
        assert name in err
    # The ttok habit `--allow-special TEXT`: the text is taken as a token name, and said so.
    code, _, err = run(["encode", "--allow-special", "a <|endoftext|>"], capsysbinary)
    assert code == 2 and "write --allow-special all or put the option last" in err


# ------------------------------------------------------------------ decode


def test_decode_ids_from_arguments_stdin_and_file(
    tmp_path: Path, capsysbinary: Captured, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(["decode", "24912", "2375"], capsysbinary)[:2] == (0, b"hello world")
    assert run(["decode", "24912 2375"], capsysbinary)[1] == b"hello world"
    for listed in (b"24912 2375\n", b"24912\n2375", b"[24912, 2375]\n", b" 24912,2375 "):
        assert run(["decode"], capsysbinary, listed, monkeypatch)[:2] == (0, b"hello world")
    path = tmp_path / "ids.json"
    path.write_text("[15339, 1917]")
    code, out, _ = run(["decode", "-f", str(path), "-e", "cl100k_base"], capsysbinary)
    assert out == b"hello world"
    assert run(["decode"], capsysbinary, b"", monkeypatch)[:2] == (0, b"")
    code, out, _ = run(["decode", "24912", "2375", "--json"], capsysbinary)
    assert code == 0
    doc = json.loads(out)
    assert doc == {
        "model": "gpt-4o",
        "encoding": "o200k_base",
        "tokens": 2,
        "utf8": True,
        "text": "hello world",
    }


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (
            ["decode", "24912", "999999", "2375", "-1"],
            "2 token ids are not in o200k_base's vocabulary: 999999 (at 1), -1 (at 3)",
        ),
        (["decode", "-e", "cl100k_base", "100256"], "100256 (at 0)"),  # a gap in the ids
        (["decode", "24912", "1.5"], "not a token id: '1.5' (at 1)"),
        (["decode", "24912", "abc"], "not a token id: 'abc' (at 1)"),
        (["decode", "0x10"], "not a token id: '0x10' (at 0)"),
        (["decode", "١٢"], "not a token id: '١٢' (at 0)"),
        (["decode", "--erors", "replace"], "No such option '--erors'"),
        (["decode", "1", "-f", "x"], "give IDs or -f FILE, not both"),
        (
            ["decode", "24912", "199999"],
            "id 199999 (at 1) is the special token <|endoftext|>; pass --allow-special",
        ),
    ],
)
def test_decode_errors_name_the_id(argv: list[str], needle: str, capsysbinary: Captured) -> None:
    code, out, err = run(argv, capsysbinary)
    assert (code, out) == (2, b"")
    assert needle in err
    assert "Traceback" not in err


@property_settings
@given(
    words=st.lists(
        st.one_of(
            st.integers(-(10**30), 10**30).map(str),
            st.integers(1, 6000).map(lambda n: "9" * n),  # past int()'s 4,300-digit limit
            st.sampled_from(["+7", "-0", "00024912", "1e3", "0x1", "[", "]", ",", "\n", "١"]),
            st.text(max_size=5),
        ),
        max_size=6,
    )
)
def test_no_id_text_gives_a_traceback(
    words: list[str], capsysbinary: Captured, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = " ".join(words).encode("utf-8", "surrogatepass")
    code, _, err = run(["decode", "--errors", "replace"], capsysbinary, data, monkeypatch)
    assert code in (0, 2), err
    assert "Traceback" not in err and len(err) < 1000  # one line, whatever the input's size


def test_bad_ids_on_stdin(capsysbinary: Captured, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(["decode"], capsysbinary, b"24912\n2375\nfoo\n", monkeypatch)
    assert (code, out) == (2, b"")
    assert "not a token id: 'foo' (at 2)" in err
    code, _, err = run(["decode"], capsysbinary, b"[24912, 300000]", monkeypatch)
    assert code == 2 and "300000 (at 1)" in err


def test_special_ids_with_allow_special(capsysbinary: Captured) -> None:
    ids = ["15339", "100257", "100276"]
    base = ["decode", "-e", "cl100k_base", *ids]
    for extra in (["--allow-special"], ["--allow-special", "all"]):
        assert run([*base, *extra], capsysbinary)[1] == b"hello<|endoftext|><|endofprompt|>"
    code, _, err = run([*base, "--allow-special", "<|endoftext|>"], capsysbinary)
    assert code == 2 and "id 100276 (at 2) is the special token <|endofprompt|>" in err


def test_partial_character_bytes(capsysbinary: Captured) -> None:
    ids = [str(t) for t in raw_encoding("cl100k_base").encode_ordinary("🙂")]
    first = ["decode", "-e", "cl100k_base", ids[0]]
    code, out, err = run(first, capsysbinary)
    assert (code, out) == (0, "🙂".encode()[: len(out)])
    assert out and len(out) < 4
    assert "not UTF-8 text (unexpected end of data at byte offset 0, from id" in err
    code, out, err = run([*first, "--errors", "replace"], capsysbinary)
    assert (code, out, err) == (0, "\ufffd".encode(), "")
    code, out, err = run([*first, "--errors", "strict"], capsysbinary)
    assert (code, out) == (2, b"")
    assert "not UTF-8 text" in err
    code, out, err = run([*first, "--json"], capsysbinary)
    assert json.loads(out)["utf8"] is False and json.loads(out)["text"] == "\ufffd"


# ------------------------------------------------------------------ round trips


@property_settings
@given(text=texts, allow=st.booleans(), name=st.sampled_from(["cl100k_base", "o200k_base"]))
def test_encode_decode_round_trip_is_byte_exact(
    text: str,
    allow: bool,
    name: str,
    capsysbinary: Captured,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    extra = ["--allow-special", "all"] if allow else []
    data = text.encode("utf-8")
    code, ids, err = run(["encode", "-e", name, *extra], capsysbinary, data, monkeypatch)
    assert code == 0, err
    raw = raw_encoding(name)
    expected = raw.encode(text, allowed_special="all") if allow else raw.encode_ordinary(text)
    assert ids_of(ids) == expected
    code, out, err = run(["decode", "-e", name, *extra], capsysbinary, ids, monkeypatch)
    assert (code, out, err) == (0, data, "")
    if text and not text.startswith("-"):  # the same through arguments
        code, argv_ids, _ = run(["encode", "-e", name, text, *extra], capsysbinary)
        assert argv_ids == ids


@property_settings
@given(text=texts, data=st.data())
def test_any_split_of_the_ids_decodes_to_a_split_of_the_bytes(
    text: str, data: st.DataObject, capsysbinary: Captured
) -> None:
    ids = raw_encoding("cl100k_base").encode_ordinary(text)
    cut = data.draw(st.integers(0, len(ids)))
    parts = []
    for piece in (ids[:cut], ids[cut:]):
        listed = " ".join(map(str, piece))  # one argument, even when empty
        code, out, err = run(["decode", "-e", "cl100k_base", listed], capsysbinary)
        assert code == 0
        try:
            out.decode("utf-8")
        except UnicodeDecodeError:
            assert "not UTF-8 text" in err
        else:
            assert err == ""
        parts.append(out)
    assert b"".join(parts) == text.encode("utf-8")


# ------------------------------------------------------------------ subprocesses


def test_broken_pipe_is_quiet(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("hello world 🙂 " * 100_000)  # ids: far more than a pipe holds
    for argv in (["encode", "-f", str(path)], ["encode", "-f", str(path), "--json"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tokbudget", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        head = proc.stdout.read(3)  # `| head -c 3`
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()
        assert proc.wait() == 0
        assert head in (b"249", b"[24")
        assert err == b""


@pytest.mark.parametrize(
    ("shell", "needle"),
    [
        ("bash", b"complete -o nosort -F _tokbudget_completion tokbudget"),
        ("zsh", b"#compdef tokbudget"),
        ("fish", b"complete --no-files --command tokbudget"),
    ],
)
def test_shell_completion_script(shell: str, needle: bytes) -> None:
    env = {"_TOKBUDGET_COMPLETE": f"{shell}_source", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "tokbudget"], env=env, capture_output=True, check=True
    )
    assert needle in proc.stdout
    assert b"_TOKBUDGET_COMPLETE" in proc.stdout
    # ... and the completions it asks for name the commands.
    env = {"_TOKBUDGET_COMPLETE": "bash_complete", "COMP_WORDS": "tokbudget enc", "COMP_CWORD": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "tokbudget"], env=env, capture_output=True, check=True
    )
    assert proc.stdout.split() == [b"plain,encode"]


def test_help_documents_completion(capsysbinary: Captured) -> None:
    assert main(["-h"]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert 'eval "$(_TOKBUDGET_COMPLETE=bash_source tokbudget)"' in out
    assert 'eval "$(_TOKBUDGET_COMPLETE=zsh_source tokbudget)"' in out
    assert "_TOKBUDGET_COMPLETE=fish_source tokbudget | source" in out
    assert "encode" in out and "decode" in out
