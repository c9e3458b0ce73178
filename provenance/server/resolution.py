"""The C2PA soft-binding resolution API (placeholder: issue #13, helper 13b replaces it)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from provenance.server.settings import ServerSettings


def routes(settings: ServerSettings) -> list[BaseRoute]:
    """The routes of the resolution API (none yet)."""
    return []
