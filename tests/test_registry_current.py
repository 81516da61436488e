"""Issue 12: a current registry (GPT-6, lifecycle, every price dimension, a refresh path),
and issue 10 item 18: bad registry values are errors naming file, model and field."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget
from tokbudget import cost, cost_from_usage, get_model
from tokbudget.cli import _notes, main
from tokbudget.errors import (
    InvalidInputError,
    MissingDependencyError,
    RegistryError,
    SettingsError,
    UnknownModelError,
    UsageRecordError,
)
from tokbudget.figures import text_figures
from tokbudget.models import lifecycle
from tokbudget.models.diff import diff_registries
from tokbudget.models.registry import Registry, default_registry
from tokbudget.models.schema import check_spec

FIXTURES = Path(__file__).parent / "fixtures"
ALL = tokbudget.list_models()
M = Decimal(1_000_000)
TODAY = date(2026, 12, 7)
GPT6 = [
    "gpt-6-astra",
    "gpt-6-sol",
    "gpt-6-luna",
    "gpt-6.1-sol",
    "gpt-6.1-terra",
    "gpt-6.2-astra",
    "gpt-6.2-sol",
    "gpt-6-cyber",
    "gpt-6-rosalind",
    "gpt-6-astra-law",
]


# ------------------------------------------------------------------ the data itself


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.name)
def test_every_model_loads_and_is_consistent(spec: tokbudget.ModelSpec) -> None:
    check_spec("bundled", spec)  # the importers' invariants hold for every entry too
    if spec.context_window and spec.max_input_tokens and spec.max_output_tokens:
        assert spec.max_input_tokens + spec.max_output_tokens <= spec.context_window
    chain = [*spec.price_history, *([spec.price] if spec.price else [])]
    for p in chain:
        rates = [p.input, p.output, p.cached_input, p.cache_write, p.batch_input, p.batch_output]
        rates += [r for t in p.tiers for r in (t.input, t.output, t.cached_input, t.cache_write)]
        rates += [r for m in p.modalities for r in (m.input, m.cached_input, m.output)]
        if spec.kind != "moderation":  # moderation is free
            assert all(r > 0 for r in rates if r is not None), spec.name
        for t in p.tiers:  # a tier costs at least the base rate
            assert t.input >= p.input
    dates = [p.since for p in chain[1:]]
    assert all(d is not None for d in dates) and dates == sorted(set(dates))  # type: ignore[type-var]
    assert spec.as_of is not None and spec.source
    if spec.shutdown_date and spec.deprecation_date:
        assert spec.deprecation_date <= spec.shutdown_date


@pytest.mark.parametrize("name", GPT6)
def test_gpt6_family(name: str) -> None:
    spec = get_model(name)
    assert (spec.context_window, spec.max_input_tokens, spec.max_output_tokens) == (
        1_050_000,
        922_000,
        128_000,
    )
    assert spec.encoding == "o200k_base" and spec.encoding_assumed
    assert default_registry().encoding_name(f"{name}-2027-01-01") == "o200k_base"


def test_gpt6_encoding_is_said_to_be_assumed_wherever_counted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert "an assumption" in lifecycle.model_notes("gpt-6.2-sol", today=TODAY)[0]
    code, out, err = run(["models", "show", "gpt-6.2-sol"], capsys)
    assert code == 0 and "o200k_base (assumed, not documented)" in out
    assert "note: gpt-6.2-sol is counted with o200k_base, an assumption" in err
    fig = text_figures(5, 20, "o200k_base", model="gpt-6-sol", today=TODAY)
    assert any("assumption" in n for n in fig.to_dict()["model_notes"])
    assert not text_figures(5, 20, "o200k_base", "gpt-5.4").model_notes


def test_dated_price_change_of_gpt_5_6_sol() -> None:
    spec = get_model("gpt-5.6-sol")
    before, after = spec.price_at(date(2026, 8, 20)), spec.price_at(date(2026, 8, 21))
    assert before is not None and after is not None
    assert [before.input, before.output, after.input, after.output] == [5, 30, 4, 20]
    assert spec.price is after and after.since == date(2026, 8, 21)


# ------------------------------------------------------------------- bad values (item 18)

GOOD = {
    "kind": "chat",
    "encoding": "o200k_base",
    "context_window": 1000,
    "source": "https://example.com",
}


def toml_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "models.toml"
    path.write_text("schema_version = 1\n" + body, encoding="utf-8")
    return path


def model(name: str, extra: str = "") -> str:
    return (
        f'[models."{name}"]\nkind = "chat"\nencoding = "o200k_base"\ncontext_window = 1000\n'
        + extra
    )


@pytest.mark.parametrize(
    ("body", "model_name", "field"),
    [
        (
            model("m", "[models.m.chat]\ntokens_per_message = -1048\n"),
            "m",
            "chat.tokens_per_message",
        ),
        (model("m", "[models.m.chat]\nreply_priming = -3\n"), "m", "chat.reply_priming"),
        (model("m", "[models.m.chat]\ntokens_per_name = -2\n"), "m", "chat.tokens_per_name"),
        (
            model("m", '[models.m.image]\nscheme = "patch"\npatch_multiplier = "0"\n'),
            "m",
            "image.patch_multiplier",
        ),
        (model("m", 'deprecated = "false"\n'), "m", "deprecated"),
        (model("m", 'deprecated = "no"\n'), "m", "deprecated"),
        (model("m", 'encoding_assumed = "yes"\n'), "m", "encoding_assumed"),
        (model("a", 'aliases = ["b"]\n') + model("b"), "a", "aliases"),
        (model("a", 'aliases = ["x"]\n') + model("b", 'aliases = ["x"]\n'), "b", "aliases"),
        (model("a", 'aliases = ["x", "x"]\n'), "a", "aliases"),
        (
            model("m", '[models.m.price]\ninput = "1"\n')
            + "[[models.m.price.tiers]]\nabove_input_tokens = 10\ninput = '2'\n"
            + "[[models.m.price.tiers]]\nabove_input_tokens = 10\ninput = '3'\n",
            "m",
            "price.tiers[1].above_input_tokens",
        ),
        (
            model("m", '[models.m.price]\ninput = "1"\nsince = 2026-01-01\n')
            + "[[models.m.price_history]]\ninput = '2'\n"
            + "[[models.m.price_history]]\ninput = '3'\nsince = 2026-02-01\n",
            "m",
            "price.since",
        ),
        (model("m", "[models.m.service_tiers]\nturbo = '2'\n"), "m", "service_tiers.turbo"),
        (model("m", "[models.m.service_tiers]\nflex = '0'\n"), "m", "service_tiers.flex"),
        (
            model(
                "m",
                "[models.m.service_tiers]\nultrafast = [{multiplier = '3'}, {multiplier = '6'}]\n",
            ),
            "m",
            "service_tiers.ultrafast[1].since",
        ),
        (model("m", "regional_uplift = { eu = '-0.1' }\n"), "m", "regional_uplift.eu"),
        (model("m", "shutdown_date = '2026-12-11'\n"), "m", "shutdown_date"),
        (
            model("m", "deprecation_date = 2026-12-12\nshutdown_date = 2026-12-11\n"),
            "m",
            "shutdown_date",
        ),
        (
            model("m", "[models.m.price]\ninput = '1'\ncache_write = '-1'\n"),
            "m",
            "price.cache_write",
        ),
    ],
)
def test_bad_values_are_errors_naming_file_model_and_field(
    tmp_path: Path, body: str, model_name: str, field: str
) -> None:
    path = toml_file(tmp_path, body)
    with pytest.raises(RegistryError) as info:
        Registry.from_toml(path)
    err = info.value
    assert (err.path, err.model, err.field) == (str(path), model_name, field)
    assert str(path) in str(err) and repr(model_name) in str(err) and field in str(err)


def test_a_family_naming_an_unknown_encoding_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = toml_file(tmp_path, '[families]\n"gpt-7" = "o300k_base"\n')
    with pytest.raises(RegistryError, match=r"models\.toml: field 'families\.gpt-7'") as info:
        Registry.from_toml(path)
    assert info.value.path == str(path) and "o200k_base" in str(info.value)


def test_legitimate_values_still_load(tmp_path: Path) -> None:
    body = model(
        "m",
        "deprecated = true\n[models.m.chat]\ntokens_per_message = 4\ntokens_per_name = -1\n",
    )
    spec = Registry.from_toml(toml_file(tmp_path, body)).get("m")
    assert spec.deprecated and spec.chat is not None and spec.chat.tokens_per_name == -1


def test_empty_model_name_is_an_error_not_the_default() -> None:
    with pytest.raises(UnknownModelError):
        tokbudget.check("hello", model="")
    with pytest.raises(UnknownModelError):
        tokbudget.ensure_fits("hello", model="")


# ------------------------------------------------------------------ every price dimension


def test_cache_reads_and_writes_are_parts_of_the_input() -> None:
    c = cost("gpt-6-sol", 100_000, 5_000, cached_input_tokens=20_000, cache_write_tokens=10_000,
             at=TODAY)  # fmt: skip
    assert (c.input, c.cached_input, c.cache_write, c.output) == (
        Decimal("0.14"),  # 70,000 x $2.00
        Decimal("0.004"),  # 20,000 x $0.20
        Decimal("0.025"),  # 10,000 x $2.50 (1.25x input)
        Decimal("0.05"),  # 5,000 x $10.00
    )
    assert c.total == Decimal("0.219") and c.cache_write_tokens == 10_000


@pytest.mark.parametrize(
    ("kwargs", "total"),
    [
        ({}, Decimal("0.115")),  # 50,000 x 2 + 1,500 x 10
        ({"batch": True}, Decimal("0.0575")),
        ({"service_tier": "flex"}, Decimal("0.0575")),
        ({"service_tier": "priority"}, Decimal("0.23")),
        ({"service_tier": "fast"}, Decimal("0.23")),
        ({"region": "eu"}, Decimal("0.1265")),
        ({"region": "US"}, Decimal("0.1265")),
        ({"service_tier": "priority", "region": "us"}, Decimal("0.253")),
        ({"batch": True, "region": "eu"}, Decimal("0.06325")),
    ],
)
def test_each_dimension_and_combinations(kwargs: dict[str, Any], total: Decimal) -> None:
    assert cost("gpt-6-sol", 50_000, 1_500, at=TODAY, **kwargs).total == total


def test_long_context_tier_bills_the_whole_request() -> None:
    # 300,000 > 272,000: input 2x ($4), cached 2x ($0.40), writes 2x ($5), output 1.5x ($15).
    c = cost("gpt-6-sol", 300_000, 1_000, 100_000, 50_000, at=TODAY)
    assert c.tier == 272_000
    assert c.total == Decimal("0.6") + Decimal("0.04") + Decimal("0.25") + Decimal("0.015")
    # with priority in the EU: every rate x 2 x 1.1
    c2 = cost("gpt-6-sol", 300_000, 1_000, 100_000, 50_000, False, "priority", "eu", TODAY)
    assert c2.total == c.total * Decimal("2.2")
    assert cost("gpt-6-sol", 272_000, at=TODAY).tier is None  # "exceeds", not "reaches"


def test_ultrafast_multiplier_changes_on_a_date() -> None:
    three = cost("gpt-6.2-sol", 1_000_000 // 10, service_tier="ultrafast", at=date(2027, 2, 28))
    six = cost("gpt-6.2-sol", 1_000_000 // 10, service_tier="ultrafast", at=date(2027, 3, 1))
    assert (three.total, six.total) == (Decimal("0.6"), Decimal("1.2"))  # 100k x $2 x 3 / x 6
    noon = datetime(2027, 3, 1, 12, tzinfo=UTC)
    assert cost("gpt-6.2-sol", 100_000, service_tier="ultrafast", at=noon).total == six.total


def test_price_date_selects_the_price_in_force() -> None:
    old = cost("gpt-5.6-sol", 100_000, 10_000, at=date(2026, 8, 20))
    new = cost("gpt-5.6-sol", 100_000, 10_000, at=date(2026, 8, 21))
    assert (old.total, new.total) == (Decimal("0.8"), Decimal("0.6"))
    assert (old.price_date, new.price_date) == (None, date(2026, 8, 21))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"service_tier": "turbo"}, r"'turbo'; use one of default, flex, priority, fast"),
        ({"service_tier": "ultrafast"}, r"no 'ultrafast' service tier .*offers: default, flex, p"),
        ({"region": "apac"}, r"region 'apac'; regions offered: eu, us"),
        ({"batch": True, "service_tier": "flex"}, r"Batch API requests have .* no service tier"),
    ],
)
def test_a_dimension_the_model_lacks_is_an_error(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(SettingsError, match=match):
        cost("gpt-6-sol", 10, 10, at=TODAY, **kwargs)


def test_old_models_offer_no_tier_or_region_rather_than_a_silent_base_price() -> None:
    with pytest.raises(SettingsError, match=r"gpt-4o has no 'flex' .* offers: default$"):
        cost("gpt-4o", 10, service_tier="flex")
    with pytest.raises(SettingsError, match="regions offered: none recorded"):
        cost("gpt-4o", 10, region="eu")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"cache_write_tokens": -1}, SettingsError),
        ({"cache_write_tokens": True}, InvalidInputError),
        ({"cached_input_tokens": 6, "cache_write_tokens": 5}, SettingsError),
        ({"service_tier": 2}, InvalidInputError),
        ({"at": "2026-12-07"}, InvalidInputError),
    ],
)
def test_bad_arguments_are_clear_errors(args: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        cost("gpt-6-sol", 10, **args)


def test_numpy_integers_are_token_counts() -> None:
    assert cost("gpt-6-sol", np.int64(1_000), np.int32(10), at=TODAY).total == Decimal("0.0021")


def test_audio_tokens_at_audio_rates() -> None:
    # gpt-realtime: text in $4, audio in $32, text out $16, audio out $64.
    c = cost("gpt-realtime", 1_000, 500, input_audio_tokens=600, output_audio_tokens=200)
    assert c.total == (400 * 4 + 600 * 32 + 300 * 16 + 200 * 64) / M
    with pytest.raises(SettingsError, match="no audio price"):
        cost("gpt-4o", 10, input_audio_tokens=5)


TIERS = st.sampled_from(["default", "flex", "priority", "fast"])


@given(
    n_in=st.integers(0, 900_000),
    n_out=st.integers(0, 100_000),
    cached=st.integers(0, 100),
    write=st.integers(0, 100),
    tier=TIERS,
    region=st.sampled_from([None, "eu", "us"]),
    batch=st.booleans(),
    name=st.sampled_from(["gpt-6-sol", "gpt-6-astra", "gpt-6-luna", "gpt-5.6-terra"]),
)
def test_cost_matches_the_billing_formula(
    n_in: int,
    n_out: int,
    cached: int,
    write: int,
    tier: str,
    region: str | None,
    batch: bool,
    name: str,
) -> None:
    """Over every combination: the sum of parts at (tier rate x batch x tier x region)."""
    cached = min(cached * n_in // 200, n_in)
    write = min(write * n_in // 200, n_in - cached)
    if batch and tier != "default":
        with pytest.raises(SettingsError):
            cost(name, n_in, n_out, cached, write, batch, tier, region, TODAY)
        return
    spec = get_model(name)
    p = spec.price_at(TODAY)
    assert p is not None and p.cached_input and p.cache_write and p.output
    rates = (p.input, p.cached_input, p.cache_write, p.output)
    if n_in > 272_000:
        t = p.tiers[0]
        rates = (t.input, t.cached_input, t.cache_write, t.output)  # type: ignore[assignment]
    factor = Decimal(1)
    factor *= Decimal("0.5") if batch else 1
    multipliers: dict[str, Decimal | int] = {
        "default": 1,
        "flex": Decimal("0.5"),
        "priority": 2,
        "fast": 2,
    }
    factor *= multipliers[tier]
    factor *= Decimal("1.1") if region else 1
    parts = (n_in - cached - write, cached, write, n_out)
    want = sum((r * factor * n for r, n in zip(rates, parts, strict=True)), Decimal(0)) / M
    got = cost(name, n_in, n_out, cached, write, batch, tier, region, TODAY)
    assert got.total == want
    assert got.total == got.input + got.cached_input + got.cache_write + got.output


def test_estimate_cost_takes_the_same_options() -> None:
    base = tokbudget.estimate_cost("hello world", "gpt-6-sol", 10)
    eu = tokbudget.estimate_cost(
        "hello world", "gpt-6-sol", 10, service_tier="priority", region="eu", at=TODAY
    )
    assert eu.total == base.total * Decimal("2.2")
    with pytest.raises(SettingsError, match="offers"):
        tokbudget.estimate_cost("hi", "gpt-4o", 1, service_tier="ultrafast")


# ----------------------------------------------------------------------- usage logs


def test_chat_completions_usage_with_every_detail() -> None:
    record = {
        "model": "gpt-6-sol",
        "created": int(datetime(2026, 12, 7, tzinfo=UTC).timestamp()),
        "service_tier": "flex",
        "usage": {
            "prompt_tokens": 100_000,
            "completion_tokens": 5_000,
            "prompt_tokens_details": {"cached_tokens": 20_000, "cache_write_tokens": 10_000},
            "completion_tokens_details": {"reasoning_tokens": 4_000},
        },
    }
    result = cost_from_usage(record)  # one mapping alone is accepted
    assert result.total.total == Decimal("0.219") / 2  # flex: half of every rate
    t = result.by_model["gpt-6-sol"]
    assert (t.cached_input_tokens, t.cache_write_tokens, t.output_tokens) == (20_000, 10_000, 5_000)


def test_responses_usage_uses_created_at_for_the_price() -> None:
    def response(day: date) -> dict[str, Any]:
        stamp = datetime(day.year, day.month, day.day, 23, 59, tzinfo=UTC)
        return {
            "object": "response",
            "model": "gpt-5.6-sol",
            "created_at": stamp.timestamp(),
            "usage": {
                "input_tokens": 100_000,
                "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                "output_tokens": 10_000,
                "output_tokens_details": {"reasoning_tokens": 9_000},
            },
        }

    before = cost_from_usage([response(date(2026, 8, 20))]).total.total
    after = cost_from_usage([response(date(2026, 8, 21))]).total.total
    assert (before, after) == (Decimal("0.8"), Decimal("0.6"))
    assert cost_from_usage([response(date(2026, 8, 21))], service_tier="priority").total.total == (
        Decimal("1.2")
    )


def test_usage_audio_and_bad_tiers() -> None:
    record = {
        "model": "gpt-realtime",
        "usage": {
            "prompt_tokens": 1_000,
            "completion_tokens": 500,
            "prompt_tokens_details": {"audio_tokens": 600},
            "completion_tokens_details": {"audio_tokens": 200},
        },
    }
    assert cost_from_usage([record]).total.total == (400 * 4 + 600 * 32 + 300 * 16 + 200 * 64) / M
    bad = {"model": "gpt-4o", "service_tier": "ultrafast", "usage": {"prompt_tokens": 1}}
    with pytest.raises(UsageRecordError, match="record 0: gpt-4o has no 'ultrafast'"):
        cost_from_usage([bad])


# ------------------------------------------------------------------------- lifecycle


@pytest.mark.parametrize(
    ("today", "note"),
    [
        (date(2026, 11, 10), None),
        (
            date(2026, 11, 11),
            "gpt-5 shuts down on 2026-12-11 (in 30 days); use gpt-5.6-sol instead",
        ),
        (date(2026, 12, 10), "gpt-5 shuts down on 2026-12-11 (in 1 day); use gpt-5.6-sol instead"),
        (date(2026, 12, 11), "gpt-5 shuts down on 2026-12-11 (today); use gpt-5.6-sol instead"),
        (date(2027, 1, 1), "gpt-5 shut down on 2026-12-11 (21 days ago); use gpt-5.6-sol instead"),
    ],
)
def test_lifecycle_note_with_injected_dates(today: date, note: str | None) -> None:
    assert tokbudget.lifecycle_note("gpt-5-2025-08-07", today=today) == note


def test_lifecycle_of_the_issue_models() -> None:
    for name in ("gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5-pro", "o3", "o3-pro"):
        assert get_model(name).shutdown_date == date(2026, 12, 11)
    for name in ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini"):
        assert get_model(name).shutdown_date == date(2027, 1, 14)
    assert tokbudget.lifecycle_note("gpt-6-sol", today=TODAY) is None
    assert tokbudget.lifecycle_note("gpt-9-unknown", today=TODAY) is None


def run(argv: list[str], capsys: pytest.CaptureFixture[str], today: date = TODAY) -> Any:
    """``tokbudget ARGV`` with the CLI's clock set to ``today``: (exit code, stdout, stderr)."""
    mp = pytest.MonkeyPatch()
    mp.setattr(_notes, "today", lambda: today)
    try:
        code = main(argv)
    finally:
        mp.undo()
    out, err = capsys.readouterr()
    return code, out, err


