"""Issue 12: image rules of every current model that takes images, measured or assumed.

Measured figures are the sources' own (data/SOURCES.md), not recomputed. A model no
source has measured has its family's rule (``assumed_images``), marked ``assumed``: it
must bound every measured rule of that family from above, for every size and level.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget
from tokbudget.chat.images import DETAILS, assumed_why, image_rules, image_upper_bound
from tokbudget.cli import main
from tokbudget.errors import RegistryError, SettingsError
from tokbudget.models.registry import Registry, default_registry

from .helpers import png_data_url as _png

# community.openai.com/t/1377015 (2026-03-18), Responses API: a 1600x1600 image at
# "high" is 50 x 50 = 2,500 patches, 3,000 tokens (3,008 input with the text's 8).
GPT54_1600 = {"gpt-5.4": 3000, "gpt-5.4-mini": 3000, "gpt-5.4-nano": 3000}

# Each assumed family rule, and the measured models it must never count under.
BOUNDS = {
    "gpt-5.2": ["gpt-5.2"],
    "gpt-5.3": ["gpt-5.3-codex"],
    "gpt-5.4": ["gpt-5.4", "gpt-5.4-mini", "gpt-5.4-nano"],
    "gpt-5.5": ["gpt-5.5"],
    "gpt-5.6": ["gpt-5.4", "gpt-5.4-mini", "gpt-5.4-nano", "gpt-5.5", "gpt-6-astra"],
    "gpt-6": ["gpt-6-astra"],
}

# Chat models of the gpt-5 line without image rules, and why: no source gives their
# rule, and the line's three measured rules (gpt-5 tiles 70 + 140, gpt-5-mini x1.62,
# gpt-5-nano x2.46 patches) do not bound one another, so none can be assumed.
GPT5_GAPS = {
    "gpt-5-codex",
    "gpt-5-pro",
    "gpt-5.1",
    "gpt-5.1-chat-latest",
    "gpt-5.1-codex",
    "gpt-5.1-codex-max",
    "gpt-5.1-codex-mini",
}


@pytest.mark.parametrize(("model", "tokens"), sorted(GPT54_1600.items()))
def test_measured_gpt54_counts(model: str, tokens: int) -> None:
    assert tokbudget.image_tokens(1600, 1600, "high", model=model) == tokens
    assert not tokbudget.get_model(model).image.assumed  # type: ignore[union-attr]


def test_measured_multiplier_of_gpt52_and_gpt53_codex() -> None:
    # x1.2 measured (community threads 1372291, 1377015): 1024 patches -> 1,229 tokens.
    for model in ("gpt-5.2", "gpt-5.3-codex"):
        rules = tokbudget.get_model(model).image
        assert rules is not None and str(rules.patch_multiplier) == "1.2" and not rules.assumed
        assert tokbudget.image_tokens(1024, 1024, "high", model=model) == 1229
    with pytest.raises(SettingsError, match="no 'original'"):
        tokbudget.image_tokens(1024, 1024, "original", model="gpt-5.2")


def test_original_is_capped_at_10000_patches_on_gpt54() -> None:
    assert image_upper_bound("gpt-5.4", "original") == 12000  # 10,000 x 1.2
    assert image_upper_bound("gpt-5.4", "high") == 3000
    assert tokbudget.image_tokens(4032, 3024, "auto", model="gpt-5.4-nano") <= 12000


def _chat_models() -> list[str]:
    return [m.name for m in tokbudget.list_models() if m.kind in ("chat", "reasoning")]


def test_which_chat_models_have_no_image_rules() -> None:
    missing = {m for m in _chat_models() if tokbudget.get_model(m).image is None}
    current = {m for m in missing if m.startswith(("gpt-6", "gpt-5"))}
    assert not {m for m in current if m.startswith("gpt-6")}, "a GPT-6 model has no image rule"
    assert current == GPT5_GAPS, f"gpt-5.x models without image rules: {sorted(current)}"
    # The rest take no images (text-only, audio) or predate vision.
    assert missing - GPT5_GAPS == {
        "chatgpt-4o-latest", "gpt-3.5-turbo", "gpt-3.5-turbo-0301", "gpt-3.5-turbo-0613",
        "gpt-4", "gpt-4-0125-preview", "gpt-4-32k", "gpt-audio", "gpt-oss-120b",
        "gpt-oss-20b", "o1-mini", "o3-mini", "o3-pro",
    }  # fmt: skip


@pytest.mark.parametrize("model", ["text-embedding-3-small", "omni-moderation-latest", "o3-mini"])
def test_models_without_images_keep_the_error(model: str) -> None:
    with pytest.raises(SettingsError, match="has no image-token rules"):
        tokbudget.image_tokens(1024, 1024, model=model)


def _family(model: str) -> str:
    """The longest family prefix of ``model`` (followed by a separator, as the registry's)."""
    members = (p for p in BOUNDS if model[: len(p)] == p and not model[len(p) :][:1].isalnum())
    return max(members, key=len)


ASSUMED = sorted(m for m in _chat_models() if (r := tokbudget.get_model(m).image) and r.assumed)


def test_every_assumed_rule_has_a_family_bound_checked_here() -> None:
    assert set(ASSUMED) >= {"gpt-6.2-sol", "gpt-6-luna", "gpt-5.4-pro", "gpt-5.6-sol"}
    assert {_family(m) for m in ASSUMED} == set(BOUNDS)  # every family rule is used
    assert set(default_registry().assumed_images) == set(BOUNDS)


@given(
    st.sampled_from(ASSUMED),
    st.integers(1, 8000),
    st.integers(1, 8000),
    st.sampled_from(DETAILS),
)
def test_an_assumed_rule_never_counts_under_its_family(
    model: str, width: int, height: int, detail: str
) -> None:
    for measured in BOUNDS[_family(model)]:
        _, other = image_rules(measured)
        if detail == "original" and not other.original:
            continue
        want = tokbudget.image_tokens(width, height, detail, model=measured)
        assert tokbudget.image_tokens(width, height, detail, model=model) >= want
        try:
            bound = image_upper_bound(model, detail)
        except SettingsError:  # uncapped: an unknown size is an error, never under
            continue
        assert bound >= image_upper_bound(measured, detail)


def test_the_assumption_is_said_in_the_data_models_show_and_the_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, rules = image_rules("gpt-6.2-sol")
    assert rules.assumed and "assumed" in assumed_why(rules)
    assert assumed_why(image_rules("gpt-6-astra")[1]) == ""
    assert main(["models", "show", "gpt-6.2-sol"]) == 0
    assert "(assumed: the family's upper bound" in capsys.readouterr().out
    for model, assumed in [("gpt-6.2-sol", True), ("gpt-6-astra", False)]:
        assert main(["models", "show", model, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["image"]["assumed"] is assumed


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "models.toml"
    path.write_text('schema_version = 1\n[families]\n"x" = "o200k_base"\n' + text, "utf-8")
    return path


def test_a_family_rule_fills_only_chat_models_without_their_own(tmp_path: Path) -> None:
    path = _toml(
        tmp_path,
        "[assumed_images.\"x\"]\nscheme = 'patch'\npatch_multiplier = '1.2'\n"
        + "".join(
            f'[models."{name}"]\nkind = "{kind}"\nencoding = "o200k_base"\ncontext_window = 1000\n'
            for name, kind in [("x-1", "reasoning"), ("x-e", "embedding"), ("xy", "chat")]
        )
        + '[models."x-own"]\nkind = "chat"\nencoding = "o200k_base"\ncontext_window = 1000\n'
        "[models.\"x-own\".image]\nscheme = 'tile'\nbase_tokens = 1\ntile_tokens = 2\n",
    )
    reg = Registry.from_toml(path)
    assert reg.get("x-1").image is not None and reg.get("x-1").image.assumed  # type: ignore[union-attr]
    assert reg.get("x-e").image is None  # an embedding model takes no images
    assert reg.get("xy").image is None  # "xy" is another name, not a member of "x"
    assert reg.get("x-own").image is not None and not reg.get("x-own").image.assumed  # type: ignore[union-attr]


def test_a_users_own_image_table_replaces_the_assumption(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'schema_version = 1\n[models."gpt-6.2-sol"]\nkind = "reasoning"\n'
        'encoding = "o200k_base"\ncontext_window = 1000\n'
        "[models.\"gpt-6.2-sol\".image]\nscheme = 'patch'\npatch_multiplier = '1.5'\n",
        "utf-8",
    )
    reg = default_registry().merged(Registry.from_toml(path))
    rules = reg.get("gpt-6.2-sol").image
    assert rules is not None and not rules.assumed and str(rules.patch_multiplier) == "1.5"


def test_a_bad_family_rule_names_file_and_field(tmp_path: Path) -> None:
    path = _toml(tmp_path, "[assumed_images.\"x\"]\nscheme = 'patch'\npatch_multipler = '1.2'\n")
    with pytest.raises(RegistryError) as info:
        Registry.from_toml(path)
    assert (info.value.path, info.value.field) == (str(path), "assumed_images.x.patch_multipler")


@pytest.mark.parametrize("api", ["chat", "responses"])
@pytest.mark.parametrize(("model", "assumed"), [("gpt-6.2-sol", True), ("gpt-6-astra", False)])
def test_a_request_count_lists_an_assumed_image_as_an_estimate(
    api: str, model: str, assumed: bool
) -> None:
    url = _png(1024, 1024)
    body: dict[str, object] = (
        {"model": model, "messages": [{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": url, "detail": "high"}}]}]}
        if api == "chat"
        else {"model": model, "input": [{"role": "user", "content": [
            {"type": "input_image", "image_url": url, "detail": "high"}]}]}
    )  # fmt: skip
    counted = tokbudget.count_request(body)
    images = [e for e in counted.estimated if e.part.endswith("content[0]")]
    assert [(e.tokens, "image rules assumed" in e.why) for e in images] == (
        [(1229, True)] if assumed else []
    )
