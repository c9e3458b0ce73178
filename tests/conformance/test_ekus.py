"""Certificate purposes (EKUs): real TEST-ONLY chains made here, each signed and verified.

c2pa-rs given trust anchors but no EKU list accepts only emailProtection; we always pass the
C2PA defaults (emailProtection, documentSigning, claim signing) plus those of installed trust
configurations, to signing and to verification alike.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

import provenance
from provenance import TrustStore, inspect, sign_bytes
from provenance.errors import SigningError
from provenance.identity import Identity
from tests.assets import build as assets

DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
CLAIM_SIGNING = x509.ObjectIdentifier("1.3.6.1.4.1.62558.2.1")
VENDOR = x509.ObjectIdentifier("1.3.6.1.4.1.311.76.59.1.9")  # Microsoft's C2PA signing EKU


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[Identity, object]:
    ident, root_key = Identity.create("TEST-ONLY EKU Root Holder")
    return ident, root_key


def _issue(ca: tuple[Identity, object], *ekus: x509.ObjectIdentifier) -> Identity:
    ident, root_key = ca
    assert ident.root is not None
    now = dt.datetime.now(dt.UTC)
    return Identity._issue(
        ident.root, root_key,  # type: ignore[arg-type]
        name="TEST-ONLY EKU " + "+".join(e.dotted_string for e in ekus), email=None,
        organization=None, algorithm="es256",
        not_before=now - dt.timedelta(minutes=5), not_after=now + dt.timedelta(days=2),
        ekus=ekus,
    )


@pytest.fixture(scope="module")
def jpeg(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return assets.build(tmp_path_factory.mktemp("eku"))["photo.jpg"].read_bytes()


def _anchors(ca: tuple[Identity, object]) -> TrustStore:
    assert ca[0].root is not None
    return TrustStore((ca[0].root,), ("eku-root",))


@pytest.mark.parametrize("ekus", [
    (ExtendedKeyUsageOID.EMAIL_PROTECTION,),
    (DOCUMENT_SIGNING,),
    (CLAIM_SIGNING,),
], ids=["emailProtection", "documentSigning", "claimSigning"])
@pytest.mark.parametrize("name", ["photo.jpg", "note.txt"])
def test_accepted_purpose_signs_and_verifies_trusted(
    ca: tuple[Identity, object], jpeg: bytes, ekus: tuple[x509.ObjectIdentifier, ...],
    name: str, tmp_path: Path,
) -> None:
    signer = _issue(ca, *ekus)
    anchors = _anchors(ca)
    src = tmp_path / name
    src.write_bytes(jpeg if name.endswith(".jpg") else b"A line written by a person.\n")
    signed = provenance.sign(src, identity=signer, trust=anchors).output
    report = inspect(signed, trust=anchors)
    assert report.status == "trusted", [f.code for f in report.failures]
    assert report.failures == ()
    # The same file with no anchor: intact, untrusted, never "invalid".
    plain = inspect(signed, trust=TrustStore())
    assert plain.status == "valid"
    assert [f.code for f in plain.failures] == ["signingCredential.untrusted"]


def test_server_auth_only_stays_invalid(ca: tuple[Identity, object], jpeg: bytes) -> None:
    signer = _issue(ca, ExtendedKeyUsageOID.SERVER_AUTH)
    with pytest.raises(SigningError):
        sign_bytes(jpeg, name="photo.jpg", identity=signer, trust=_anchors(ca))


def test_vendor_eku_needs_an_installed_trust_configuration(
    ca: tuple[Identity, object], jpeg: bytes, tmp_path: Path,
) -> None:
    signer = _issue(ca, VENDOR)
    with pytest.raises(SigningError):
        sign_bytes(jpeg, name="photo.jpg", identity=signer, trust=_anchors(ca))
    cfg = tmp_path / "store.cfg"
    cfg.write_text("// MS C2PA Signing\n1.3.6.1.4.1.311.76.59.1.9\n", "utf-8")
    provenance.trust.add_config(cfg, name="vendor")
    installed = TrustStore.installed().merged(_anchors(ca))
    assert "1.3.6.1.4.1.311.76.59.1.9" in installed.ekus
    signed = sign_bytes(jpeg, name="photo.jpg", identity=signer, trust=installed).data
    assert inspect(signed, name="photo.jpg", trust=installed).status == "trusted"
    # A verifier without that configuration says why the signer is refused.
    other = inspect(signed, name="photo.jpg", trust=_anchors(ca))
    assert other.status == "invalid"
    assert "signingCredential.invalid" in [f.code for f in other.failures]


def test_cai_store_cfg_parses(shared: Path) -> None:
    from provenance.trust import parse_eku_config

    text = (shared / "trust/cai_interim_verify-site/store.cfg").read_text("utf-8")
    oids = parse_eku_config(text, "store.cfg")
    assert "1.3.6.1.4.1.311.76.59.1.9" in oids and "1.3.6.1.5.5.7.3.36" in oids


def test_own_root_pem_roundtrip(ca: tuple[Identity, object]) -> None:
    # The anchors handed to c2pa are the PEM of the root (sanity of the fixture itself).
    assert ca[0].root is not None
    pem = ca[0].root.public_bytes(serialization.Encoding.PEM).decode()
    assert _anchors(ca).pem() == pem
