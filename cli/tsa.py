"""``provenance tsa``: create and serve an RFC 3161 timestamp authority of your own."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from provenance._home import tsa_dir

from .common import err

tsa_app = typer.Typer(help="Run an RFC 3161 timestamp authority of your own.",
                      no_args_is_help=True)


@tsa_app.command("init")
def tsa_init(
    directory: Annotated[Path | None, typer.Option("--dir", help="Where to keep the TSA.")] = None,
    name: Annotated[str, typer.Option(help="TSA name.")] = "provenance TSA",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing TSA.")] = False,
) -> None:
    """Create the TSA's root CA and timeStamping certificate (root.pem is what verifiers trust)."""
    from provenance.tsa import TimestampAuthority

    tsa, root_key = TimestampAuthority.create(name)
    d = tsa.save(directory or tsa_dir(), root_key=root_key, overwrite=force)
    err.print(f"Created timestamp authority {name!r} in {d}; verifiers trust it with "
              f"`provenance trust add {d / 'root.pem'}`")


@tsa_app.command("serve")
def tsa_serve(
    directory: Annotated[Path | None, typer.Option("--dir", help="TSA directory.")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).")] = 3161,
) -> None:
    """Serve RFC 3161 timestamps over HTTP until interrupted."""
    from provenance.tsa import TimestampAuthority, serve

    server = serve(TimestampAuthority.load(directory or tsa_dir()), host, port)
    bound_host, bound_port = server.server_address[:2]
    err.print(f"Timestamp authority listening on http://{bound_host!s}:{bound_port}/ "
              "(Ctrl-C stops)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()
        err.print("stopped")
