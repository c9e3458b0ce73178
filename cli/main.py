"""``provenance`` command line. Parses, calls one library function, renders.

Human output goes to stderr (one ``OK``/``FAIL`` line per file), machine output to stdout
(``--json`` one document, ``--jsonl`` one line per file). Exit codes: 0 all passed, 1 a
verification or policy failed, 2 bad usage or unreadable input, 3 operational failure.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

import provenance
import provenance.batch
import provenance.media
import provenance.policy
from provenance import trust as trust_mod
from provenance._home import default_tsa_url, tsa_dir
from provenance._home import home as home_dir
from provenance.errors import IdentityError, InputError, ProvenanceError
from provenance.identity import Identity, create_local_identity, default_identity_dir
from provenance.policyfile import load_policy
from provenance.report import Report, results_document

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_OPERATIONAL = 0, 1, 2, 3

app = typer.Typer(
    name="provenance",
    help="Sign human-made files with C2PA Content Credentials and verify them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
identity_app = typer.Typer(help="Create, import and show author identities.", no_args_is_help=True)
trust_app = typer.Typer(help="Manage trust anchors (roots whose signers are trusted).",
                        no_args_is_help=True)
app.add_typer(identity_app, name="identity")
app.add_typer(trust_app, name="trust")

# markup=False: file names and messages are user data, never rich markup.
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
out = Console(highlight=False, soft_wrap=True, markup=False)


class Alg(StrEnum):
    es256 = "es256"
    es384 = "es384"
    ps256 = "ps256"
    ed25519 = "ed25519"


class CarrierOpt(StrEnum):
    unstructured = "unstructured"
    structured = "structured"
    html = "html"
    link = "link"
    sidecar = "sidecar"


class OriginOpt(StrEnum):
    capture = "capture"
    creation = "creation"
    edit = "edit"


def _password_for_new_key() -> bytes | None:
    env = os.environ.get("PROVENANCE_KEY_PASSWORD")
    if env:
        return env.encode()
    if sys.stdin.isatty():
        first = getpass.getpass("Passphrase for the new key (empty for none): ")
        if first:
            if getpass.getpass("Repeat the passphrase: ") != first:
                raise IdentityError("the passphrases do not match", hint="run the command again")
            return first.encode()
    return None


def _password_for(directory: Path) -> bytes | None:
    env = os.environ.get("PROVENANCE_KEY_PASSWORD")
    if env:
        return env.encode()
    key = directory / "key.pem"
    try:
        encrypted = b"ENCRYPTED" in key.read_bytes()
    except OSError:
        return None
    if encrypted and sys.stdin.isatty():
        return getpass.getpass(f"Passphrase for {key}: ").encode()
    return None


def _load_identity(directory: Path | None) -> Identity:
    d = directory or default_identity_dir()
    return Identity.load(d, password=_password_for(d))


def _trust_store(extra: list[Path] | None) -> provenance.TrustStore:
    store = provenance.TrustStore.installed()
    if extra:
        store = store.merged(provenance.TrustStore.from_pem_files(extra))
    return store


# -- identity ---------------------------------------------------------------------------------


@identity_app.command("create")
def identity_create(
    name: Annotated[str, typer.Option("--name", help="Your name as signers show it.")],
    email: Annotated[str | None, typer.Option(help="E-mail address in the certificate.")] = None,
    org: Annotated[str | None, typer.Option(help="Organisation in the certificate.")] = None,
    alg: Annotated[Alg, typer.Option(help="Signing algorithm.")] = Alg.es256,
    directory: Annotated[Path | None, typer.Option("--dir", help="Where to save it.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing identity.")] = False,
) -> None:
    """Make a local root CA and an author signing certificate (ES256 by default)."""
    password = _password_for_new_key()
    identity, where = create_local_identity(
        name, email=email, organization=org, algorithm=alg.value, directory=directory,
        password=password, overwrite=force,
    )
    info = identity.info()
    err.print(f"Created identity {info.subject} ({info.algorithm}) in {where}")
    err.print(f"Its root is now a trust anchor in {home_dir() / 'trust'}")
    if password is None:
        err.print("warning: the private key is NOT encrypted; set PROVENANCE_KEY_PASSWORD "
                  "before `identity create` to protect it")


@identity_app.command("show")
def identity_show(
    directory: Annotated[Path | None, typer.Option("--dir", help="Identity directory.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the identity's subject, algorithm, fingerprint and expiry."""
    info = _load_identity(directory).info()
    if as_json:
        out.print_json(json.dumps({"schema": "provenance.identity/v1", **info.to_dict()}))
        return
    for label, value in (
        ("subject", info.subject), ("issuer", info.issuer), ("algorithm", info.algorithm),
        ("fingerprint", info.fingerprint), ("expires", info.not_after.isoformat()),
        ("key", "encrypted" if info.encrypted else "NOT encrypted"),
    ):
        out.print(f"{label:12} {value}")


