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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance._domainname import certificate_domain, check_domain_name
from provenance._record import record
from provenance.errors import IdentityError, InputError

# cryptography is imported where a certificate is parsed: `verify FILE` constructs a
# DomainCheck for every call, and a signer certificate naming no domain needs no parsing.
if TYPE_CHECKING:
    from cryptography import x509

__all__ = ["SCHEMA", "WELL_KNOWN", "DomainCheck", "build_document",
           "certificate_domain", "check_domain_name", "publish", "vouched_roots"]

#: Where the document lives on the author's domain.
WELL_KNOWN = ".well-known/provenance-identity.json"
SCHEMA = "provenance.domain-identity/v1"
def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint of a certificate, lower-case hex."""
    from cryptography.hazmat.primitives import hashes

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
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

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
        roots[current] = {"sha256": current, "status": "current", "changed": now,
                          "pem": identity.root.public_bytes(serialization.Encoding.PEM).decode()}
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


def vouched_roots(doc: Any, domain: str) -> dict[str, str]:
    """Check a fetched document (schema, domain, signature by a certificate whose root it
    vouches for) and return fingerprint -> status of every root listed.

    Raises:
        ValueError: the document is not a valid, correctly signed domain file for ``domain``.
    """
    from cryptography import x509

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
    from cryptography.hazmat.primitives import hashes
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


# -- checking a signer against its domain (verify --check-domain) -----------------------------

#: A domain file larger than this is refused (it lists a few roots).
MAX_BYTES = 256 * 1024
#: Seconds for the whole fetch.
TIMEOUT = 10.0
#: Seconds a fetched answer is used before it is fetched again.
DEFAULT_MAX_AGE = 3600.0


@record
class DomainCheck:
    """How ``verify`` treats the signer's domain. Without ``fetch`` nothing is fetched and the
    domain is reported as not checked.

    Args:
        fetch: fetch the domain file (network; HTTPS only, bounded in size and time).
        refresh: ignore cached answers.
        max_age: seconds a cached answer is used.
        bases: ``(domain, base URL)`` pairs pointing a domain elsewhere (tests, intranets);
            plain ``http://`` only for 127.0.0.1 and localhost.
    """

    fetch: bool = False
    refresh: bool = False
    max_age: float = DEFAULT_MAX_AGE
    bases: tuple[tuple[str, str], ...] = ()
    timeout: float = TIMEOUT
    max_bytes: int = MAX_BYTES

    def __post_init__(self) -> None:
        for _, base in self.bases:
            check_base_url(base)

    def annotate(self, report: Any, source: Path | None) -> Any:
        """``report`` with ``signer.domain`` set when the signing certificate names a domain."""
        from dataclasses import replace

        from provenance.report import DomainStatus

        signer = report.signer
        if signer is None or not signer.serial or source is None:
            return report
        blobs = _signer_blobs(source)
        # A certificate names its domain in a subjectAltName extension: where no certificate
        # in these bytes carries one (its OID's DER), none names a domain and none is parsed.
        if not any(_SAN_OID in blob for blob in blobs):
            return report
        cert = _certificate_in(blobs, signer.serial)
        name = certificate_domain(cert) if cert is not None else None
        if cert is None or name is None:
            return report
        try:
            # The name comes from the signer: checked before it reaches a URL or a cache path.
            name = check_domain_name(name)
        except InputError:
            status = DomainStatus(name[:253], False, None,
                                  "the certificate's domain is not a valid domain name")
            return replace(report, signer=replace(signer, domain=status))
        if not self.fetch:
            status = DomainStatus(name, None, None, "not checked (pass --check-domain)")
        else:
            status = self.judge(cert, name)
        return replace(report, signer=replace(signer, domain=status))

    def judge(self, cert: x509.Certificate, name: str) -> Any:
        """Fetch (or take from the cache) ``name``'s file and say whether it vouches for the
        key of ``cert``."""
        from provenance.report import DomainStatus

        try:
            doc, checked_at = self._document(name)
        except OSError as exc:
            return DomainStatus(name, None, None, f"not checked: {exc}")
        try:
            roots = vouched_roots(doc, name)
        except ValueError as exc:
            return DomainStatus(name, False, checked_at, f"bad domain file: {exc}")
        for entry in doc.get("roots", []):
            root = _entry_root(entry, roots)
            if root is None or not _issued_by(cert, root):
                continue
            state = roots[fingerprint(root)]
            if state == "revoked":
                return DomainStatus(name, False, checked_at,
                                    f"the domain revoked this key on {entry.get('changed')}")
            return DomainStatus(name, True, checked_at,
                                f"{name} vouches for this key ({state} root)")
        return DomainStatus(name, False, checked_at,
                            f"{name} does not vouch for this signer's key")

    def base_for(self, name: str) -> str:
        """The base URL the domain file of ``name`` is fetched under."""
        return dict(self.bases).get(name, f"https://{name}")

    def _document(self, name: str) -> tuple[Any, str]:
        import time

        from provenance._home import home

        cache = home() / "domains" / f"{name}.json"
        base = self.base_for(name)
        if not self.refresh and cache.is_file():
            try:
                cached = json.loads(cache.read_text(encoding="utf-8"))
                if cached.get("base") == base and \
                        0 <= time.time() - float(cached["fetched"]) < self.max_age:
                    return cached["document"], str(cached["checked_at"])
            except (OSError, ValueError, KeyError, TypeError):
                pass  # a broken cache entry is fetched again
        doc = fetch_document(base, timeout=self.timeout, max_bytes=self.max_bytes)
        checked_at = _now()
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps({"base": base, "fetched": time.time(),
                                   "checked_at": checked_at, "document": doc}),
                       encoding="utf-8")
        tmp.replace(cache)
        return doc, checked_at


def check_base_url(base: str) -> str:
    """A base URL for a domain file: ``https://``, or ``http://`` on 127.0.0.1/localhost.

    Raises:
        InputError: any other scheme or host.
    """
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    if parts.scheme == "https" and parts.hostname:
        return base.rstrip("/")
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"):
        return base.rstrip("/")
    raise InputError(f"{base!r} is not an allowed base URL",
                     hint="use https://HOST (plain http:// only for 127.0.0.1 or localhost)")


def fetch_document(base: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> Any:
    """GET ``base/.well-known/provenance-identity.json`` (no redirects, bounded).

    Raises:
        OSError: network failure, HTTP error, too large, not JSON (the domain is then reported
            as not checked).
    """
    import time
    import urllib.error
    import urllib.request  # here: verifying without --check-domain never touches the network

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None  # a redirect could leave HTTPS: the file must be where it is said to be

    url = check_base_url(base) + "/" + WELL_KNOWN
    opener = urllib.request.build_opener(_NoRedirect)
    deadline = time.monotonic() + timeout
    try:
        with opener.open(urllib.request.Request(url, headers={"Accept": "application/json"}),  # noqa: S310 - scheme checked
                         timeout=timeout) as resp:
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise OSError(f"{url} took longer than {timeout:g}s")
                chunk = resp.read(16384)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise OSError(f"{url} is larger than {max_bytes} bytes")
                chunks.append(chunk)
    except urllib.error.HTTPError as exc:
        raise OSError(f"{url} answered HTTP {exc.code}") from exc
    except urllib.error.URLError as exc:
        raise OSError(f"cannot fetch {url}: {exc.reason}") from exc
    except TimeoutError as exc:
        raise OSError(f"{url} took longer than {timeout:g}s") from exc
    try:
        return json.loads(b"".join(chunks).decode("utf-8"))
    except ValueError as exc:
        raise OSError(f"{url} is not JSON") from exc


def _entry_root(entry: Any, roots: dict[str, str]) -> x509.Certificate | None:
    from cryptography import x509

    if not isinstance(entry, dict) or not isinstance(entry.get("pem"), str):
        return None
    try:
        root = x509.load_pem_x509_certificate(entry["pem"].encode())
    except ValueError:
        return None
    return root if fingerprint(root) == entry.get("sha256") and fingerprint(root) in roots \
        else None


def _issued_by(cert: x509.Certificate, root: x509.Certificate) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        cert.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def signer_certificate(source: Path, serial: str) -> x509.Certificate | None:
    """The signing certificate with serial number ``serial`` (hex) from the manifest of
    ``source``: found as DER in the asset, its decoded text manifest or its sidecar."""
    return _certificate_in(_signer_blobs(source), serial)


#: DER of the subjectAltName extension's OID (2.5.29.17).
_SAN_OID = b"\x06\x03\x55\x1d\x11"


def _signer_blobs(source: Path) -> list[bytes]:
    """Where ``signer_certificate`` looks: the asset's bytes, its decoded text manifest, its
    sidecar (none when the asset cannot be read)."""
    from provenance.carriers import is_text_name

    data = _bounded_read(source)
    if data is None:
        return []
    blobs = [data]
    if is_text_name(source):
        from provenance.carriers.text import _embedded_store

        store = _embedded_store(data, source.name)
        if store:
            blobs.append(store)
    sidecar = source.with_name(source.name + ".c2pa")
    if sidecar.is_file():
        blobs.append(sidecar.read_bytes()[:MAX_BYTES * 64])
    return blobs


def _certificate_in(blobs: list[bytes], serial: str) -> x509.Certificate | None:
    number = int(serial, 16)
    raw = number.to_bytes((number.bit_length() + 8) // 8, "big")  # DER INTEGER, sign bit clear
    tlv = bytes([0x02, len(raw)]) + raw
    for blob in blobs:
        at = blob.find(tlv)
        while at >= 0:
            cert = _der_certificate_before(blob, at)
            if cert is not None and cert.serial_number == number:
                return cert
            at = blob.find(tlv, at + 1)
    return None


#: Files larger than this are searched for the certificate in their first and last
#: ``_SCAN_EDGE`` bytes only (where formats keep their manifest).
_SCAN_WHOLE = 256 * 1024 * 1024
_SCAN_EDGE = 32 * 1024 * 1024


def _bounded_read(source: Path) -> bytes | None:
    try:
        with source.open("rb") as fh:
            size = fh.seek(0, 2)
            fh.seek(0)
            if size <= _SCAN_WHOLE:
                return fh.read()
            head = fh.read(_SCAN_EDGE)
            fh.seek(size - _SCAN_EDGE)
            return head + fh.read(_SCAN_EDGE)
    except OSError:
        return None  # the report was read already; no domain then


def _der_certificate_before(blob: bytes, serial_at: int) -> x509.Certificate | None:
    # Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version, serialNumber ... } }
    start = serial_at - 13  # 30 82 LL LL | 30 82 LL LL | A0 03 02 01 02 | serial
    if start < 0 or blob[start:start + 2] != b"\x30\x82":
        return None
    length = int.from_bytes(blob[start + 2:start + 4], "big") + 4
    from cryptography import x509

    try:
        return x509.load_der_x509_certificate(blob[start:start + length])
    except ValueError:
        return None


def __getattr__(name: str) -> object:
    if name == "DomainRequired":  # the policy lives with the other rules (policy_rules.py)
        from provenance.policy_rules import DomainRequired

        return DomainRequired
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
