#!/usr/bin/env python3
"""Build large, real-text benchmark corpora for tokbudget from Debian documentation.

The corpora are made only from files that Debian packages install locally, so
building them never touches the network (except, with ``--install``, apt itself).
They land in a cache folder (default ``benchmarks/.corpora/``, git-ignored):

``english.txt``
    English prose: the Python documentation (HTML turned into text with
    :mod:`html.parser`), the Debian Reference and the Debian Administrator's
    Handbook, GNU Texinfo manuals and the licences in /usr/share/common-licenses.
``code.txt``
    Source code: the Python standard library (``.py``) and C headers from
    /usr/include.
``multilingual.txt``
    Chinese, Japanese, Korean, Cyrillic, Arabic-script and Thai text plus emoji
    (with ZWJ sequences, flags, skin tones and keycaps), interleaved so that every
    script keeps a fixed share of the bytes. Sources: translated Debian Reference
    and Handbook, translated manual pages, gettext catalogues (``.mo``, read
    directly) and Unicode's emoji-test.txt.
``nowhitespace.txt``
    Text with no whitespace character at all: base64 of real binary files (PNG
    images), minified JSON (iso-codes), the Sphinx search index of the Python
    docs and CJK prose, each with every whitespace character removed.
``MANIFEST.json``
    Size, SHA-256, per-source byte counts and script shares of every corpus.

Documents are concatenated in a deterministic order (sorted paths, weighted
interleaving) and repeated from the start once exhausted, until the requested size
is reached; a corpus is then cut at the first line break after that size (the
no-whitespace corpus is cut to exactly its size). The same Debian release with the
same packages gives byte-identical corpora.

Usage::

    python benchmarks/corpora.py [--out DIR] [--size-mb N] [--nowhitespace-mb N]
                                 [--only NAME ...] [--install] [--allow-missing]

Needed Debian packages (the script prints the ones that are missing)::

    apt-get install python3-doc debian-reference-en debian-reference-ja \\
        debian-reference-zh-cn debian-handbook manpages-ja manpages-zh manpages-ru \\
        unicode-data iso-codes libglib2.0-data libgtk2.0-common shared-mime-info \\
        xkb-data libc-l10n libpython3-stdlib libc6-dev linux-libc-dev gettext

Standard library only; Python 3.11+.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024
DEFAULT_OUT = Path(__file__).resolve().parent / ".corpora"
CORPUS_NAMES = ("english", "code", "multilingual", "nowhitespace")

# Packages whose files feed the corpora. Those marked essential are present on
# every Debian system but are listed so that the set is complete and explicit.
REQUIRED_PACKAGES: tuple[str, ...] = (
    "python3-doc",  # Python documentation (HTML, search index, images)
    "debian-reference-en",
    "debian-reference-ja",
    "debian-reference-zh-cn",
    "debian-handbook",  # Debian Administrator's Handbook in 26 languages
    "manpages-ja",
    "manpages-zh",
    "manpages-ru",
    "unicode-data",  # emoji-test.txt, emoji-data.txt
    "iso-codes",  # translated country/language names (.mo) and JSON
    "libglib2.0-data",  # glib20.mo
    "libgtk2.0-common",  # gtk20.mo, gtk20-properties.mo
    "shared-mime-info",
    "xkb-data",  # xkeyboard-config.mo
    "libc-l10n",  # libc.mo
    "libpython3-stdlib",  # /usr/lib/python3.X/*.py
    "libc6-dev",  # /usr/include
    "linux-libc-dev",  # /usr/include/linux, asm-generic, ...
    "gettext",  # gettext.info
    # Essential or near-essential packages, listed for completeness.
    "base-files",  # /usr/share/common-licenses
    "coreutils",
    "findutils",
    "diffutils",
    "grep",
    "sed",
    "tar",
    "gzip",
    "bash",
    "dpkg",
    "apt",
    "man-db",
)

# Packages whose gettext catalogues (.mo) are used, in this order.
MO_PACKAGES: tuple[str, ...] = (
    "coreutils",
    "dpkg",
    "apt",
    "bash",
    "findutils",
    "diffutils",
    "grep",
    "sed",
    "tar",
    "man-db",
    "libc-l10n",
    "libglib2.0-data",
    "libgtk2.0-common",
    "shared-mime-info",
    "xkb-data",
    "iso-codes",
)

# GNU Texinfo manuals used for the English corpus: (package, file name prefix).
INFO_MANUALS: tuple[tuple[str, str], ...] = (
    ("coreutils", "coreutils.info"),
    ("findutils", "find.info"),
    ("diffutils", "diffutils.info"),
    ("grep", "grep.info"),
    ("sed", "sed.info"),
    ("gzip", "gzip.info"),
    ("gettext", "gettext.info"),
)

EMOJI_DIR = Path("/usr/share/unicode/emoji")
ISO_CODES_JSON = Path("/usr/share/iso-codes/json")
LICENSES_DIR = Path("/usr/share/common-licenses")
DEBREF_DIR = Path("/usr/share/debian-reference")
HANDBOOK_DIR = Path("/usr/share/doc/debian-handbook/html")
INCLUDE_DIR = Path("/usr/include")

CHUNK_CHARS = 16_000  # long documents are split near this size to interleave well


# --------------------------------------------------------------------------- util


def log(msg: str) -> None:
    """Print a progress message to stderr."""
    print(msg, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Doc:
    """One piece of real text and where it came from."""

    source: str
    text: str


@dataclass
class Bucket:
    """A group of documents that gets ``weight`` of a corpus' bytes."""

    name: str
    weight: float
    docs: list[Doc]


