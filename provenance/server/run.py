"""Run the app under uvicorn with the limits of :class:`ServerSettings`."""

from __future__ import annotations

import logging
import sys

from provenance.server.settings import ServerSettings

__all__ = ["serve", "uvicorn_config"]


def uvicorn_config(settings: ServerSettings) -> object:
    """uvicorn's Config for ``settings``: keep-alive and head deadlines, bounded connections
    and request heads, no WebSocket, no server banner."""
    import uvicorn

    from provenance.server.app import create_app
    from provenance.server.protocol import with_header_deadline

    return uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        http=with_header_deadline(settings.header_timeout),
        ws="none",
        lifespan="on",
        loop="asyncio",
        timeout_keep_alive=int(max(1, settings.keep_alive)),
        limit_concurrency=settings.max_connections,
        h11_max_incomplete_event_size=settings.max_header_bytes,
        timeout_graceful_shutdown=10,
        server_header=False,
        access_log=False,
        log_level="info",
    )


def serve(settings: ServerSettings) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM); returns when the server has stopped.

    Raises:
        OutputError: the address cannot be bound or the app cannot start.
    """
    import uvicorn

    from provenance.errors import OutputError

    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    server = uvicorn.Server(uvicorn_config(settings))  # type: ignore[arg-type]
    try:
        server.run()
    except SystemExit:  # uvicorn exits when it cannot bind; its log line said why
        server.started = False
    if not server.started:
        raise OutputError(f"could not serve on {settings.host}:{settings.port}",
                          hint="is another server on that port? choose another --port")
