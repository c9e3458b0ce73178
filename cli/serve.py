"""``provenance serve``: the verify page, the JSON API and the soft-binding resolution API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import _usage, err
from .options import P_POLICY, P_REGISTRY, JobsOpt

P_SERVER = "Server"


def serve_cmd(
    host: Annotated[str, typer.Option(
        "--host", metavar="HOST", rich_help_panel=P_SERVER,
        help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(
        "--port", metavar="PORT", min=0, max=65535, rich_help_panel=P_SERVER,
        help="Port to listen on (0: any free port).")] = 8000,
    registry: Annotated[str | None, typer.Option(
        "--registry", metavar="DSN", rich_help_panel=P_REGISTRY,
        help="The registry to recover from and serve (sqlite:///PATH or postgresql://...; "
        "default: the local registry).")] = None,
    no_lookup: Annotated[bool, typer.Option(
        "--no-lookup", rich_help_panel=P_REGISTRY,
        help="Do not look up files without Content Credentials in the registry.")] = False,
    max_upload_mb: Annotated[float, typer.Option(
        "--max-upload-mb", metavar="MIB", min=0.001, rich_help_panel=P_SERVER,
        help="Refuse uploads larger than this many MiB (413).")] = 100,
    jobs: JobsOpt = None,
    allow_fetch: Annotated[bool, typer.Option(
        "--allow-fetch", rich_help_panel=P_SERVER,
        help="Let /v1/matches/byReference fetch the URL a client names (network; bounded "
        "size and time). Off: the server fetches nothing.")] = False,
    trust: Annotated[list[Path] | None, typer.Option(
        "--trust", metavar="PEM", rich_help_panel=P_POLICY,
        help="Also trust signers that chain to this root (repeatable).")] = None,
    require_trusted: Annotated[bool, typer.Option(
        "--require-trusted", rich_help_panel=P_POLICY,
        help="Fail a valid signature whose signer is not trusted.")] = False,
    allow_ai: Annotated[bool, typer.Option(
        "--allow-ai", rich_help_panel=P_POLICY, help="Accept AI or mixed origin.")] = False,
    file_timeout: Annotated[float, typer.Option(
        "--file-timeout", metavar="SECONDS", min=0.001, rich_help_panel=P_SERVER,
        help="Stop judging a file that takes longer (the request gets an error).")] = 60.0,
    upload_timeout: Annotated[float, typer.Option(
        "--upload-timeout", metavar="SECONDS", min=0.001, rich_help_panel=P_SERVER,
        help="A client must send its whole upload within this time (408).")] = 120.0,
    header_timeout: Annotated[float, typer.Option(
        "--header-timeout", metavar="SECONDS", min=0.001, rich_help_panel=P_SERVER,
        help="A connection must send its request's headers within this time.")] = 10.0,
) -> None:
    """Serve the verify page (GET /), the JSON API (/api/v1) and the C2PA soft-binding
    resolution API (/v1) until Ctrl-C.

    Offline: the server fetches nothing unless --allow-fetch. Every answer comes from the
    same library calls as `provenance verify` and `provenance inspect`.
    """
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise _usage(f"provenance serve needs the server extra ({exc.name} is missing): "
                     "pip install '.[server]' in the checkout you installed from "
                     "(human-provenance is not on PyPI yet)") from None
    from provenance.batch import default_jobs
    from provenance.server.run import serve
    from provenance.server.settings import MIB, ServerSettings

    if jobs is not None and jobs < 1:
        raise _usage(f"-j must be at least 1, got {jobs}")
    missing = [str(p) for p in trust or () if not p.is_file()]
    if missing:
        raise _usage(f"--trust: no such file {', '.join(missing)}")
    if registry is not None and no_lookup:
        raise _usage("choose one of --registry and --no-lookup")
    settings = ServerSettings(
        host=host, port=port, registry=registry, lookup=not no_lookup,
        max_upload_bytes=max(1, int(max_upload_mb * MIB)), allow_fetch=allow_fetch,
        jobs=jobs if jobs is not None else default_jobs(),
        trust=tuple(str(p.resolve()) for p in trust or ()),
        require_trusted=require_trusted, allow_ai=allow_ai, file_timeout=file_timeout,
        upload_timeout=upload_timeout, header_timeout=header_timeout,
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"note: listening on {host}: other machines can reach this server")
    serve(settings)