def version_key(path: Path) -> tuple[int, ...]:
    """Sort key for names like ``python3.11`` by their version numbers."""
    return tuple(int(n) for n in re.findall(r"\d+", path.name))


def newest(paths: Iterable[Path]) -> Path | None:
    """Return the path with the highest version number in its name, if any."""
    found = sorted(paths, key=version_key)
    return found[-1] if found else None


def read_text(path: Path) -> str | None:
    """Read a (possibly gzip-compressed) UTF-8 file; None if it is not UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError):
            return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return clean(text)


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    """Normalise line endings and drop control characters other than tab and LF."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    return _CONTROL_RE.sub("", text)


def split_chunks(text: str, limit: int = CHUNK_CHARS) -> list[str]:
    """Split text at paragraph (or else line) breaks into pieces of about ``limit``."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = start + limit
        if end >= len(text):
            pieces.append(text[start:])
            break
        cut = text.rfind("\n\n", start + limit // 2, end)
        if cut < 0:
            cut = text.rfind("\n", start + limit // 2, end)
        if cut < 0:
            cut = end
        pieces.append(text[start:cut])
        start = cut
    return [p.strip("\n") for p in pieces if p.strip()]


def chunk_docs(source: str, text: str) -> list[Doc]:
    """Turn one long text into documents of about CHUNK_CHARS characters."""
    return [Doc(source, piece) for piece in split_chunks(text)]


def package_files(package: str) -> list[Path]:
    """Files installed by a Debian package (``dpkg-query -L``), sorted; [] if absent."""
    try:
        proc = subprocess.run(
            ["dpkg-query", "-L", package],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        return []
    if proc.returncode != 0:
        return []
    return sorted(Path(line) for line in proc.stdout.splitlines() if line.startswith("/"))


def installed(package: str) -> bool:
    """Whether a Debian package is installed."""
    try:
        proc = subprocess.run(
            ["dpkg-query", "-W", "-f=${db:Status-Abbrev}", package],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        return False
    return proc.returncode == 0 and proc.stdout.startswith("ii")


# ------------------------------------------------------------- script classes

SCRIPTS = ("han", "kana", "hangul", "cyrillic", "arabic", "thai", "emoji", "ascii", "other")


def _load_emoji_codepoints() -> frozenset[int]:
    """Code points that make up emoji: Extended_Pictographic plus emoji components."""
    cps: set[int] = set()
    data = EMOJI_DIR / "emoji-data.txt"
    if data.is_file():
        for line in data.read_text(encoding="utf-8").splitlines():
            fields = line.split("#", 1)[0].split(";")
            if len(fields) != 2 or fields[1].strip() != "Extended_Pictographic":
                continue
            lo, _, hi = fields[0].strip().partition("..")
            cps.update(range(int(lo, 16), int(hi or lo, 16) + 1))
    else:  # rough fallback
        cps.update(range(0x1F000, 0x1FB00))
        cps.update(range(0x2600, 0x27C0))
    cps.update((0x200D, 0xFE0F, 0x20E3))  # ZWJ, emoji presentation selector, keycap
    cps.update(range(0x1F1E6, 0x1F200))  # regional indicators (flags)
    cps.update(range(0x1F3FB, 0x1F400))  # skin-tone modifiers
    cps.update(range(0xE0020, 0xE0080))  # tag characters (subdivision flags)
    return frozenset(cp for cp in cps if cp >= 0x80)


_EMOJI_CPS: frozenset[int] | None = None


def script_of(ch: str) -> str:
    """Coarse script class of one character (see SCRIPTS)."""
    global _EMOJI_CPS
    if _EMOJI_CPS is None:
        _EMOJI_CPS = _load_emoji_codepoints()
    cp = ord(ch)
    if cp < 0x80:
        return "ascii"
    if cp in _EMOJI_CPS:
        return "emoji"
    if 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF:
        return "han"
    if 0x20000 <= cp <= 0x3FFFF:
        return "han"
    if 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9F:
        return "kana"
    if 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
        return "hangul"
    if 0x0400 <= cp <= 0x052F or 0x1C80 <= cp <= 0x1C8F or 0x2DE0 <= cp <= 0x2DFF:
        return "cyrillic"
    if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0x08A0 <= cp <= 0x08FF:
        return "arabic"
    if 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF:
        return "arabic"
    if 0x0E00 <= cp <= 0x0E7F:
        return "thai"
    return "other"


def script_stats(text: str) -> dict[str, dict[str, float]]:
    """Share of characters and of UTF-8 bytes per script class."""
    chars: Counter[str] = Counter()
    nbytes: Counter[str] = Counter()
    for ch, n in Counter(text).items():
        s = script_of(ch)
        chars[s] += n
        nbytes[s] += n * len(ch.encode("utf-8"))
    total_c = sum(chars.values()) or 1
    total_b = sum(nbytes.values()) or 1
    return {
        s: {"chars": round(chars[s] / total_c, 4), "bytes": round(nbytes[s] / total_b, 4)}
        for s in SCRIPTS
    }


def letters_share(text: str, wanted: frozenset[str]) -> float:
    """Share of the letters (and emoji) of ``text`` that belong to ``wanted`` scripts."""
    hit = total = 0
    for ch, n in Counter(text).items():
        s = script_of(ch)
        if s in ("ascii", "other") and not ch.isalpha():
            continue
        total += n
        if s in wanted:
            hit += n
    return hit / total if total else 0.0


def keep_paragraphs(text: str, wanted: frozenset[str], minimum: float = 0.5) -> str:
    """Keep the paragraphs (blank-line separated) written mostly in ``wanted`` scripts."""
    paras = [p.strip("\n") for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paras if p.strip() and letters_share(p, wanted) >= minimum)


# ---------------------------------------------------------------- converters


_VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "table",
        "tr",
        "th",
        "td",
        "section",
        "article",
        "blockquote",
        "figure",
        "figcaption",
        "caption",
        "hr",
        "tbody",
        "thead",
        "header",
        "footer",
    ]
)
_SKIP_TAGS = frozenset(
    ["head", "script", "style", "noscript", "nav", "button", "form", "select", "svg", "math"]
)
_SKIP_CLASSES = frozenset(
    [
        "sphinxsidebar",
        "related",
        "footer",
        "headerlink",
        "mobile-nav",
        "menu-wrapper",
        "inline-search",
        "docnav",
        "navheader",
        "navfooter",
        "toc",
        "version_switcher_placeholder",
        "language_switcher_placeholder",
    ]
)
_SKIP_IDS = frozenset(("banner", "sidebarbutton", "site_footer"))


class _HTMLText(html.parser.HTMLParser):
    """Collect the readable text of an HTML page, skipping navigation chrome."""

    def __init__(self, main_role: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.main_parts: list[str] = []
        self._main_role = main_role
        self._main_tag: str | None = None
        self._main_depth = 0
        self._skip_tag: str | None = None
        self._skip_depth = 0
        self._pre = 0

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        if self._main_tag is not None:
            self.main_parts.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth += 1
            return
        attr = {k: v or "" for k, v in attrs}
        classes = set(attr.get("class", "").split())
        if tag not in _VOID_TAGS and (
            tag in _SKIP_TAGS
            or classes & _SKIP_CLASSES
            or attr.get("id", "") in _SKIP_IDS
            or attr.get("role", "") == "navigation"
        ):
            self._skip_tag, self._skip_depth = tag, 1
            return
        if self._main_tag is not None and tag == self._main_tag:
            self._main_depth += 1
        elif self._main_tag is None and self._main_role and attr.get("role") == self._main_role:
            self._main_tag, self._main_depth = tag, 1
        if tag == "pre":
            self._pre += 1
        if tag in _BLOCK_TAGS:
            self._emit("\n\n" if tag in ("p", "pre", "h1", "h2", "h3", "h4", "dt") else "\n")
        elif tag == "td":
            self._emit("\t")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is None and tag in _BLOCK_TAGS:
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skip_tag = None
            return
        if tag == "pre" and self._pre:
            self._pre -= 1
        if tag in _BLOCK_TAGS:
            self._emit("\n\n" if tag in ("p", "pre", "h1", "h2", "h3", "h4") else "\n")
        if self._main_tag is not None and tag == self._main_tag:
            self._main_depth -= 1
            if self._main_depth == 0:
                self._main_tag = None
                self._main_role = None  # only the first main element

    def handle_data(self, data: str) -> None:
        if self._skip_tag is not None:
            return
        if self._pre:
            self._emit(data)
        else:
            self._emit(re.sub(r"\s+", " ", data))


def html_to_text(markup: str, main_role: str | None = None) -> str:
    """Readable text of an HTML page (only the ``role=main_role`` element if present)."""
    parser = _HTMLText(main_role)
    parser.feed(markup)
    parser.close()
    text = "".join(parser.main_parts or parser.parts)
    lines = [line.rstrip() for line in clean(text).split("\n")]
    out = "\n".join(line if line.strip() else "" for line in lines)
    out = re.sub(r"(?m)^ +(?=\S)", lambda m: m.group(0) if len(m.group(0)) > 1 else "", out)
    return re.sub(r"\n{3,}", "\n\n", out).strip("\n")


_ROFF_TEXT_MACROS = frozenset(
    [
        "TH",
        "SH",
        "SS",
        "B",
        "I",
        "BR",
        "BI",
        "IB",
        "IR",
        "RB",
        "RI",
        "SM",
        "SB",
        "TP",
        "IP",
        "HP",
        "Nm",
        "Nd",
        "Sh",
        "Ss",
        "Op",
        "Ar",
        "Fl",
        "Pa",
        "Dq",
        "Sq",
        "Em",
        "Xr",
    ]
)
_ROFF_CHARS = {
    "em": "—",
    "en": "–",
    "aq": "'",
    "dq": '"',
    "lq": "“",
    "rq": "”",
    "oq": "‘",
    "cq": "’",
    "bu": "•",
    "co": "©",
    "rg": "®",
    "tm": "™",
    "hy": "-",
    "mi": "-",
    "pl": "+",
    "mu": "×",
    "->": "→",
    "<-": "←",
    "de": "°",
    "ti": "~",
    "ha": "^",
    "rs": "\\",
    "ga": "`",
    "aa": "´",
    "dg": "†",
}


def _roff_inline(line: str) -> str:
    line = re.sub(r"\\[whvlLoDZbxXNR]'[^']*'", "", line)  # width, motions, ...
    line = re.sub(r"\\f(?:\[[^\]]*\]|\(..|.)", "", line)  # font changes
    line = re.sub(r"\\s[-+]?\d", "", line)  # size changes
    line = re.sub(r"\\\*(?:\[[^\]]*\]|\(..|.)", "", line)  # strings
    line = re.sub(r"\\\((..)", lambda m: _ROFF_CHARS.get(m.group(1), ""), line)
    line = re.sub(r"\\\[([^\]]*)\]", lambda m: _ROFF_CHARS.get(m.group(1), ""), line)
    line = line.replace("\\-", "-").replace("\\e", "\\").replace("\\ ", " ")
    line = line.replace("\\~", " ").replace("\\0", " ").replace("\\|", "").replace("\\^", "")
    line = line.replace("\\&", "").replace("\\%", "").replace("\\c", "")
    line = line.replace("\\,", "").replace("\\/", "")
    return re.sub(r"\\(.)", r"\1", line)


def roff_to_text(source: str) -> str:
    """Plain text of a man page written in roff (man or mdoc macros)."""
    out: list[str] = []
    in_macro_def = False
    for raw in source.split("\n"):
        line = raw.rstrip()
        if in_macro_def:
            if line.startswith(".."):
                in_macro_def = False
            continue
        if line.startswith(('.\\"', "'\\\"", '\\"')) or line == ".":
            continue
        if line.startswith((".", "'")):
            parts = line[1:].strip().split(None, 1)
            if not parts:
                continue
            macro, rest = parts[0], parts[1] if len(parts) > 1 else ""
            if macro in ("de", "de1", "am", "ig"):
                in_macro_def = True
                continue
            if macro in ("PP", "LP", "P", "sp", "br", "Pp", "TP", "IP", "HP") and not rest:
                out.append("")
                continue
            if macro in _ROFF_TEXT_MACROS and rest:
                if macro in ("SH", "SS", "Sh", "Ss"):
                    out.append("")
                if macro in ("TH",):
                    continue
                if macro in ("IP", "TP"):
                    rest = rest.split('"')[1] if rest.startswith('"') else rest.split()[0]
                text = rest.replace('"', "") if macro not in ("Nd",) else rest
                out.append(_roff_inline(text))
            continue
        out.append(_roff_inline(line))
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def mo_messages(path: Path) -> list[str]:
    """Translated strings (msgstr) of a GNU gettext .mo catalogue, header excluded.

    The strings are decoded with the charset named in the catalogue's header
    (most are UTF-8, a few old ones ISO-8859-x or similar).
    """
    data = path.read_bytes()
    if len(data) < 28:
        return []
    order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
    if struct.unpack(order + "I", data[:4])[0] != 0x950412DE:
        return []
    count, orig_off, trans_off = struct.unpack(order + "3I", data[8:20])
    raw: list[bytes] = []
    charset = "utf-8"
    for i in range(count):
        olen, _ = struct.unpack(order + "2I", data[orig_off + 8 * i : orig_off + 8 * i + 8])
        tlen, toff = struct.unpack(order + "2I", data[trans_off + 8 * i : trans_off + 8 * i + 8])
        msg = data[toff : toff + tlen]
        if olen == 0:  # the catalogue header
            found = re.search(rb"charset=([A-Za-z0-9_.:-]+)", msg)
            if found:
                charset = found.group(1).decode("ascii")
            continue
        raw.append(msg)
    try:
        "".encode(charset)
    except LookupError:
        charset = "utf-8"
    out: list[str] = []
    for msg in raw:
        try:
            text = msg.decode(charset)
        except UnicodeDecodeError:
            continue
        out.extend(part for part in text.split("\x00") if part.strip())
    return out


def info_to_text(raw: str) -> str:
    """Plain text of a GNU Info file: drop tag tables and index markers."""
    raw = re.sub(r"\x00\x08\[[^\x00]*\x00\x08\]", "", raw)
    nodes = [
        node
        for node in raw.split("\x1f")
        if not node.lstrip("\n").startswith(("Tag Table:", "Indirect:", "End Tag Table"))
    ]
    return clean("\n".join(nodes)).strip("\n")


# ------------------------------------------------------------------- sources


def python_docs_dir() -> Path | None:
    """The newest /usr/share/doc/python3.X/html directory."""
    return newest(p.parent for p in Path("/usr/share/doc").glob("python3.*/html"))


def python_stdlib_dir() -> Path | None:
    """Debian's Python standard library (/usr/lib/python3.X)."""
    return newest(p for p in Path("/usr/lib").glob("python3.*") if (p / "os.py").is_file())


