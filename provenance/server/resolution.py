"""The C2PA soft-binding resolution API (C2PA 2.4, "Decoupled manifests") under ``/v1``, and
its discovery document at ``/.well-known/c2pa-soft-binding-resolution``.

Queries and fetches are open; the store endpoints need a bearer token with a scope
(:mod:`provenance.server.auth`). Everything is answered from the registry the server serves
(``--registry``), opened per request in a worker thread; c2pa work (judging an uploaded store)
and fingerprints run there too, never on the event loop. Shapes follow the specification's
OpenAPI description (info.version 2.4.0): ``{"matches": [{"manifestId", "similarityScore"}]}``,
``{"watermarks": [], "fingerprints": [{"alg"}]}``, ``{"c2paSpecificationVersion",
"supportedCapabilities"}``, ``{"status", "timestamp"}``, ``{"apiEndpoint", ...}``.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from provenance.errors import ProvenanceError
from provenance.fingerprint import ISCC_ALG, Fingerprint
from provenance.registry.base import BadRegistry, Match, Registry, RegistryError
from provenance.server.auth import bearer, check_scope
from provenance.server.errors import ServerError, log
from provenance.server.settings import ServerSettings

__all__ = ["SPEC_VERSION", "openapi_paths", "routes"]

#: The C2PA specification whose resolution API this implements (the OpenAPI info.version).
SPEC_VERSION = "2.4.0"
#: A GET value longer than this is a 414 (use POST).
MAX_QUERY_VALUE = 2048
#: Largest JSON body of byBinding, bindings and byReference.
MAX_JSON_BYTES = 64 << 10
#: Most matches one query returns.
MAX_RESULTS = 100
MEDIA_C2PA = "application/c2pa"

T = TypeVar("T")


def _open(settings: ServerSettings) -> Registry:
    from provenance.registry import open_registry

    return open_registry(settings.registry)


def _with_registry(settings: ServerSettings, fn: Callable[[Registry], T]) -> T:
    reg = _open(settings)
    try:
        return fn(reg)
    finally:
        reg.close()


async def _in_thread(settings: ServerSettings, fn: Callable[[Registry], T]) -> T:
    try:
        return await anyio.to_thread.run_sync(partial(_with_registry, settings, fn))
    except BadRegistry as exc:
        raise ServerError(400, "bad_request", str(exc)) from exc
    except RegistryError as exc:
        # The DSN is never shown to clients (a server path, perhaps a password).
        log.warning("resolution API: %s", exc)
        raise ServerError(503, "registry_unavailable", "the server's registry is not "
                          "available; try again later") from exc


def _max_results(request: Request) -> int:
    raw = request.query_params.get("maxResults")
    if raw is None:
        return 10
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ServerError(400, "bad_request", "maxResults must be a whole number of at least 1")
    return min(value, MAX_RESULTS)


def _matches(found: list[Match], limit: int) -> JSONResponse:
    seen: dict[str, int] = {}
    for m in sorted(found, key=lambda m: -m.similarity):
        seen.setdefault(m.manifest_id, m.similarity)
    return JSONResponse({"matches": [{"manifestId": mid, "similarityScore": score}
                                     for mid, score in list(seen.items())[:limit]]})


async def _json_body(request: Request) -> dict[str, Any]:
    size = 0
    chunks: list[bytes] = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_JSON_BYTES:
            raise ServerError(413, "too_large", f"the JSON body is larger than "
                              f"{MAX_JSON_BYTES >> 10} KiB", headers={"Connection": "close"})
        chunks.append(chunk)
    try:
        doc = json.loads(b"".join(chunks))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ServerError(400, "bad_request", "the body is not JSON; send a JSON object") \
            from exc
    if not isinstance(doc, dict):
        raise ServerError(400, "bad_request", "the body must be a JSON object")
    return doc


def _text_field(doc: dict[str, Any], name: str) -> str:
    value = doc.get(name)
    if not isinstance(value, str) or not value:
        raise ServerError(400, "bad_request", f"the body needs a {name!r} string")
    return value


def _by_binding(alg: str, value: str, limit: int) -> Callable[[Registry], list[Match]]:
    from provenance.registry.repository import lookup_binding

    return lambda reg: lookup_binding(reg, alg, value, limit=limit)


# -- query ----------------------------------------------------------------------------------

async def by_binding_get(request: Request) -> Response:
    """``GET /v1/matches/byBinding?alg=&value=&maxResults=``."""
    settings: ServerSettings = request.app.state.settings
    alg = request.query_params.get("alg") or ""
    value = request.query_params.get("value") or ""
    if not alg or not value:
        raise ServerError(400, "bad_request", "give alg and value (base64) in the query")
    if len(value) > MAX_QUERY_VALUE:
        raise ServerError(414, "uri_too_long", f"the value is longer than {MAX_QUERY_VALUE} "
                          "characters; POST it to /v1/matches/byBinding instead")
    limit = _max_results(request)
    return _matches(await _in_thread(settings, _by_binding(alg, value, limit)), limit)


async def by_binding_post(request: Request) -> Response:
    """``POST /v1/matches/byBinding`` with ``{"alg", "value"}``."""
    settings: ServerSettings = request.app.state.settings
    limit = _max_results(request)
    doc = await _json_body(request)
    alg, value = _text_field(doc, "alg"), _text_field(doc, "value")
    return _matches(await _in_thread(settings, _by_binding(alg, value, limit)), limit)


def content_fingerprint(path: Path, *, text_first: bool) -> Fingerprint | None:
    """The fingerprints of an uploaded asset: decoded as an image, or as UTF-8 text (its
    visible text); None for anything else."""
    from provenance.fingerprint import fingerprint

    data = path.read_bytes()
    order = ("text/plain", "image/*") if text_first else ("image/*", "text/plain")
    for mime in order:
        fp = fingerprint(data, mime)
        if fp is not None:
            return fp
    return None


def _check_alg(request: Request) -> None:
    alg = request.query_params.get("alg")
    if alg and alg != ISCC_ALG:
        raise ServerError(400, "bad_request", f"this service computes {ISCC_ALG} only "
                          "(GET /v1/services/supportedAlgorithms)")


def _hint(request: Request, limit: int) -> Callable[[Registry], list[Match]] | None:
    alg, value = request.query_params.get("hintAlg"), request.query_params.get("hintValue")
    if alg and value and len(value) <= MAX_QUERY_VALUE:
        return _by_binding(alg, value, limit)
    return None


async def _match_file(request: Request, path: Path, *, text_first: bool,
                      limit: int) -> Response:
    settings: ServerSettings = request.app.state.settings
    fp = await anyio.to_thread.run_sync(partial(content_fingerprint, path,
                                                text_first=text_first))
    if fp is None:
        raise ServerError(415, "unsupported_media_type",
                          "this service fingerprints images and text; the asset is neither")
    found = await _in_thread(settings, lambda reg: reg.lookup(fp, limit=limit))
    hint = _hint(request, limit)
    if hint is not None:
        found += await _in_thread(settings, hint)
    return _matches(found, limit)


async def by_content(request: Request) -> Response:
    """``POST /v1/matches/byContent``: the asset's bytes (raw body, or multipart ``file``)."""
    from provenance.carriers import is_text_name
    from provenance.server.uploads import spooled

    settings: ServerSettings = request.app.state.settings
    _check_alg(request)
    limit = _max_results(request)
    async with spooled(request, max_bytes=settings.max_upload_bytes,
                       timeout=settings.upload_timeout) as upload:
        text_first = upload.is_text or is_text_name(upload.filename) or \
            (upload.media_type or "").startswith("text/")
        return await _match_file(request, upload.path, text_first=text_first, limit=limit)


