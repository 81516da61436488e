"""The bundled model registry, lookups, user override files and the litellm import."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import tokbudget
import tokbudget.models.registry
from tokbudget import (
    Registry,
    RegistryError,
    SettingsError,
    UnknownModelError,
    get_model,
    list_models,
)
from tokbudget.models.registry import MODELS_ENV, default_registry
from tokbudget.models.spec import ENCODING_NAMES
from tokbudget.tokenizer.vocab import ENCODINGS

FIXTURES = Path(__file__).parent / "fixtures"
ALL = list_models()

REQUIRED = [
    "gpt-5",
    "gpt-5-mini",
    "gpt-5-nano",
    "gpt-5-chat-latest",
    "gpt-5.1",
    "gpt-5.2",
    "gpt-5.4",
    "gpt-5.5",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4o-2024-05-13",
    "o1",
    "o1-mini",
    "o3",
    "o3-mini",
    "o4-mini",
    "gpt-4-turbo",
    "gpt-4",
    "gpt-3.5-turbo",
    "gpt-oss-120b",
    "gpt-oss-20b",
    "text-embedding-3-small",
    "text-embedding-3-large",
    "text-embedding-ada-002",
]


# ------------------------------------------------------------------- the bundled data


def test_every_model_the_issue_lists_is_present() -> None:
    names = {m.name for m in ALL}
    assert not set(REQUIRED) - names


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.name)
def test_every_entry_is_complete_and_consistent(spec: tokbudget.ModelSpec) -> None:
    assert spec.encoding in ENCODINGS
    assert spec.source and all(s.startswith("https://") for s in spec.source)
    assert isinstance(spec.as_of, date)
    window, max_in, max_out = spec.context_window, spec.max_input_tokens, spec.max_output_tokens
    if window is not None and max_in is not None and max_out is not None:
        assert max_in + max_out <= window
    for limit in (max_in, max_out):
        assert limit is None or window is None or limit <= window
    assert get_model(spec.name) is spec
    for alias in spec.aliases:
        assert get_model(alias) is spec
    if spec.kind in ("chat", "reasoning"):
        assert spec.chat is not None and spec.max_output_tokens is not None
    if spec.kind == "embedding":
        assert spec.embedding is not None and spec.embedding.dimensions
        assert spec.embedding.max_inputs_per_request and spec.embedding.max_tokens_per_request
        assert spec.max_input_tokens is not None
        assert spec.price is not None and spec.price.output is None
    if spec.price is not None:
        prices = [spec.price.input, spec.price.output, spec.price.cached_input]
        prices += [spec.price.batch_input, spec.price.batch_output]
        assert all(p is None or (isinstance(p, Decimal) and p >= 0) for p in prices)
        if spec.price.cached_input is not None:
            assert spec.price.cached_input <= spec.price.input
        for tier in spec.price.tiers:
            assert tier.input >= spec.price.input  # long prompts never cost less
            assert spec.input_limit is None or tier.above_input_tokens < spec.input_limit


@pytest.mark.parametrize("name", sorted({m.encoding for m in ALL}))
def test_every_encoding_in_use_builds(name: str) -> None:
    assert tokbudget.get_encoding(name).encode_ordinary("hello world")


def test_registry_accepts_exactly_the_encodings_the_tokenizer_defines() -> None:
    # The registry sits below the tokenizer, so it keeps the names and vocab the definitions.
    assert tuple(ENCODINGS) == ENCODING_NAMES


def test_spot_figures() -> None:
    gpt5 = get_model("gpt-5")
    assert (gpt5.context_window, gpt5.max_input_tokens, gpt5.max_output_tokens) == (
        400_000,
        272_000,
        128_000,
    )
    assert gpt5.input_limit == 272_000
    old, new = get_model("gpt-4o-2024-05-13"), get_model("gpt-4o")
    assert old is not new
    assert (old.max_output_tokens, new.max_output_tokens) == (4_096, 16_384)
    assert (
        old.price
        and new.price
        and (old.price.input, new.price.input) == (Decimal(5), Decimal("2.50"))
    )
    embeddings = {
        n: get_model(n).embedding
        for n in ("text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002")
    }
    dims = {n: e.dimensions for n, e in embeddings.items() if e is not None}
    assert dims == {
        "text-embedding-3-small": 1536,
        "text-embedding-3-large": 3072,
        "text-embedding-ada-002": 1536,
    }
    mini = get_model("gpt-4o-mini").image
    assert mini is not None and (mini.scheme, mini.base_tokens, mini.tile_tokens) == (
        "tile",
        2833,
        5667,
    )
    patch = get_model("o4-mini").image
    assert patch is not None and (patch.scheme, patch.patch_multiplier) == (
        "patch",
        Decimal("1.72"),
    )
    assert get_model("gpt-3.5-turbo-0301").chat == tokbudget.models.registry.ChatFormat(4, -1, 3)


def test_list_models_by_kind() -> None:
    embeddings = list_models(kind="embedding")
    assert {m.name for m in embeddings} >= {"text-embedding-3-small", "text-embedding-ada-002"}
    assert all(m.kind == "embedding" for m in embeddings)
    assert [m.name for m in ALL] == sorted(m.name for m in ALL)
    with pytest.raises(SettingsError, match="unknown kind 'llm'"):
        list_models(kind="llm")


# ----------------------------------------------------------------------------- lookup


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("gpt-4o-2024-08-06", "gpt-4o"),  # an alias
        ("gpt-4-0613", "gpt-4"),
        ("gpt-4o-2099-12-31", "gpt-4o"),  # an unknown dated snapshot
        ("gpt-4.1-mini-2025-04-14", "gpt-4.1-mini"),
        ("openai/gpt-4o", "gpt-4o"),  # provider prefixes
        ("azure/gpt-4.1-nano", "gpt-4.1-nano"),
        ("ft:gpt-4o-mini-2024-07-18:my-org::abc123", "gpt-4o-mini"),  # fine-tunes
        ("ft:gpt-3.5-turbo-0125:org:suffix:id", "gpt-3.5-turbo"),
        ("gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),  # a snapshot with its own entry wins
    ],
)
def test_names_resolve(name: str, canonical: str) -> None:
    assert get_model(name).name == canonical


def test_family_prefixes_give_encodings_for_new_names() -> None:
    reg = default_registry()
    assert reg.encoding_name("gpt-5.9-mini-2027-01-01") == "o200k_base"
    assert reg.encoding_name("gpt-oss-7b") == "o200k_harmony"
    with pytest.raises(UnknownModelError):
        get_model("gpt-5.9-mini-2027-01-01")  # no figures for it, only an encoding


def test_unknown_model_suggests_close_names() -> None:
    with pytest.raises(UnknownModelError) as info:
        get_model("gpt-4-turob")
    err = info.value
    assert isinstance(err, KeyError)
    assert "gpt-4-turbo" in err.suggestions
    assert str(err).startswith("unknown model 'gpt-4-turob'; did you mean gpt-4-turbo")
    assert err.model == "gpt-4-turob"
    with pytest.raises(UnknownModelError, match="must be a string"):
        get_model(4)  # type: ignore[arg-type]


# --------------------------------------------------------------------- override files


def write(tmp_path: Path, text: str, name: str = "models.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
schema_version = 1
[models."my-model"]
kind = "chat"
encoding = "o200k_base"
context_window = 32_000
max_output_tokens = 4_000
aliases = ["mine"]
source = "https://example.com"
as_of = 2026-01-01
[models."my-model".price]
input = "0.10"
output = "0.40"
[models."gpt-4o"]
kind = "chat"
encoding = "o200k_base"
context_window = 128_000
[models."gpt-4o".price]
input = "9.99"
output = "1"
"""