@identity_app.command("import")
def identity_import(
    cert: Annotated[Path, typer.Option("--cert", help="PEM chain, end-entity first.")],
    key: Annotated[Path, typer.Option("--key", help="PEM private key.")],
    directory: Annotated[Path | None, typer.Option("--dir", help="Where to save it.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing identity.")] = False,
) -> None:
    """Import a certificate issued by a real CA, checked against the C2PA profile."""
    password = os.environ.get("PROVENANCE_KEY_PASSWORD")
    identity = Identity.from_files(cert, key, password=password.encode() if password else None)
    target = directory or default_identity_dir()
    identity.save(target, password=password.encode() if password else None, overwrite=force)
    err.print(f"Imported identity {identity.info().subject} into {target}")
    if not password:
        err.print("warning: the private key is stored NOT encrypted; set "
                  "PROVENANCE_KEY_PASSWORD to protect it")


@identity_app.command("csr")
def identity_csr(
    name: Annotated[str, typer.Option("--name", help="Your name for the certificate.")],
    email: Annotated[str | None, typer.Option(help="E-mail address.")] = None,
    org: Annotated[str | None, typer.Option(help="Organisation.")] = None,
    alg: Annotated[Alg, typer.Option(help="Signing algorithm.")] = Alg.es256,
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Where to write request + key.")]
    = Path("."),
) -> None:
    """Write a certificate signing request (request.csr) and its key (key.pem) for a CA."""
    from provenance.identity import make_csr, write_private_key

    if not out_dir.is_dir():
        raise _usage(f"--out-dir {out_dir} is not a directory (create it first)")
    csr_path, key_path = out_dir / "request.csr", out_dir / "key.pem"
    if key_path.exists():
        raise _usage(f"{key_path} exists; choose another --out-dir")
    password = _password_for_new_key()
    csr, key = make_csr(name, email=email, organization=org, algorithm=alg.value)
    write_private_key(key_path, key, password=password)
    csr_path.write_bytes(csr)
    err.print(f"Wrote {csr_path} (send it to your CA) and {key_path} (keep it secret)")
    err.print(f"Then: provenance identity import --cert ISSUED-CHAIN.pem --key {key_path}")


@identity_app.command("renew")
def identity_renew(
    directory: Annotated[Path | None, typer.Option("--dir", help="Identity directory.")] = None,
    days: Annotated[int, typer.Option(help="Validity of the new certificate.")] = 730,
) -> None:
    """Issue a new signing certificate from the identity's own local root."""
    from provenance.identity import renew_local_identity

    d = directory or default_identity_dir()
    identity = renew_local_identity(d, password=_password_for(d), validity_days=days)
    err.print(f"Renewed {identity.info().subject}: valid until "
              f"{identity.certificate.not_valid_after_utc:%Y-%m-%d}")


# -- timestamp authority ----------------------------------------------------------------------

tsa_app = typer.Typer(help="Run an RFC 3161 timestamp authority of your own.",
                      no_args_is_help=True)