async def by_reference(request: Request) -> Response:
    """``POST /v1/matches/byReference`` with ``{"referenceUrl", "assetLength", "assetType"?}``
    (only with ``--allow-fetch``)."""
    import tempfile

    from provenance.server.fetching import fetch_asset

    settings: ServerSettings = request.app.state.settings
    if not settings.allow_fetch:
        raise ServerError(404, "not_enabled", "this server does not fetch URLs (offline); "
                          "upload the asset to /v1/matches/byContent, or start the server "
                          "with --allow-fetch")
    _check_alg(request)
    limit = _max_results(request)
    doc = await _json_body(request)
    url = _text_field(doc, "referenceUrl")
    length = doc.get("assetLength")
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        raise ServerError(400, "bad_request", "the body needs assetLength (bytes, at least 1)")
    kind = doc.get("assetType")
    if kind is not None and not isinstance(kind, str):
        raise ServerError(400, "bad_request", "assetType must be a media type string")
    with tempfile.TemporaryDirectory(prefix="prov-ref-") as tmp:
        path = Path(tmp) / "asset"
        await anyio.to_thread.run_sync(partial(
            fetch_asset, url, path, declared=length, asset_type=kind,
            max_bytes=settings.fetch_max_bytes, timeout=settings.fetch_timeout))
        return await _match_file(request, path, text_first=(kind or "").startswith("text/"),
                                 limit=limit)


# -- fetch ----------------------------------------------------------------------------------

