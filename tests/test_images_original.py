"""Issue 12: image rules of the new models (x1.2 patches, the "original" detail level).

The expected counts are the measured ones of the source the registry cites
(huggingface.co/datasets/JOHNISKING/image-token-cost, read 2026-12-07), not recomputed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget
from tokbudget.chat.images import image_tokens, image_upper_bound
from tokbudget.errors import RegistryError, SettingsError
from tokbudget.models.registry import Registry

from .helpers import png_data_url as _png

SIZES = [
    (256, 256),
    (512, 512),
    (768, 768),
    (1024, 1024),
    (1280, 720),
    (1920, 1080),
    (1080, 1920),
    (2560, 1440),
    (3840, 2160),
    (4032, 3024),
]
# Measured columns: gpt6_high_tokens, gpt6_auto_tokens, gpt55_auto_tokens.
GPT6_HIGH = [77, 308, 692, 1229, 1104, 2448, 2448, 2931, 2931, 2942]
GPT6_AUTO = [77, 308, 692, 1229, 1104, 2448, 2448, 4320, 9792, 14364]
GPT55_AUTO = [77, 308, 692, 1229, 1104, 2448, 2448, 4320, 9792, 11868]


@pytest.mark.parametrize(
    ("size", "high", "auto", "auto55"),
    list(zip(SIZES, GPT6_HIGH, GPT6_AUTO, GPT55_AUTO, strict=True)),
)
def test_measured_counts(size: tuple[int, int], high: int, auto: int, auto55: int) -> None:
    w, h = size
    assert image_tokens(w, h, "high", model="gpt-6-astra") == high
    assert image_tokens(w, h, "auto", model="gpt-6-astra") == auto
    assert image_tokens(w, h, "original", model="gpt-6-astra") == auto
    assert image_tokens(w, h, "auto", model="gpt-5.5") == auto55
    assert image_tokens(w, h, "original", model="gpt-5.5") == auto55


def test_original_on_a_model_without_it_is_an_error_naming_the_levels() -> None:
    with pytest.raises(SettingsError, match=r"gpt-4o has no 'original'.*'low', 'high' or 'auto'"):
        image_tokens(1024, 1024, "original", model="gpt-4o")
    assert image_tokens(1024, 1024, "auto", model="gpt-4o") == 765  # unchanged


def test_unknown_size_without_a_known_cap_is_an_error_not_a_guess() -> None:
    with pytest.raises(SettingsError, match=r"no upper bound on gpt-6-astra.*at most 3,000"):
        image_upper_bound("gpt-6-astra")
    assert image_upper_bound("gpt-6-astra", "high") == 3000  # 2,500 patches x 1.2
    assert image_upper_bound("gpt-5.5") == 12000  # 10,000 x 1.2


def test_a_chat_request_counts_the_original_level() -> None:
    def request(detail: str) -> list[dict[str, object]]:
        part = {"type": "image_url", "image_url": {"url": _png(4032, 3024), "detail": detail}}
        return [{"role": "user", "content": [part]}]

    high = tokbudget.count_messages(request("high"), model="gpt-6-astra")
    original = tokbudget.count_messages(request("original"), model="gpt-6-astra")
    assert original - high == 14364 - 2942


@given(
    w=st.integers(1, 20_000),
    h=st.integers(1, 20_000),
    model=st.sampled_from(["gpt-6-astra", "gpt-5.5", "gpt-5-mini", "gpt-4o", "o4-mini"]),
)
def test_auto_never_counts_less_than_any_level(w: int, h: int, model: str) -> None:
    levels = ["low", "high"] + (["original"] if model in ("gpt-6-astra", "gpt-5.5") else [])
    auto = image_tokens(w, h, "auto", model=model)
    assert all(auto >= image_tokens(w, h, d, model=model) for d in levels)
    assert image_tokens(w, h, "high", model=model) >= 1


@pytest.mark.parametrize(
    ("table", "field"),
    [
        (
            "scheme = 'tile'\nbase_tokens = 85\ntile_tokens = 170\noriginal = true\n",
            "image.original",
        ),
        (
            "scheme = 'patch'\npatch_multiplier = '1.2'\noriginal_max_patches = 10\n",
            "image.original_max_patches",
        ),
        ("scheme = 'patch'\npatch_multiplier = '1.2'\noriginal = 'yes'\n", "image.original"),
    ],
)
def test_bad_original_rules_name_file_model_and_field(
    tmp_path: Path, table: str, field: str
) -> None:
    path = tmp_path / "models.toml"
    path.write_text(
        'schema_version = 1\n[models."m"]\nkind = "chat"\nencoding = "o200k_base"\n'
        f'context_window = 1000\n[models."m".image]\n{table}',
        encoding="utf-8",
    )
    with pytest.raises(RegistryError) as info:
        Registry.from_toml(path)
    assert (info.value.path, info.value.model, info.value.field) == (str(path), "m", field)
