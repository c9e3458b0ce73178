"""``provenance registry``: register files signed elsewhere, remove (as the signer), export and
count what the recovery registry holds."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from provenance.errors import ProvenanceError

from .common import EXIT_OK, _load_identity, _trust_store, err

registry_app = typer.Typer(
    help="The recovery registry: manifests found again by fingerprint after stripping.",
    no_args_is_help=True)

DsnOpt = Annotated[str | None, typer.Option(
    "--registry", help="The registry (sqlite:///PATH or postgresql://...; default: local).")]


@registry_app.command("add")
def registry_add(
    files: Annotated[list[Path], typer.Argument(help="Signed images or text files.")],
    registry_dsn: DsnOpt = None,
    trust: Annotated[list[Path] | None, typer.Option(help="Extra trust anchor PEM.")] = None,
) -> None:
    """Register FILES signed elsewhere. Each manifest is validated first; if any does not
    verify, nothing is registered."""
    from provenance.registry import open_registry
    from provenance.registry.record import record_for

    store = _trust_store(trust)
    records = []
    worst = EXIT_OK
    for path in files:
        try:
            records.append(record_for(path, trust=store))
        except ProvenanceError as exc:
            shown = str(exc)
            err.print(f"FAIL {shown}" if shown.startswith(str(path)) else f"FAIL {path}: {shown}")
            worst = max(worst, exc.exit_code)
    if worst != EXIT_OK:
        err.print("nothing registered")
        raise typer.Exit(worst)
    with open_registry(registry_dsn) as reg:
        new = reg.add(records)
        for r in records:
            err.print(f"OK   {r.manifest_id} ({r.kind}, {r.signer.name or 'unknown signer'})")
        err.print(f"{new} registered, {len(records) - new} already there, in {reg.source}")


@registry_app.command("remove")
def registry_remove(
    manifest_id: Annotated[str, typer.Argument(help="The manifest id (urn:c2pa:...).")],
    registry_dsn: DsnOpt = None,
    identity_dir: Annotated[Path | None, typer.Option(
        "--identity", help="The signer's identity dir (its key proves the removal).")] = None,
) -> None:
    """Remove a manifest and all its bindings; proved with the signer's key."""
    from provenance.registry import open_registry
    from provenance.registry.removal import prove_removal

    identity = _load_identity(identity_dir)
    proof = prove_removal(identity, manifest_id)
    with open_registry(registry_dsn, create=False) as reg:
        reg.remove(proof)
        err.print(f"Removed {manifest_id} from {reg.source}")


@registry_app.command("export")
def registry_export(
    registry_dsn: DsnOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output",
                                                help="Write JSONL here.")] = None,
) -> None:
    """Every record as JSON lines (fingerprints and manifest stores; never the content)."""
    from provenance.registry import open_registry

    with open_registry(registry_dsn, create=False) as reg:
        fh = output.open("w", encoding="utf-8") if output is not None else sys.stdout
        try:
            for record in reg.records():
                fh.write(json.dumps(record.export(), ensure_ascii=False) + "\n")
        finally:
            if output is not None:
                fh.close()


@registry_app.command("stats")
def registry_stats(
    registry_dsn: DsnOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """How many manifests the registry holds, by kind and signer."""
    from provenance.registry import open_registry

    with open_registry(registry_dsn, create=False) as reg:
        stats = reg.stats()
    if as_json:
        sys.stdout.write(json.dumps(stats, ensure_ascii=False) + "\n")
        return
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(stats["by_kind"].items())) or "empty"
    err.print(f"{stats['source']}: {stats['manifests']} manifests ({kinds}), "
              f"{stats['soft_bindings']} soft bindings, schema {stats['schema_version']}")
    for s in stats["top_signers"]:
        err.print(f"  {s['manifests']:>8}  {s['name'] or '-'}")
