"""Image tokens: OpenAI's documented examples, both schemes, and sizes read from data URLs."""

from __future__ import annotations

import base64
import math
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import tokbudget
from tokbudget import InvalidInputError, MessageFormatError, SettingsError, image_tokens
from tokbudget.chat.images import DETAILS, image_size, image_upper_bound

IMAGES = Path(__file__).parent / "fixtures" / "images"


def data_url(raw: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(raw).decode("ascii")


# ------------------------------------------------------------------ the tile scheme


@pytest.mark.parametrize(
    ("width", "height", "detail", "tokens"),
    [
        # The worked examples of OpenAI's vision guide ("Calculating costs").
        (1024, 1024, "high", 765),  # -> 768 x 768, 4 tiles: 85 + 4 * 170
        (2048, 4096, "high", 1105),  # -> 1024 x 2048 -> 768 x 1536, 6 tiles
        (4096, 8192, "low", 85),  # low is a flat cost at any size
        (2048, 4096, "low", 85),
        # Small images are not scaled up: 128 x 64 is one tile. (API measurements on the
        # OpenAI forum: 267 high / 97 low with a 12-token text prompt, i.e. 255 / 85.)
        (128, 64, "high", 255),
        (512, 512, "high", 255),
        (513, 512, "high", 425),
        (513, 513, "high", 765),
        (1, 1, "high", 255),
        (1, 100_000, "high", 85 + 170 * 4),  # long side fitted to 2048
    ],
)
def test_tile_scheme_documented_cases(width: int, height: int, detail: str, tokens: int) -> None:
    assert image_tokens(width, height, detail, model="gpt-4o") == tokens


def test_tile_constants_per_model() -> None:
    # gpt-4o-mini bills the same tiles at much larger constants; o1/o3 and gpt-5 smaller.
    assert image_tokens(1024, 1024, "high", model="gpt-4o-mini") == 2833 + 4 * 5667
    assert image_tokens(1024, 1024, "low", model="gpt-4o-mini") == 2833
    assert image_tokens(1024, 1024, "high", model="o1") == 75 + 4 * 150
    assert image_tokens(1024, 1024, "high", model="gpt-5") == 70 + 4 * 140
    assert image_tokens(1024, 1024, "high", model="gpt-4o-2024-08-06") == 765  # an alias


def test_auto_counts_as_high_never_less() -> None:
    assert image_tokens(2048, 4096, model="gpt-4o") == 1105  # default detail is auto
    assert image_tokens(2048, 4096, "auto", model="gpt-4o") == 1105


@given(st.integers(1, 20_000), st.integers(1, 20_000), st.sampled_from(["gpt-4o", "o3"]))
def test_tiles_bounded_and_auto_is_the_max(width: int, height: int, model: str) -> None:
    low = image_tokens(width, height, "low", model=model)
    high = image_tokens(width, height, "high", model=model)
    auto = image_tokens(width, height, "auto", model=model)
    assert auto == max(low, high)
    assert low <= high <= image_upper_bound(model)


def test_upper_bound_is_reached() -> None:
    # 8 tiles (short side 768 -> 2 tiles, long side 2048 -> 4 tiles) is the most.
    assert image_upper_bound("gpt-4o") == 85 + 8 * 170 == image_tokens(768, 2048, model="gpt-4o")
    assert image_upper_bound("gpt-4o", detail="low") == 85


# ----------------------------------------------------------------- the patch scheme


@pytest.mark.parametrize(
    ("width", "height", "model", "tokens"),
    [
        # The guide's examples: 1024 x 1024 is 32 x 32 = 1024 patches; 1800 x 2400 is 4275
        # patches, shrunk to 1086 x 1448 then 1056 x 1408: 33 x 44 = 1452 patches.
        (1024, 1024, "gpt-4.1-mini", math.ceil(1024 * 1.62)),
        (1800, 2400, "gpt-4.1-mini", math.ceil(1452 * 1.62)),  # 2352.24 -> 2353
        (1800, 2400, "gpt-4.1-nano", math.ceil(1452 * 2.46)),
        (1800, 2400, "o4-mini", math.ceil(1452 * 1.72)),
        (2400, 1800, "gpt-5-mini", math.ceil(1452 * 1.62)),  # symmetric
        (32, 32, "gpt-5-nano", math.ceil(2.46)),
        (33, 32, "gpt-4.1-mini", math.ceil(2 * 1.62)),
        (2048, 768, "gpt-4.1-mini", math.ceil(1536 * 1.62)),  # exactly at the cap
    ],
)
def test_patch_scheme_documented_cases(width: int, height: int, model: str, tokens: int) -> None:
    assert image_tokens(width, height, "high", model=model) == tokens


def test_patch_scheme_ignores_detail() -> None:
    # Measured on the API: a 128 x 64 image costs the same at low and high on patch models.
    for detail in ("low", "high", "auto"):
        assert image_tokens(128, 64, detail, model="gpt-4.1-mini") == math.ceil(8 * 1.62)


@given(st.integers(1, 50_000), st.integers(1, 50_000))
def test_patches_never_exceed_the_cap(width: int, height: int) -> None:
    tokens = image_tokens(width, height, model="o4-mini")
    assert 1 <= tokens <= image_upper_bound("o4-mini") == math.ceil(1536 * 1.72)
    if math.ceil(width / 32) * math.ceil(height / 32) <= 1536:  # no shrinking: exact
        patches = math.ceil(width / 32) * math.ceil(height / 32)
        assert tokens == math.ceil(patches * Decimal("1.72"))


# -------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (0, SettingsError),
        (-1, SettingsError),
        (1.5, InvalidInputError),
        (True, InvalidInputError),
        ("100", InvalidInputError),
        (None, InvalidInputError),
    ],
)
def test_bad_sizes_are_errors(bad: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="width must be a whole number of pixels"):
        image_tokens(bad, 100)  # type: ignore[arg-type]
    with pytest.raises(error, match="height"):
        image_tokens(100, bad)  # type: ignore[arg-type]


