"""What an image in a chat request costs in prompt tokens, by OpenAI's two documented schemes.

**Tiles** (gpt-4o, gpt-4.1, gpt-5, o1, o3 ...; guide "Images and vision", "Calculating
costs"): ``detail="low"`` costs ``base_tokens``. ``"high"`` first scales the image down to
fit in 2048 x 2048, then so that its short side is at most 768 px, and costs
``base_tokens + tile_tokens * n`` for the ``n`` 512-px tiles that cover it
(gpt-4o: 85 + 170 n; gpt-4o-mini: 2833 + 5667 n; o1/o3: 75 + 150 n; gpt-5: 70 + 140 n).
Images are never scaled up; scaled sides are rounded down to whole pixels, as the guide's
worked examples do.

**Patches** (gpt-4.1-mini/nano, o4-mini, gpt-5-mini/nano): the 32-px patches that cover the
image; over 1536 (``max_patches``) the image is shrunk by ``sqrt(1536 * 32**2 / (w * h))``,
rounded down to whole pixels, then a little more so one side is a whole number of patches,
and the count is capped at 1536. Tokens are patches times the model's multiplier (1.62,
2.46, 1.72 ...), rounded up. ``"low"`` and ``"high"`` count alike.

**Original** (gpt-5.4+, GPT-6; measured usage, see ``data/SOURCES.md``): patch models
with ``original = true`` also take ``detail="original"``: the same patches (x 1.2) under a
larger cap (``original_max_patches``: 10,000 on gpt-5.4 and gpt-5.5) or none known (GPT-6:
a 4032 x 3024 photo bills all its 11,970 patches), while ``"high"`` stays at
``max_patches`` (2,500). On those models ``"auto"`` bills like ``"original"`` (measured).
An image of unknown size at an uncapped level has no upper bound: an error, not a guess.

**Assumed** rules: a model no source has measured gets its family's rule, an upper bound
of the family's measured ones (``assumed_images`` in ``models.toml``; ``rules.assumed``).
Its counts are estimates that never undercount, and :func:`assumed_why` says so.

No image costs less than one tile (``base_tokens + tile_tokens``; ``base_tokens`` at
``detail="low"``) or one patch: when shrinking would take a side below one pixel (a
10**9 x 1 image), that side stays one pixel, so such an image reaches the patch cap
instead of counting 0.

``detail="auto"`` lets the API choose; tokbudget counts it as the largest level the model
has (``"high"``, or ``"original"`` where it exists), so that a budget never undercounts.
An image whose size is unknown (an ``https`` URL) costs :func:`image_upper_bound`, the
most any image can cost on that model (gpt-4o: 85 + 8 x 170 = 1445); a base64 ``data:``
URL of a PNG, JPEG, GIF or WebP has its size read from the file header (a few dozen bytes
are decoded, never the whole image; nothing is fetched).
"""

from __future__ import annotations

import base64
import binascii
import math
from fractions import Fraction
from typing import Any, Literal

from .._util import require_choice, require_int
from ..errors import SettingsError
from ..models.defaults import DEFAULT_MODEL
from ..models.registry import MODELS_ENV, ImageRules, ModelSpec, default_registry

__all__ = [
    "DETAILS",
    "Detail",
    "assumed_why",
    "detail_of",
    "image_guess",
    "image_part_tokens",
    "image_rules",
    "image_size",
    "image_tokens",
    "image_upper_bound",
    "rules_tokens",
]

Detail = Literal["low", "high", "auto", "original"]
DETAILS: tuple[str, ...] = ("low", "high", "auto", "original")


def detail_of(part: Any) -> Any:
    """The ``detail`` a request part asks for: ``"auto"`` when absent or null (the APIs'
    default), anything else as given, for the caller to check against its choices (an
    empty string or a list is a mistake to report, not ``"auto"``).

    >>> detail_of({}), detail_of({"detail": None}), detail_of({"detail": ""})
    ('auto', 'auto', '')
    """
    value = part.get("detail")
    return "auto" if value is None else value


_FIT = 2048  # tile scheme: first fit in a 2048 x 2048 square
_SHORT = 768  # ... then the short side is at most 768
_TILE = 512
_PATCH = 32
_MAX_TILES = math.ceil(_FIT / _TILE) * math.ceil(_SHORT / _TILE)  # 4 x 2 = 8


def image_rules(model: str | None = None, *, where: str = "an image") -> tuple[str, ImageRules]:
    """Return ``(model name, image rules)``; an error if the registry has no rules for it.

    ``where`` names the image in the error (``"messages[2].content[1]"``).
    """
    spec: ModelSpec = default_registry().get(model if model is not None else DEFAULT_MODEL)
    if spec.image is None:
        raise SettingsError(
            f"{where} is an image, but {spec.name} has no image-token rules in the registry "
            f"(it may not accept images); use a vision model, or add "
            f"[models.{spec.name!r}.image] to a TOML file named by {MODELS_ENV}"
        )
    return spec.name, spec.image


