"""What a server is told: where it listens, what it serves from, and its limits."""

from __future__ import annotations

from dataclasses import field

from provenance._record import record

__all__ = ["ServerSettings"]

MIB = 1 << 20


@record
class ServerSettings:
    """Everything ``provenance serve`` passes to :func:`provenance.server.app.create_app`.

    Limits follow the rules of :mod:`provenance._httpserve`: every request has a deadline,
    work runs on a bounded pool, and a client can hold at most a file descriptor.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    #: DSN of the registry the server recovers from and serves (None: the local default
    #: registry of the provenance home)
    registry: str | None = None
    #: largest upload accepted (the file, or the pasted text); more is a 413
    max_upload_bytes: int = 100 * MIB
    #: ``POST /v1/matches/byReference`` may fetch a URL (off by default: offline)
    allow_fetch: bool = False
    fetch_max_bytes: int = 100 * MIB
    fetch_timeout: float = 20.0
    #: worker processes for c2pa work (1: one worker thread in the server process)
    jobs: int = 1
    #: extra trust anchors (PEM files) on top of those installed in the provenance home
    trust: tuple[str, ...] = field(default_factory=tuple)
    #: the verify policy: as ``provenance verify --require-trusted`` / ``--allow-ai``
    require_trusted: bool = False
    allow_ai: bool = False
    #: look up files without (intact) Content Credentials in the registry (recovery)
    lookup: bool = True
    #: seconds one file's c2pa work may take (as ``--file-timeout``)
    file_timeout: float = 60.0
    #: seconds a client has to send a request's headers (connect to end of headers)
    header_timeout: float = 10.0
    #: seconds a client has to send a whole upload body
    upload_timeout: float = 120.0
    #: seconds an idle keep-alive connection stays open
    keep_alive: float = 5.0
    #: connections and requests in hand at once; beyond that uvicorn answers 503
    max_connections: int = 1024
    #: uploads waiting for a worker at once; beyond that the server answers 503
    max_pending: int = 256
    #: largest request head (request line and headers)
    max_header_bytes: int = 16 << 10