def test_models_retiring(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["models", "--retiring", "--within", "10", "--json"], capsys)
    rows = json.loads(out)
    assert code == 0
    soon = [r["name"] for r in rows if r["days_left"] >= 0]
    assert soon == ["gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5-pro", "o3", "o3-pro"]
    assert all(r["days_left"] <= 10 for r in rows)
    code, out, _ = run(["models", "--retiring"], capsys, today=date(2027, 1, 1))
    assert code == 0 and "gpt-4o " in out and "as of 2027-01-01" in out


def test_cli_notes_on_stderr_and_in_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.txt"
    path.write_text("hello world")
    note = "gpt-5 shuts down on 2026-12-11 (in 4 days); use gpt-5.6-sol instead"
    for argv in (
        ["count", "-m", "gpt-5", str(path)],
        ["check", "-m", "gpt-5", str(path)],
        ["cost", "-m", "gpt-5", str(path)],
        ["show", "-m", "gpt-5", str(path)],
    ):
        code, out, err = run(argv, capsys)
        assert code == 0 and err.count(f"note: {note}") == 1, argv
        assert note not in out
    code, out, _ = run(["count", "-m", "gpt-5", str(path), "--json"], capsys)
    assert json.loads(out)["model_notes"] == [note]
    code, out, _ = run(["check", "-m", "gpt-5", str(path), "--json"], capsys)
    assert json.loads(out)["model_notes"] == [note]
    code, out, err = run(["count", "-m", "gpt-5", str(path)], capsys, today=date(2026, 10, 1))
    assert "note:" not in err  # more than 30 days away


