"""The model registry: specs, the TOML schema, the registry and its importers.

``data/models.toml`` is read by :mod:`.schema` into :class:`.spec.ModelSpec` values held by
:mod:`.registry`; :mod:`.litellm` imports entries from litellm's price file (its one entry
point is ``Registry.from_litellm``). :mod:`.defaults` names the default models;
:mod:`.limits` checks counts against a model's limits for every caller.
"""

__all__: list[str] = []