async def get_manifest(request: Request) -> Response:
    """``GET /v1/manifests/{manifestId}``: the manifest store (``application/c2pa``)."""
    from provenance.registry.repository import store_bytes

    settings: ServerSettings = request.app.state.settings
    manifest_id = request.path_params["manifestId"]
    data = await _in_thread(settings, lambda reg: store_bytes(reg, manifest_id))
    if data is None:
        raise ServerError(404, "not_found", f"no manifest {manifest_id} here")
    return Response(data, media_type=MEDIA_C2PA,
                    headers={"Content-Disposition": 'attachment; filename="manifest.c2pa"'})


# -- store ----------------------------------------------------------------------------------

def _authorised(request: Request, scope: str) -> Callable[[Registry], None]:
    token = bearer(request)

    def check(reg: Registry) -> None:
        check_scope(reg, token, scope)
    return check


async def _require(request: Request, scope: str) -> None:
    settings: ServerSettings = request.app.state.settings
    await _in_thread(settings, _authorised(request, scope))


async def post_manifest(request: Request) -> Response:
    """``POST /v1/manifests``: a manifest store (``application/c2pa``), judged and stored;
    201 ``{"manifestId"}`` (200 when it was already there)."""
    from provenance.registry.record import NotRegistrable
    from provenance.registry.repository import ingest_store
    from provenance.server.uploads import spooled
    from provenance.server.work import _trust

    settings: ServerSettings = request.app.state.settings
    await _require(request, "store:manifests")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in (MEDIA_C2PA, "application/octet-stream"):
        raise ServerError(415, "unsupported_media_type",
                          f"send the manifest store as {MEDIA_C2PA}")
    async with spooled(request, max_bytes=settings.max_upload_bytes, text_field=None,
                       timeout=settings.upload_timeout) as upload:
        data = upload.path.read_bytes()
    trust = _trust(settings.trust)
    try:
        record, new = await _in_thread(settings, lambda reg: ingest_store(reg, data,
                                                                          trust=trust))
    except NotRegistrable as exc:
        raise ServerError(400, "not_registrable", str(exc)) from exc
    location = f"/v1/manifests/{record.manifest_id}"
    return JSONResponse({"manifestId": record.manifest_id}, status_code=201 if new else 200,
                        headers={"Location": location})


async def delete_manifest(request: Request) -> Response:
    """``DELETE /v1/manifests/{manifestId}``: 204, or 404."""
    from provenance.registry import repository

    settings: ServerSettings = request.app.state.settings
    await _require(request, "store:manifests")
    manifest_id = request.path_params["manifestId"]
    if not await _in_thread(settings, lambda reg: repository.delete_manifest(reg, manifest_id)):
        raise ServerError(404, "not_found", f"no manifest {manifest_id} here")
    return Response(status_code=204)


async def bindings(request: Request) -> Response:
    """``POST /v1/bindings`` (add) and ``PUT /v1/bindings`` (move) with ``{"manifestId",
    "alg", "value"}``: 201 / 200 with the binding, 404 for an unknown manifest (or, for PUT,
    binding)."""
    from provenance.registry import repository

    settings: ServerSettings = request.app.state.settings
    await _require(request, "store:bindings")
    doc = await _json_body(request)
    manifest_id = _text_field(doc, "manifestId")
    alg, value = _text_field(doc, "alg"), _text_field(doc, "value")
    if request.method == "POST":
        done: bool | None = await _in_thread(
            settings, lambda reg: repository.add_binding(reg, manifest_id, alg, value))
    else:
        done = await _in_thread(
            settings, lambda reg: repository.move_binding(reg, manifest_id, alg, value))
    if done is False:
        raise ServerError(404, "not_found", f"no manifest {manifest_id} here")
    if done is None:
        raise ServerError(404, "not_found", f"no binding {alg} {value[:40]} to move; POST it")
    return JSONResponse({"manifestId": manifest_id, "alg": alg, "value": value},
                        status_code=201 if request.method == "POST" else 200)


# -- service --------------------------------------------------------------------------------

async def supported_algorithms(request: Request) -> Response:
    """``GET /v1/services/supportedAlgorithms``."""
    return JSONResponse({"watermarks": [], "fingerprints": [{"alg": ISCC_ALG}]})


def _capabilities(settings: ServerSettings) -> list[str]:
    return ["queryByContent", *(["queryByReference"] if settings.allow_fetch else []),
            "storeManifests", "storeBindings"]


async def capabilities(request: Request) -> Response:
    """``GET /v1/services/capabilities``."""
    settings: ServerSettings = request.app.state.settings
    return JSONResponse({"c2paSpecificationVersion": SPEC_VERSION,
                         "supportedCapabilities": _capabilities(settings)})


async def status(request: Request) -> Response:
    """``GET /v1/services/status``: ``ok``, or ``down`` when the registry cannot be opened."""
    settings: ServerSettings = request.app.state.settings
    state = "ok"
    try:
        await anyio.to_thread.run_sync(partial(_with_registry, settings, lambda reg: None))
    except ProvenanceError:
        state = "down"
    now = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return JSONResponse({"status": state, "timestamp": now})