def docs_python_html() -> list[Doc]:
    """Python documentation pages (main content only) as text."""
    root = python_docs_dir()
    if root is None:
        return []
    html_root = root / "html"
    docs: list[Doc] = []
    for path in sorted(html_root.rglob("*.html")):
        rel = path.relative_to(html_root).as_posix()
        if rel.startswith("_") or rel.startswith(("genindex", "py-modindex", "search")):
            continue
        markup = read_text(path)
        if markup is None:
            continue
        text = html_to_text(markup, main_role="main")
        if len(text) > 200:
            docs.extend(chunk_docs(f"{path}", text))
    return docs


def docs_handbook(lang: str) -> list[Doc]:
    """Pages of the Debian Administrator's Handbook in one language, as text."""
    docs: list[Doc] = []
    for path in sorted((HANDBOOK_DIR / lang).glob("*.html")):
        markup = read_text(path)
        if markup is None:
            continue
        text = html_to_text(markup)
        if text.strip():
            docs.extend(chunk_docs(str(path), text))
    return docs


def docs_debian_reference(lang: str) -> list[Doc]:
    """The Debian Reference (plain-text edition) in one language."""
    path = DEBREF_DIR / f"debian-reference.{lang}.txt.gz"
    text = read_text(path)
    return chunk_docs(str(path), text) if text else []


