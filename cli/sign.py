"""``provenance sign`` signs files, trees or stdin as human-made; ``strip`` unsigns text."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

import provenance
import provenance.batch
import provenance.identity
from cli.common import (
    CarrierOpt,
    OriginOpt,
    _BatchOpt,
    _executor,
    _expand,
    _load_identity,
    _password_for,
    _trust_store,
    _usage,
    err,
)
from cli.render import _run
from provenance._home import default_tsa_url
from provenance.identity import Identity, default_identity_dir
from provenance.registry.base import Registry


def sign_cmd(
    files: Annotated[list[Path], typer.Argument(
        help="Files, directories (with --recursive) or glob patterns to sign.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Output file.")] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out-dir", help="Output directory (keeps the folder structure of directories).",
    )] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Replace the source.")] = False,
    origin: Annotated[OriginOpt | None, typer.Option(
        help="How it was made: capture (images), creation (documents), edit (needs --parent)."
    )] = None,
    parent: Annotated[Path | None, typer.Option(help="The file this one was edited from.")] = None,
    author: Annotated[str | None, typer.Option(help="Author name (default: identity's).")] = None,
    author_title: Annotated[str | None, typer.Option(help="Author's title.")] = None,
    title: Annotated[str | None, typer.Option(help="Title (default: file name).")] = None,
    allow_ai_training: Annotated[bool, typer.Option(
        help="Do not record the AI-training / data-mining opt-out.")] = False,
    thumbnail: Annotated[bool, typer.Option(help="Embed a small thumbnail.")] = False,
    replace: Annotated[bool, typer.Option(
        help="Sign an already signed file, discarding its history.")] = False,
    identity_dir: Annotated[Path | None, typer.Option("--identity", help="Identity dir.")] = None,
    trust: Annotated[list[Path] | None, typer.Option(help="Extra trust anchor PEM.")] = None,
    tsa: Annotated[str | None, typer.Option(
        help="RFC 3161 timestamp authority URL (default: PROVENANCE_TSA_URL or config.toml).",
    )] = None,
    no_tsa: Annotated[bool, typer.Option("--no-tsa", help="Do not timestamp.")] = False,
    carrier: Annotated[CarrierOpt | None, typer.Option(
        help="Where the manifest goes in text (default: from the file type); sidecar for any "
        "file.")] = None,
    manifest_url: Annotated[str | None, typer.Option(
        help="With --carrier link: the URL where the .c2pa file will be published.")] = None,
    name: Annotated[str | None, typer.Option(
        help="With FILE '-': the name that gives stdin's type (default stdin.txt).")] = None,
    recursive: Annotated[bool, _BatchOpt("-r", "--recursive",
                                         help="Sign every file under directories.")] = False,
    include: Annotated[list[str] | None, _BatchOpt(
        help="Only files matching this pattern (repeatable; '*.jpg', 'photos/*').")] = None,
    exclude: Annotated[list[str] | None, _BatchOpt(
        help="Leave out files or folders matching this pattern (repeatable).")] = None,
    strict: Annotated[bool, _BatchOpt(
        help="Fail (exit 2) on files of unsupported types instead of skipping them.")] = False,
    force: Annotated[bool, _BatchOpt(
        help="Sign again outputs already signed by this identity and newer than the source.",
    )] = False,
    skip_signed: Annotated[bool, _BatchOpt(
        help="Skip named files that already carry this identity's intact manifest "
        "(files found in directories always are).")] = False,
    jobs: Annotated[int | None, _BatchOpt("-j", "--jobs",
                                          help="Worker processes (default: all cores).")] = None,
    executor_url: Annotated[str | None, _BatchOpt(
        "--executor", help="Run on a Dask cluster: dask://HOST:PORT.")] = None,
    as_json: Annotated[bool, _BatchOpt("--json", help="One JSON document on stdout.")] = False,
    as_jsonl: Annotated[bool, _BatchOpt("--jsonl", help="One JSON line per file.")] = False,
    report: Annotated[Path | None, _BatchOpt(
        "--report", help="Write the JSON (or, with --jsonl, JSONL) report to this file.",
    )] = None,
    quiet: Annotated[bool, _BatchOpt("-q", "--quiet", help="Print only failures.")] = False,
    progress: Annotated[bool | None, _BatchOpt(
        "--progress/--no-progress", help="Progress bar (default: on a terminal).")] = None,
    summary: Annotated[bool | None, _BatchOpt(
        "--summary/--no-summary",
        help="Summary table at the end (default: for directories and patterns).")] = None,
    no_register: Annotated[bool, typer.Option(
        "--no-register", help="Do not register the signed files in the recovery registry.",
    )] = False,
    registry_dsn: Annotated[str | None, typer.Option(
        "--registry", help="Register into this registry (sqlite:///PATH or postgresql://...) "
        "instead of the local one.")] = None,
) -> None:
    """Sign FILES as human-made (NAME.signed.EXT beside each, unless -o/--out-dir/--in-place)."""
    if sum((output is not None, out_dir is not None, in_place)) > 1:
        raise _usage("choose one of -o, --out-dir and --in-place")
    if origin is OriginOpt.edit and parent is None:
        raise _usage("--origin edit needs --parent ORIGINAL (the file you edited)")
    if out_dir is not None and not out_dir.is_dir():
        raise _usage(f"--out-dir {out_dir} is not a directory (create it first)")
    if as_json and as_jsonl:
        raise _usage("choose one of --json and --jsonl")
    if carrier is CarrierOpt.link and not manifest_url:
        raise _usage("--carrier link needs --manifest-url URL")
    tsa_url = None if no_tsa else (tsa or default_tsa_url())

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
        )

    if [str(f) for f in files] == ["-"]:
        _sign_stdin(identity_dir, name or "stdin.txt", carrier, parent, trust, options)
        return
    items, is_batch = _expand(files, recursive, include, exclude,
                              [out_dir] if out_dir is not None else [])
    if output is not None and len(items) > 1:
        raise _usage("-o takes one input file; use --out-dir for several")
    directory = identity_dir or default_identity_dir()
    password = _password_for(directory)
    identity = Identity.load(directory, password=password)
    store = _trust_store(trust)
    _warn_expiry(identity)
    opts = options(identity)
    registry = _open_registry(no_register, registry_dsn)
    with registry if registry is not None else nullcontext(), \
            _executor(jobs, executor_url, len(items)) as ex:
        signer: Identity | provenance.batch.IdentityRef = identity if ex is None else \
            provenance.batch.IdentityRef(directory.absolute(), password)
        results = provenance.batch.sign(
            items, identity=signer, options=opts, trust=store, force=force, strict=strict,
            skip_signed=skip_signed, executor=ex, registry=registry,
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


def _sign_stdin(identity_dir: Path | None, name: str, carrier: CarrierOpt | None,
                parent: Path | None, trust: list[Path] | None,
                options: Callable[[Identity], provenance.SignOptions]) -> None:
    """``provenance sign -``: text from stdin, signed text on stdout (embedded carriers)."""
    from provenance.carriers.text import sign_text_bytes

    if carrier in (CarrierOpt.sidecar, CarrierOpt.link):
        raise _usage(f"--carrier {carrier.value} writes a separate file; give a FILE, not '-'")
    identity = _load_identity(identity_dir)
    _warn_expiry(identity)
    data = sys.stdin.buffer.read()
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


def _open_registry(no_register: bool, dsn: str | None) -> Registry | None:
    """The registry this run registers into, opened before anything is signed (a DSN that
    cannot connect stops the run with nothing written)."""
    if no_register:
        if dsn is not None:
            raise _usage("choose one of --no-register and --registry")
        return None
    from provenance.registry import open_registry

    return open_registry(dsn)


def _warn_expiry(identity: Identity) -> None:
    provenance.identity.check_usable(identity)
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
        text = sys.stdin.buffer.read().decode("utf-8", errors="strict")
        sys.stdout.write(provenance.strip_text(text))
        return
    if output is not None and in_place:
        raise _usage("choose one of -o and --in-place")
    dest = provenance.strip_file(file, output, in_place=in_place)
    err.print(f"OK   {file} -> {dest}")
