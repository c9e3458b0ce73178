"""The options verbs share, as typer declares them (imported by the verb modules only: the
fast verify path in cli/main.py runs without typer), and the help panels they are listed under."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = [
    "P_CARRIER", "P_CLAIM", "P_FILES", "P_IDENTITY", "P_OUTPUT", "P_POLICY", "P_REGISTRY",
    "P_REPORT", "P_RESIGN", "ExcludeOpt", "ExecutorOpt", "FileTimeoutOpt", "IdentityDirOpt",
    "IncludeOpt", "JobsOpt", "JsonOpt", "JsonlOpt", "MaxStdinOpt", "NoTsaOpt", "StrictOpt",
    "TsaOpt",
]


# Help panels: `provenance sign --help` groups its options under these headings. A new option
# names its panel with rich_help_panel=P_...; one without a panel is listed under "Options".
P_OUTPUT = "Where the output goes"
P_CLAIM = "What the manifest declares"
P_CARRIER = "Where the manifest goes (text, sidecar)"
P_IDENTITY = "Identity, trust and timestamp"
P_RESIGN = "Signed files and existing outputs"
P_POLICY = "Policy and trust"
P_FILES = "Many files"
P_REPORT = "What is printed"
P_REGISTRY = "Recovery registry"


#: Options sign and verify share, word for word.
IncludeOpt = Annotated[list[str] | None, typer.Option(
    "--include", metavar="PATTERN", rich_help_panel=P_FILES,
    help="Only files matching this pattern (repeatable; '*.jpg', 'photos/*').")]
ExcludeOpt = Annotated[list[str] | None, typer.Option(
    "--exclude", metavar="PATTERN", rich_help_panel=P_FILES,
    help="Leave out files or folders matching this pattern (repeatable).")]
StrictOpt = Annotated[bool, typer.Option(
    "--strict", rich_help_panel=P_FILES,
    help="Fail (exit 2) on files of unsupported types instead of skipping them.")]
JobsOpt = Annotated[int | None, typer.Option(
    "-j", "--jobs", metavar="N", rich_help_panel=P_FILES,
    help="Worker processes (default: all cores).")]
ExecutorOpt = Annotated[str | None, typer.Option(
    "--executor", metavar="URL", rich_help_panel=P_FILES,
    help="Run on a Dask cluster: dask://HOST:PORT.")]
JsonOpt = Annotated[bool, typer.Option(
    "--json", rich_help_panel=P_REPORT, help="One JSON document on stdout.")]
JsonlOpt = Annotated[bool, typer.Option(
    "--jsonl", rich_help_panel=P_REPORT, help="One JSON line per file on stdout.")]

#: Who signs and when: options sign and publish share, word for word.
IdentityDirOpt = Annotated[Path | None, typer.Option(
    "--identity", metavar="DIR", rich_help_panel=P_IDENTITY,
    help="Identity folder (default: PROVENANCE_HOME/identity).")]
TsaOpt = Annotated[str | None, typer.Option(
    "--tsa", metavar="URL", rich_help_panel=P_IDENTITY,
    help="RFC 3161 timestamp authority (default: PROVENANCE_TSA_URL or config.toml).",
)]
NoTsaOpt = Annotated[bool, typer.Option(
    "--no-tsa", rich_help_panel=P_IDENTITY, help="Do not timestamp.")]


#: ``--file-timeout`` and ``--max-stdin-mb``: None means the config.toml value or the default.
FileTimeoutOpt = typer.Option(
    "--file-timeout", metavar="SECONDS", min=0.001, rich_help_panel=P_FILES,
    help="Stop a file that takes longer and report it failed (default: file_timeout in "
    "config.toml, else 60).")
MaxStdinOpt = typer.Option(
    "--max-stdin-mb", metavar="MIB", min=1, rich_help_panel=P_FILES,
    help="Refuse more than this many MiB on stdin (default: max_stdin_mb in config.toml, "
    "else 1024).")
