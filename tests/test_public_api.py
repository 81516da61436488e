"""The public surface: ``tokbudget.__all__`` is pinned, importable, and shadows no submodule."""

from __future__ import annotations

import importlib
import pkgutil

import tokbudget

# Users are written against these names: removing or renaming one is a breaking change, so
# this list changes only on purpose (adding a name: add it here too).
PUBLIC = {
    "BoundedCount",
    "BudgetReport",
    "Chunk",
    "ContextOverflowError",
    "Cost",
    "EmbeddingBatch",
    "EmbeddingPlan",
    "Encoder",
    "FitReport",
    "InvalidInputError",
    "MessageFormatError",
    "MissingDependencyError",
    "ModelSpec",
    "Registry",
    "RegistryError",
    "RequestCount",
    "SettingsError",
    "Splitter",
    "TokbudgetError",
    "TokenSpan",
    "TokenSpans",
    "Truncation",
    "UnknownEncodingError",
    "UnknownModelError",
    "UnknownTokenError",
    "UsageCost",
    "UsageRecordError",
    "UsageTotal",
    "VocabError",
    "__version__",
    "check",
    "cost",
    "cost_from_usage",
    "count",
    "count_at_most",
    "count_many",
    "count_messages",
    "count_request",
    "count_stream",
    "decode",
    "decode_bytes",
    "encode",
    "encoding_for",
    "ensure_fits",
    "estimate_cost",
    "fit_messages",
    "fit_request",
    "get_encoding",
    "get_model",
    "image_tokens",
    "iter_split",
    "lifecycle_note",
    "list_models",
    "load_encoding",
    "message_counts",
    "parse_request",
    "plan_embedding_batches",
    "split",
    "split_many",
    "token_spans",
    "truncate",
    "truncate_with_offsets",
}


def test_all_keeps_every_promised_name() -> None:
    missing = PUBLIC - set(tokbudget.__all__)
    assert not missing, f"public names removed from tokbudget.__all__: {sorted(missing)}"


def test_all_is_sorted_and_unique() -> None:
    assert list(tokbudget.__all__) == sorted(set(tokbudget.__all__))


def test_every_name_is_importable() -> None:
    for name in tokbudget.__all__:
        assert hasattr(tokbudget, name), name
        exec(f"from tokbudget import {name}", {})


def test_no_public_name_shadows_a_submodule() -> None:
    # `import tokbudget.cost; tokbudget.cost.EXACT` broke when a function and a module
    # shared the name: the attribute lookup finds the function.
    submodules = {info.name for info in pkgutil.iter_modules(tokbudget.__path__)}
    assert not submodules & set(tokbudget.__all__), submodules & set(tokbudget.__all__)
    for name in submodules - {"__main__"}:  # importing __main__ runs the command line
        module = importlib.import_module(f"tokbudget.{name}")
        assert module.__name__ == f"tokbudget.{name}"