async def well_known(request: Request) -> Response:
    """``GET /.well-known/c2pa-soft-binding-resolution``: where the API is."""
    base = str(request.base_url).rstrip("/")
    return JSONResponse({"apiEndpoint": f"{base}/v1",
                         "c2paSpecificationVersion": SPEC_VERSION,
                         "capabilitiesEndpoint": f"{base}/v1/services/capabilities",
                         "statusEndpoint": f"{base}/v1/services/status"})


def routes(settings: ServerSettings) -> list[BaseRoute]:
    """The routes of the resolution API (``settings`` decides byReference)."""
    return [
        Route("/.well-known/c2pa-soft-binding-resolution", well_known, methods=["GET"]),
        Route("/v1/matches/byBinding", by_binding_get, methods=["GET"]),
        Route("/v1/matches/byBinding", by_binding_post, methods=["POST"]),
        Route("/v1/matches/byContent", by_content, methods=["POST"]),
        Route("/v1/matches/byReference", by_reference, methods=["POST"]),
        Route("/v1/manifests", post_manifest, methods=["POST"]),
        Route("/v1/manifests/{manifestId:path}", get_manifest, methods=["GET"]),
        Route("/v1/manifests/{manifestId:path}", delete_manifest, methods=["DELETE"]),
        Route("/v1/bindings", bindings, methods=["POST", "PUT"]),
        Route("/v1/services/supportedAlgorithms", supported_algorithms, methods=["GET"]),
        Route("/v1/services/capabilities", capabilities, methods=["GET"]),
        Route("/v1/services/status", status, methods=["GET"]),
    ]


def _op(summary: str, answer: str, *, scope: str | None = None,
        errors: tuple[int, ...] = (400,)) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": answer}}
    for code in (*errors, *((401, 403) if scope else ())):
        responses[str(code)] = {"description": "`{\"code\", \"message\"}`"}
    op: dict[str, Any] = {"tags": ["c2pa-soft-binding-resolution"], "summary": summary,
                          "responses": responses}
    if scope:
        op["description"] = f"Needs a bearer token with the `{scope}` scope."
    return op


def openapi_paths(settings: ServerSettings) -> dict[str, Any]:
    """The resolution API's entries for ``/api/openapi.json`` (the shapes are those of the
    C2PA 2.4 OpenAPI description)."""
    matches = "`{\"matches\": [{\"manifestId\", \"similarityScore\"}]}`"
    paths: dict[str, Any] = {
        "/.well-known/c2pa-soft-binding-resolution": {"get": _op(
            "Discovery", "`{apiEndpoint, c2paSpecificationVersion, capabilitiesEndpoint, "
            "statusEndpoint}`", errors=())},
        "/v1/matches/byBinding": {
            "get": _op("Manifests matching a soft binding (alg, value base64, maxResults)",
                       matches, errors=(400, 414)),
            "post": _op("The same with `{alg, value}` in the body", matches)},
        "/v1/matches/byContent": {"post": _op(
            "Manifests matching an uploaded asset (image or text; io.iscc.v0 computed here)",
            matches, errors=(400, 413, 415))},
        "/v1/matches/byReference": {"post": _op(
            "Manifests matching an asset fetched from `{referenceUrl, assetLength}` "
            + ("(public HTTPS only)" if settings.allow_fetch else "(off: 404 on this server)"),
            matches, errors=(400, 404, 413, 502, 504))},
        "/v1/manifests": {"post": _op(
            "Store a manifest store (application/c2pa; refused unless it verifies)",
            "`{\"manifestId\"}` (201 new, 200 already there)", scope="store:manifests",
            errors=(400, 413, 415))},
        "/v1/manifests/{manifestId}": {
            "get": _op("The manifest store (application/c2pa)", "application/c2pa",
                       errors=(404,)),
            "delete": _op("Remove a manifest and its bindings", "204",
                          scope="store:manifests", errors=(404,))},
        "/v1/bindings": {
            "post": _op("Bind `{manifestId, alg, value}`", "the binding (201)",
                        scope="store:bindings", errors=(400, 404)),
            "put": _op("Move the binding `{alg, value}` to `manifestId`", "the binding",
                       scope="store:bindings", errors=(400, 404))},
        "/v1/services/supportedAlgorithms": {"get": _op(
            "Soft-binding algorithms", "`{watermarks: [], fingerprints: [{alg}]}`", errors=())},
        "/v1/services/capabilities": {"get": _op(
            "Capabilities", "`{c2paSpecificationVersion, supportedCapabilities}`", errors=())},
        "/v1/services/status": {"get": _op(
            "Status", "`{status: ok|degraded|down, timestamp}`", errors=())},
    }
    return paths