def test_override_file_via_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD)
    monkeypatch.setenv(MODELS_ENV, str(path))
    assert get_model("mine").name == "my-model"
    assert get_model("gpt-4o").price.input == Decimal("9.99")  # type: ignore[union-attr]
    assert tokbudget.cost("mine", 1_000_000).total == Decimal("0.10")
    assert tokbudget.count_messages([{"role": "user", "content": "hi"}], "mine") == 8
    monkeypatch.delenv(MODELS_ENV)
    assert get_model("gpt-4o").price.input == Decimal("2.50")  # type: ignore[union-attr]


def test_merged_registry_prefers_the_later_one(tmp_path: Path) -> None:
    extra = Registry.from_toml(write(tmp_path, GOOD.split('[models."gpt-4o"]')[0]))
    merged = default_registry().merged(extra)
    assert merged.get("mine").name == "my-model" and merged.get("gpt-4o").name == "gpt-4o"
    assert merged.sources[-1] == str(tmp_path / "models.toml")


@pytest.mark.parametrize(
    ("text", "field", "match"),
    [
        (
            '[models.m]\nkind="chat"\nencoding="o200k_base"\ncontext_windw=10',
            "context_windw",
            "did you mean 'context_window'",
        ),
        (
            '[models.m]\nkind="chat"\nencoding="o200k_base"\ncontext_window="big"',
            "context_window",
            "integer >= 1, got 'big'",
        ),
        (
            '[models.m]\nkind="chat"\nencoding="o200k_base"\ncontext_window=true',
            "context_window",
            "integer",
        ),
        ('[models.m]\nencoding="o200k_base"\ncontext_window=10', "kind", "is required"),
        ('[models.m]\nkind="chat"\ncontext_window=10', "encoding", "is required"),
        (
            '[models.m]\nkind="chat"\nencoding="p50k"\ncontext_window=10',
            "encoding",
            "must be one of",
        ),
        ('[models.m]\nkind="llm"\nencoding="o200k_base"', "kind", "must be one of chat, reasoning"),
        (
            '[models.m]\nkind="chat"\nencoding="o200k_base"',
            "context_window",
            "is required for chat models",
        ),
        (
            '[models.m]\nkind="chat"\nencoding="o200k_base"\ncontext_window=10\nmax_input_tokens=8\nmax_output_tokens=8',
            "max_input_tokens",
            "exceeds context_window 10",
        ),
        (
            '[models.m]\nkind="chat"\nencoding="o200k_base"\ncontext_window=10\nas_of="2026-01-01"',
            "as_of",
            "TOML date",
        ),
        (
            '[models.m]\nkind="chat"\nencoding="o200k_base"\ncontext_window=10\n[models.m.price]\ninput="cheap"',
            "price.input",
            "not a decimal number",
        ),
        (
            '[models.m]\nkind="chat"\nencoding="o200k_base"\ncontext_window=10\n[models.m.price]\noutput="1"',
            "price.input",
            "is required",
        ),
        (
            '[models.m]\nkind="chat"\nencoding="o200k_base"\ncontext_window=10\n[models.m.price]\ninput="-1"',
            "price.input",
            ">= 0",
        ),
        (
            '[models.m]\nkind="chat"\nencoding="o200k_base"\ncontext_window=10\n[models.m.price]\ninput="1"\n[[models.m.price.tiers]]\nabove_input_token=5\ninput="2"',
            "price.tiers[0].above_input_token",
            "did you mean 'above_input_tokens'",
        ),
        (
            '[models.m]\nkind="embedding"\nencoding="cl100k_base"\nmax_input_tokens=10\n[models.m.price]\ninput="1"\noutput="1"',
            "price.output",
            "no output price",
        ),
        (
            '[models.m]\nkind="chat"\nencoding="o200k_base"\ncontext_window=10\n[models.m.image]\nscheme="tile"',
            "image.base_tokens",
            "is required",
        ),
        (
            '[models.m]\nkind="chat"\nencoding="o200k_base"\ncontext_window=10\nchat=3',
            "chat",
            "must be a table",
        ),
    ],
)
def test_override_errors_name_file_model_and_field(
    tmp_path: Path, text: str, field: str, match: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RegistryError, match=match) as info:
        Registry.from_toml(path)
    err = info.value
    assert (err.path, err.model, err.field) == (str(path), "m", field)
    assert str(err).startswith(f"{path}: model 'm', field '{field}'")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("schema_version = 2", "reads schema 1, got 2"),
        ("[modles.m]\nkind='chat'", "did you mean 'models'"),
        ("models = 3", "must be a table of"),
        ("[models\nbroken", "invalid TOML"),
    ],
)
def test_file_level_errors(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(RegistryError, match=match):
        Registry.from_toml(write(tmp_path, text))


def test_missing_override_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODELS_ENV, str(tmp_path / "nope.toml"))
    with pytest.raises(RegistryError, match=r"cannot read models file .*nope\.toml"):
        get_model("gpt-4o")


