"""Small helpers every layer shares: argument checks, surrogates, cores and batches.

**Arguments.** :func:`require_int` is the one check for "a whole number >= n": every public
function that takes a count, a limit, a size or a thread count goes through it, so the
same mistake raises the same error everywhere. A value of the wrong type (a bool, a float,
even ``512.0`` or ``inf``, a string of digits, None) is an
:class:`~tokbudget.errors.InvalidInputError`; an int out of range (negative, or above
:data:`MAX_COUNT`) is a :class:`~tokbudget.errors.SettingsError`. Both carry the
parameter's name (``parameter``); the settings error also its ``value``. numpy integers
are ints here (``operator.index``); numpy booleans are not.

**Surrogates.** A Python ``str`` may hold surrogate code points; tiktoken reads a high
surrogate followed by a low one as the one character they spell, and a lone surrogate as
U+FFFD (:func:`fix_surrogates`), so no cut may fall between the halves of a pair
(:func:`splits_surrogate_pair`).

**Batches.** Counting joins a batch into one Rust call, the splitter hands a batch of long
texts to a thread, and ``tokbudget count --jobs`` sends a batch to a worker process: in
each case a batch per text would cost more in calls and messages than in work
(:func:`by_size`); :func:`all_cores` is how many workers "all cores" means.
"""

from __future__ import annotations

import codecs
import operator
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import numpy as np

from .errors import InvalidInputError, SettingsError

__all__ = [
    "MAX_COUNT",
    "all_cores",
    "by_size",
    "check_errors_handler",
    "fix_surrogates",
    "reject_single_text",
    "require_choice",
    "require_int",
    "require_text",
    "splits_surrogate_pair",
    "thread_count",
    "token_ids",
]

T = TypeVar("T")

MAX_COUNT = 2**63 - 1
"""The largest count or limit accepted: numpy's int64, in which counts are kept.

No text, image or bill comes near it; a larger value is a mistake (and past ~1e308 it
would overflow the float arithmetic some estimates use), so it is refused up front.
"""


def require_int(
    name: str, value: object, *, least: int = 0, most: int = MAX_COUNT, unit: str = ""
) -> int:
    """Return ``value`` as an ``int`` in ``[least, most]``, or raise the error that says why.

    Args:
        name: the parameter's name, as the caller knows it (``"max_tokens"``).
        value: what was passed: an ``int`` or a numpy integer; never a bool or a float.
        least: the smallest allowed value.
        most: the largest allowed value.
        unit: what is counted, for the message (``"tokens"``, ``"pixels"``).

    Raises:
        InvalidInputError: ``value`` is not an integer (wrong type).
        SettingsError: ``value`` is an integer outside ``[least, most]``.

    >>> require_int("max_tokens", 512, least=1)
    512
    >>> require_int("max_tokens", "512", least=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tokbudget.errors.InvalidInputError: max_tokens must be ... got str '512'; ...: int('512')
    """
    what = f"a whole number{f' of {unit}' if unit else ''} >= {least:,}"
    number: int | None = None
    if not isinstance(value, bool | np.bool_):
        try:
            number = operator.index(value)  # type: ignore[arg-type]
        except TypeError:
            number = None
    if number is None:
        raise InvalidInputError(
            f"{name} must be {what} (an int), got {type(value).__name__} "
            f"{_short_repr(value)}{_type_hint(value)}",
            parameter=name,
        )
    if number < least:
        raise SettingsError(
            f"{name} must be {what}, got {_number(number)}; pass {least:,} or more",
            parameter=name,
            value=number,
        )
    if number > most:
        raise SettingsError(
            f"{name} is {_number(number)}, more than the largest supported, {most:,}; "
            "pass a smaller value",
            parameter=name,
            value=number,
        )
    return number


def _number(n: int) -> str:
    # str() of an int over 4,300 digits raises ValueError: describe huge ones by their size.
    if n.bit_length() > 256:
        sign = "-" if n < 0 else ""
        return f"{sign}an integer of {_digits(abs(n)):,} digits"
    return f"{n:,}"


def _digits(n: int) -> int:
    """The decimal digits of ``n > 0``, exactly, without str() (refused past 4,300)."""
    d = int(n.bit_length() * 0.30102999566398120) + 1  # log10(2): at most one too many
    while d > 1 and 10 ** (d - 1) > n:
        d -= 1
    return d


def _short_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        text = "<unprintable>"
    return text if len(text) <= 60 else text[:57] + "..."


def _type_hint(value: object) -> str:
    if isinstance(value, float | np.floating):
        if value != value or value in (float("inf"), float("-inf")):
            return "; infinities and NaN are not counts"
        if float(value).is_integer():
            return f"; pass the int {int(value)}, not the float"
        return "; counts are whole numbers"
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return f"; convert it first: int({value!r})"
    if isinstance(value, bool | np.bool_):
        return "; a bool is not a count"
    return ""