def docs_info_manuals() -> list[Doc]:
    """GNU Texinfo manuals from /usr/share/info."""
    docs: list[Doc] = []
    for package, prefix in INFO_MANUALS:
        parts = [
            p
            for p in package_files(package)
            if p.parent == Path("/usr/share/info") and p.name.startswith(prefix) and p.is_file()
        ]
        for path in sorted(parts):
            raw = read_text(path)
            if raw:
                docs.extend(chunk_docs(str(path), info_to_text(raw)))
    return docs


def docs_licenses() -> list[Doc]:
    """Licence texts from /usr/share/common-licenses (symlinked duplicates skipped)."""
    docs: list[Doc] = []
    seen: set[Path] = set()
    if not LICENSES_DIR.is_dir():
        return docs
    for path in sorted(LICENSES_DIR.iterdir()):
        real = path.resolve()
        if real in seen or not real.is_file():
            continue
        seen.add(real)
        text = read_text(real)
        if text:
            docs.extend(chunk_docs(str(path), text))
    return docs


def docs_python_code() -> list[Doc]:
    """Python standard library modules (whole files)."""
    root = python_stdlib_dir()
    if root is None:
        return []
    docs: list[Doc] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).parts
        if rel and rel[0] in ("site-packages", "dist-packages"):
            continue
        text = read_text(path)
        if text and text.strip():
            docs.append(Doc(str(path), text))
    return docs


