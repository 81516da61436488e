"""Every error tokbudget raises on purpose.

The tree, with the builtin each leaf also subclasses so that callers who
catch builtins keep working::

    TokbudgetError(Exception)
    ├── VocabError(ValueError)            a vocab file is missing, unreadable or has the wrong hash
    ├── UnknownEncodingError(KeyError)    no such encoding among the bundled or user-supplied ones
    ├── UnknownModelError(KeyError)       no such model in the registry (suggests close names)
    ├── RegistryError(ValueError)         a models file is malformed (names file, model and field)
    ├── InvalidInputError(TypeError)      a value of the wrong type: bytes / None where text was
    │                                     expected, a float or "5" where a count was (``parameter``)
    ├── MessageFormatError(ValueError)    a chat message or tool definition is malformed
    ├── JSONInputError(ValueError)        bad JSON text: syntax, nesting depth, huge integers
    ├── UsageRecordError(ValueError)      a usage record is malformed or cannot be priced
    │                                     (``index``, ``reason``)
    ├── SettingsError(ValueError)         an argument of the right type is out of range
    │   │                                 (``parameter``, ``value``; the message says the fix)
    │   └── UnknownTokenError             token ids not in the encoding (``tokens``, ``positions``)
    ├── ContextOverflowError(ValueError)  a request does not fit (carries needed/available/model)
    └── MissingDependencyError(ImportError)  an optional feature's extra is not installed

A wrong type is always an :class:`InvalidInputError` and an out-of-range value always a
:class:`SettingsError`, whichever function receives it: both come from one helper,
:func:`tokbudget._util.require_int`.

Errors carry their facts as attributes, so callers and the CLI never parse messages.
They pickle with those attributes, so an error raised in a worker process (Dask, Spark,
a process pool) reaches the caller whole.

The front ends' errors live outside this tree, because they are not library errors but
translations of them, and the library never raises them:

* ``tokbudget.web.protocol.ApiError``: an HTTP answer (a status, a stable ``code`` and a
  message); the server turns a ``SettingsError``, or an ``InvalidInputError`` that names
  its parameter, into 400 ``bad_setting``.
* ``tokbudget.cli._output.BadInput``: a ``click.ClickException`` for a file or flag the CLI
  itself cannot use (exit 2).
* ``tokbudget.cli._errors.LibraryError``: any ``TokbudgetError`` raised while a command
  ran, worded in the CLI's terms (``--max-tokens``, not ``max_tokens=``): one line, exit 2.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ContextOverflowError",
    "InvalidInputError",
    "JSONInputError",
    "MessageFormatError",
    "MissingDependencyError",
    "RegistryError",
    "SettingsError",
    "TokbudgetError",
    "UnknownEncodingError",
    "UnknownModelError",
    "UnknownTokenError",
    "UsageRecordError",
    "VocabError",
]


class TokbudgetError(Exception):
    """Base class of every error tokbudget raises on purpose."""

    def __str__(self) -> str:
        # KeyError's __str__ would repr() the message; keep messages readable.
        return str(self.args[0]) if self.args else self.__class__.__name__

    def __reduce__(self) -> tuple[Any, ...]:
        # The default rebuilds an exception as ``cls(*args)``, which fails for leaves with
        # keyword-only fields: the worker's error would arrive as an unpickling TypeError.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[TokbudgetError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    err = cls.__new__(cls, *args)  # BaseException.__new__ sets .args, skips __init__
    err.__dict__.update(state)
    return err


class VocabError(TokbudgetError, ValueError):
    """A vocab file is missing, unreadable or does not match its pinned hash."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        expected: str | None = None,
        actual: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.expected = expected
        self.actual = actual


