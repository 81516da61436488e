"""Every public count or limit argument is checked by one helper, with one rule (issue 10 #17).

A value of the wrong type (a bool, any float, a string of digits, None, a list) is an
InvalidInputError; an int out of range (below the least allowed, or past MAX_COUNT) is a
SettingsError naming the parameter and the value; nothing else ever escapes (no
OverflowError, TypeError or ValueError of Python's own).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget as tb
from tokbudget import InvalidInputError, SettingsError, TokbudgetError
from tokbudget._util import MAX_COUNT, require_int

TEXT = "The quick brown fox jumps over the lazy dog. " * 4
CHAT = [{"role": "user", "content": "hi"}]
E: dict[str, Any] = {"encoding": "cl100k_base"}

# name -> (parameter, least allowed value, call with the value)
TAKERS: dict[str, tuple[str, int, Callable[[Any], object]]] = {
    "count_at_most": ("limit", 0, lambda v: tb.count_at_most(TEXT, v, **E)),
    "truncate": ("max_tokens", 0, lambda v: tb.truncate(TEXT, v, **E)),
    "truncate_with_offsets": ("max_tokens", 0, lambda v: tb.truncate_with_offsets(TEXT, v, **E)),
    "split": ("max_tokens", 1, lambda v: tb.split(TEXT, v, **E)),
    "iter_split": ("max_tokens", 1, lambda v: list(tb.iter_split(TEXT, v, **E))),
    "Splitter": ("max_tokens", 1, lambda v: tb.Splitter(v, **E)),
    "split.overlap": ("overlap", 0, lambda v: tb.split(TEXT, 8, **E, overlap=v)),
    "iter_split.overlap": ("overlap", 0, lambda v: list(tb.iter_split(TEXT, 8, **E, overlap=v))),
    "Splitter.overlap": ("overlap", 0, lambda v: tb.Splitter(8, **E, overlap=v)),
    "split_many.overlap": ("overlap", 0, lambda v: tb.split_many([TEXT], 8, **E, overlap=v)),
    "split_many.max_tokens": ("max_tokens", 1, lambda v: tb.split_many([TEXT], v, **E)),
    "split_many.threads": ("threads", 1, lambda v: tb.split_many([TEXT], 8, **E, threads=v)),
    "count_many.threads": ("threads", 1, lambda v: tb.count_many([TEXT], **E, threads=v)),
    "image_tokens.width": ("width", 1, lambda v: tb.image_tokens(v, 10, model="gpt-4.1-mini")),
    "image_tokens.height": ("height", 1, lambda v: tb.image_tokens(10, v, model="gpt-4o")),
    "cost.input": ("input_tokens", 0, lambda v: tb.cost("gpt-4o", v)),
    "cost.output": ("output_tokens", 0, lambda v: tb.cost("gpt-4o", 0, v)),
    "cost.cached": ("cached_input_tokens", 0, lambda v: tb.cost("gpt-4o", 10**6, 0, v)),
    "estimate_cost": ("max_output_tokens", 0, lambda v: tb.estimate_cost("hi", "gpt-4o", v)),
    "estimate_cost.cached": (
        "cached_input_tokens",
        0,
        lambda v: tb.estimate_cost("hi", "gpt-4o", 1, cached_input_tokens=v),
    ),
    "check.max_output": (
        "max_output_tokens",
        1,
        lambda v: tb.check("hi", "gpt-4o", max_output_tokens=v),
    ),
    "check.reserve": ("reserve", 0, lambda v: tb.check("hi", "gpt-4o", reserve=v)),
    "ensure_fits.reserve": ("reserve", 0, lambda v: tb.ensure_fits("hi", "gpt-4o", reserve=v)),
    "ensure_fits.max_output": (
        "max_output_tokens",
        1,
        lambda v: tb.ensure_fits("hi", "gpt-4o", max_output_tokens=v),
    ),
    "fit_messages.reserve": ("reserve", 0, lambda v: tb.fit_messages(CHAT, "gpt-4o", reserve=v)),
    "fit_messages.max_output": (
        "max_output_tokens",
        1,
        lambda v: tb.fit_messages(CHAT, "gpt-4o", max_output_tokens=v),
    ),
    "plan_embedding_batches.inputs": (
        "max_inputs_per_request",
        1,
        lambda v: tb.plan_embedding_batches(["a"], max_inputs_per_request=v),
    ),
    "plan_embedding_batches.tokens": (
        "max_tokens_per_request",
        1,
        lambda v: tb.plan_embedding_batches(["a"], max_tokens_per_request=v),
    ),
    "decode": ("tokens[0]", 0, lambda v: tb.decode([v], **E)),
}

wrong_types = st.one_of(
    st.booleans(),
    st.just(np.True_),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e309, -1e309, 2.0, 512.0, 0.0, 1e308]),
    st.floats(width=32).map(np.float32),
    st.integers(-(10**6), 10**6).map(lambda n: str(n)),
    st.none(),
    st.just([]),
    st.just(Decimal(5)),
)
ints = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from([-1, 0, 1, 2, MAX_COUNT, MAX_COUNT + 1, 10**309, -(10**309), 2**64]),
    st.integers(-(2**63), 2**63 - 1).map(np.int64),
    st.integers(-(2**31), 2**31 - 1).map(np.int32),
    st.integers(0, 2**64 - 1).map(np.uint64),
)


# None is documented for these: the model's limit, all cores, or "at least 1 token".
NONE_MEANS_DEFAULT = {
    "split", "iter_split", "Splitter", "split_many.max_tokens", "split_many.threads",
    "count_many.threads", "estimate_cost", "check.max_output", "fit_messages.max_output",
    "ensure_fits.max_output",
    "plan_embedding_batches.inputs", "plan_embedding_batches.tokens",
}  # fmt: skip


def _call(name: str, value: object) -> BaseException | None:
    try:
        TAKERS[name][2](value)
    except BaseException as exc:  # the point is to see what escapes
        return exc
    return None


@given(name=st.sampled_from(sorted(TAKERS)), value=wrong_types)
def test_a_wrong_type_is_an_invalid_input_error_everywhere(name: str, value: object) -> None:
    parameter = TAKERS[name][0]
    exc = _call(name, value)
    if value is None and name in NONE_MEANS_DEFAULT:
        assert exc is None or isinstance(exc, TokbudgetError), repr(exc)
        return
    if name.endswith(".overlap") and isinstance(value, float) and not isinstance(value, bool):
        # overlap documents a float: a fraction of max_tokens in [0, 1).
        assert exc is None or isinstance(exc, SettingsError), repr(exc)
        if isinstance(exc, SettingsError):
            assert not 0 <= float(value) < 1
        return
    assert isinstance(exc, InvalidInputError), f"{name}({value!r}) raised {exc!r}"
    assert exc.parameter == parameter


@given(name=st.sampled_from(sorted(TAKERS)), value=ints)
def test_an_int_out_of_range_is_a_settings_error_everywhere(name: str, value: Any) -> None:
    parameter, least, _ = TAKERS[name]
    exc = _call(name, value)
    if not least <= int(value) <= MAX_COUNT:
        assert isinstance(exc, SettingsError), f"{name}({value!r}) raised {exc!r}"
        assert exc.parameter == parameter and exc.value == int(value)
        assert type(exc.value) is int  # plain int, whatever numpy type came in
    else:  # in range: a result, or a library error about the value (over a model's cap)
        assert exc is None or isinstance(exc, TokbudgetError), f"{name}({value!r}): {exc!r}"


def test_the_same_mistake_raises_the_same_type() -> None:
    # cost("gpt-4o", "5") and truncate(t, "5") used to raise different types.
    with pytest.raises(InvalidInputError):
        tb.cost("gpt-4o", "5")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        tb.truncate(TEXT, "5", **E)  # type: ignore[arg-type]
    for call in (lambda: tb.cost("gpt-4o", -5), lambda: tb.truncate(TEXT, -5, **E)):
        with pytest.raises(SettingsError):
            call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: tb.split(TEXT, 10**309, **E),
        lambda: tb.count_at_most(TEXT, 10**309, **E),
        lambda: tb.truncate(TEXT, 10**309, **E),
        lambda: tb.image_tokens(10**309, 1, model="gpt-4o"),
    ],
)
def test_limits_past_float_range_are_settings_errors(call: Callable[[], object]) -> None:
    # These raised OverflowError.
    with pytest.raises(SettingsError, match="more than the largest supported"):
        call()


def test_count_many_threads_as_a_string() -> None:
    with pytest.raises(InvalidInputError, match="threads"):
        tb.count_many(["a"], **E, threads="2")  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match="threads"):
        tb.count_many(["a"], **E, threads=0)


@pytest.mark.parametrize(
    ("tokens", "kwargs", "error"),
    [
        (["a"], {}, InvalidInputError),
        ([1.5], {}, InvalidInputError),  # decoded token 1
        ([True], {}, InvalidInputError),
        ([1], {"errors": "bogus"}, SettingsError),  # LookupError
        ([1], {"errors": 3}, InvalidInputError),
        (None, {}, InvalidInputError),
        ("abc", {}, InvalidInputError),
        (np.array([1.0, 2.0]), {}, InvalidInputError),
        (np.array([[1, 2]]), {}, InvalidInputError),
        ([-1], {}, SettingsError),
        ([10**30], {}, SettingsError),
    ],
)
def test_decode_refuses_what_is_not_token_ids(
    tokens: Any, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        tb.decode(tokens, **E, **kwargs)


def test_decode_takes_numpy_ids() -> None:
    ids = tb.encode("hello world", **E)
    assert tb.decode(np.asarray(ids, dtype=np.uint32), **E) == "hello world"
    numpy_ids: list[Any] = [np.int64(i) for i in ids]
    assert tb.decode(numpy_ids, **E) == "hello world"


def test_settings_error_fields_survive_pickling() -> None:
    with pytest.raises(SettingsError) as info:
        tb.truncate(TEXT, -3, **E)
    assert (info.value.parameter, info.value.value) == ("max_tokens", -3)
    back = pickle.loads(pickle.dumps(info.value))
    assert type(back) is SettingsError and str(back) == str(info.value)
    assert (back.parameter, back.value) == ("max_tokens", -3)
    with pytest.raises(InvalidInputError) as bad:
        tb.truncate(TEXT, 2.5, **E)  # type: ignore[arg-type]
    assert pickle.loads(pickle.dumps(bad.value)).parameter == "max_tokens"


def test_messages_name_the_value_the_limit_and_the_fix() -> None:
    with pytest.raises(InvalidInputError, match=r"pass the int 512, not the float"):
        require_int("max_tokens", 512.0, least=1)
    with pytest.raises(InvalidInputError, match=r"int\('12'\)"):
        require_int("max_tokens", "12", least=1)
    with pytest.raises(SettingsError, match=r">= 1, got -4; pass 1 or more"):
        require_int("max_tokens", -4, least=1)
    with pytest.raises(SettingsError, match=r"an integer of 5,001 digits"):
        require_int("max_tokens", 10**5000)  # str() of it would raise ValueError
    for digits in (80, 81, 4000, 4300, 4301, 6000):  # past 256 bits: by their size
        for n in (10 ** (digits - 1), 10**digits - 1):
            with pytest.raises(SettingsError, match=f"an integer of {digits:,} digits"):
                require_int("max_tokens", -n)


CHOOSERS: dict[str, Callable[[Any], object]] = {
    "detail": lambda v: tb.image_tokens(10, 10, v, model="gpt-4o"),
    "side": lambda v: tb.truncate(TEXT, 3, **E, side=v),
    "units": lambda v: tb.token_spans("hi", **E).to_json(v),
    "errors": lambda v: tb.decode([1], **E, errors=v),
}


@given(
    st.sampled_from(sorted(CHOOSERS)),
    st.one_of(st.text(max_size=12), st.integers(), st.none(), st.booleans(), st.floats()),
)
def test_a_choice_of_the_wrong_type_or_unknown_name_is_refused_alike(
    name: str, value: object
) -> None:
    try:
        CHOOSERS[name](value)
    except InvalidInputError as exc:
        assert not isinstance(value, str) and exc.parameter == name
    except SettingsError as exc:
        assert isinstance(value, str) and (exc.parameter, exc.value) == (name, value)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: tb.check("hi", "gpt-4o", max_output_tokens=16_385), "max_output_tokens"),
        (lambda: tb.check("hi", "gpt-4o", reserve=128_000), "reserve"),
        (
            lambda: tb.check("hi", "text-embedding-3-small", max_output_tokens=5),
            "max_output_tokens",
        ),
        (lambda: tb.split("x", 10, **E, overlap=10), "overlap"),
        (lambda: tb.split("x", 10, **E, overlap=1.5), "overlap"),
        (lambda: tb.split("x", **E), "max_tokens"),
        (lambda: tb.split("a\U0001f99c", 2, encoding="o200k_base"), "max_tokens"),
        (
            lambda: tb.plan_embedding_batches(["a"], max_inputs_per_request=5000),
            "max_inputs_per_request",
        ),
        (lambda: tb.cost("gpt-4o", 5, 0, 6), "cached_input_tokens"),
        (lambda: tb.estimate_cost("hi", "gpt-4o", 10**6), "max_output_tokens"),
    ],
)
def test_range_errors_beyond_the_helper_name_their_parameter(
    call: Callable[[], object], parameter: str
) -> None:
    # So that a front end (the page, the CLI) can point at the input to change.
    with pytest.raises(SettingsError) as info:
        call()
    assert info.value.parameter == parameter