def test_unknown_detail_is_an_error() -> None:
    with pytest.raises(SettingsError, match=r"'medium'; use one of low, high, auto"):
        image_tokens(10, 10, "medium")


def test_model_without_image_rules_is_an_error_not_zero() -> None:
    with pytest.raises(SettingsError, match=r"gpt-3\.5-turbo has no image-token rules.*TOKBUDGET"):
        image_tokens(10, 10, model="gpt-3.5-turbo")
    with pytest.raises(tokbudget.UnknownModelError):
        image_tokens(10, 10, model="gpt-4oo")


# ------------------------------------------------------------------ sizes from headers


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("red-300x200.png", (300, 200)),
        ("grad-640x480.jpg", (640, 480)),
        ("gray-900x1200-progressive.jpg", (900, 1200)),
        ("green-7x5.gif", (7, 5)),
        ("white-1025x513.webp", (1025, 513)),  # lossy (VP8)
        ("white-33x65-lossless.webp", (33, 65)),  # lossless (VP8L)
        ("alpha-70x40.webp", (70, 40)),  # extended (VP8X)
    ],
)
def test_sizes_of_real_files(name: str, size: tuple[int, int]) -> None:
    raw = (IMAGES / name).read_bytes()
    assert image_size(data_url(raw)) == size
    # The declared media type does not matter; the bytes do.
    assert image_size(data_url(raw, "application/octet-stream")) == size


def test_jpeg_frame_header_far_in_is_found_without_decoding_the_image(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = (IMAGES / "grad-640x480.jpg").read_bytes()
    # Splice two 64 KB comment segments (like an EXIF thumbnail) before the frame header.
    comment = b"\xff\xfe" + (65_533).to_bytes(2, "big") + b"x" * 65_531
    spliced = raw[:2] + comment + comment + raw[2:]
    decoded: list[int] = []
    real = base64.b64decode

    def spy(data: str | bytes, *args: object, **kwargs: object) -> bytes:
        decoded.append(len(data))
        return real(data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(base64, "b64decode", spy)
    assert image_size(data_url(spliced, "image/jpeg")) == (640, 480)
    assert sum(decoded) < 200  # a few bytes per segment, not 130 KB


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/cat.png",
        "data:image/png,%89PNG",  # not base64
        "data:image/png;base64,",  # empty
        "data:image/png;base64,!!!notbase64!!!",
        "data:image/png;base64," + base64.b64encode(b"BM" + bytes(40)).decode(),  # BMP
        "data:image/png;base64,iVBORw0KGgo=",  # a PNG cut after its signature
        "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff\xda" + bytes(20)).decode(),
    ],
)
def test_unreadable_urls_give_none(url: str) -> None:
    assert image_size(url) is None


def test_base64_with_line_breaks_gives_none_not_garbage() -> None:
    encoded = base64.encodebytes((IMAGES / "red-300x200.png").read_bytes()).decode()
    url = "data:image/png;base64," + encoded
    assert image_size(url) in (None, (300, 200))


def _png_header(width: int, height: int) -> bytes:
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + b"IHDR" + ihdr + bytes(4)


@given(st.integers(1, 2**31 - 1), st.integers(1, 2**31 - 1))
def test_png_headers_any_size(width: int, height: int) -> None:
    assert image_size(data_url(_png_header(width, height))) == (width, height)


@given(st.integers(1, 65535), st.integers(1, 65535))
def test_gif_headers_any_size(width: int, height: int) -> None:
    raw = b"GIF89a" + width.to_bytes(2, "little") + height.to_bytes(2, "little") + b"\x00\x00\x00"
    assert image_size(data_url(raw, "image/gif")) == (width, height)


def test_zero_sized_header_gives_none() -> None:
    assert image_size(data_url(_png_header(0, 10))) is None


# ------------------------------------------------- every rule: floor, ceiling, order


RULE_MODELS = sorted(m.name for m in tokbudget.list_models() if m.image is not None)
"""Every registry model with image rules, measured or assumed (issue 12: all of them)."""


