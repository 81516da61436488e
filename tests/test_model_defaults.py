"""tokbudget.models.defaults: the built-in default and TOKBUDGET_MODEL, read in one place."""

from __future__ import annotations

import pytest

import tokbudget
from tokbudget import UnknownModelError
from tokbudget.counting import DEFAULT_MODEL as COUNTING_DEFAULT
from tokbudget.models.defaults import DEFAULT_MODEL, MODEL_ENV, DefaultModel, default_model


def test_builtin_when_unset_or_blank() -> None:
    assert COUNTING_DEFAULT is DEFAULT_MODEL  # the old import path still works
    for env in ({}, {MODEL_ENV: ""}, {MODEL_ENV: "  "}):
        assert default_model(env) == DefaultModel(DEFAULT_MODEL, "built-in")
    assert default_model({}, builtin="text-embedding-3-small").name == "text-embedding-3-small"


@pytest.mark.parametrize(
    "name", ["gpt-5", "gpt-4o-mini-2024-07-18", "openai/gpt-4.1", "gpt-5.9-mini-2027-01-01"]
)
def test_variable_names_the_default(name: str) -> None:
    env = {MODEL_ENV: f" {name}\n"}
    assert default_model(env) == DefaultModel(name, "TOKBUDGET_MODEL")
    assert default_model(env, builtin="text-embedding-3-small").name == name


def test_unknown_name_names_the_variable() -> None:
    with pytest.raises(UnknownModelError) as info:
        default_model({MODEL_ENV: "gpt-4oo"})
    err = info.value
    assert err.model == "gpt-4oo"
    assert "gpt-4o" in err.suggestions
    assert str(err).startswith("TOKBUDGET_MODEL='gpt-4oo' names no known model; did you mean")
    assert isinstance(err, KeyError)
    assert err.variable == MODEL_ENV


def test_library_calls_ignore_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    # The variable is for the command line: a library call never changes meaning with it.
    monkeypatch.setenv(MODEL_ENV, "gpt-4")
    text = "hello world"
    assert tokbudget.encode(text) == tokbudget.encode(text, model=DEFAULT_MODEL)
    assert tokbudget.encode(text) != tokbudget.encode(text, model="gpt-4")
    monkeypatch.setenv(MODEL_ENV, "no-such-model")
    assert tokbudget.encode(text) == tokbudget.encode(text, model=DEFAULT_MODEL)