def assumed_why(rules: ImageRules) -> str:
    """Why an image's count rests on an assumption ("" when the model's own rule is known).

    >>> assumed_why(image_rules("gpt-6.2-sol")[1])[:40]
    "image rules assumed: the model's family'"
    """
    if not rules.assumed:
        return ""
    return (
        "image rules assumed: the model's family's rule, an upper bound (no source gives "
        "this model's own)"
    )


def image_tokens(width: int, height: int, detail: str = "auto", model: str | None = None) -> int:
    """Return the prompt tokens of a ``width`` x ``height`` image for ``model`` (default gpt-4o).

    ``detail`` is ``"low"``, ``"high"`` or ``"auto"`` (counted as ``"high"``: never less than
    what the API may choose).

    >>> image_tokens(1024, 1024, "high", model="gpt-4o")
    765
    >>> image_tokens(2048, 4096, "low", model="gpt-4o")
    85
    """
    width = require_int("width", width, least=1, unit="pixels")
    height = require_int("height", height, least=1, unit="pixels")
    name, rules = image_rules(model)
    return rules_tokens(rules, width, height, _check_detail(detail), name)


def image_upper_bound(model: str | None = None, detail: str = "auto") -> int:
    """Return the most any image can cost on ``model``: what an image of unknown size costs.

    >>> image_upper_bound("gpt-4o")
    1445
    """
    name, rules = image_rules(model)
    return rules_tokens(rules, None, None, _check_detail(detail), name)


def _check_detail(detail: object) -> str:
    return require_choice("detail", detail, DETAILS)


def rules_tokens(
    rules: ImageRules,
    width: int | None,
    height: int | None,
    detail: str,
    model: str = "this model",
) -> int:
    """Tokens of one image under ``rules``; unknown size (``None``) gives the upper bound.

    ``model`` names the model in errors (a detail level it lacks, an unbounded image).
    """
    if detail == "original" and not rules.original:
        raise SettingsError(
            f"{model} has no 'original' image detail level in the registry (gpt-5.4 and "
            "later, and GPT-6, have it); use detail 'low', 'high' or 'auto'",
            parameter="detail",
            value=detail,
        )
    if rules.scheme == "tile":
        if detail == "low":
            return rules.base_tokens
        tiles = _MAX_TILES if width is None or height is None else _tiles(width, height)
        return rules.base_tokens + rules.tile_tokens * tiles
    cap: int | None = rules.max_patches
    if rules.original and detail in ("original", "auto"):
        cap = rules.original_max_patches
    if width is None or height is None:
        if cap is None:
            high = math.ceil(rules.max_patches * rules.patch_multiplier)
            raise SettingsError(
                f"an image of unknown size at detail {detail!r} has no upper bound on "
                f"{model} (no patch cap is known for its 'original' level); pass "
                f"detail 'high' (at most {high:,} tokens) or a data: URL whose size can be read",
                parameter="detail",
                value=detail,
            )
        patches = cap
    else:
        patches = _patches(width, height, cap)
    return math.ceil(patches * rules.patch_multiplier)


