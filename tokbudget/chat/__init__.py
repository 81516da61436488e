"""Requests of either API: the one reader, messages and items, tools, images, fitting.

:mod:`.request` reads any body (Chat Completions, Responses, Batch lines) into one
:class:`~tokbudget.chat.request.Request`; :mod:`.images`, :mod:`.tools`, :mod:`.toolset`,
:mod:`.schema_format` and :mod:`.attachments` price the parts; :mod:`.messages` (Chat) and
:mod:`.responses` (items) count them, :mod:`.breakdown` adds it all up
(``count_request``); :mod:`.fit` and :mod:`.fit_items` drop or cut old turns until a
request fits.
"""

__all__: list[str] = []
