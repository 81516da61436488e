"""Chat requests: messages, tools, images and fitting a history into a budget.

:mod:`.images` and :mod:`.tools` price the parts; :mod:`.messages` reads a request and counts
it; :mod:`.fit` drops or cuts old turns until a request fits.
"""

__all__: list[str] = []
