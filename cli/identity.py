"""``provenance identity``: create, show, import, request (CSR) and renew author identities."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from provenance._home import home as home_dir

from .common import (
    Alg,
    _load_identity,
    _make_out_dir,
    _password_for,
    _password_for_new_key,
    _usage,
    err,
    out,
)

identity_app = typer.Typer(help="Create, import and show author identities.", no_args_is_help=True)


@identity_app.command("create")
def identity_create(
    name: Annotated[str, typer.Option("--name", help="Your name as signers show it.")],
    email: Annotated[str | None, typer.Option(help="E-mail address in the certificate.")] = None,
    org: Annotated[str | None, typer.Option(help="Organisation in the certificate.")] = None,
    alg: Annotated[Alg, typer.Option(help="Signing algorithm.")] = Alg.es256,
    directory: Annotated[Path | None, typer.Option("--dir", help="Where to save it.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing identity.")] = False,
    domain: Annotated[str | None, typer.Option(
        "--domain", metavar="DOMAIN",
        help="Your web domain (example.org), checked by `verify --check-domain`.")] = None,
) -> None:
    """Make a local root CA and an author signing certificate (ES256 by default)."""
    from provenance.domain import check_domain_name
    from provenance.identity import check_free, create_local_identity, default_identity_dir

    if domain is not None:
        domain = check_domain_name(domain)
    check_free(directory or default_identity_dir(), overwrite=force)  # before the passphrase
    password = _password_for_new_key()
    identity, where = create_local_identity(
        name, email=email, organization=org, algorithm=alg.value, directory=directory,
        password=password, overwrite=force, domain=domain,
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
    """Show the identity's subject, algorithm, fingerprint and expiry (no passphrase needed)."""
    from provenance.identity import default_identity_dir, identity_info

    info = identity_info(directory or default_identity_dir())
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
    force: Annotated[bool, typer.Option("--force", help="Replace an existing identity.")] = False,
) -> None:
    """Import a certificate issued by a real CA, checked against the C2PA profile."""
    from provenance.identity import Identity, check_free, default_identity_dir

    target = directory or default_identity_dir()
    check_free(target, overwrite=force)
    password = os.environ.get("PROVENANCE_KEY_PASSWORD")
    identity = Identity.from_files(cert, key, password=password.encode() if password else None)
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

    if out_dir.exists() and not out_dir.is_dir():
        raise _usage(f"--out-dir {out_dir} is a file, not a directory")
    csr_path, key_path = out_dir / "request.csr", out_dir / "key.pem"
    if key_path.exists():
        raise _usage(f"{key_path} exists; choose another --out-dir")
    _make_out_dir(out_dir)
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
    from provenance.identity import default_identity_dir, renew_local_identity

    d = directory or default_identity_dir()
    identity = renew_local_identity(d, password=_password_for(d), validity_days=days)
    err.print(f"Renewed {identity.info().subject}: valid until "
              f"{identity.certificate.not_valid_after_utc:%Y-%m-%d}")


@identity_app.command("publish-domain")
def identity_publish_domain(
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Your web site's root folder.")],
    directory: Annotated[Path | None, typer.Option("--dir", help="Identity directory.")] = None,
    revoke: Annotated[list[str] | None, typer.Option(
        help="SHA-256 fingerprint of a root to revoke (repeatable).")] = None,
) -> None:
    """Write DIR/.well-known/provenance-identity.json, signed, vouching for your root."""
    from provenance.domain import WELL_KNOWN, certificate_domain, publish

    if not out_dir.is_dir():
        raise _usage(f"--out-dir {out_dir} is not a directory (create it first)")
    identity = _load_identity(directory)
    path = publish(identity, out_dir, revoke=tuple(revoke or ()))
    err.print(f"Wrote {path}")
    err.print(f"Upload it to https://{certificate_domain(identity.certificate)}/{WELL_KNOWN}")
