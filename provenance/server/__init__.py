"""``provenance serve``: the verify page, the JSON API and the C2PA soft-binding resolution
API on an ASGI app (Starlette) under uvicorn.

A thin layer: every judgement is the library's (:func:`provenance.verify`,
:func:`provenance.inspect`, the policy, :mod:`provenance.registry.recovery`); the server only
spools uploads, runs that work off the event loop and renders the answer.

Modules: :mod:`~provenance.server.settings` (what a server is told),
:mod:`~provenance.server.uploads` (streaming, bounded uploads),
:mod:`~provenance.server.errors` (errors as JSON), :mod:`~provenance.server.work` (the
worker pool), :mod:`~provenance.server.app` (routes), :mod:`~provenance.server.page` (the
HTML), :mod:`~provenance.server.protocol` and :mod:`~provenance.server.run` (uvicorn with
deadlines), :mod:`~provenance.server.resolution` (the soft-binding resolution API).
Needs the ``server`` extra (starlette, uvicorn, python-multipart).
"""

from provenance.server.settings import ServerSettings

__all__ = ["ServerSettings"]
