"""``provenance`` command line. Parses, calls one library function, renders.

Human output goes to stderr (one ``OK``/``FAIL`` line per file), machine output to stdout
(``--json`` one document, ``--jsonl`` one line per file). Exit codes: 0 all passed, 1 a
verification or policy failed, 2 bad usage or unreadable input, 3 operational failure.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

import provenance
import provenance.media
from provenance import trust as trust_mod
from provenance._home import default_tsa_url, tsa_dir
from provenance._home import home as home_dir
from provenance.errors import IdentityError, InputError, ProvenanceError, VerificationFailed
from provenance.identity import Identity, create_local_identity, default_identity_dir
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


# -- sign -------------------------------------------------------------------------------------


@app.command("sign")
def sign_cmd(
    files: Annotated[list[Path], typer.Argument(help="Files to sign.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Output file.")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out-dir", help="Output directory.")] = None,
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
) -> None:
    """Sign FILES as human-made (NAME.signed.EXT beside each, unless -o/--out-dir/--in-place)."""
    if sum((output is not None, out_dir is not None, in_place)) > 1:
        raise _usage("choose one of -o, --out-dir and --in-place")
    if output is not None and len(files) > 1:
        raise _usage("-o takes one input file; use --out-dir for several")
    if origin is OriginOpt.edit and parent is None:
        raise _usage("--origin edit needs --parent ORIGINAL (the file you edited)")
    if out_dir is not None and not out_dir.is_dir():
        raise _usage(f"--out-dir {out_dir} is not a directory (create it first)")
    identity = _load_identity(identity_dir)
    store = _trust_store(trust)
    who = author or identity.info().name
    tsa_url = None if no_tsa else (tsa or default_tsa_url())
    _warn_expiry(identity)
    worst = EXIT_OK
    signed = 0
    for src in files:
        claim = None
        if origin is not None or who or title or allow_ai_training or author_title:
            chosen = origin.value if origin else ("edit" if parent else _default_origin(src))
            claim = provenance.HumanClaim(
                chosen,  # type: ignore[arg-type]
                author=who, author_title=author_title, title=title,
                allow_ai_training=allow_ai_training,
            )
        dest = output if output is not None else (
            out_dir / src.name if out_dir is not None else None)
        try:
            result = provenance.sign(
                src, dest, identity=identity, claim=claim, parent=parent, trust=store,
                thumbnail=thumbnail, replace=replace, in_place=in_place, tsa_url=tsa_url,
            )
        except ProvenanceError as exc:
            err.print(f"FAIL {src}: {exc}")
            worst = max(worst, exc.exit_code)
            continue
        note = " (zip repacked with stored members)" if result.repacked else ""
        err.print(f"OK   {src} -> {result.output}{note}")
        signed += 1
    if signed and tsa_url is None and not no_tsa:
        expires = identity.certificate.not_valid_after_utc
        err.print(f"note: no timestamp (--tsa URL); these signatures stop validating when the "
                  f"certificate expires on {expires:%Y-%m-%d}")
    raise typer.Exit(worst)


def _warn_expiry(identity: Identity) -> None:
    provenance.media.check_usable(identity)
    expires = identity.certificate.not_valid_after_utc
    left = expires - datetime.now(UTC)
    if left < timedelta(days=30):
        err.print(f"warning: your signing certificate expires in {left.days} days "
                  f"({expires:%Y-%m-%d}); renew it with `provenance identity renew`")


def _default_origin(src: Path) -> str:
    from provenance.formats import media_type_for_name

    mt = media_type_for_name(src)
    if mt and mt.mime.startswith("image/") and mt.mime != "image/svg+xml":
        return "capture"
    return "creation"


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


@app.command("verify")
def verify_cmd(
    files: Annotated[list[Path], typer.Argument(help="Files to verify.")],
    trust: Annotated[list[Path] | None, typer.Option(help="Extra trust anchor PEM.")] = None,
    require_trusted: Annotated[bool, typer.Option(help="Demand a trusted signer.")] = False,
    allow_ai: Annotated[bool, typer.Option(help="Accept AI or mixed origin.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON line per file.")] = False,
    table: Annotated[bool, typer.Option(help="Print a summary table on stdout.")] = False,
) -> None:
    """Verify FILES: intact Content Credentials declaring human origin."""
    if as_json and as_jsonl:
        raise _usage("choose one of --json and --jsonl")
    store = _trust_store(trust)
    policy = provenance.default_policy(require_trusted=require_trusted, allow_ai=allow_ai)
    worst = EXIT_OK
    docs: list[dict[str, Any]] = []
    rows: list[tuple[str, str, str, str, str]] = []
    for path in files:
        try:
            report = provenance.verify(path, policy=policy, trust=store)
            reasons: list[str] = []
        except VerificationFailed as exc:
            report, reasons = exc.report, exc.reasons
        except InputError as exc:
            err.print(f"FAIL {path}: {exc}")
            worst = max(worst, exc.exit_code)
            rows.append((str(path), "error", "-", "-", str(exc.message)))
            continue
        doc = {**report.to_dict(), "passed": not reasons, "reasons": reasons}
        docs.append(doc)
        if as_jsonl:
            sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        if reasons:
            worst = max(worst, EXIT_FAILED)
            err.print(f"FAIL {path}: {'; '.join(reasons)}")
        else:
            err.print(f"OK   {path}: {_summary(report)}")
        signer = report.signer.name if report.signer and report.signer.name else "-"
        rows.append((str(path), report.status, report.origin, signer,
                     "pass" if not reasons else "; ".join(reasons)))
    _reports_out(docs, as_json, worst == EXIT_OK)
    if table:
        t = Table(title="Verification")
        for col in ("file", "status", "origin", "signer", "result"):
            t.add_column(col)
        for row in rows:
            t.add_row(*row)
        out.print(t)
    raise typer.Exit(worst)


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
