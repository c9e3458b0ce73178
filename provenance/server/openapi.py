"""The OpenAPI 3.1 description of the JSON API, served at ``/api/openapi.json``."""

from __future__ import annotations

from typing import Any

from provenance.server.settings import ServerSettings

__all__ = ["openapi_document"]

_ERROR = {"type": "object", "required": ["code", "message"],
          "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}


def _upload_body() -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary",
                             "description": "The file to judge (its name gives its type)."},
                    "text": {"type": "string", "description": "Pasted text instead of a file."},
                }}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }


def _errors(*statuses: int) -> dict[str, Any]:
    words = {400: "Bad input (no file, empty, malformed body).", 408: "The upload was too slow.",
             413: "The upload is larger than the server accepts.",
             415: "A type that cannot carry Content Credentials.",
             503: "Busy, or the registry cannot be reached.", 500: "Internal error.",
             504: "Judging the file took too long."}
    return {str(s): {"description": words[s], "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for s in statuses}


def _operation(summary: str, description: str, schema_note: str) -> dict[str, Any]:
    return {
        "summary": summary,
        "description": description,
        "parameters": [{"name": "name", "in": "query", "required": False,
                        "schema": {"type": "string"},
                        "description": "With a raw body: the file name (its type)."}],
        "requestBody": _upload_body(),
        "responses": {
            "200": {"description": schema_note, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Report"}}}},
            **_errors(400, 408, 413, 415, 500, 503, 504),
        },
    }


def openapi_document(settings: ServerSettings) -> dict[str, Any]:
    """The document (limits as this server applies them)."""
    from provenance import __version__
    from provenance.server import resolution

    mib = settings.max_upload_bytes / (1 << 20)
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "provenance serve", "version": __version__,
                 "description": "Verify or inspect a file's C2PA Content Credentials. Uploads "
                 f"of at most {mib:g} MiB. Manifests recovered by fingerprint are listed in "
                 "`recovered`: never a cryptographic match."},
        "paths": {
            "/api/v1/verify": {"post": _operation(
                "Verify a file against the server's policy",
                "The provenance.report/v1 document with `passed` and `reasons` (the default "
                "policy: an intact manifest, human origin, no tampered ingredient).",
                "The report; `passed` says whether the policy holds.")},
            "/api/v1/inspect": {"post": _operation(
                "Describe a file's Content Credentials without judging them",
                "The provenance.report/v1 document.", "The report.")},
            "/api/v1/health": {"get": {"summary": "The server is up", "responses": {
                "200": {"description": "`{\"status\": \"ok\"}`"}}}},
        },
        "components": {"schemas": {
            "Error": _ERROR,
            "Report": {"type": "object", "description": "provenance.report/v1 (see "
                       "`provenance help schemas`)",
                       "required": ["schema", "status", "origin"],
                       "properties": {"schema": {"const": "provenance.report/v1"},
                                      "status": {"enum": ["trusted", "valid", "invalid",
                                                          "unsigned"]},
                                      "passed": {"type": "boolean"},
                                      "reasons": {"type": "array",
                                                  "items": {"type": "string"}},
                                      "recovered": {"type": "array"}}},
        }},
    }
    # The resolution API describes its own paths (if its module offers them).
    more = getattr(resolution, "openapi_paths", None)
    if callable(more):
        doc["paths"].update(more(settings))
    return doc