app.add_typer(tsa_app, name="tsa")


@tsa_app.command("init")
def tsa_init(
    directory: Annotated[Path | None, typer.Option("--dir", help="Where to keep the TSA.")] = None,
    name: Annotated[str, typer.Option(help="TSA name.")] = "provenance TSA",
    force: Annotated[bool, typer.Option(help="Replace an existing TSA.")] = False,
) -> None:
    """Create the TSA's root CA and timeStamping certificate (root.pem is what verifiers trust)."""
    from provenance.tsa import TimestampAuthority

    tsa, root_key = TimestampAuthority.create(name)
    d = tsa.save(directory or tsa_dir(), root_key=root_key, overwrite=force)
    err.print(f"Created timestamp authority {name!r} in {d}; verifiers trust it with "
              f"`provenance trust add {d / 'root.pem'}`")


@tsa_app.command("serve")
def tsa_serve(
    directory: Annotated[Path | None, typer.Option("--dir", help="TSA directory.")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).")] = 3161,
) -> None:
    """Serve RFC 3161 timestamps over HTTP until interrupted."""
    from provenance.tsa import TimestampAuthority, serve

    server = serve(TimestampAuthority.load(directory or tsa_dir()), host, port)
    bound_host, bound_port = server.server_address[:2]
    err.print(f"Timestamp authority listening on http://{bound_host!s}:{bound_port}/ "
              "(Ctrl-C stops)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()
        err.print("stopped")


# -- trust ------------------------------------------------------------------------------------


@trust_app.command("add")
def trust_add(
    file: Annotated[str, typer.Argument(
        help="PEM certificate or bundle, a C2PA trust list (PEM or JSON), or its http(s) URL.")],
    name: Annotated[str | None, typer.Option(help="Name for the anchor bundle.")] = None,
) -> None:
    """Trust the signers that chain to the certificates in FILE (or at URL)."""
    anchor = trust_mod.add_anchor(file, name=name)
    err.print(f"Added {len(anchor.certificates)} anchor(s) as {anchor.name!r}")


@trust_app.command("list")
def trust_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List installed trust anchors."""
    anchors = trust_mod.list_anchors()
    if as_json:
        doc = {"schema": "provenance.trust/v1", "anchors": [
            {"name": a.name, "path": str(a.path), "subjects": a.subjects()} for a in anchors]}
        out.print_json(json.dumps(doc))
        return
    if not anchors:
        err.print("No trust anchors installed (add one with `provenance trust add FILE.pem`)")
    for a in anchors:
        subjects = a.subjects()
        more = f" (+{len(subjects) - 1} more)" if len(subjects) > 1 else ""
        out.print(f"{a.name}: {subjects[0]}{more}")


@trust_app.command("remove")
def trust_remove(
    name: Annotated[str, typer.Argument(help="Anchor name from `trust list`.")],
) -> None:
    """Remove an installed trust anchor."""
    path = trust_mod.remove_anchor(name)
    err.print(f"Removed {path}")


# -- sign and verify: one file or a whole tree ------------------------------------------------
#
# Both commands expand their inputs (files, `--recursive` directories, glob patterns), call one
# library function (provenance.batch.sign / .verify) and render its results as they arrive: one
# OK/FAIL/SKIP/WARN line per file on stderr, --jsonl/--json on stdout or in a file, a progress
# bar on a terminal and a summary table for batches.


class _Renderer:
    """Turns a stream of batch results into lines, JSON and a summary; owns the output file."""

    def __init__(self, *, kind: str, total: int, as_json: bool, as_jsonl: bool,
                 report: Path | None, quiet: bool, progress: bool, rows: bool = False) -> None:
        self.kind = kind
        self.keep_rows = rows
        self.rows: list[tuple[str, str, str, str, str]] = []
        self.total = total
        self.as_jsonl = as_jsonl
        self.as_json = as_json or (report is not None and not as_jsonl)
        self.report = report
        self.quiet = quiet
        self.tally = provenance.batch.Tally()
        self.first = True
        self.show_progress = progress
        self._stack = contextlib.ExitStack()
        self._sink: Any = None
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Renderer:
        stack = self._stack
        if self.report is not None and (self.as_json or self.as_jsonl):
            self._sink = stack.enter_context(provenance.batch.atomic_output(self.report))
        elif self.as_json:
            # One document at the end: spooled to disk meanwhile, so memory stays flat.
            self._sink = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
        elif self.as_jsonl:
            self._sink = sys.stdout
        if self.as_json:
            schema = ("provenance.results/v1" if self.kind == "verify"
                      else provenance.batch.SIGN_RESULTS_SCHEMA_ID)
            self._sink.write('{"schema": "' + schema + '", "results": [')
        if self.show_progress:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = stack.enter_context(Progress(
                TextColumn(f"{self.kind}ing"), BarColumn(), MofNCompleteColumn(),
                TimeRemainingColumn(), console=err, transient=True,
                redirect_stdout=False, redirect_stderr=False,
            ))
            self._task = self._progress.add_task(self.kind, total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.__exit__(*exc)  # type: ignore[arg-type]

    def add(self, result: provenance.batch.Result) -> None:
        self.tally.add(result)
        if self.keep_rows:
            self.rows.append(_row(result))
        line = self._line(result)
        if line is not None:
            if self._progress is not None:
                from rich.text import Text

                err.print(Text(line))
            else:
                sys.stderr.write(line + "\n")
        if self._sink is not None:
            doc = (provenance.batch.verify_document(result) if self.kind == "verify"
                   else provenance.batch.sign_document(result))
            if self.as_json:
                self._sink.write(("\n  " if self.first else ",\n  ") + json.dumps(
                    doc, ensure_ascii=False))
                self.first = False
            else:
                self._sink.write(json.dumps(doc, ensure_ascii=False) + "\n")
                if self._sink is sys.stdout:
                    sys.stdout.flush()
        if self._progress is not None:
            self._progress.advance(self._task)

    def finish(self) -> None:
        """Close the JSON document; copy it to stdout when it was spooled."""
        self.tally.stop()
        if self.as_json:
            passed = self.tally.worst == EXIT_OK
            self._sink.write("\n], \"passed\": " + json.dumps(passed) + ", \"summary\": "
                             + json.dumps(self.tally.to_dict()) + "}\n")
            if self.report is None:
                self._sink.seek(0)
                shutil.copyfileobj(self._sink, sys.stdout)
                sys.stdout.flush()

    def _line(self, r: provenance.batch.Result) -> str | None:
        b = provenance.batch
        if isinstance(r, b.Failed):
            return f"FAIL {r.path}: {'; '.join(r.reasons)}"
        if isinstance(r, b.Skipped):
            return None if self.quiet else f"SKIP {r.path}: {r.reason}"
        if isinstance(r, b.Verified):
            if r.warnings:
                return f"WARN {r.path}: {'; '.join(r.warnings)}"
            return None if self.quiet else f"OK   {r.path}: {_summary(r.report)}"
        if isinstance(r, b.Signed):
            note = " (zip repacked with stored members)" if r.repacked else ""
            return None if self.quiet else f"OK   {r.path} -> {r.output}{note}"
        return None

    def summary_table(self) -> None:
        t = self.tally
        table = Table(title=f"{self.kind.capitalize()} summary", show_header=False)
        table.add_column("what")
        table.add_column("count", justify="right")

        def counts(c: Counter[str]) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(c.items(), key=lambda kv: -kv[1]))

        table.add_row("files", str(t.total))
        for name in ("passed", "signed", "failed", "skipped"):
            if t.outcomes.get(name):
                table.add_row(name, str(t.outcomes[name]))
        if t.statuses and self.kind == "verify":
            table.add_row("status", counts(t.statuses))
        if t.origins and self.kind == "verify":
            table.add_row("origin", counts(t.origins))
        elapsed = t.elapsed or 0.0
        rate = f"{t.total / elapsed:,.0f} files/s" if elapsed > 0 else "-"
        table.add_row("time", f"{elapsed:.2f} s ({rate})")
        err.print(table)


def _expand(files: list[Path], recursive: bool, include: list[str] | None,
            exclude: list[str] | None, prune: list[Path]) -> tuple[list[Any], bool]:
    """Items to handle, and whether the inputs named more than single files (a batch)."""
    items = provenance.batch.expand(files, recursive=recursive, include=include or (),
                                    exclude=[*(exclude or ()), "*.c2pa"], prune=prune)
    is_batch = any((recursive and f.is_dir()) or
                   (not f.exists() and any(c in str(f) for c in "*?[")) for f in files)
    if not items:
        err.print("warning: no files to handle (check the paths, --recursive and "
                  "--include/--exclude)")
    return items, is_batch


def _run(kind: str, results: Any, *, total: int, as_json: bool, as_jsonl: bool,
         report: Path | None, quiet: bool, progress: bool | None,
         rows: bool = False) -> _Renderer:
    """Render every result as it arrives.

    Ctrl-C: work not started is cancelled, files in hand are finished (outputs appear whole or
    not at all), the report file is not written; then exit 130.
    """
    show = err.is_terminal if progress is None else progress
    try:
        with _Renderer(kind=kind, total=total, as_json=as_json, as_jsonl=as_jsonl,
                       report=report, quiet=quiet, progress=show and total > 1,
                       rows=rows) as r:
            try:
                for result in results:
                    r.add(result)
            finally:
                results.close()
            r.finish()
    except KeyboardInterrupt:
        err.print("interrupted; no report was written" if report else "interrupted")
        raise typer.Exit(130) from None
    return r


_BatchOpt = typer.Option  # (the same options on sign and verify)


@app.command("sign")
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
    if [str(f) for f in files] == ["-"]:
        _sign_stdin(identity_dir, name or "stdin.txt", carrier, manifest_url, parent,
                    origin, author, author_title, title, allow_ai_training, trust, tsa, no_tsa,
                    replace)
        return
    items, is_batch = _expand(files, recursive, include, exclude,
                              [out_dir] if out_dir is not None else [])
    if output is not None and len(items) > 1:
        raise _usage("-o takes one input file; use --out-dir for several")
    directory = identity_dir or default_identity_dir()
    password = _password_for(directory)
    identity = Identity.load(directory, password=password)
    store = _trust_store(trust)
    who = author or identity.info().name
    tsa_url = None if no_tsa else (tsa or default_tsa_url())
    _warn_expiry(identity)
    claim = provenance.batch.ClaimTemplate(
        origin=origin.value if origin else None,
        author=who, author_title=author_title, title=title,
        allow_ai_training=allow_ai_training,
    ) if (origin is not None or who or title or allow_ai_training or author_title) else None
    with _executor(jobs, executor_url, len(items)) as ex:
        signer: Identity | provenance.batch.IdentityRef = identity if ex is None else \
            provenance.batch.IdentityRef(directory.absolute(), password)
        results = provenance.batch.sign(
            items, identity=signer, out_dir=out_dir, output=output, in_place=in_place,
            claim=claim, parent=parent, trust=store, thumbnail=thumbnail, replace=replace,
            tsa_url=tsa_url, force=force, strict=strict, skip_signed=skip_signed,
            carrier=carrier.value if carrier else None, manifest_url=manifest_url, executor=ex,
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


def _claim_for(path: Path, origin: OriginOpt | None, parent: Path | None, who: str | None,
               author_title: str | None, title: str | None,
               allow_ai_training: bool) -> provenance.HumanClaim:
    template = provenance.batch.ClaimTemplate(
        origin=origin.value if origin else None,
        author=who, author_title=author_title, title=title,
        allow_ai_training=allow_ai_training,
    )
    return template.for_path(path, has_parent=parent is not None)


def _sign_stdin(identity_dir: Path | None, name: str, carrier: CarrierOpt | None,
                manifest_url: str | None, parent: Path | None, origin: OriginOpt | None,
                author: str | None, author_title: str | None, title: str | None,
                allow_ai_training: bool, trust: list[Path] | None, tsa: str | None,
                no_tsa: bool, replace: bool) -> None:
    """``provenance sign -``: text from stdin, signed text on stdout (embedded carriers)."""
    from provenance.text import sign_text_bytes

    if carrier in (CarrierOpt.sidecar, CarrierOpt.link):
        raise _usage(f"--carrier {carrier.value} writes a separate file; give a FILE, not '-'")
    identity = _load_identity(identity_dir)
    _warn_expiry(identity)
    data = sys.stdin.buffer.read()
    parent_data = parent.read_bytes() if parent is not None and parent.is_file() else None
    if parent is not None and parent_data is None:
        raise _usage(f"--parent {parent} is not a readable file")
    signed = sign_text_bytes(
        data, name=name, identity=identity,
        claim=_claim_for(Path(name), origin, parent, author or identity.info().name,
                         author_title, title, allow_ai_training),
        carrier=carrier.value if carrier else None,  # type: ignore[arg-type]
        manifest_url=manifest_url, parent=parent_data,
        parent_name=parent.name if parent is not None else None,
        trust=_trust_store(trust), tsa_url=None if no_tsa else (tsa or default_tsa_url()),
        replace=replace,
    )
    sys.stdout.buffer.write(signed.data)
    sys.stdout.buffer.flush()
    err.print(f"OK   - ({signed.carrier})")


@app.command("strip")
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


@contextlib.contextmanager
def _executor(jobs: int | None, url: str | None, count: int) -> Any:
    if url is not None:
        with provenance.batch.executor(address=url) as ex:
            yield ex
        return
    if jobs is not None and jobs < 1:
        raise _usage(f"-j must be at least 1, got {jobs}")
    n = min(jobs or provenance.batch.default_jobs(), max(count, 1))
    with provenance.batch.executor(n) as ex:
        yield ex


def _fail_on(value: str | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    cats = [v.strip() for v in value.split(",") if v.strip()]
    known = provenance.policy.FAIL_ON_CATEGORIES
    bad = [c for c in cats if c not in known]
    if bad or not cats:
        raise _usage(f"--fail-on: unknown value {', '.join(bad) or repr(value)} "
                     f"(choose from {', '.join(known)}, comma-separated)")
    return frozenset(cats)


@app.command("verify")
def verify_cmd(
    files: Annotated[list[Path], typer.Argument(
        help="Files, directories (with --recursive) or glob patterns to verify.")],
    trust: Annotated[list[Path] | None, typer.Option(help="Extra trust anchor PEM.")] = None,
    require_trusted: Annotated[bool, typer.Option(help="Demand a trusted signer.")] = False,
    allow_ai: Annotated[bool, typer.Option(help="Accept AI or mixed origin.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON line per file.")] = False,
    table: Annotated[bool, typer.Option(help="Print a summary table on stdout.")] = False,
    policy_file: Annotated[Path | None, typer.Option(
        "--policy", help="A policy file (TOML): anchors, signers, origin, unsigned, age.",
    )] = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", help="Fail only on these, comma-separated: unsigned, invalid, ai, "
        "untrusted (instead of the default policy).")] = None,
    recursive: Annotated[bool, _BatchOpt("-r", "--recursive",
                                         help="Verify every file under directories.")] = False,
    include: Annotated[list[str] | None, _BatchOpt(
        help="Only files matching this pattern (repeatable; '*.jpg', 'photos/*').")] = None,
    exclude: Annotated[list[str] | None, _BatchOpt(
        help="Leave out files or folders matching this pattern (repeatable).")] = None,
    strict: Annotated[bool, _BatchOpt(
        help="Fail (exit 2) on files of unsupported types instead of skipping them.")] = False,
    jobs: Annotated[int | None, _BatchOpt("-j", "--jobs",
                                          help="Worker processes (default: all cores).")] = None,
    executor_url: Annotated[str | None, _BatchOpt(
        "--executor", help="Run on a Dask cluster: dask://HOST:PORT.")] = None,
    report: Annotated[Path | None, _BatchOpt(
        "-o", "--output", "--report",
        help="Write the JSON (or, with --jsonl, JSONL) report to this file.")] = None,
    quiet: Annotated[bool, _BatchOpt("-q", "--quiet",
                                     help="Print only failures and warnings.")] = False,
    progress: Annotated[bool | None, _BatchOpt(
        "--progress/--no-progress", help="Progress bar (default: on a terminal).")] = None,
    summary: Annotated[bool | None, _BatchOpt(
        "--summary/--no-summary",
        help="Summary table at the end (default: for directories and patterns).")] = None,
    name: Annotated[str | None, typer.Option(
        help="With FILE '-': the name that gives stdin's type (default stdin.txt).")] = None,
) -> None:
    """Verify FILES: intact Content Credentials declaring human origin (or --policy/--fail-on)."""
    if as_json and as_jsonl:
        raise _usage("choose one of --json and --jsonl")
    categories = _fail_on(fail_on)
    if allow_ai and (policy_file is not None or categories):
        raise _usage("--allow-ai relaxes the default policy only; with --policy use "
                     "[origin] allow, with --fail-on leave out ai")
    pipeline = load_policy(policy_file) if policy_file is not None else None
    store = _trust_store(trust)
    unsigned: str = "fail"
    rules: list[provenance.Policy] = []
    if pipeline is not None:
        store = store.merged(pipeline.anchors)
        unsigned = pipeline.unsigned
        rules.append(pipeline)
    if categories:
        rules.append(provenance.policy.FailOn(categories))  # type: ignore[arg-type]
        if "unsigned" in categories:
            unsigned = "fail"  # the explicit flag wins over the file's warn/skip
    if not rules:
        policy: provenance.Policy = provenance.default_policy(
            require_trusted=require_trusted, allow_ai=allow_ai)
    else:
        if require_trusted:
            rules.append(provenance.TrustedSigner())
        policy = rules[0] if len(rules) == 1 else provenance.AllOf(rules)
    if [str(f) for f in files] == ["-"]:
        results: Any = _verify_stdin(name or "stdin.txt", policy, store)
        rendered = _run("verify", results, total=1, as_json=as_json, as_jsonl=as_jsonl,
                        report=report, quiet=quiet, progress=False, rows=table)
        raise typer.Exit(rendered.tally.worst)
    items, is_batch = _expand(files, recursive, include, exclude, [])
    with _executor(jobs, executor_url, len(items)) as ex:
        results = provenance.batch.verify(
            items, policy=policy, trust=store, unsigned=unsigned,  # type: ignore[arg-type]
            strict=strict, executor=ex,
        )
        rendered = _run("verify", results, total=len(items), as_json=as_json,
                        as_jsonl=as_jsonl, report=report, quiet=quiet, progress=progress,
                        rows=table)
    if table:
        t = Table(title="Verification")
        for col in ("file", "status", "origin", "signer", "result"):
            t.add_column(col)
        for row in rendered.rows:
            t.add_row(*row)
        out.print(t)
    if is_batch if summary is None else summary:
        rendered.summary_table()
    raise typer.Exit(rendered.tally.worst)


def _verify_stdin(name: str, policy: provenance.Policy,
                  store: provenance.TrustStore) -> Iterator[provenance.batch.Result]:
    """``provenance verify -``: the text on stdin, judged like a file named ``name``."""
    from provenance.text import inspect_text_bytes

    report = inspect_text_bytes(sys.stdin.buffer.read(), name=name, trust=store)
    reasons = policy.check(report)
    path = Path("-")
    if reasons:
        yield provenance.batch.Failed(path, report, tuple(reasons), EXIT_FAILED)
    else:
        yield provenance.batch.Verified(path, report)


def _row(r: provenance.batch.Result) -> tuple[str, str, str, str, str]:
    b = provenance.batch
    report = getattr(r, "report", None)
    if report is None:
        why = r.reason if isinstance(r, b.Skipped) else "; ".join(getattr(r, "reasons", ()))
        return (str(r.path), "skipped" if isinstance(r, b.Skipped) else "error", "-", "-", why)
    signer = report.signer.name if report.signer and report.signer.name else "-"
    result = "pass" if isinstance(r, b.Verified) else \
        r.reason if isinstance(r, b.Skipped) else "; ".join(getattr(r, "reasons", ()))
    return (str(r.path), report.status, report.origin, signer, result)


def _warn_expiry(identity: Identity) -> None:
    provenance.media.check_usable(identity)
    expires = identity.certificate.not_valid_after_utc
    left = expires - datetime.now(UTC)
    if left < timedelta(days=30):
        err.print(f"warning: your signing certificate expires in {left.days} days "
                  f"({expires:%Y-%m-%d}); renew it with `provenance identity renew`")


# -- verify / inspect -------------------------------------------------------------------------


def _summary(report: Report) -> str:
    parts: list[str] = [report.status]
    if report.status == "valid":
        parts[0] = "valid (signer not trusted; add their root with `provenance trust add`)"
    if report.status in ("trusted", "valid"):
        parts.append(f"origin {report.origin}")
        if report.signer:
            who = report.signer.name or "unknown signer"
            if report.signer.organization and report.signer.organization != who:
                who += f" ({report.signer.organization})"
            parts.append(f"signed by {who}")
    return ", ".join(parts)


def _reports_out(docs: list[dict[str, Any]], as_json: bool, passed: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(results_document(docs, passed=passed), indent=2,
                                    ensure_ascii=False) + "\n")


@app.command("inspect")
def inspect_cmd(
    files: Annotated[list[Path], typer.Argument(help="Files to describe.")],
    trust: Annotated[list[Path] | None, typer.Option(help="Extra trust anchor PEM.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON line per file.")] = False,
) -> None:
    """Describe the Content Credentials of FILES without judging them."""
    if as_json and as_jsonl:
        raise _usage("choose one of --json and --jsonl")
    store = _trust_store(trust)
    worst = EXIT_OK
    docs: list[dict[str, Any]] = []
    for path in files:
        try:
            report = provenance.inspect(path, trust=store)
        except InputError as exc:
            err.print(f"FAIL {path}: {exc}")
            worst = max(worst, exc.exit_code)
            continue
        doc = report.to_dict()
        docs.append(doc)
        if as_jsonl:
            sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        elif not as_json:
            _print_report(report)
    _reports_out(docs, as_json, worst == EXIT_OK)
    raise typer.Exit(worst)


def _print_report(r: Report) -> None:
    out.print(f"{r.path}  ({r.media_type})")
    out.print(f"  status      {r.status}")
    out.print(f"  origin      {r.origin}")
    if r.signer:
        out.print(f"  signer      {r.signer.name} / {r.signer.organization or '-'} "
                  f"(issuer {r.signer.issuer or '-'}, "
                  f"{'trusted' if r.signer.trusted else 'not trusted'})")
    for label, value in (("author", r.author), ("signed at", r.signed_at),
                         ("ai training", r.ai_training), ("generator", r.claim_generator)):
        if value:
            out.print(f"  {label:11} {value}")
    for ing in r.ingredients:
        out.print(f"  ingredient  {ing.title} ({ing.relationship}): {ing.status}, "
                  f"origin {ing.origin}")
    for f in r.failures:
        where = f" [{f.ingredient}]" if f.ingredient else ""
        out.print(f"  failure     {f.code}{where}: {f.explanation}")


def _usage(message: str) -> typer.Exit:
    err.print(f"error: {message}")
    return typer.Exit(EXIT_USAGE)


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


if __name__ == "__main__":
    main()
