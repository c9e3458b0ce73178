"""The root ``provenance`` app: ``--version``, the registered verbs, and the ``main()`` handler."""

# Human output goes to stderr (one ``OK``/``FAIL`` line per file), machine output to stdout
# (``--json`` one document, ``--jsonl`` one line per file). Exit codes: 0 all passed, 1 a
# verification or policy failed, 2 bad usage or unreadable input, 3 operational failure.

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

import provenance
from cli.common import EXIT_OPERATIONAL, err, out
from cli.identity import identity_app
from cli.registry import registry_app
from cli.sign import sign_cmd, strip_cmd
from cli.trust import trust_app
from cli.tsa import tsa_app
from cli.verify import inspect_cmd, verify_cmd
from provenance.errors import ProvenanceError

app = typer.Typer(
    name="provenance",
    help="Sign human-made files with C2PA Content Credentials and verify them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Registration order is the order of `provenance --help`: commands, then groups.
app.command("sign")(sign_cmd)
app.command("strip")(strip_cmd)
app.command("verify")(verify_cmd)
app.command("inspect")(inspect_cmd)
app.add_typer(identity_app, name="identity")
app.add_typer(trust_app, name="trust")
app.add_typer(tsa_app, name="tsa")
app.add_typer(registry_app, name="registry")


def _show_version(value: bool) -> None:
    if value:
        out.print(f"provenance {provenance.__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", help="Show the version.", is_eager=True, callback=_show_version,
    )] = False,
) -> None:
    """Sign human-made files with C2PA Content Credentials and verify them."""


def main() -> None:
    """Entry point: run the app; turn our errors into one line and an exit code."""
    try:
        app()
    except ProvenanceError as exc:
        err.print(f"error: {exc}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # never a traceback for the user
        if os.environ.get("PROVENANCE_DEBUG"):
            raise
        err.print(f"error: unexpected {type(exc).__name__}: {exc} "
                  "(rerun with PROVENANCE_DEBUG=1 and report it)")
        sys.exit(EXIT_OPERATIONAL)
