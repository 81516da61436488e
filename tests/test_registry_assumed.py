"""Issue 12: GPT-6's encoding is an assumption, recorded once in the data and shown wherever
a count for such a model (or a name resolved by its family) is reported."""

from __future__ import annotations

import json
import re
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import tokbudget
from tokbudget.cli import _notes
from tokbudget.errors import RegistryError
from tokbudget.figures import text_figures
from tokbudget.models.lifecycle import model_notes
from tokbudget.models.registry import Registry, default_registry

from .helpers import run_cli as run

DATA = resources.files("tokbudget") / "data" / "models.toml"


def test_the_assumption_is_one_line_of_the_data() -> None:
    text = DATA.read_text(encoding="utf-8")
    assert len(re.findall(r"^assumed_encodings = ", text, re.M)) == 1
    gpt6 = [m for m in tokbudget.list_models() if m.name.startswith("gpt-6")]
    assert len(gpt6) >= 10 and all(m.encoding_assumed for m in gpt6)
    for m in gpt6:  # none says so itself: the family line does
        entry = text.split(f'[models."{m.name}"]\n', 1)[1].split("\n[", 1)[0]
        assert "encoding_assumed" not in entry, m.name
    assert not any(
        m.encoding_assumed for m in tokbudget.list_models() if m.name.startswith("gpt-5")
    )


def _registry(assumed: str) -> Registry:
    return Registry.from_dict(
        {
            "schema_version": 1,
            "assumed_encodings": json.loads(assumed),
            "families": {"gpt-6": "o200k_base", "gpt-5": "o200k_base"},
            "models": {
                name: {"kind": "chat", "encoding": "o200k_base", "context_window": 1000}
                for name in ("gpt-6-sol", "gpt-5-x")
            },
        }
    )


def test_deleting_the_family_from_the_line_removes_the_assumption_everywhere() -> None:
    reg = _registry('["gpt-6"]')
    assert reg.get("gpt-6-sol").encoding_assumed and not reg.get("gpt-5-x").encoding_assumed
    assert reg.encoding_assumed("gpt-6.9-nova") and not reg.encoding_assumed("gpt-5.9-nova")
    note = "gpt-6-sol is counted with o200k_base, an assumption"
    assert model_notes("gpt-6-sol", registry=reg)[0].startswith(note)
    documented = _registry("[]")
    assert not documented.get("gpt-6-sol").encoding_assumed
    assert not documented.encoding_assumed("gpt-6.9-nova")
    assert model_notes("gpt-6-sol", registry=documented) == ()
    merged = documented.merged(reg)  # a user's file keeps the default's assumption
    assert merged.get("gpt-5-x").encoding_assumed is False and merged.encoding_assumed("gpt-6.1")


@pytest.mark.parametrize("value", ['["gpt-7"]', '"gpt-7"', "[1]"])
def test_a_bad_assumed_family_is_an_error_naming_the_field(value: str) -> None:
    with pytest.raises(RegistryError) as info:
        _registry(value)
    assert info.value.field == "assumed_encodings"


@pytest.mark.parametrize("name", ["gpt-6.9-nova", "gpt-6-sol-2026-09-22", "gpt-6.2-sol"])
def test_a_name_counted_by_the_gpt6_family_says_what_it_rests_on(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.txt"
    path.write_text("hello world")
    line = "is counted with o200k_base, an assumption"
    code, _, err = run(["count", "-m", name, str(path)], capsys)
    assert code == 0 and line in err
    code, out, _ = run(["count", "-m", name, str(path), "--json"], capsys)
    doc: dict[str, Any] = json.loads(out)
    assert any(line in n for n in doc["model_notes"])
    fig = text_figures(2, 11, "o200k_base", name)
    assert any(line in n for n in fig.to_dict()["model_notes"])
    assert default_registry().encoding_assumed(name)


@pytest.mark.parametrize(
    ("snapshot", "model"),
    [
        ("gpt-6-astra-2026-09-03", "gpt-6-astra"),
        ("gpt-6-sol-2026-09-22", "gpt-6-sol"),
        ("gpt-6-luna-2026-09-22", "gpt-6-luna"),
        ("gpt-6.1-sol-2026-09-29", "gpt-6.1-sol"),
        ("gpt-6.1-terra-2026-10-26", "gpt-6.1-terra"),
    ],
)
def test_release_snapshots_are_priced_as_their_own_entries(snapshot: str, model: str) -> None:
    # A snapshot with the same figures is an alias: priced without a "priced as" note.
    assert snapshot in tokbudget.get_model(model).aliases
    c = tokbudget.cost(snapshot, 1_000, 10)
    assert (c.model, c.notes) == (model, ()) and c.total == tokbudget.cost(model, 1_000, 10).total


def test_cost_json_carries_each_models_notes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_notes, "today", lambda: date(2026, 12, 7))
    path = tmp_path / "p.txt"
    path.write_text("hello world")
    code, out, err = run(["cost", str(path), "-m", "gpt-5", "-m", "gpt-6-sol", "--json"], capsys)
    rows = {r["model"]: r["model_notes"] for r in json.loads(out)}
    assert code == 0
    assert rows["gpt-5"] == ["gpt-5 shuts down on 2026-12-11 (in 4 days); use gpt-5.6-sol instead"]
    assert "an assumption" in rows["gpt-6-sol"][0] and err.count("note: ") == 2
    code, _, err = run(["check", "-m", "gpt-6-sol", str(path)], capsys)
    assert code == 0 and "gpt-6-sol is counted with o200k_base, an assumption" in err
