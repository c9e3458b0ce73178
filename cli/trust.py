"""``provenance trust``: add, list and remove trust anchors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .common import _usage, err, out

trust_app = typer.Typer(help="Manage trust anchors (roots whose signers are trusted).",
                        no_args_is_help=True)


@trust_app.command("add")
def trust_add(
    file: Annotated[str | None, typer.Argument(
        help="PEM certificate or bundle, a C2PA trust list (PEM or JSON), or its http(s) URL.",
        show_default=False)] = None,
    name: Annotated[str | None, typer.Option(help="Name for the anchor bundle.")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="A trust configuration (store.cfg: accepted certificate purposes, "
        "one EKU OID a line) to accept as well as C2PA's defaults.")] = None,
) -> None:
    """Trust the signers that chain to the certificates in FILE (or at URL)."""
    from provenance import trust as trust_mod  # cryptography: only when used

    if file is None and config is None:
        raise _usage("give a FILE of trust anchors, or --config FILE")
    if config is not None:
        path, oids = trust_mod.add_config(config, name=name if file is None else None)
        err.print(f"Added trust configuration {path.stem!r}: {len(oids)} accepted EKU(s)")
    if file is not None:
        anchor = trust_mod.add_anchor(file, name=name)
        err.print(f"Added {len(anchor.certificates)} anchor(s) as {anchor.name!r}")


@trust_app.command("list")
def trust_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List installed trust anchors."""
    from provenance import trust as trust_mod  # cryptography: only when used

    anchors = trust_mod.list_anchors()
    if as_json:
        doc = {"schema": "provenance.trust/v1", "anchors": [
            {"name": a.name, "path": str(a.path), "subjects": a.subjects()} for a in anchors],
            "ekus": list(trust_mod.DEFAULT_EKUS + tuple(
                e for e in trust_mod.installed_ekus() if e not in trust_mod.DEFAULT_EKUS))}
        out.print_json(json.dumps(doc))
        return
    if not anchors:
        err.print("No trust anchors installed (add one with `provenance trust add FILE.pem`)")
    for a in anchors:
        subjects = a.subjects()
        more = f" (+{len(subjects) - 1} more)" if len(subjects) > 1 else ""
        out.print(f"{a.name}: {subjects[0]}{more}")
    extra = [e for e in trust_mod.installed_ekus() if e not in trust_mod.DEFAULT_EKUS]
    if extra:
        out.print("accepted EKUs beyond C2PA's defaults: " + ", ".join(extra))


@trust_app.command("remove")
def trust_remove(
    name: Annotated[str, typer.Argument(help="Anchor name from `trust list`.")],
) -> None:
    """Remove an installed trust anchor."""
    from provenance import trust as trust_mod  # cryptography: only when used

    path = trust_mod.remove_anchor(name)
    err.print(f"Removed {path}")