class UnknownEncodingError(TokbudgetError, KeyError):
    """No encoding of that name is bundled or found in ``TOKBUDGET_VOCAB_DIR``."""

    def __init__(self, message: str, *, name: str, known: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.name = name
        self.known = known


class UnknownModelError(TokbudgetError, KeyError):
    """No model of that name (or alias, or family) is in the registry.

    Attributes:
        model: the name.
        suggestions: close known names.
        variable: the environment variable the name came from (``TOKBUDGET_MODEL``), if any.
    """

    def __init__(
        self,
        message: str,
        *,
        model: str,
        suggestions: tuple[str, ...] = (),
        variable: str | None = None,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.suggestions = suggestions
        self.variable = variable


class RegistryError(TokbudgetError, ValueError):
    """A models file is malformed; the message names the file, the model and the field."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        model: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.model = model
        self.field = field


class InvalidInputError(TokbudgetError, TypeError):
    """A value of the wrong type: text expected but bytes / None / a number given, or a
    count expected but a float / bool / string given.

    Attributes:
        position: where in a sequence of texts the bad value is (``None`` for one text).
        partition: the Dask partition (or Spark batch) that holds it, if any.
        parameter: the offending argument's name, when an argument other than text is wrong.
    """

    def __init__(
        self,
        message: str,
        *,
        position: int | None = None,
        partition: int | None = None,
        parameter: str | None = None,
    ) -> None:
        super().__init__(message)
        self.position = position
        self.partition = partition
        self.parameter = parameter


class MessageFormatError(TokbudgetError, ValueError):
    """A chat message, content part or tool definition is malformed."""

    def __init__(self, message: str, *, index: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.index = index
        self.field = field


class JSONInputError(TokbudgetError, ValueError):
    """JSON text cannot be read (:func:`tokbudget.jsonload.loads`).

    Attributes:
        reason: what is wrong, phrased to follow a name (``"not valid JSON: ..."``,
            ``"nested too deeply ..."``): the caller says whose text it was.
        line, column: where, for a syntax error (1-based), else None.
    """

    def __init__(
        self, message: str, *, reason: str, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.line = line
        self.column = column


class SettingsError(TokbudgetError, ValueError):
    """An argument is out of range; the message names the value, the limit and the fix.

    Attributes:
        parameter: the offending argument's name (``"max_tokens"``), if one is to blame.
        value: the value it was given.
    """

    def __init__(self, message: str, *, parameter: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.value = value


class UsageRecordError(TokbudgetError, ValueError):
    """A usage record is malformed or cannot be priced.

    Attributes:
        index: the record's 0-based position in the input.
        reason: what is wrong with it (the message without the position).
    """

    def __init__(self, message: str, *, index: int, reason: str) -> None:
        super().__init__(message)
        self.index = index
        self.reason = reason


class UnknownTokenError(SettingsError):
    """Token ids that the encoding cannot decode (out of range, or a gap in its ids).

    Attributes:
        tokens: every bad id, in input order (repeats included).
        positions: the 0-based position of each in the input.
        encoding: the encoding's name.
        parameter, value: the first bad id as an argument (``"tokens[3]"``, its id).
    """

    def __init__(
        self,
        message: str,
        *,
        tokens: tuple[int, ...],
        positions: tuple[int, ...],
        encoding: str,
        parameter: str | None = None,
        value: object = None,
    ) -> None:
        super().__init__(message, parameter=parameter, value=value)
        self.tokens = tokens
        self.positions = positions
        self.encoding = encoding


class ContextOverflowError(TokbudgetError, ValueError):
    """A request does not fit the model's limits.

    Attributes:
        needed: tokens the request needs (a lower bound when ``exact`` is false).
        available: tokens the model leaves for it.
        model: the model's name.
    """

    def __init__(
        self, message: str, *, needed: int, available: int, model: str, exact: bool = True
    ) -> None:
        super().__init__(message)
        self.needed = needed
        self.available = available
        self.model = model
        self.exact = exact


class MissingDependencyError(TokbudgetError, ImportError):
    """An optional feature needs a package that is not installed; names the extra to install.

    Attributes:
        package: the missing package.
        extra: the ``tokbudget[...]`` extra that brings it.
    """

    def __init__(self, message: str, *, package: str, extra: str) -> None:
        super().__init__(message)
        self.package = package
        self.extra = extra
