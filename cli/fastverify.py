"""``provenance verify FILE...`` without typer: the call pre-commit hooks and shell loops make
once per file, answered for the cost of importing c2pa and the verify path (typer and click
cost ~40 ms more than the verification of a small file, and ~45 ms building and parsing).

Only the plain form is taken: file arguments and the flags below, which take no value. Anything
else (an option with a value, ``--``, combined short flags, a typo, shell completion) returns
None and goes to typer, which parses and reports it as before. Both paths call the same
``verify_files``; tests/cli/test_fastverify.py checks this table against typer's own parameters
and the two paths' outputs against each other."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["FLAGS", "parse", "run"]

#: flag -> (verify_files keyword, value): each is a boolean option of ``verify_cmd``.
FLAGS: dict[str, tuple[str, bool]] = {
    "--require-trusted": ("require_trusted", True),
    "--allow-ai": ("allow_ai", True),
    "--require-identity": ("require_identity", True),
    "--fetch-remote": ("fetch_remote", True),
    "-r": ("recursive", True),
    "--recursive": ("recursive", True),
    "--strict": ("strict", True),
    "--json": ("as_json", True),
    "--jsonl": ("as_jsonl", True),
    "--table": ("table", True),
    "-q": ("quiet", True),
    "--quiet": ("quiet", True),
    "--progress": ("progress", True),
    "--no-progress": ("progress", False),
    "--summary": ("summary", True),
    "--no-summary": ("summary", False),
    "--no-lookup": ("no_lookup", True),
    "--accept-recovered": ("accept_recovered", True),
    "--check-domain": ("check_domain", True),
    "--require-domain": ("require_domain", True),
    "--refresh-domain": ("refresh_domain", True),
}


def parse(args: list[str]) -> tuple[list[Path], dict[str, bool]] | None:
    """``verify``'s arguments (after the verb) as files and flags, or None when typer must
    parse them."""
    if any(k.startswith("_PROVENANCE_COMPLETE") for k in os.environ):
        return None  # shell completion is typer's
    files: list[Path] = []
    flags: dict[str, bool] = {}
    for arg in args:
        known = FLAGS.get(arg)
        if known is not None:
            flags[known[0]] = known[1]  # the last one wins, as in click
        elif arg == "-" or (arg and not arg.startswith("-")):
            files.append(Path(arg))
        else:
            return None
    return (files, flags) if files else None


def run(files: list[Path], flags: dict[str, bool]) -> None:
    """Verify as ``provenance verify`` does; leaves through ``common.Exit``."""
    from .common import Exit
    from .verify_run import verify_files

    raise Exit(verify_files(files, **flags))  # type: ignore[arg-type]
