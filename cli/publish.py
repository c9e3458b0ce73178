"""``provenance publish`` signs a whole site: pages with their media, media, text, the index."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import (
    _executor,
    _file_timeout,
    _password_for,
    _trust_store,
    _tsa_checked,
    _usage,
    err,
)
from .options import (
    P_CLAIM,
    P_FILES,
    P_IDENTITY,
    P_OUTPUT,
    P_REGISTRY,
    P_REPORT,
    IdentityDirOpt,
    JobsOpt,
    JsonOpt,
    NoTsaOpt,
    TsaOpt,
)


class PageCarrier(StrEnum):
    inline = "inline"
    link = "link"


def publish_cmd(
    site: Annotated[Path, typer.Argument(
        metavar="SITE_DIR", show_default=False,
        help="The folder your site generator wrote (e.g. site/, public/, _build/html).")],
    out_dir: Annotated[Path | None, typer.Option(
        "--out-dir", metavar="DIR", rich_help_panel=P_OUTPUT,
        help="Write the signed site here (made if missing).")] = None,
    in_place: Annotated[bool, typer.Option(
        "--in-place", rich_help_panel=P_OUTPUT, help="Sign the site where it is.")] = False,
    carrier: Annotated[PageCarrier, typer.Option(
        "--carrier", metavar="inline|link", rich_help_panel=P_OUTPUT,
        help="Pages: the manifest inline (A.7 <script>) or a NAME.c2pa beside each page, "
        "linked from it.")] = PageCarrier.inline,
    author: Annotated[str | None, typer.Option(
        "--author", metavar="NAME", rich_help_panel=P_CLAIM,
        help="Author's name (default: the identity's).")] = None,
    allow_ai_training: Annotated[bool, typer.Option(
        "--allow-ai-training", rich_help_panel=P_CLAIM,
        help="Do not record the AI-training and data-mining opt-out.")] = False,
    no_identity_assertion: Annotated[bool, typer.Option(
        "--no-identity-assertion", rich_help_panel=P_CLAIM,
        help="Leave out the CAWG identity assertion (see provenance sign --help).")] = False,
    identity_dir: IdentityDirOpt = None,
    trust: Annotated[list[Path] | None, typer.Option(
        "--trust", metavar="PEM", rich_help_panel=P_IDENTITY,
        help="Also trust this root when reading files already signed (repeatable).")] = None,
    tsa: TsaOpt = None,
    no_tsa: NoTsaOpt = False,
    jobs: JobsOpt = None,
    no_register: Annotated[bool, typer.Option(
        "--no-register", rich_help_panel=P_REGISTRY,
        help="Do not register the signed files in the recovery registry.")] = False,
    registry_dsn: Annotated[str | None, typer.Option(
        "--registry", metavar="DSN", rich_help_panel=P_REGISTRY,
        help="Register into this registry instead of the local one.")] = None,
    as_json: JsonOpt = False,
    quiet: Annotated[bool, typer.Option(
        "-q", "--quiet", rich_help_panel=P_REPORT, help="Print only failures and the "
        "summary.")] = False,
    file_timeout: Annotated[float | None, typer.Option(
        "--file-timeout", metavar="SECONDS", min=0.001, rich_help_panel=P_FILES,
        help="Stop a file that takes longer and report it failed.")] = None,
) -> None:
    """Sign a whole site: every page (with the media it shows as ingredients), image, audio,
    video and text file, and a signed publication index (.well-known/c2pa/publication.json).

    Run it again after a change: only what changed is signed again (a changed image, and
    every page that shows it). Links to other sites or to missing files are reported, not
    fatal. Check the result with `provenance verify SITE -r`.
    """
    import provenance
    from provenance._home import default_tsa_url
    from provenance.identity import Identity, default_identity_dir
    from provenance.publish import publish

    from .sign import _open_registry, _warn_expiry

    if (out_dir is None) == (not in_place):
        raise _usage("choose one of --out-dir DIR and --in-place")
    if not site.is_dir():
        raise _usage(f"{site} is not a folder (give the folder your site generator wrote)")
    tsa_url = None if no_tsa else _tsa_checked(tsa or default_tsa_url())
    directory = identity_dir or default_identity_dir()
    identity = Identity.load(directory, password=_password_for(directory))
    _warn_expiry(identity)
    store = _trust_store(trust)
    claim = provenance.ClaimTemplate(author=author or identity.info().name,
                                     allow_ai_training=allow_ai_training)
    options = provenance.SignOptions(claim=claim, tsa_url=tsa_url,
                                     identity_assertion=not no_identity_assertion)
    registry = _open_registry(no_register, registry_dsn)

    def show(f: Any) -> None:
        if f.outcome == "failed":
            err.print(f"FAIL {f.path}: {f.reason}")
        elif not quiet and f.outcome not in ("unchanged",):
            err.print(f"{_WORD[f.outcome]} {f.path}")

    with registry if registry is not None else nullcontext(), \
            _executor(jobs, None, 1 << 20) as ex:
        result = publish(
            site, identity=identity, out_dir=out_dir, in_place=in_place, options=options,
            carrier="link" if carrier is PageCarrier.link else "html", trust=store,
            executor=ex, registry=registry,
            file_timeout=_file_timeout(file_timeout), on_file=show,
        )
    shown: dict[str, int] = {}
    for p in result.links:
        # A page of 60,000 broken <img> is not 60,000 lines: the first few, then a count.
        shown[p.page] = shown.get(p.page, 0) + 1
        if shown[p.page] <= _LINKS_SHOWN:
            err.print(f"warning: {p.page}: {p.url} {_PROBLEM[p.problem]}")
    for page, count in shown.items():
        if count > _LINKS_SHOWN:
            err.print(f"warning: {page}: {count - _LINKS_SHOWN:,} more links with problems "
                      "(every one is in --json)")
    c = result.counts()
    extra = ", ".join(f"{c[k]} {k}" for k in ("kept", "copied", "listed", "removed", "failed")
                      if c.get(k))
    err.print(f"{c.get('signed', 0)} signed, {c.get('unchanged', 0)} unchanged"
              + (f", {extra}" if extra else "")
              + (f"; index {result.index}" if result.index_written else
                 "; index unchanged"))
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
    raise typer.Exit(result.exit_code)


#: Link problems printed per page before the rest are counted.
_LINKS_SHOWN = 10
_WORD = {"signed": "SIGN", "kept": "KEEP", "copied": "COPY", "listed": "LIST",
         "removed": "GONE", "unchanged": "SAME", "failed": "FAIL"}
_PROBLEM = {"external": "leaves the site (not an ingredient)",
            "missing": "is not in the site (missing file)",
            "not media": "is not a media file (not an ingredient)",
            "not signed": "could not be signed (not an ingredient)"}
