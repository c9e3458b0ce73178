"""A free identity checked through the author's own web domain.

The author's certificate names a domain (subjectAltName ``DNS:example.org`` and
``URI:https://example.org/``, which the CAWG X.509 identity assertion carries with the
certificate). The author publishes ``https://example.org/.well-known/provenance-identity.json``,
a document signed with the identity's key that lists the SHA-256 fingerprints of the root
certificates the domain vouches for, with rotations and revocations. A verifier that asks
(``verify --check-domain``) fetches it and checks that the signer's root is vouched for.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from provenance._domainname import certificate_domain, check_domain_name
from provenance.errors import IdentityError, InputError

__all__ = ["SCHEMA", "WELL_KNOWN", "DomainStatus", "build_document", "certificate_domain",
           "check_domain_name", "publish", "vouched_roots"]

#: Where the document lives on the author's domain.
WELL_KNOWN = ".well-known/provenance-identity.json"
SCHEMA = "provenance.domain-identity/v1"
def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint of a certificate, lower-case hex."""
    return cert.fingerprint(hashes.SHA256()).hex()


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _canonical(doc: dict[str, Any]) -> bytes:
    body = {k: v for k, v in doc.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def build_document(identity: Any, *, previous: dict[str, Any] | None = None,
                   revoke: tuple[str, ...] = ()) -> dict[str, Any]:
    """The signed domain document for ``identity`` (a local :class:`Identity` with a domain).

    Roots listed in ``previous`` stay listed: one that is not the identity's root any more is
    ``rotated`` (still vouched for: what it signed before stays the author's); fingerprints in
    ``revoke`` become ``revoked`` (no longer vouched for).

    Raises:
        IdentityError: the identity has no domain, no local root or no local key.
    """
    from provenance.identity import sign_with_key

    cert = identity.certificate
    domain = certificate_domain(cert)
    if domain is None:
        raise IdentityError("this identity names no domain",
                            hint="create one with `provenance identity create --domain D`")
    if identity.root is None or identity.sign_callback() is not None:
        raise IdentityError("only a local identity (own root and key) can publish a domain file")
    now = _now()
    current = fingerprint(identity.root)
    roots: dict[str, dict[str, str]] = {}
    for entry in (previous or {}).get("roots", []):
        if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
            roots[entry["sha256"]] = {k: str(v) for k, v in entry.items()}
    for fp, entry in roots.items():
        if fp != current and entry.get("status") == "current":
            entry.update(status="rotated", changed=now)
    if current not in roots or roots[current].get("status") != "current":
        roots[current] = {"sha256": current, "status": "current", "changed": now}
    for fp in revoke:
        fp = fp.lower().replace(":", "")
        if fp not in roots:
            raise InputError(f"root {fp[:16]}... is not in the domain file",
                             hint="list them with `cat DIR/" + WELL_KNOWN + "`")
        roots[fp].update(status="revoked", changed=now)
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "domain": domain,
        "name": cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value,
        "roots": sorted(roots.values(), key=lambda e: e["changed"]),
        "issued": (previous or {}).get("issued", now),
        "updated": now,
        "certificate": (identity.chain_pem() + identity.root.public_bytes(
            serialization.Encoding.PEM)).decode(),
    }
    doc["signature"] = {"alg": identity.algorithm,
                        "value": base64.b64encode(
                            sign_with_key(identity._key, _canonical(doc))).decode()}
    return doc


def publish(identity: Any, out_dir: Path, *, revoke: tuple[str, ...] = ()) -> Path:
    """Write (or update) ``out_dir/.well-known/provenance-identity.json``; returns its path."""
    path = out_dir / WELL_KNOWN
    previous = None
    if path.is_file():
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{path} is not a domain file: {exc}",
                             hint="move it away to start a new one") from exc
    doc = build_document(identity, previous=previous, revoke=revoke)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class DomainStatus:
    """``signer.domain`` of a report: verified True/False, or None when not checked."""

    name: str
    verified: bool | None
    checked_at: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"name": self.name, "verified": self.verified, "checked_at": self.checked_at,
                "reason": self.reason}


def vouched_roots(doc: Any, domain: str) -> dict[str, str]:
    """Check a fetched document (schema, domain, signature by a certificate whose root it
    vouches for) and return fingerprint -> status of every root listed.

    Raises:
        ValueError: the document is not a valid, correctly signed domain file for ``domain``.
    """
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ValueError("not a provenance domain identity file")
    if doc.get("domain") != domain:
        raise ValueError(f"the file is for {doc.get('domain')!r}, not {domain}")
    roots = {str(e.get("sha256")): str(e.get("status")) for e in doc.get("roots", [])
             if isinstance(e, dict)}
    sig = doc.get("signature")
    if not isinstance(sig, dict) or not isinstance(sig.get("value"), str):
        raise ValueError("the file is not signed")
    try:
        chain = x509.load_pem_x509_certificates(str(doc.get("certificate", "")).encode())
        value = base64.b64decode(sig["value"], validate=True)
    except ValueError as exc:
        raise ValueError(f"the file's certificate or signature is unreadable: {exc}") from exc
    if not chain or not _verify(chain[0], value, _canonical(doc)):
        raise ValueError("the file's signature does not verify")
    if certificate_domain(chain[0]) != domain:
        raise ValueError("the file is signed by a certificate for another domain")
    issuer_ok = [fp for fp, st in roots.items() if st == "current"]
    if not _issued_by_any(chain[0], issuer_ok, chain):
        raise ValueError("the file is signed by a key whose root it does not vouch for")
    return roots


def _verify(cert: x509.Certificate, signature: bytes, data: bytes) -> bool:
    """Check a signature made by :func:`provenance.identity.sign_with_key` (raw r||s ECDSA,
    RSASSA-PSS SHA-256, Ed25519) with ``cert``'s public key."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    key = cert.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            size = (key.curve.key_size + 7) // 8
            if len(signature) != 2 * size:
                return False
            h = {"secp384r1": hashes.SHA384(), "secp521r1": hashes.SHA512()}.get(
                key.curve.name, hashes.SHA256())
            der = encode_dss_signature(int.from_bytes(signature[:size], "big"),
                                       int.from_bytes(signature[size:], "big"))
            key.verify(der, data, ec.ECDSA(h))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data,
                       padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                       hashes.SHA256())
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _issued_by_any(cert: x509.Certificate, fingerprints: list[str],
                   chain: list[x509.Certificate]) -> bool:
    from cryptography.exceptions import InvalidSignature

    for root in chain[1:]:
        if fingerprint(root) not in fingerprints:
            continue
        try:
            cert.verify_directly_issued_by(root)
        except (ValueError, TypeError, InvalidSignature):
            pass  # not this root
        else:
            return True
    return False
