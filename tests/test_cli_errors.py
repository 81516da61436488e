"""User errors through main(argv): exit 2 with one line, never a traceback, never a result
followed by an error (issue 10, items 6-9, 12 and 13)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget
from tokbudget.cli import main
from tokbudget.cli.show_cmd import SHOW_MAX_BYTES
from tokbudget.errors import JSONInputError
from tokbudget.jsonload import MAX_DEPTH, loads

from .helpers import run_cli as run
from .helpers import tokens


def one_line_error(code: int, err: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err


# ------------------------------------------------------------------ item 6: names by family

FAMILY_NAMES = [
    "gpt-5.9-mini-2027-01-01",
    "gpt-4.5-preview",
    "gpt-4o-audio-preview",
    "o3-deep-research",
    "gpt-3.5-turbo-instruct",
    "gpt-35-turbo",
]


@pytest.mark.parametrize("name", FAMILY_NAMES)
@pytest.mark.parametrize("command", ["count", "split"])
def test_a_model_known_by_family_counts_without_a_price(
    name: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        tokbudget.get_model(name)
    except tokbudget.UnknownModelError:
        pass
    else:  # the registry learnt it: then it is priced like any other
        pytest.skip(f"{name} is in the registry now")
    extra = ["--max-tokens", "100"] if command == "split" else []
    code, out, err = run(
        [command, "--text", "hello world", "-m", name, "--summary", *extra], capsys
    )
    assert code == 0, err
    assert out and "error" not in err
    encoding = tokbudget.encoding_for(name).name
    assert f"no price: {name} resolves by family to {encoding}" in err


def test_summary_price_is_the_library_price(capsys: pytest.CaptureFixture[str]) -> None:
    # 300,001 tokens on gpt-5.4 are past its long-context tier: one pricing path.
    text = tokens(300_001)
    n = tokbudget.count(text, "gpt-5.4")
    code, _, err = run(["count", "--text", text, "-m", "gpt-5.4", "--summary"], capsys)
    assert code == 0
    total = tokbudget.cost("gpt-5.4", input_tokens=n).total
    assert f"${tokbudget.pricing.decimal_str(total)}" in err.replace(",", "")


# ------------------------------------------------------------------ item 7: tracebacks


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "argv",
    [
        ["count", "--messages"],
        ["check"],
        ["cost", "-m", "gpt-4o"],
        ["cost", "--usage"],
    ],
)
@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ('{"messages": ' + nested(100_000) + "}", "nested too deeply"),
        ('{"messages": [], "max_tokens": ' + "7" * 4_301 + "}", "4,301 digits"),
    ],
)
def test_hostile_request_json_is_one_line(
    argv: list[str], body: str, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "request.json"
    path.write_text(body)
    code, out, err = run([*argv, str(path)], capsys)
    one_line_error(code, err)
    assert out == "" and needle in err and str(path) in err


@given(
    depth=st.integers(min_value=MAX_DEPTH, max_value=5_000),
    opener=st.sampled_from(['{"a": ', "["]),
    at=st.sampled_from(["tools", "messages", "x"]),
)
def test_any_depth_past_the_limit_is_refused(depth: int, opener: str, at: str) -> None:
    # Objects and arrays, below and above the stdlib's own recursion limit.
    closer = "}" if opener.startswith("{") else "]"
    deep = opener * depth + "1" + closer * depth
    text = f'{{"messages": [], "{at}": {deep}}}'
    with pytest.raises(JSONInputError, match="nested too deeply"):
        loads(text)
    assert loads(f'{{"{at}": {opener * (MAX_DEPTH - 2)}1{closer * (MAX_DEPTH - 2)}}}')


def test_a_deep_tool_schema_within_the_limit_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema: dict[str, object] = {"type": "string"}
    for _ in range(90):  # 2 levels each: 180 < MAX_DEPTH
        schema = {"type": "object", "properties": {"x": schema}}
    body = {
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [{"type": "function", "function": {"name": "deep", "parameters": schema}}],
    }
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(body))
    code, _, err = run(["count", "--messages", str(path)], capsys)
    assert code == 0, err


def test_non_utf8_models_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "models.toml"
    path.write_bytes(b'[models."caf\xe9"]\nencoding = "o200k_base"\n')
    with pytest.raises(tokbudget.RegistryError, match="not UTF-8") as info:
        tokbudget.Registry.from_toml(path)
    assert info.value.path == str(path)
    monkeypatch.setenv("TOKBUDGET_MODELS", str(path))
    code, out, err = run(["count", "--text", "hi", "-m", "gpt-4o", "--summary"], capsys)
    one_line_error(code, err)
    assert out == "" and str(path) in err and "byte offset 12" in err


def test_read_error_names_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["count", "/proc/self/mem"], capsys)
    one_line_error(code, err)
    assert "cannot read /proc/self/mem: Input/output error" in err


# ------------------------------------------------------------------ item 9


def test_cost_prices_a_repeated_model_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.txt"
    path.write_text("hello world " * 50)
    _, once, _ = run(["cost", str(path), "-m", "gpt-4o", "--json"], capsys)
    code, twice, _ = run(["cost", str(path), "-m", "gpt-4o", "-m", "gpt-4o", "--json"], capsys)
    assert code == 0 and json.loads(twice) == json.loads(once)


def test_cost_refuses_output_tokens_for_an_embedding_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["cost", "--text", "hi", "-m", "text-embedding-3-small"]
    code, out, err = run([*argv, "--output-tokens", "5"], capsys)
    one_line_error(code, err)
    assert out == "" and "embedding model" in err
    assert run([*argv, "--output-tokens", "0"], capsys)[0] == 0


@pytest.mark.parametrize(("argv", "limit"), [([], "8,191"), (["-m", "gpt-4o"], "128,000")])
def test_split_max_tokens_over_the_model_limit(
    argv: list[str], limit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["split", "--text", "hi", "--max-tokens", "500000", *argv], capsys)
    assert code == 2 and out == ""
    assert f"input limit of {limit} tokens" in err and "--max-tokens" in err
    # An encoding has no model limit.
    code, out, _ = run(
        ["split", "--text", "hi", "--max-tokens", "50000", "-e", "o200k_base"], capsys
    )
    assert code == 0 and json.loads(out)["tokens"] == 1


# ------------------------------------------------------------------ item 12


def test_show_refuses_what_it_cannot_draw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.txt"
    path.write_text("a" * (SHOW_MAX_BYTES + 1))
    for extra in ([], ["--json"]):
        code, out, err = run(["show", str(path), *extra], capsys)
        one_line_error(code, err)
        assert out == "" and f"at most {SHOW_MAX_BYTES:,} bytes" in err
        assert "tokbudget count" in err
    monkeypatch.setattr("tokbudget.cli.show_cmd.SHOW_MAX_BYTES", 10)
    code, _, err = run(["show", "--text", "x" * 11], capsys)  # also without a known size
    one_line_error(code, err)
    assert run(["show", "--text", "x" * 10], capsys)[0] == 0


# ------------------------------------------------------------------ item 13


def test_one_token_is_singular(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--text", "hi"], capsys)
    assert code == 0 and "1 token\n" in out and "1 tokens" not in out


def test_empty_file_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["count", ""], capsys)
    assert code == 2 and "empty file name" in err and "directory" not in err


@pytest.mark.parametrize(
    ("data", "name", "hint"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "doc.pdf", "pdftotext"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff", "doc.docx", "pandoc"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "log.gz", "gzip -dc"),
        ("hé".encode("utf-16"), "notes.txt", "iconv -f utf-16"),
        (b"caf\xe9\n", "latin.txt", "iconv -f cp1252"),
    ],
)
def test_undecodable_files_get_a_hint_for_what_they_are(
    data: bytes, name: str, hint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    code, _, err = run(["count", str(path)], capsys)
    one_line_error(code, err)
    assert hint in err
    if hint != "iconv -f cp1252":
        assert "latin1" not in err and "cp1252" not in err


def test_cost_expands_quoted_globs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text("hello world")
    code, out, err = run(["cost", str(tmp_path / "*.md"), "-m", "gpt-4o", "--json"], capsys)
    assert code == 0, err
    files = [f["file"] for f in json.loads(out)[0]["files"]]
    assert files == [str(tmp_path / "a.md"), str(tmp_path / "b.md")]


def test_models_show_of_a_user_model_has_no_empty_sources_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[models."my-model"]\nencoding = "o200k_base"\nkind = "chat"\ncontext_window = 1000\n'
    )
    monkeypatch.setenv("TOKBUDGET_MODELS", str(path))
    code, out, err = run(["models", "show", "my-model"], capsys)
    assert code == 0, err
    assert "sources:" not in out.splitlines()[-1]
    assert all(line.strip() != "sources:" for line in out.splitlines())


def test_split_on_a_family_model_needs_max_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["split", "--text", "hi", "-m", "gpt-4.5-preview"], capsys)
    assert code == 2 and out == ""
    assert "not in the registry" in err and "pass --max-tokens" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["count", "--summary"],
        ["split", "--summary"],
        ["split", "--format", "text", "--no-summary"],
        ["show", "--no-color"],
    ],
)
def test_one_token_is_singular_everywhere(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*argv, "--text", "hi"], capsys)
    assert code == 0, err
    # "1 tokens" alone, not "11 tokens" or a rate's unit ("1 tokens/s")
    assert not re.search(r"(?<![\d,.])1 (tokens|chunks|files)(?!/)", out + err)
    assert "1 token" in out + err


# ------------------------------------------------------------------ the family: any input

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["user", "system", "tool", "assistant", "function", "gpt-4o", "image_url"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "messages",
                    "role",
                    "content",
                    "tools",
                    "tool_choice",
                    "model",
                    "type",
                    "name",
                    "function",
                    "parameters",
                    "max_tokens",
                    "max_completion_tokens",
                    "input",
                    "tool_calls",
                    "tool_call_id",
                    "text",
                    "image_url",
                    "url",
                    "custom_id",
                    "body",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@given(body=_JSON, command=st.sampled_from(["check", "count", "cost"]))
def test_no_request_body_gives_a_traceback(
    body: object, command: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("req") / "request.json"
    path.write_text(json.dumps(body))
    argv = {
        "check": ["check", str(path)],
        "count": ["count", "--messages", str(path)],
        "cost": ["cost", str(path), "-m", "gpt-4o"],
    }[command]
    code = main(argv)
    assert code in (0, 1, 2)


@given(data=st.binary(max_size=64))
def test_no_file_content_gives_a_traceback(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("bytes")
    (folder / "x.txt").write_bytes(data)
    for argv in (["count", str(folder)], ["count", str(folder / "x.txt")], ["split", str(folder)]):
        assert main(argv) in (0, 2)


@pytest.mark.parametrize("role", [[], {}, [["system"]]])
@pytest.mark.parametrize("command", ["check", "count", "cost"])
def test_an_unhashable_role_with_tools_is_a_format_error(
    role: object, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Found by test_web_chat's property: with tools, finding the system message hashed
    # each role, and a list raised TypeError (a traceback) before the role was checked.
    body = {
        "messages": [{"role": "user", "content": "hi"}, {"role": role, "content": None}],
        "tools": [{"type": "function", "function": {"name": "f"}}],
    }
    path = tmp_path / "request.json"
    path.write_text(json.dumps(body))
    argv = {"check": ["check"], "count": ["count", "--messages"], "cost": ["cost", "-m", "gpt-4o"]}
    assert main([*argv[command], str(path)]) == 2
    assert "messages[1].role is" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["count", "-m", "gpt-4oo", "--text", "hi"],  # a library error (unknown model)
        ["split", "--max-tokens", "0", "--text", "hi"],  # a library settings error
        ["count", "no-such-file.txt"],  # a usage error
        ["truncate", "-n", "x", "--text", "hi"],  # click's own parameter check
    ],
)
def test_every_error_has_one_prefix(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    # Library errors used to print "tokbudget: error:", usage errors "Error:".
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Error: " in err and "tokbudget: error" not in err
