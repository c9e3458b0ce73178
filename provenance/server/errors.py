"""One way to answer an error: JSON ``{"code", "message"}`` with the right status, one log
line, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from provenance.errors import InputError, ProvenanceError, UnsupportedFormat

__all__ = ["ServerError", "error_response", "exception_handlers", "from_library"]

log = logging.getLogger("provenance.server")

#: codes for the statuses Starlette raises itself (routing, methods)
_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 408: "timeout", 413: "too_large",
               415: "unsupported_media_type", 503: "busy"}


class ServerError(Exception):
    """A request the server refuses: HTTP ``status``, a stable ``code`` and a one-line
    ``message`` that says what is wrong and what to do."""

    def __init__(self, status: int, code: str, message: str, *,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, *,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON answer of an error."""
    return JSONResponse({"code": code, "message": message}, status_code=status,
                        headers=headers)


def from_library(exc: ProvenanceError) -> ServerError:
    """A library error as the server answers it: bad input 400 (an unsupported type 415), a
    registry that cannot be reached 503, anything else 500."""
    from provenance.registry.base import RegistryError

    if isinstance(exc, UnsupportedFormat):
        return ServerError(415, "unsupported_format", str(exc))
    if isinstance(exc, InputError):
        return ServerError(400, "bad_input", str(exc))
    if isinstance(exc, RegistryError):
        return ServerError(503, "registry_unavailable", str(exc))
    return ServerError(500, "operational", str(exc))


async def _server_error(request: Request, exc: ServerError) -> Response:
    if exc.status >= 500:
        log.warning("%s %s: %s %s", request.method, request.url.path, exc.status, exc.message)
    return error_response(exc.status, exc.code, exc.message, headers=exc.headers)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    code = _HTTP_CODES.get(exc.status_code, "error")
    return error_response(exc.status_code, code, str(exc.detail),
                          headers=dict(exc.headers or {}))


async def _library_error(request: Request, exc: ProvenanceError) -> Response:
    return await _server_error(request, from_library(exc))


async def _unexpected(request: Request, exc: Exception) -> Response:
    # A bug: one line in the log, a 500 to the client, the server goes on.
    log.error("%s %s: 500 %s: %s", request.method, request.url.path, type(exc).__name__, exc)
    return error_response(500, "internal", "internal error (the server log says more)")


def exception_handlers() -> dict[Any, Any]:
    """Starlette's ``exception_handlers``: every error becomes ``{"code", "message"}``."""
    return {ServerError: _server_error, HTTPException: _http_error,
            ProvenanceError: _library_error, Exception: _unexpected}
