"""``provenance doctor``: before publishing, what of each file's provenance survives e-mail, a
CMS, social networks, a messenger, an image CDN and copy-paste."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from provenance.errors import ProvenanceError

if TYPE_CHECKING:
    from provenance.doctor.report import Checkup, Outcome

from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, _trust_store, _usage, err
from .options import P_POLICY, P_REGISTRY, JsonOpt

ThroughOpt = Annotated[list[str] | None, typer.Option(
    "--through", metavar="CHANNEL,...",
    help="Only these channels (comma-separated or repeated): email, wordpress, instagram, "
    "mastodon, bluesky, signal, cdn, copy-paste. Default: every one that carries the type.")]
DoctorRegistryOpt = Annotated[list[str] | None, typer.Option(
    "--registry", metavar="DSN", rich_help_panel=P_REGISTRY,
    help="Look copies up in this registry (sqlite:///PATH or postgresql://...; repeatable; "
    "default: what verify asks). Lookups only: nothing is registered.")]


def doctor_cmd(
    files: Annotated[list[Path], typer.Argument(
        metavar="FILE...", show_default=False, help="Signed files to check.")],
    through: ThroughOpt = None,
    as_json: JsonOpt = False,
    registry_dsn: DoctorRegistryOpt = None,
    trust: Annotated[list[Path] | None, typer.Option(
        "--trust", metavar="PEM", rich_help_panel=P_POLICY,
        help="Also trust signers that chain to this root (repeatable).")] = None,
) -> None:
    """Check before publishing what will survive the way out: each channel's copy of FILES is
    made with real transforms (resize, re-encode, metadata stripping, WebP; Unicode
    normalisation, invisible characters removed, HTML sanitised, Markdown reflowed), then
    checked for the embedded manifest, the sidecar or link, and recovery by fingerprint.

    Exit 0 when on every channel something still leads back to the manifest, 1 when on some
    channel nothing does (or a file has no Content Credentials), 2 bad usage or input,
    3 operational failure (a registry cannot be opened). Channel limits and their sources:
    the README, "What survives the way out".
    """
    from provenance.doctor import choose, doctor_document
    from provenance.doctor.checks import checkup
    from provenance.registry.recovery import lookup_sources

    try:
        channels = choose(through)
    except ValueError as exc:
        raise _usage(f"--through: {exc}") from exc
    store = _trust_store(trust)
    sources = lookup_sources(registry_dsn or ())
    opened: dict[str | None, Any] = {}
    results = []
    errors: list[dict[str, str]] = []
    worst = EXIT_OK
    try:
        for path in files:
            try:
                result = checkup(path, channels, trust=store, sources=sources, opened=opened)
            except ProvenanceError as exc:
                shown = str(exc)
                err.print(f"error: {shown}" if shown.startswith(str(path))
                          else f"error: {path}: {shown}")
                errors.append({"path": str(path), "error": shown})
                worst = max(worst, exc.exit_code)
                continue
            results.append(result)
            if result.nothing_survives:
                worst = max(worst, EXIT_FAILED)
            if not as_json:
                _render(result)
    finally:
        for reg in opened.values():
            reg.close()
    if as_json:
        sys.stdout.write(json.dumps(doctor_document(results, errors), ensure_ascii=False,
                                    indent=2) + "\n")
    raise typer.Exit(worst if worst != EXIT_OK or results or not errors else EXIT_USAGE)


_HARD = {"kept": "kept", "broken": "BROKEN", "gone": "gone", "none": "-"}
_SIDE = {"kept": "kept", "broken": "BROKEN", "not carried": "not carried", "none": "-"}


def _soft(o: Outcome) -> str:
    if o.soft == "recovered":
        return f"recovered, {o.similarity}"
    if o.soft == "other":
        return f"OTHER manifest, {o.similarity}"
    return "-" if o.soft == "no fingerprint" else str(o.soft)


def _render(result: Checkup) -> None:
    """One file: a heading, the channel table, the advice and an OK/FAIL line (stderr)."""
    from rich.table import Table

    from .plaintext import plain
    from .render import status_line

    carrier = f", {result.carrier} manifest" if result.carrier else ""
    registered = {True: ", registered", False: ", not registered", None: ""}[result.registered]
    table = Table(title=plain(f"{result.path} ({result.media_type}): {result.status}{carrier}"
                              f"{registered}"), title_justify="left")
    wide = err.width >= 120  # what each channel did fits beside the verdicts
    cols = ["channel", "hard binding", "sidecar/link", "soft binding", "survives"]
    for col in [*cols, "what the channel did"] if wide else cols:
        table.add_column(col, overflow="fold")
    for o in result.outcomes:
        name = f"{o.channel}: {o.copy}"
        if not o.simulated:
            table.add_row(name, o.done, "", "", "", *([""] if wide else []))
            continue
        hard = _HARD[o.hard] + (f" ({o.status})" if o.hard == "kept" else "")
        table.add_row(name, hard, _SIDE[o.sidecar], _soft(o), "yes" if o.survives else "NO",
                      *([o.done] if wide else []))
    err.print(table)
    for advice in result.advice:
        err.print(f"advice: {advice.text}")
    lost = result.nothing_survives
    if lost:
        where = ", ".join(f"{o.channel} ({o.copy})" for o in lost)
        status_line(f"FAIL {result.path}: nothing leads back to the manifest after {where}")
    elif any(o.simulated for o in result.outcomes):
        status_line(f"OK   {result.path}: something leads back to the manifest on every "
                    "channel")
    else:
        status_line(f"WARN {result.path}: no chosen channel carries this type")
