"""``provenance sign`` signs files, trees or stdin as human-made; ``strip`` unsigns text."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

import provenance
import provenance.batch
from provenance._home import default_tsa_url

if TYPE_CHECKING:  # imported where used: `provenance --help` loads this module
    from provenance.identity import Identity
    from provenance.registry.base import Registry

from .common import (
    CarrierOpt,
    OriginOpt,
    _executor,
    _expand,
    _file_timeout,
    _load_identity,
    _make_out_dir,
    _password_for,
    _read_stdin,
    _trust_store,
    _tsa_checked,
    _usage,
    err,
)
from .options import (
    P_CARRIER,
    P_CLAIM,
    P_FILES,
    P_IDENTITY,
    P_OUTPUT,
    P_REGISTRY,
    P_REPORT,
    P_RESIGN,
    ExcludeOpt,
    ExecutorOpt,
    FileTimeoutOpt,
    IdentityDirOpt,
    IncludeOpt,
    JobsOpt,
    JsonlOpt,
    JsonOpt,
    MaxStdinOpt,
    NoTsaOpt,
    StrictOpt,
    TsaOpt,
)
from .render import _run


def sign_cmd(
    files: Annotated[list[Path], typer.Argument(
        metavar="FILE...", show_default=False,
        help="Files, folders (with -r) or glob patterns to sign; '-' signs stdin to stdout.")],
    # -- where the output goes
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="FILE", rich_help_panel=P_OUTPUT,
        help="Write the signed file here (one input).")] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out-dir", metavar="DIR", rich_help_panel=P_OUTPUT,
        help="Write into this folder (made if missing), keeping the folders of a tree.")] = None,
    in_place: Annotated[bool, typer.Option(
        "--in-place", rich_help_panel=P_OUTPUT, help="Replace the source itself.")] = False,
    # -- what the manifest declares
    origin: Annotated[OriginOpt | None, typer.Option(
        "--origin", metavar="capture|creation|edit", rich_help_panel=P_CLAIM,
        help="How it was made. Default: edit with --parent; capture for photos (raster "
        "images), audio and video; creation for documents, drawings (SVG) and text.",
    )] = None,
    parent: Annotated[Path | None, typer.Option(
        "--parent", metavar="FILE", rich_help_panel=P_CLAIM,
        help="The signed file this one was edited from (kept as its parent).")] = None,
    author: Annotated[str | None, typer.Option(
        "--author", metavar="NAME", rich_help_panel=P_CLAIM,
        help="Author's name (default: the identity's).")] = None,
    author_title: Annotated[str | None, typer.Option(
        "--author-title", metavar="TITLE", rich_help_panel=P_CLAIM,
        help="Author's job title.")] = None,
    title: Annotated[str | None, typer.Option(
        "--title", metavar="TITLE", rich_help_panel=P_CLAIM,
        help="The work's title (default: the file name).")] = None,
    allow_ai_training: Annotated[bool, typer.Option(
        "--allow-ai-training", rich_help_panel=P_CLAIM,
        help="Do not record the AI-training and data-mining opt-out.")] = False,
    thumbnail: Annotated[bool, typer.Option(
        "--thumbnail", rich_help_panel=P_CLAIM,
        help="Embed a small thumbnail (raster images only).")] = False,
    no_identity_assertion: Annotated[bool, typer.Option(
        "--no-identity-assertion", rich_help_panel=P_CLAIM,
        help="Leave out the CAWG identity assertion that names you by your own signature "
        "(c2pa-rs readers cannot trust it yet and show such files as Valid, not Trusted).",
    )] = False,
    # -- where the manifest goes
    carrier: Annotated[CarrierOpt | None, typer.Option(
        "--carrier", metavar="unstructured|structured|html|link|sidecar",
        rich_help_panel=P_CARRIER,
        help="Where the manifest goes in text (default: from the file type); sidecar (a "
        "NAME.EXT.c2pa beside it) for any file.")] = None,
    manifest_url: Annotated[str | None, typer.Option(
        "--manifest-url", metavar="URL", rich_help_panel=P_CARRIER,
        help="With --carrier link: where you will publish the .c2pa file.")] = None,
    name: Annotated[str | None, typer.Option(
        "--name", metavar="NAME", rich_help_panel=P_CARRIER,
        help="With '-': a text file's name, whose type says how to read stdin (.txt, "
        ".md, .html...; default stdin.txt).")] = None,
    # -- who signs, whom to trust, when
    identity_dir: IdentityDirOpt = None,
    trust: Annotated[list[Path] | None, typer.Option(
        "--trust", metavar="PEM", rich_help_panel=P_IDENTITY,
        help="Also trust this root when checking a parent (repeatable).")] = None,
    tsa: TsaOpt = None,
    no_tsa: NoTsaOpt = False,
    # -- files already signed, outputs already there
    replace: Annotated[bool, typer.Option(
        "--replace", rich_help_panel=P_RESIGN,
        help="Sign a file that already has Content Credentials, discarding them.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", rich_help_panel=P_RESIGN,
        help="Sign even when the output already holds what would be written, and replace "
        "an existing output that is not yours.")] = False,
    skip_signed: Annotated[bool, typer.Option(
        "--skip-signed", rich_help_panel=P_RESIGN,
        help="Skip named files that already carry this identity's intact manifest (files "
        "found in folders always are).")] = False,
    # -- many files
    recursive: Annotated[bool, typer.Option(
        "-r", "--recursive", rich_help_panel=P_FILES,
        help="Sign every file under the folders given.")] = False,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    strict: StrictOpt = False,
    jobs: JobsOpt = None,
    executor_url: ExecutorOpt = None,
    # -- what is printed
    as_json: JsonOpt = False,
    as_jsonl: JsonlOpt = False,
    report: Annotated[Path | None, typer.Option(
        "--report", metavar="FILE", rich_help_panel=P_REPORT,
        help="Write the JSON (with --jsonl: JSON lines) report to this file.")] = None,
    quiet: Annotated[bool, typer.Option(
        "-q", "--quiet", rich_help_panel=P_REPORT,
        help="Print only failures and the summary (--no-summary: not that).")] = False,
    progress: Annotated[bool | None, typer.Option(
        "--progress/--no-progress", rich_help_panel=P_REPORT,
        help="Progress bar (default: on a terminal).")] = None,
    summary: Annotated[bool | None, typer.Option(
        "--summary/--no-summary", rich_help_panel=P_REPORT,
        help="Summary table at the end (default: for folders and patterns).")] = None,
    file_timeout: Annotated[float | None, FileTimeoutOpt] = None,
    max_stdin_mb: Annotated[int | None, MaxStdinOpt] = None,
    # -- the recovery registry
    no_register: Annotated[bool, typer.Option(
        "--no-register", rich_help_panel=P_REGISTRY,
        help="Do not register the signed files in the recovery registry.")] = False,
    registry_dsn: Annotated[str | None, typer.Option(
        "--registry", metavar="DSN", rich_help_panel=P_REGISTRY,
        help="Register into this registry (sqlite:///PATH, postgresql://..., or publish to a "
        "resolution API's https:// URL) instead of the local one.")] = None,
    token: Annotated[str | None, typer.Option(
        "--token", metavar="TOKEN", rich_help_panel=P_REGISTRY,
        envvar="PROVENANCE_REGISTRY_TOKEN", show_envvar=False,
        help="Bearer token for publishing to a --registry URL (or PROVENANCE_REGISTRY_TOKEN).",
    )] = None,
) -> None:
    """Sign FILES as human-made: NAME.signed.EXT beside each (or -o, --out-dir, --in-place).

    The manifest declares who made it (your identity), how (--origin) and that it must not be
    used to train AI (unless --allow-ai-training). Running it again skips files whose output
    already holds what would be written; an existing output is replaced only when it is an
    earlier output of yours (or with --force). See also: provenance help carriers.
    """
    if sum((output is not None, out_dir is not None, in_place)) > 1:
        raise _usage("choose one of -o, --out-dir and --in-place")
    if origin is OriginOpt.edit and parent is None:
        raise _usage("--origin edit needs --parent ORIGINAL (the file you edited)")
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise _usage(f"--out-dir {out_dir} is a file, not a directory")
    if as_json and as_jsonl:
        raise _usage("choose one of --json and --jsonl")
    if carrier is CarrierOpt.link and not manifest_url:
        raise _usage("--carrier link needs --manifest-url URL")
    tsa_url = None if no_tsa else _tsa_checked(tsa or default_tsa_url())

    def options(identity: Identity) -> provenance.SignOptions:
        """The one options object this call signs with (the author defaults to the
        identity's name)."""
        who = author or identity.info().name
        claim = provenance.ClaimTemplate(
            origin=origin.value if origin else None,
            author=who, author_title=author_title, title=title,
            allow_ai_training=allow_ai_training,
        ) if (origin is not None or who or title or allow_ai_training or author_title) else None
        return provenance.SignOptions(
            claim=claim, parent=parent, output=output, out_dir=out_dir, in_place=in_place,
            replace=replace, carrier=carrier.value if carrier else None,
            manifest_url=manifest_url, thumbnail=thumbnail, tsa_url=tsa_url,
            identity_assertion=not no_identity_assertion,
        )

    if [str(f) for f in files] == ["-"]:
        _sign_stdin(identity_dir, name or "stdin.txt", carrier, parent, trust, options,
                    max_stdin_mb)
        return
    items, is_batch = _expand(files, recursive, include, exclude,
                              [out_dir] if out_dir is not None else [])
    if output is not None and len(items) > 1:
        raise _usage("-o takes one input file; use --out-dir for several")
    _check_inputs(items)  # before asking for the passphrase: a typo costs no secret
    if out_dir is not None:
        _make_out_dir(out_dir)  # every pipeline example writes into one
    from provenance.identity import Identity, default_identity_dir

    directory = identity_dir or default_identity_dir()
    password = _password_for(directory)
    identity = Identity.load(directory, password=password)
    store = _trust_store(trust)
    _warn_expiry(identity)
    opts = options(identity)
    registry = _open_registry(no_register, registry_dsn, token)
    with registry if registry is not None else nullcontext(), \
            _executor(jobs, executor_url, len(items)) as ex:
        signer = _signer_for(identity, directory, remote=executor_url is not None)
        results = provenance.batch.sign(
            items, identity=signer, options=opts, trust=store, force=force, strict=strict,
            skip_signed=skip_signed, executor=ex, file_timeout=_file_timeout(file_timeout),
            registry=registry,
        )
        rendered = _run("sign", results, total=len(items), as_json=as_json,
                        as_jsonl=as_jsonl, report=report, quiet=quiet, progress=progress)
    if rendered.tally.outcomes.get("signed") and tsa_url is None and not no_tsa:
        expires = identity.certificate.not_valid_after_utc
        err.print(f"note: no timestamp (--tsa URL); these signatures stop validating when the "
                  f"certificate expires on {expires:%Y-%m-%d}")
    if is_batch if summary is None else summary:
        rendered.summary_table()
    raise typer.Exit(rendered.tally.worst)


def _signer_for(identity: Identity, directory: Path, *, remote: bool,
                ) -> Identity | provenance.batch.IdentityRef:
    """What the workers get. Local workers: the loaded identity (over local pipes). A Dask
    cluster: only the identity's path; each worker reads the key from the shared path and
    the passphrase from its own environment, so no secret goes to the scheduler."""
    if remote:
        return provenance.batch.IdentityRef(directory.absolute())
    return identity


def _sign_stdin(identity_dir: Path | None, name: str, carrier: CarrierOpt | None,
                parent: Path | None, trust: list[Path] | None,
                options: Callable[[Identity], provenance.SignOptions],
                max_stdin_mb: int | None) -> None:
    """``provenance sign -``: text from stdin, signed text on stdout (embedded carriers)."""
    from provenance.carriers.text import sign_text_bytes

    if carrier in (CarrierOpt.sidecar, CarrierOpt.link):
        raise _usage(f"--carrier {carrier.value} writes a separate file; give a FILE, not '-'")
    identity = _load_identity(identity_dir)
    _warn_expiry(identity)
    data = _read_stdin(max_stdin_mb)
    parent_data = parent.read_bytes() if parent is not None and parent.is_file() else None
    if parent is not None and parent_data is None:
        raise _usage(f"--parent {parent} is not a readable file")
    signed = sign_text_bytes(
        data, name=name, identity=identity, options=options(identity), parent=parent_data,
        parent_name=parent.name if parent is not None else None, trust=_trust_store(trust),
    )
    sys.stdout.buffer.write(signed.data)
    sys.stdout.buffer.flush()
    err.print(f"OK   - ({signed.carrier})")


def _check_inputs(items: list[provenance.batch.Item]) -> None:
    """When no named file can be read, say so before any secret is asked for (with several,
    the unreadable ones fail one by one and the others are signed, as always)."""
    from provenance._files import open_input

    if not items or not all(i.explicit and not i.path.is_file() for i in items):
        return
    open_input(items[0].path).close()  # raises the one-line InputError (exit 2)


def _open_registry(no_register: bool, dsn: str | None,
                   token: str | None = None) -> Registry | None:
    """The registry this run registers into, opened before anything is signed (a DSN that
    cannot connect stops the run with nothing written)."""
    if no_register:
        if dsn is not None:
            raise _usage("choose one of --no-register and --registry")
        return None
    from provenance.registry import open_registry
    from provenance.registry.remote import is_url

    if token is not None and not is_url(dsn):
        raise _usage("--token goes with a --registry https:// URL")
    registry = open_registry(dsn, token=token)
    check = getattr(registry, "check_publish", None)
    if check is not None:
        check()  # a bad token or an unreachable server: nothing is signed
    return registry


def _warn_expiry(identity: Identity) -> None:
    from provenance.identity import check_usable

    check_usable(identity)
    expires = identity.certificate.not_valid_after_utc
    left = expires - datetime.now(UTC)
    if left < timedelta(days=30):
        err.print(f"warning: your signing certificate expires in {left.days} days "
                  f"({expires:%Y-%m-%d}); renew it with `provenance identity renew`")


def strip_cmd(
    file: Annotated[Path, typer.Argument(help="A signed text file ('-' for stdin).")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Output file.")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Replace the file.")] = False,
) -> None:
    """Remove the text manifest (A.8 wrapper, A.9 block, A.7 script or link) cleanly."""
    if str(file) == "-":
        text = _read_stdin(None).decode("utf-8", errors="strict")
        sys.stdout.write(provenance.strip_text(text))
        return
    if output is not None and in_place:
        raise _usage("choose one of -o and --in-place")
    dest = provenance.strip_file(file, output, in_place=in_place)
    err.print(f"OK   {file} -> {dest}")
