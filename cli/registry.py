"""``provenance registry``: register files signed elsewhere, remove (as the signer), export and
count what the recovery registry holds."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

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

    records = _validated_records(files, _trust_store(trust), "nothing registered")
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


# -- publishing to a resolution API, and its tokens (issue #13) -------------------------------

TokenOpt = Annotated[str | None, typer.Option(
    "--token", metavar="TOKEN", envvar="PROVENANCE_REGISTRY_TOKEN", show_envvar=False,
    help="Bearer token of the server (or PROVENANCE_REGISTRY_TOKEN).")]


@registry_app.command("push")
def registry_push(
    files: Annotated[list[Path], typer.Argument(help="Signed images or text files.")],
    registry_url: Annotated[str, typer.Option(
        "--registry", metavar="URL",
        help="The server (https://..., or http://127.0.0.1:PORT).")],
    token: TokenOpt = None,
    trust: Annotated[list[Path] | None, typer.Option(help="Extra trust anchor PEM.")] = None,
) -> None:
    """Publish FILES' manifests and soft bindings to a server speaking the C2PA
    soft-binding resolution API. Each manifest is validated first, as by `registry add`;
    if any does not verify, nothing is published."""
    from provenance.registry import open_registry
    from provenance.registry.remote import is_url

    if not is_url(registry_url):
        err.print(f"error: --registry {registry_url} is not a server URL; `registry add` "
                  "registers into a database")
        raise typer.Exit(2)
    records = _validated_records(files, _trust_store(trust), "nothing published")
    with open_registry(registry_url, token=token) as reg:
        new = reg.add(records)
        for r in records:
            err.print(f"OK   {r.manifest_id} ({r.kind}, {r.signer.name or 'unknown signer'})")
        err.print(f"{new} published, {len(records) - new} already there, on {reg.source}")


token_app = typer.Typer(help="Bearer tokens of `provenance serve` (stored hashed in the "
                             "registry database).", no_args_is_help=True)
registry_app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    scopes: Annotated[str, typer.Option(
        "--scopes", help="Comma-separated: fetch:manifests, store:manifests, store:bindings.")],
    registry_dsn: DsnOpt = None,
    name: Annotated[str | None, typer.Option("--name", help="A label for the list.")] = None,
) -> None:
    """Make a token; it is printed once (stdout) and only its hash is kept."""
    from provenance.registry import open_registry
    from provenance.registry.tokens import create_token, parse_scopes

    wanted = parse_scopes(scopes)
    with open_registry(registry_dsn) as reg:
        made = create_token(reg, wanted, name=name)
        err.print(f"Token {made.info.id} ({', '.join(made.info.scopes)}) in {reg.source}; "
                  "it is shown once: keep it now")
    sys.stdout.write(made.token + "\n")


@token_app.command("list")
def token_list(
    registry_dsn: DsnOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every token: id, name, scopes, when made and revoked (never the secret)."""
    from provenance.registry import open_registry
    from provenance.registry.tokens import list_tokens

    with open_registry(registry_dsn, create=False) as reg:
        tokens = list_tokens(reg)
    if as_json:
        sys.stdout.write(json.dumps({"schema": "provenance.registry-tokens/v1",
                                     "tokens": [t.to_dict() for t in tokens]}) + "\n")
        return
    if not tokens:
        err.print("no tokens")
    for t in tokens:
        state = f"revoked {t.revoked_at}" if t.revoked_at else "active"
        err.print(f"{t.id}  {','.join(t.scopes):<46} {t.created_at}  {state}  {t.name or ''}")


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (or the token).")],
    registry_dsn: DsnOpt = None,
) -> None:
    """Revoke a token: it never authenticates again."""
    from provenance.registry import open_registry
    from provenance.registry.tokens import revoke_token

    with open_registry(registry_dsn, create=False) as reg:
        info = revoke_token(reg, token_id)
    err.print(f"Revoked {info.id} ({info.revoked_at})")


def _validated_records(files: list[Path], store: Any, nothing: str) -> list[Any]:
    """The registry record of every file, each manifest validated first; if any does not
    verify, one FAIL line per such file, then ``nothing`` and the worst exit code."""
    from provenance.registry.record import record_for

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
        err.print(nothing)
        raise typer.Exit(worst)
    return records