def _floor(model: str, detail: str) -> int:
    """What one tile (plus base) or one patch costs: no image costs less (issue 10 #3)."""
    rules = tokbudget.get_model(model).image
    assert rules is not None
    if rules.scheme == "tile":
        return rules.base_tokens + (0 if detail == "low" else rules.tile_tokens)
    return math.ceil(rules.patch_multiplier)


def _unscaled(model: str, width: int, height: int) -> bool:
    """Whether the rule counts the image at its own size (where it is monotone)."""
    rules = tokbudget.get_model(model).image
    assert rules is not None
    if rules.scheme == "tile":
        return max(width, height) <= 2048 and min(width, height) <= 768
    return -(-width // 32) * -(-height // 32) <= rules.max_patches


# Sizes from 1 px to MAX_COUNT, skewed so that extreme aspect ratios are common.
sides = st.one_of(
    st.integers(1, 4096),
    st.integers(1, 63).map(lambda e: 2**e - 1),  # up to the largest count accepted
    st.integers(1, 2**63 - 1),
    st.sampled_from([1, 2, 31, 32, 33, 767, 768, 769, 2047, 2048, 2049, 10**9, 2**31 - 1]),
)


@given(st.sampled_from(RULE_MODELS), sides, sides, st.sampled_from(DETAILS))
def test_no_image_costs_less_than_one_tile_or_patch(
    model: str, width: int, height: int, detail: str
) -> None:
    rules = tokbudget.get_model(model).image
    assert rules is not None
    assume(detail != "original" or rules.original)  # else an error (tested elsewhere)
    tokens = image_tokens(width, height, detail, model=model)
    assert tokens >= _floor(model, detail) >= 1
    uncapped = rules.original and rules.original_max_patches is None
    if not (uncapped and detail in ("auto", "original")):
        assert tokens <= image_upper_bound(model, detail)  # else no cap is known (GPT-6)
    assert tokens <= image_tokens(width, height, "auto", model=model)  # auto is the most


@given(
    st.sampled_from(RULE_MODELS),
    st.integers(1, 2048),
    st.integers(1, 2048),
    st.integers(0, 300),
    st.booleans(),
)
def test_monotone_where_the_rule_is(
    model: str, width: int, height: int, grow: int, wider: bool
) -> None:
    bigger = (width + grow, height) if wider else (width, height + grow)
    if _unscaled(model, width, height) and _unscaled(model, *bigger):
        assert image_tokens(width, height, model=model) <= image_tokens(*bigger, model=model)


@pytest.mark.parametrize("model", RULE_MODELS)
def test_extreme_aspect_ratios_are_never_zero(model: str) -> None:
    # image_tokens(10**9, 1, model="gpt-4.1-mini") was 0.
    for width, height in [(10**9, 1), (1, 10**9), (2**63 - 1, 1), (2**31 - 1, 1)]:
        assert image_tokens(width, height, model=model) >= _floor(model, "auto") > 0


@pytest.mark.parametrize("model", RULE_MODELS)
def test_a_header_claiming_an_absurd_size_is_not_cheap(model: str) -> None:
    # A PNG header claiming 2147483647 x 1 counted 7 (only the message's own tokens).
    text_only = tokbudget.count_messages([{"role": "user", "content": []}], model)
    part = {"type": "image_url", "image_url": {"url": data_url(_png_header(2**31 - 1, 1))}}
    with_image = tokbudget.count_messages([{"role": "user", "content": [part]}], model)
    assert with_image - text_only >= _floor(model, "auto")
    rules = tokbudget.get_model(model).image
    assert rules is not None
    if rules.scheme == "patch" and rules.original and rules.original_max_patches is None:
        assert with_image - text_only > image_tokens(4096, 4096, model=model)  # no cap known
    elif rules.scheme == "patch":  # one pixel tall, far too wide: the width reaches the cap
        assert with_image - text_only == image_upper_bound(model)


@pytest.mark.parametrize("detail", ["", [], 0, False, {}])
def test_a_falsy_detail_is_an_error_not_auto(detail: object) -> None:
    # "" or [] used to be read as "auto" (the default), silently.
    chat = [
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": detail}}
            ],
        }
    ]
    with pytest.raises(MessageFormatError, match=r"image_url\.detail is"):
        tokbudget.count_messages(chat, "gpt-4o")
    body = {
        "model": "gpt-4o",
        "input": [
            {
                "role": "user",
                "content": [
                    {"type": "input_image", "image_url": "https://x/y.png", "detail": detail}
                ],
            }
        ],
    }
    with pytest.raises(MessageFormatError, match=r"detail is"):
        tokbudget.count_request(body)


def test_a_null_detail_is_the_default() -> None:
    chat = [
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": None}}
            ],
        }
    ]
    plain = [
        {
            "role": "user",
            "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}],
        }
    ]
    assert tokbudget.count_messages(chat, "gpt-4o") == tokbudget.count_messages(plain, "gpt-4o")