# ------------------------------------------------------------------- litellm import


def test_litellm_import_maps_fields_carefully() -> None:
    reg = Registry.from_litellm(FIXTURES / "litellm_prices.json")
    gpt5 = reg.get("gpt-5")
    # max_input_tokens is gpt-5's separate input cap: the bundled window is kept.
    assert (gpt5.context_window, gpt5.max_input_tokens, gpt5.max_output_tokens) == (
        400_000,
        272_000,
        128_000,
    )
    assert gpt5.kind == "reasoning"
    gpt4o = reg.get("gpt-4o")
    # Legacy max_tokens (16,384) is the output cap, not the window; max_input_tokens is.
    assert (gpt4o.context_window, gpt4o.max_input_tokens, gpt4o.max_output_tokens) == (
        128_000,
        None,
        16_384,
    )
    assert gpt4o.price == tokbudget.models.registry.Price(
        input=Decimal("2.5"),
        output=Decimal(10),
        cached_input=Decimal("1.25"),
        batch_input=Decimal("1.25"),
        batch_output=Decimal(5),
    )
    assert gpt4o.price is not None
    assert str(gpt4o.price.output) == "10"  # exact, plain decimals from per-token floats
    assert gpt4o.image == get_model("gpt-4o").image  # rules the JSON lacks come from the base
    # Only max_tokens given: it is the window.
    assert reg.get("gpt-4-0314").context_window == 8_192
    tiers = reg.get("gpt-5.4").price.tiers  # type: ignore[union-attr]
    assert tiers == (
        tokbudget.models.registry.PriceTier(272_000, Decimal(5), Decimal("22.5"), Decimal("0.5")),
    )
    emb = reg.get("text-embedding-3-small")
    assert (emb.kind, emb.max_input_tokens, emb.context_window) == ("embedding", 8_191, None)
    assert emb.price is not None and emb.price.output is None  # 0.0 in the JSON is no price
    assert emb.embedding is not None and emb.embedding.dimensions == 1536
    assert set(reg.skipped) == {"dall-e-3", "claude-3-5-sonnet-20241022", "gpt-4o-no-window"}
    assert "sample_spec" not in reg.models
    assert all(
        m.source == (f"litellm:{FIXTURES / 'litellm_prices.json'}",) for m in reg.models.values()
    )


def test_litellm_prices_merge_over_the_bundled_ones() -> None:
    merged = default_registry().merged(Registry.from_litellm(FIXTURES / "litellm_prices.json"))
    newer = merged.get("gpt-4o-2099-01-01")  # a new snapshot the bundled data lacks
    assert newer.price is not None and newer.price.input == Decimal(2)
    assert tokbudget.cost("gpt-4o-2099-01-01", 1_000_000, registry=merged).total == Decimal(2)
    assert merged.get("o3").name == "o3"  # untouched bundled entries stay


@pytest.mark.parametrize(
    ("content", "match"),
    [("{not json", "invalid JSON"), ("[1, 2]", "expected a JSON object")],
)
def test_litellm_bad_files(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(content)
    with pytest.raises(RegistryError, match=match):
        Registry.from_litellm(path)
    with pytest.raises(RegistryError, match="cannot read"):
        Registry.from_litellm(tmp_path / "missing.json")


def test_litellm_fixture_is_small_and_valid_json() -> None:
    raw: dict[str, Any] = json.loads((FIXTURES / "litellm_prices.json").read_text())
    assert len(raw) < 20