def docs_c_headers() -> list[Doc]:
    """C headers under /usr/include (whole files)."""
    docs: list[Doc] = []
    if not INCLUDE_DIR.is_dir():
        return docs
    for path in sorted(INCLUDE_DIR.rglob("*.h")):
        if not path.is_file() or path.is_symlink():
            continue
        text = read_text(path)
        if text and text.strip():
            docs.append(Doc(str(path), text))
    return docs


def docs_manpages(package: str, wanted: frozenset[str]) -> list[Doc]:
    """Translated manual pages of a package, as text (only mostly-translated paragraphs)."""
    docs: list[Doc] = []
    for path in package_files(package):
        if "/man/" not in str(path) or not path.name.endswith(".gz") or path.is_symlink():
            continue
        source = read_text(path)
        if source is None or source.startswith(".so "):
            continue
        text = keep_paragraphs(roff_to_text(source), wanted)
        if text:
            docs.extend(chunk_docs(str(path), text))
    return docs


def docs_gettext(langs: Sequence[str], wanted: frozenset[str]) -> list[Doc]:
    """Translated messages of the MO_PACKAGES' .mo catalogues for some languages."""
    docs: list[Doc] = []
    seen: set[str] = set()
    for package in MO_PACKAGES:
        files = package_files(package)
        for lang in langs:
            prefix = f"/usr/share/locale/{lang}/LC_MESSAGES/"
            for path in files:
                if not str(path).startswith(prefix) or path.suffix != ".mo":
                    continue
                real = path.resolve()
                if not real.is_file():
                    continue
                digest = hashlib.sha256(real.read_bytes()).hexdigest()
                if digest in seen:  # iso-codes ships the same catalogue under two names
                    continue
                seen.add(digest)
                msgs = [m.strip() for m in mo_messages(real)]
                msgs = [m for m in msgs if letters_share(m, wanted) >= 0.5]
                if msgs:
                    docs.extend(chunk_docs(str(path), "\n".join(msgs)))
    return docs


