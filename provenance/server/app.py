"""The ASGI app: the verify page, the JSON API, the resolution API, static files, and the
headers every answer carries (a Content Security Policy that forbids inline script)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from provenance.server import page, resolution
from provenance.server.errors import ServerError, error_response, exception_handlers
from provenance.server.openapi import openapi_document
from provenance.server.settings import ServerSettings
from provenance.server.uploads import spooled
from provenance.server.work import Outcome, Workers

__all__ = ["CSP", "create_app"]

STATIC = Path(__file__).with_name("static")

#: Everything in a manifest is attacker-controlled: the page is escaped everywhere, and the
#: browser runs no script and loads no style but the app's own files.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds the CSP and its companions to every HTTP answer, and ``Cache-Control: no-store``
    to those that do not set one (but the static files): a plain ASGI middleware, so it
    streams and sees the answers of error handlers too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _HEADERS if k not in names]
                if not static and b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))  # answers about uploads
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadLimit:
    """431 for a request head larger than ``max_bytes`` (uvicorn's h11 bounds a head that is
    still arriving; this bounds one that came in whole)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            size = len(scope.get("raw_path", b"")) + len(scope.get("query_string", b"")) + sum(
                len(k) + len(v) + 4 for k, v in scope.get("headers", []))
            if size > self.max_bytes:
                response = error_response(
                    431, "headers_too_large", f"the request's headers are larger than "
                    f"{self.max_bytes} bytes", headers={"Connection": "close"})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(settings: ServerSettings) -> Starlette:
    """The app for ``settings`` (its workers start and stop with the app's lifespan)."""
    workers = Workers(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        workers.start()
        try:
            yield
        finally:
            workers.stop()

    async def judge(request: Request, kind: Literal["verify", "inspect"], *,
                    for_page: bool = False) -> Outcome:
        async with spooled(request, max_bytes=settings.max_upload_bytes,
                           timeout=settings.upload_timeout) as upload:
            job = workers.job(kind, upload.path, upload.filename, keep_store=for_page)
            outcome = await workers.run(job)
        if outcome.error is not None:
            status, code, message = outcome.error
            raise ServerError(status, code, message)
        return outcome

    async def api_verify(request: Request) -> Response:
        return _json((await judge(request, "verify")).document())

    async def api_inspect(request: Request) -> Response:
        return _json((await judge(request, "inspect")).document())

    async def index(request: Request) -> Response:
        return HTMLResponse(page.index(settings))

    async def page_verify(request: Request) -> Response:
        try:
            outcome = await judge(request, "verify", for_page=True)
        except ServerError as exc:
            return HTMLResponse(page.error(settings, exc.status, exc.code, exc.message),
                                status_code=exc.status, headers=exc.headers)
        return HTMLResponse(page.result(settings, outcome))

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def openapi(request: Request) -> Response:
        return _json(openapi_document(settings))

    routes: list[BaseRoute] = [
        Route("/", index, methods=["GET"]),
        Route("/verify", page_verify, methods=["POST"]),
        Route("/api/v1/verify", api_verify, methods=["POST"]),
        Route("/api/v1/inspect", api_inspect, methods=["POST"]),
        Route("/api/v1/health", health, methods=["GET"]),
        Route("/api/openapi.json", openapi, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
        *resolution.routes(settings),
    ]
    app = Starlette(routes=routes, exception_handlers=exception_handlers(),
                    lifespan=lifespan)
    app.add_middleware(HeadLimit, max_bytes=settings.max_header_bytes)
    app.add_middleware(SecurityHeaders)
    app.state.settings = settings
    app.state.workers = workers
    return app


def _json(doc: dict[str, Any]) -> Response:
    return Response(json.dumps(doc, ensure_ascii=False), media_type="application/json")
