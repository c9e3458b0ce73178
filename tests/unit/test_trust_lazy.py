"""Installed anchors are read without cryptography (provenance/trust.py): what a verify takes
from them, the PEM bundle for c2pa and the trusted signer's anchor subject, is the same as from
the parsed certificates; anything but a plain name is handed to cryptography."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from provenance import trust
from provenance._dn import format_dn
from provenance.trust import TrustStore

PROJECT = Path(__file__).resolve().parents[2]
_KEY = ec.generate_private_key(ec.SECP256R1())


def _cert(name: x509.Name) -> x509.Certificate:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(_KEY.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
            .sign(_KEY, hashes.SHA256()))


def _attr(oid: x509.ObjectIdentifier, value: str, kind: _ASN1Type | None = None) -> x509.Name:
    attr = x509.NameAttribute(oid, value) if kind is None else \
        x509.NameAttribute(oid, value, _type=kind)
    return x509.Name([attr])


NAMES = [
    x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ada Lovelace TEST-ONLY"),
               x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example News"),
               x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
               x509.NameAttribute(NameOID.EMAIL_ADDRESS, "ada@example.org")]),
    x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Zoë Ünïcode 東京 TEST-ONLY"),
               x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Desk"),
               x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "example"),
               x509.NameAttribute(NameOID.USER_ID, "ada"),
               x509.NameAttribute(NameOID.SERIAL_NUMBER, "12345"),
               x509.NameAttribute(NameOID.LOCALITY_NAME, "London"),
               x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Greater London"),
               x509.NameAttribute(NameOID.STREET_ADDRESS, "1 Fleet St")]),
    # Read by cryptography (not a plain name): a multi-valued RDN, a BMPString, a T61String.
    x509.Name([x509.RelativeDistinguishedName([
        x509.NameAttribute(NameOID.COMMON_NAME, "Two TEST-ONLY"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Values")])]),
    _attr(NameOID.COMMON_NAME, "BMP TEST-ONLY", _ASN1Type.BMPString),
    _attr(NameOID.COMMON_NAME, "T61 TEST-ONLY", _ASN1Type.T61String),
    x509.Name([]),
]


@pytest.mark.parametrize("name", NAMES, ids=range(len(NAMES)))
def test_subject_and_pem_from_der_are_cryptographys(name: x509.Name) -> None:
    cert = _cert(name)
    der = cert.public_bytes(serialization.Encoding.DER)
    subject = trust._subject(der)
    assert subject is not None
    assert trust._format_subject(subject) == format_dn(cert.subject)
    assert trust._pem_of(der) == cert.public_bytes(serialization.Encoding.PEM)
    assert trust._der_ok(der) and not trust._der_ok(der[:-1]) and not trust._der_ok(der + b"\0")
    # find_anchor answers the same from DER entries as from parsed certificates.
    eager = TrustStore((cert,), ("list",))
    lazy = TrustStore._of_entries([(der, "list")])
    issuer = {a.rfc4514_attribute_name: str(a.value) for a in cert.subject}
    if cert.subject and len(issuer) == len(list(cert.subject)):
        assert lazy.find_anchor(issuer) == eager.find_anchor(issuer) is not None
    assert lazy.find_anchor({"CN": "someone else"}) is None
    assert lazy == eager and lazy.pem() == eager.pem()


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def test_installed_store_without_cryptography_equals_the_parsed_one(tmp_path: Path) -> None:
    certs = [_cert(n) for n in NAMES]
    (tmp_path / "a.pem").write_bytes(b"".join(_pem(c) for c in certs[:3]) + _pem(certs[0]))
    der = certs[3].public_bytes(serialization.Encoding.DER)
    import base64

    (tmp_path / "b.pem").write_text(json.dumps(  # a JSON (LoTE) list, and one bad entry
        {"X509Certificates": [{"val": base64.b64encode(der).decode()}, {"val": "!!"}]}))
    broken = _pem(certs[4]).replace(b"\n-----END", b"AAAA\n-----END")
    (tmp_path / "c.pem").write_bytes(broken + _pem(certs[5]))  # a cut block, then a good one
    (tmp_path / "d.pem").write_text("nothing here")
    store = TrustStore.installed(tmp_path)
    assert "certificates" not in vars(store)  # nothing parsed yet
    listed = trust.list_anchors(tmp_path)
    parsed = TrustStore(tuple(c for f in listed for c in f.certificates),
                        tuple(f.name for f in listed for _ in f.certificates))
    assert store.pem() == parsed.pem()
    assert "certificates" not in vars(store)
    assert store.certificates == parsed.certificates and store.labels == parsed.labels
    assert store.labels == ("a", "a", "a", "a", "b", "c")
    # merged, pickled for workers and back (trust.store_state): the same anchors.
    from provenance.trust import store_from_state, store_state

    extra = TrustStore((certs[1],))
    again = store_from_state(store_state(TrustStore.installed(tmp_path).merged(extra)))
    assert again.certificates == (*store.certificates, certs[1])
    assert again.labels == (*store.labels, "anchor")


def test_a_trusted_verify_reads_anchors_without_cryptography(tmp_path: Path) -> None:
    (tmp_path / "a.pem").write_bytes(_pem(_cert(NAMES[0])))
    code = ("import sys\nfrom provenance.trust import TrustStore\n"
            f"store = TrustStore.installed(__import__('pathlib').Path({str(tmp_path)!r}))\n"
            "assert store.pem().startswith('-----BEGIN CERTIFICATE-----')\n"
            "print(store.find_anchor({'CN': 'Ada Lovelace TEST-ONLY', 'O': 'Example News', "
            "'C': 'GB', '1.2.840.113549.1.9.1': 'ada@example.org'}))\n"
            "print(sorted(m for m in sys.modules if m.startswith('cryptography')))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True,
                          text=True, timeout=60, check=True)
    found, modules = proc.stdout.splitlines()
    assert found == ("('CN=Ada Lovelace TEST-ONLY, O=Example News, C=GB, "
                     "E=ada@example.org', 'a')")
    assert modules == "[]"