def emoji_test_entries() -> list[tuple[str, str, str]]:
    """(subgroup, fully-qualified emoji, name) triples from emoji-test.txt."""
    path = EMOJI_DIR / "emoji-test.txt"
    entries: list[tuple[str, str, str]] = []
    if not path.is_file():
        return entries
    subgroup = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# subgroup:"):
            subgroup = line.split(":", 1)[1].strip()
            continue
        if not line or line.startswith("#"):
            continue
        fields, _, comment = line.partition("#")
        if "; fully-qualified" not in fields:
            continue
        # comment: " 😀 E1.0 grinning face"
        m = re.match(r"\s*(\S+)\s+E\d+\.\d+\s+(.*)", comment)
        if m:
            entries.append((subgroup, m.group(1), m.group(2).strip()))
    return entries


def docs_emoji() -> list[Doc]:
    """Emoji text: per subgroup, a run of emoji then one "emoji name" line each."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for subgroup, emoji, name in emoji_test_entries():
        groups.setdefault(subgroup, []).append((emoji, name))
    docs: list[Doc] = []
    source = str(EMOJI_DIR / "emoji-test.txt")
    for subgroup, items in groups.items():
        run_lines = ["".join(e for e, _ in items[i : i + 24]) for i in range(0, len(items), 24)]
        spaced = " ".join(e for e, _ in items)
        named = [f"{e} {name}" for e, name in items]
        text = "\n".join([f"{subgroup}:", *run_lines, spaced, *named])
        docs.extend(chunk_docs(source, text))
    return docs


# ------------------------------------------------------------------ building


def interleave(
    buckets: Sequence[Bucket], target: int, cycle_each: bool
) -> tuple[str, dict[str, int]]:
    """Concatenate documents from weighted buckets until ``target`` UTF-8 bytes.

    At each step the bucket furthest below its share of the bytes gives its next
    document. With ``cycle_each`` a bucket starts over when it runs out (keeping
    the shares); otherwise it drops out, and everything starts over once all are
    exhausted. The text is then cut at the first line break at or after ``target``.
    """
    live = [b for b in buckets if b.docs]
    if not live:
        raise ValueError("no documents to build from")
    written = {b.name: 0 for b in live}
    position = {b.name: 0 for b in live}
    per_source: Counter[str] = Counter()
    parts: list[str] = []
    total = 0
    active = list(live)
    while total < target:
        bucket = min(active, key=lambda b: (written[b.name] / b.weight, live.index(b)))
        doc = bucket.docs[position[bucket.name] % len(bucket.docs)]
        position[bucket.name] += 1
        piece = doc.text.strip("\n") + "\n\n"
        size = len(piece.encode("utf-8"))
        parts.append(piece)
        written[bucket.name] += size
        per_source[doc.source] += size
        total += size
        if not cycle_each and position[bucket.name] % len(bucket.docs) == 0:
            active.remove(bucket)
            if not active:
                active = list(live)
    data = "".join(parts).encode("utf-8")
    cut = data.find(b"\n", target)
    data = data[: cut + 1] if cut >= 0 else data
    return data.decode("utf-8"), {**dict(written), **{"_distinct_sources": len(per_source)}}


def build_english(target: int) -> tuple[str, dict[str, int]]:
    """English prose corpus."""
    buckets = [
        Bucket("python-docs", 0.40, docs_python_html()),
        Bucket("debian-handbook-en", 0.25, docs_handbook("en-US")),
        Bucket("debian-reference-en", 0.10, docs_debian_reference("en")),
        Bucket("gnu-info", 0.15, docs_info_manuals()),
        Bucket("licenses", 0.10, docs_licenses()),
    ]
    return interleave(buckets, target, cycle_each=False)


def build_code(target: int) -> tuple[str, dict[str, int]]:
    """Source-code corpus."""
    buckets = [
        Bucket("python-stdlib", 0.6, docs_python_code()),
        Bucket("c-headers", 0.4, docs_c_headers()),
    ]
    return interleave(buckets, target, cycle_each=False)


def multilingual_buckets() -> list[Bucket]:
    """Per-script buckets of the multilingual corpus, with their byte shares."""
    zh = frozenset({"han"})
    ja = frozenset({"han", "kana"})
    ko = frozenset({"hangul"})
    cyr = frozenset({"cyrillic"})
    ar = frozenset({"arabic"})
    th = frozenset({"thai"})

    def handbook(lang: str, wanted: frozenset[str]) -> list[Doc]:
        return [
            Doc(d.source, t) for d in docs_handbook(lang) if (t := keep_paragraphs(d.text, wanted))
        ]

    def debref(lang: str, wanted: frozenset[str]) -> list[Doc]:
        return [
            Doc(d.source, t)
            for d in docs_debian_reference(lang)
            if (t := keep_paragraphs(d.text, wanted))
        ]

    return [
        Bucket(
            "chinese",
            0.14,
            debref("zh-cn", zh)
            + docs_manpages("manpages-zh", zh)
            + handbook("zh-CN", zh)
            + handbook("zh-TW", zh)
            + docs_gettext(["zh_CN", "zh_TW"], zh),
        ),
        Bucket(
            "japanese",
            0.14,
            debref("ja", ja)
            + docs_manpages("manpages-ja", ja)
            + handbook("ja-JP", ja)
            + docs_gettext(["ja"], ja),
        ),
        Bucket("korean", 0.10, handbook("ko-KR", ko) + docs_gettext(["ko"], ko)),
        Bucket(
            "cyrillic",
            0.14,
            docs_manpages("manpages-ru", cyr)
            + handbook("ru-RU", cyr)
            + docs_gettext(["ru", "uk", "bg", "sr", "mk", "be"], cyr),
        ),
        Bucket(
            "arabic-script",
            0.14,
            handbook("ar-MA", ar) + handbook("fa-IR", ar) + docs_gettext(["ar", "fa", "ur"], ar),
        ),
        Bucket("thai", 0.12, docs_gettext(["th"], th)),
        Bucket("emoji", 0.22, docs_emoji()),
    ]


def build_multilingual(target: int) -> tuple[str, dict[str, int]]:
    """Multilingual corpus; each script bucket keeps its share of the bytes."""
    buckets = multilingual_buckets()
    empty = [b.name for b in buckets if not b.docs]
    if empty:
        raise RuntimeError(f"no text found for: {', '.join(empty)}")
    for b in buckets:
        log(
            f"  {b.name}: {len(b.docs)} documents, "
            f"{sum(len(d.text.encode()) for d in b.docs) / MIB:.2f} MiB distinct"
        )
    return interleave(buckets, target, cycle_each=True)


def _strip_ws(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


def build_nowhitespace(target: int) -> tuple[str, dict[str, int]]:
    """Text without any whitespace: base64, minified JSON/JS and unspaced CJK prose."""
    streams: dict[str, list[str]] = {"base64": [], "json": [], "searchindex-js": [], "cjk": []}
    images: list[Path] = []
    root = python_docs_dir()
    if root is not None:
        images += sorted((root / "html" / "_images").glob("*.png"))
    images += sorted((HANDBOOK_DIR / "en-US" / "images").glob("*.png"))
    for path in images:
        streams["base64"].append(base64.b64encode(path.read_bytes()).decode("ascii"))
    for path in sorted(ISO_CODES_JSON.glob("iso_*.json")):
        obj = json.loads(path.read_text(encoding="utf-8"))
        minified = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        streams["json"].append(_strip_ws(minified))
    if root is not None and (root / "html" / "searchindex.js").is_file():
        js = (root / "html" / "searchindex.js").read_text(encoding="utf-8")
        streams["searchindex-js"].append(_strip_ws(js))
    for lang in ("zh-cn", "ja"):
        for doc in docs_debian_reference(lang):
            text = keep_paragraphs(doc.text, frozenset({"han", "kana"}))
            if text:
                streams["cjk"].append(_strip_ws(text))
    empty = [k for k, v in streams.items() if not v]
    if empty:
        raise RuntimeError(f"no data for: {', '.join(empty)}")
    # Interleave fixed-size slices of each stream, round-robin, until the target.
    flat = {k: "".join(v) for k, v in streams.items()}
    slice_chars = {"base64": 48_000, "json": 32_000, "searchindex-js": 32_000, "cjk": 12_000}
    offsets = dict.fromkeys(flat, 0)
    written: Counter[str] = Counter()
    parts: list[str] = []
    total = 0
    while total < target:
        for name, text in flat.items():
            start = offsets[name] % len(text)
            piece = text[start : start + slice_chars[name]]
            offsets[name] = start + len(piece)
            size = len(piece.encode("utf-8"))
            parts.append(piece)
            written[name] += size
            total += size
            if total >= target:
                break
    data = "".join(parts).encode("utf-8")[:target]
    text = data.decode("utf-8", errors="ignore")
    pad = target - len(text.encode("utf-8"))
    text += flat["base64"][:pad]  # fill a multi-byte character cut at the end
    assert not any(ch.isspace() for ch in text)
    return text, dict(written)


BUILDERS: dict[str, Callable[[int], tuple[str, dict[str, int]]]] = {
    "english": build_english,
    "code": build_code,
    "multilingual": build_multilingual,
    "nowhitespace": build_nowhitespace,
}


def write_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text (LF line endings kept as is) via a temporary file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    os.replace(tmp, path)


# ----------------------------------------------------------------- packages


def missing_packages() -> list[str]:
    """Required Debian packages that are not installed."""
    return [p for p in REQUIRED_PACKAGES if not installed(p)]


def install_packages(packages: Sequence[str]) -> int:
    """Install packages with apt-get (through sudo when not root); return its status."""
    prefix: list[str] = []
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        if shutil.which("sudo") is None:
            log("error: not root and sudo is not available")
            return 1
        prefix = ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    log("+ " + " ".join([*prefix, "apt-get", "update"]))
    subprocess.run([*prefix, "apt-get", "update"], check=False, env=env)
    cmd = [*prefix, "apt-get", "install", "-y", "--no-install-recommends", *packages]
    log("+ " + " ".join(cmd))
    return subprocess.run(cmd, check=False, env=env).returncode


# --------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(
        description="Build real-text benchmark corpora from Debian documentation.",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    ap.add_argument(
        "--size-mb",
        type=float,
        default=5.0,
        help="size of english/code/multilingual in MiB (default 5)",
    )
    ap.add_argument(
        "--nowhitespace-mb", type=float, default=1.0, help="size of nowhitespace (default 1)"
    )
    ap.add_argument("--only", nargs="+", choices=CORPUS_NAMES, help="build only these corpora")
    ap.add_argument(
        "--install", action="store_true", help="apt-get install the missing Debian packages"
    )
    ap.add_argument(
        "--allow-missing",
        action="store_true",
        help="build from whatever is installed (corpora then differ from the reference)",
    )
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    if shutil.which("dpkg-query") is None:
        log(
            "error: this script reads documentation installed by Debian packages "
            "(dpkg-query not found); run it on Debian or Ubuntu."
        )
        return 2
    missing = missing_packages()
    if missing and args.install:
        if install_packages(missing) != 0:
            log("error: apt-get failed")
            return 2
        missing = missing_packages()
    if missing:
        log(
            "The corpora are built from documentation in these Debian packages, "
            "which are not installed:\n  " + " ".join(missing)
        )
        log(
            "Install them with:\n  sudo apt-get install --no-install-recommends "
            + " ".join(missing)
        )
        log("or rerun with --install (runs apt-get itself).")
        if not args.allow_missing:
            return 2
        log("--allow-missing: building from what is installed.")

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "MANIFEST.json"
    manifest: dict[str, object] = {}
    if manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except ValueError:
            manifest = {}
    corpora = manifest.get("corpora")
    entries: dict[str, object] = dict(corpora) if isinstance(corpora, dict) else {}

    for name in args.only or CORPUS_NAMES:
        size_mb = args.nowhitespace_mb if name == "nowhitespace" else args.size_mb
        target = int(size_mb * MIB)
        log(f"building {name}.txt ({size_mb:g} MiB) ...")
        started = time.monotonic()
        text, parts = BUILDERS[name](target)
        data = text.encode("utf-8")
        path = out / f"{name}.txt"
        write_atomic(path, text)
        stats = script_stats(text)
        entries[name] = {
            "file": path.name,
            "bytes": len(data),
            "chars": len(text),
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes_by_part": parts,
            "script_share": stats,
            "zwj_count": text.count("\u200d"),
            "regional_indicator_pairs": sum(1 for ch in text if 0x1F1E6 <= ord(ch) <= 0x1F1FF) // 2,
        }
        shares = ", ".join(
            f"{s} {v['bytes'] * 100:.1f}%" for s, v in stats.items() if v["bytes"] >= 0.001
        )
        log(
            f"  wrote {path} ({len(data) / MIB:.2f} MiB, "
            f"{time.monotonic() - started:.1f}s); bytes by script: {shares}"
        )

    manifest = {
        "generator": "benchmarks/corpora.py",
        "size_mb": args.size_mb,
        "nowhitespace_mb": args.nowhitespace_mb,
        "packages": list(REQUIRED_PACKAGES),
        "missing_packages": missing,
        "corpora": entries,
    }
    manifest_path.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
