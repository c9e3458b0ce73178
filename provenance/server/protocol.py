"""uvicorn's h11 protocol with a deadline on the request head.

uvicorn closes an idle keep-alive connection (``timeout_keep_alive``) but waits forever for a
connection's first request, or for the rest of a request head that trickles in: a client that
opens connections and sends nothing (or a byte at a time) would hold them until
``limit_concurrency`` is reached and the server answers 503 to everyone. Here a connection
must finish its request head within ``header_timeout`` seconds of connecting (or of its
previous answer); otherwise it is closed, with one log line, as :mod:`provenance._httpserve`
does.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["with_header_deadline"]

log = logging.getLogger("provenance.server")


class _DeadlineH11(H11Protocol):
    header_timeout = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_expired)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_expired(self) -> None:
        self._head_timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is in hand: the app's own deadlines apply
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()  # the head is complete: the request is being served

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request's head has the same deadline


def with_header_deadline(seconds: float) -> type[H11Protocol]:
    """An h11 protocol class for ``uvicorn.Config(http=...)`` that closes a connection whose
    request head is not complete within ``seconds``."""
    return type("DeadlineH11Protocol", (_DeadlineH11,), {"header_timeout": float(seconds)})