def test_cost_cli_dimensions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.txt"
    path.write_text("hello world " * 50)
    n = tokbudget.count(path.read_text(), "gpt-6-sol")
    argv = ["cost", str(path), "-m", "gpt-6-sol", "--output-tokens", "10", "--json"]
    extra = ["--service-tier", "fast", "--region", "eu", "--cached-tokens", "5",
             "--cache-write-tokens", "7", "--at", "2026-12-07"]  # fmt: skip
    code, out, err = run([*argv, *extra], capsys)
    assert code == 0, err
    want = cost("gpt-6-sol", n, 10, 5, 7, False, "priority", "eu", TODAY)
    total = json.loads(out)[0]["total"]
    assert Decimal(total["total"]) == want.total and total["cache_write_tokens"] == 7
    code, _, err = run([*argv, "--region", "apac"], capsys)
    assert code == 2 and "regions offered: eu, us" in err and "Traceback" not in err
    code, _, err = run([*argv, "--service-tier", "turbo"], capsys)
    assert code == 2
    code, _, err = run([*argv, "--at", "someday"], capsys)
    assert code == 2 and "not a date" in err


# ------------------------------------------------------------------ the refresh path


def test_diff_against_the_litellm_fixture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture = FIXTURES / "litellm_prices.json"
    code, out, _ = run(["models", "diff", "--litellm", str(fixture), "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["differ"] == []  # gpt-6-sol, gpt-5, gpt-4o... agree with the registry
    assert {"model": "gpt-5", "field": "price.batch_input", "ours": None, "theirs": "0.625"} in (
        doc["missing"]
    )
    assert doc["skipped"] == ["dall-e-3", "gpt-4o-no-window"]  # claude: not openai
    assert "o3" in doc["only_in_registry"] and "gpt-6-sol" not in doc["only_in_registry"]
    # A source that disagrees: per model and field, both values.
    data = json.loads(fixture.read_text())
    data["gpt-6-sol"]["output_cost_per_token"] = 1.2e-05
    data["gpt-6-sol"]["max_output_tokens"] = 100_000
    data["gpt-6.9-nova"] = {**data["gpt-6-sol"], "max_input_tokens": 900_000}
    changed = tmp_path / "prices.json"
    changed.write_text(json.dumps(data))
    code, out, _ = run(["models", "diff", "--litellm", str(changed), "--json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["only_in_source"] == ["gpt-6.9-nova"]
    assert [(d["model"], d["field"], d["ours"], d["theirs"]) for d in doc["differ"]] == [
        ("gpt-6-sol", "max_output_tokens", 128000, 100000),
        ("gpt-6-sol", "price.output", "10", "12"),
    ]
    code, out, _ = run(["models", "diff", "--litellm", str(changed)], capsys)
    assert code == 0 and out.startswith(f"registry vs litellm {changed}")
    assert "    price.output: registry 10, source 12" in out
    assert "only in the source (1): gpt-6.9-nova" in out


def test_diff_against_the_genai_prices_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "genai_prices_openai.json"
    code, out, _ = run(["models", "diff", "--genai-prices", str(path), "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert "dall-e-3" in doc["skipped"]
    differ = {(d["model"], d["field"]) for d in doc["differ"]}
    # genai-prices dates flex/priority from its 2026-10-12 check: only that differs
    assert ("gpt-5.6-sol", "price.input") not in differ
    assert "gpt-6-cyber" not in doc["only_in_source"]


def test_from_genai_prices_maps_dated_and_tiered_prices_faithfully() -> None:
    reg = Registry.from_genai_prices(FIXTURES / "genai_prices_openai.json")
    sol = reg.get("gpt-5.6-sol")
    assert sol.price is not None and sol.price.since == date(2026, 8, 21)
    assert [p.input for p in (*sol.price_history, sol.price)] == [5, 4]
    assert sol.price.tiers[0].cache_write == 10 and sol.price.batch_multiplier == Decimal("0.5")
    ultrafast = [t for t in reg.get("gpt-6.2-sol").service_tiers if t.name == "ultrafast"]
    assert [t.multiplier for t in ultrafast] == [3, 6]
    assert [t.since for t in ultrafast] == [None, date(2027, 3, 1)]
    audio = reg.get("gpt-realtime").price.modality("audio")  # type: ignore[union-attr]
    assert audio is not None and (audio.input, audio.output) == (32, 64)
    assert reg.get("gpt-6-luna").encoding_assumed  # the base's facts carry over
    merged = default_registry().merged(reg)
    assert cost("gpt-5.6-sol", 100_000, at=date(2026, 8, 20), registry=merged).total == Decimal(
        "0.5"
    )


def test_genai_prices_not_installed_is_a_clear_message(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "genai_prices", None)
    with pytest.raises(MissingDependencyError, match="genai-prices is not installed"):
        Registry.from_genai_prices()
    code, _, err = run(["models", "diff", "--genai-prices"], capsys)
    assert code != 0 and "genai-prices is not installed" in err and "Traceback" not in err


def test_diff_needs_exactly_one_source(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["models", "diff"], capsys)
    assert code == 2 and "--litellm PATH or --genai-prices" in err


def test_imported_entries_pass_the_same_checks(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    entry = {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 1000,
             "max_output_tokens": 10, "input_cost_per_token": -1e-6}  # fmt: skip
    path.write_text(json.dumps({"gpt-4o-bad": entry}))
    reg = Registry.from_litellm(path)
    assert "gpt-4o-bad" not in reg.models
    assert any(s.startswith("gpt-4o-bad (price") for s in reg.skipped)


def test_diff_of_identical_registries_is_empty() -> None:
    ours = default_registry()
    d = diff_registries(ours, ours, "self")
    assert not d.differ and not d.missing and not d.only_ours and not d.only_theirs


def test_one_json_shape_of_a_spec(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["models", "--json"], capsys)
    assert code == 0
    assert json.loads(out) == [m.to_dict() for m in tokbudget.list_models()]


def test_dates_are_not_the_real_clock() -> None:
    later = TODAY + timedelta(days=400)
    assert lifecycle.retiring(0, today=later)[-1].shutdown_date is not None
