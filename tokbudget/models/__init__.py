"""The model registry: specs, the TOML schema, the registry, rates, lifecycle and importers.

``data/models.toml`` is read by :mod:`.schema` into :class:`.spec.ModelSpec` values held by
:mod:`.registry`. :mod:`.rates` chooses the rates that bill a request (date, long-context
tier, batch, service tier, region) and :mod:`.bill` what each part of it costs at them;
:mod:`.lifecycle` says which models are retiring.
:mod:`.litellm` and :mod:`.genai_prices` import those projects' data (through
``Registry.from_litellm`` / ``Registry.from_genai_prices``), and :mod:`.diff` compares a
source with the registry (``tokbudget models diff``).
:mod:`.defaults` names the default models; :mod:`.limits` checks counts against a model's
limits for every caller.
"""

__all__: list[str] = []