def require_text(value: object, what: str = "text") -> str:
    """Return ``value`` if it is a ``str``; otherwise raise a clear ``InvalidInputError``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        raise InvalidInputError(
            f"{what} must be str, got {type(value).__name__} ({len(value)} bytes); decode it "
            f"first, e.g. data.decode('utf-8') (or data.decode('utf-8', 'replace') if unsure)"
        )
    if value is None:
        raise InvalidInputError(f"{what} must be str, got None")
    raise InvalidInputError(f"{what} must be str, got {type(value).__name__}: {value!r:.60}")


def reject_single_text(texts: object, caller: str, instead: str) -> None:
    """Raise a clear error when ``texts``, meant to be many texts, is a single one.

    Iterating a str would silently treat each character as a text.
    """
    if isinstance(texts, str | bytes):
        raise InvalidInputError(
            f"{caller} takes an iterable of strings, got a single {type(texts).__name__}; "
            f"use {instead} for one text or wrap it in a list"
        )


def thread_count(threads: object, name: str = "threads") -> int:
    """``threads`` checked as a number of workers >= 1; None means :func:`all_cores`."""
    if threads is None:
        return all_cores()
    return require_int(name, threads, least=1, unit="threads")


def all_cores() -> int:
    """The CPUs this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def fix_surrogates(text: str) -> str:
    """What tiktoken encodes for text with surrogates: pairs joined, lone ones U+FFFD.

    >>> fix_surrogates("\\ud83d\\ude00 \\ud800") == "\\U0001f600 \\ufffd"
    True
    """
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def splits_surrogate_pair(text: str, cut: int) -> bool:
    """Whether offset ``cut`` falls between a high and a low surrogate (one character).

    >>> splits_surrogate_pair("a\\ud83d\\ude00", 2), splits_surrogate_pair("a\\ud83d\\ude00", 1)
    (True, False)
    """
    return (
        0 < cut < len(text)
        and "\ud800" <= text[cut - 1] <= "\udbff"
        and "\udc00" <= text[cut] <= "\udfff"
    )


def by_size(items: Iterable[T], limit: int, size: Callable[[T], int]) -> Iterator[list[T]]:
    """Yield ``items`` in order, in lists that end once their sizes reach ``limit``.

    >>> list(by_size(["ab", "c", "def", "g"], 3, len))
    [['ab', 'c'], ['def'], ['g']]
    """
    batch: list[T] = []
    total = 0
    for item in items:
        batch.append(item)
        total += size(item)
        if total >= limit:
            yield batch
            batch, total = [], 0
    if batch:
        yield batch


def token_ids(tokens: object, name: str = "tokens") -> list[int]:
    """``tokens`` (a sequence of ints or a 1-D integer numpy array) as a list of ints.

    Each id is checked like any other count: ``1.5`` or ``True`` is an error, never id 1.
    The range (below the vocabulary's size) is for the caller to check.
    """
    if isinstance(tokens, np.ndarray):
        if tokens.ndim != 1 or tokens.dtype.kind not in "iu":
            raise InvalidInputError(
                f"{name} must be a 1-D array of integer token ids, got a {tokens.ndim}-D "
                f"array of {tokens.dtype}",
                parameter=name,
            )
        return [int(t) for t in tokens.tolist()]
    if isinstance(tokens, str | bytes | bytearray) or not isinstance(tokens, Iterable):
        raise InvalidInputError(
            f"{name} must be a list of integer token ids, got {type(tokens).__name__} "
            f"{_short_repr(tokens)}",
            parameter=name,
        )
    ids = list(tokens)
    if all(type(t) is int for t in ids):  # the common case, checked fast
        return ids
    return [require_int(f"{name}[{i}]", t) for i, t in enumerate(ids)]


def check_errors_handler(errors: object) -> str:
    """``errors`` as for ``bytes.decode``: a registered handler's name ("replace", ...)."""
    if not isinstance(errors, str):
        raise InvalidInputError(
            f"errors must be a str such as 'replace', 'strict' or 'ignore', got "
            f"{type(errors).__name__} {_short_repr(errors)}",
            parameter="errors",
        )
    try:
        codecs.lookup_error(errors)
    except (LookupError, ValueError):  # ValueError: a name with a NUL in it
        raise SettingsError(
            f"errors is {errors!r}, which is no error handler; use 'replace', 'strict' or 'ignore'",
            parameter="errors",
            value=errors,
        ) from None
    return errors


def require_choice(name: str, value: object, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``; else the error that says why.

    Not a string: :class:`InvalidInputError`; a string not among ``choices``:
    :class:`SettingsError` (with ``parameter`` and ``value``), as for counts.

    >>> require_choice("side", "end", ("end", "start"))
    'end'
    """
    options = tuple(choices)
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{name} must be one of {', '.join(options)} (a str), got {type(value).__name__} "
            f"{_short_repr(value)}",
            parameter=name,
        )
    if value not in options:
        raise SettingsError(
            f"{name} is {_short_repr(value)}; use one of {', '.join(options)}",
            parameter=name,
            value=value,
        )
    return value