def _tiles(width: int, height: int) -> int:
    w, h = width, height
    if max(w, h) > _FIT:  # fit in 2048 x 2048, keeping the aspect ratio
        w, h = (_FIT, max(1, h * _FIT // w)) if w >= h else (max(1, w * _FIT // h), _FIT)
    if min(w, h) > _SHORT:  # short side to 768
        w, h = (_SHORT, max(1, h * _SHORT // w)) if w <= h else (max(1, w * _SHORT // h), _SHORT)
    return _ceil_div(w, _TILE) * _ceil_div(h, _TILE)


def _patches(width: int, height: int, cap: int | None) -> int:
    n = _ceil_div(width, _PATCH) * _ceil_div(height, _PATCH)
    if cap is None or n <= cap:
        return n
    # Shrink by sqrt(cap * 32^2 / (w * h)), floored to whole pixels. isqrt of the floored
    # quotient equals the floor of the real square root, so this is exact (no floats).
    # A side is never shrunk below one pixel: a 10**9 x 1 image used to become 0 px tall,
    # 0 patches, 0 tokens; it stays 1 px tall, and its width alone reaches the cap.
    budget = cap * _PATCH * _PATCH
    w1 = max(1, math.isqrt(width * budget // height))
    h1 = max(1, math.isqrt(height * budget // width))
    # Then shrink a little more so one side is a whole number of patches; the guide's
    # example (1800 x 2400 -> 1452 patches) takes the smaller of the two factors.
    factors = [Fraction(s // _PATCH * _PATCH, s) for s in (w1, h1) if s >= _PATCH]
    scale = min(factors) if factors else Fraction(1)
    n = math.ceil(w1 * scale / _PATCH) * math.ceil(h1 * scale / _PATCH)
    return max(1, min(n, cap))  # an image is at least one patch, at most the cap


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)  # integer arithmetic: a / b would overflow a float past ~1e308


# --------------------------------------------------------------------- sizes from headers

_PREFIX_MAX = 512  # the "data:<mediatype>;base64," header is never longer than this
_JPEG_MAX_SEGMENTS = 1024  # markers walked before giving up (real files have < 30)


class _Base64Bytes:
    """Random access to the bytes of a base64 text without decoding all of it."""

    def __init__(self, text: str, start: int) -> None:
        self.text, self.start = text, start

    def read(self, offset: int, n: int) -> bytes | None:
        first, last = offset // 3, -(-(offset + n) // 3)  # base64 quanta: 4 chars = 3 bytes
        chunk = self.text[self.start + 4 * first : self.start + 4 * last]
        try:
            raw = base64.b64decode(chunk, validate=True)
        except (binascii.Error, ValueError):  # whitespace, url-safe alphabet, truncation
            return None
        skip = offset - 3 * first
        out = raw[skip : skip + n]
        return out if len(out) == n else None


def image_size(url: str) -> tuple[int, int] | None:
    """Return ``(width, height)`` of a base64 ``data:`` URL image, or None if not readable.

    PNG, JPEG, GIF and WebP headers are read; only the few bytes needed are decoded (for a
    JPEG, a few bytes per segment up to its frame header). Other URLs give None.

    >>> image_size("data:image/gif;base64,R0lGODlhAgADAIAAAP///wAAACwAAAAAAgADAAACAoRRADs=")
    (2, 3)
    """
    if not url.startswith("data:"):
        return None
    comma = url.find(",", 0, _PREFIX_MAX)
    if comma < 0 or not url[:comma].lower().endswith(";base64"):
        return None
    data = _Base64Bytes(url, comma + 1)
    head = data.read(0, 30) or data.read(0, 10)  # a GIF can be shorter than 30 bytes
    if head is None:
        return None
    size: tuple[int, int] | None
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        size = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        size = int.from_bytes(head[6:8], "little"), int.from_bytes(head[8:10], "little")
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP" and len(head) >= 30:
        size = _webp_size(head)
    elif head[:3] == b"\xff\xd8\xff":
        size = _jpeg_size(data)
    else:
        return None
    return size if size is not None and size[0] > 0 and size[1] > 0 else None


def _webp_size(head: bytes) -> tuple[int, int] | None:
    kind = head[12:16]
    if kind == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":  # lossy: 14-bit sizes
        return (
            int.from_bytes(head[26:28], "little") & 0x3FFF,
            int.from_bytes(head[28:30], "little") & 0x3FFF,
        )
    if kind == b"VP8L" and head[20] == 0x2F:  # lossless: 14 bits each, minus one
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if kind == b"VP8X":  # extended: 24-bit canvas sizes, minus one
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    return None


def _jpeg_size(data: _Base64Bytes) -> tuple[int, int] | None:
    # Walk the marker segments to the frame header (SOFn); EXIF thumbnails and ICC profiles
    # before it are skipped by their lengths, never decoded.
    pos = 2
    for _ in range(_JPEG_MAX_SEGMENTS):
        header = data.read(pos, 4)
        if header is None or header[0] != 0xFF:
            return None
        marker = header[1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image / start of scan before any frame header
            return None
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            frame = data.read(pos + 5, 4)  # after marker, length, precision: height, width
            if frame is None:
                return None
            return int.from_bytes(frame[2:4], "big"), int.from_bytes(frame[0:2], "big")
        pos += 2 + int.from_bytes(header[2:4], "big")
    return None


def image_guess(width: int | None, detail: str, rules: ImageRules) -> str:
    """Why an image's count is an upper bound rather than exact ("" when it is exact)."""
    why = []
    if width is None:
        why.append("image of unknown size (a URL or file id): counted as the model's largest image")
    elif detail == "auto" and rules.scheme == "tile":
        why.append("detail 'auto' lets the API choose; counted as 'high', the larger")
    if rules.assumed:
        why.append(assumed_why(rules))
    return "; ".join(why)


def image_part_tokens(
    model: str | None, url: str | None, detail: str, where: str
) -> tuple[int, str]:
    """``(tokens, why)`` of an image part of a request (either API), ``why`` "" when exact.

    ``url`` is its URL or data: URL (None for a file id: size unknown); ``where`` names the
    part in errors (``"messages[2].content[1]"``).
    """
    name, rules = image_rules(model, where=where)
    width, height = (image_size(url) if url else None) or (None, None)
    tokens = rules_tokens(rules, width, height, detail, name)
    return tokens, image_guess(width, detail, rules)
