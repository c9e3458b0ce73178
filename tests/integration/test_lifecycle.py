"""Integration: the life of an identity. A CSR answered by a (TEST-ONLY) CA, renewal of a local
identity, refusal of an expired one. Real certificates, real c2pa signatures."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from provenance import (
    Identity,
    IdentityError,
    TrustStore,
    check_certificate_profile,
    inspect,
    sign,
    verify,
)
from provenance._dn import format_dn
from provenance.identity import (
    create_local_identity,
    make_csr,
    renew_local_identity,
    write_private_key,
)

C2PA_CLAIM_SIGNING = x509.ObjectIdentifier("1.3.6.1.4.1.62558.2.1")
EMAIL_PROTECTION = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.4")


def _test_ca(name: str = "TEST-ONLY Newsroom CA"
             ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "TEST-ONLY Newsroom")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                     False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _issue_from_csr(csr: x509.CertificateSigningRequest, ca: x509.Certificate,
                    ca_key: ec.EllipticCurvePrivateKey, *, days: int = 90) -> x509.Certificate:
    """What a CA does with the request: its subject, key and extensions, plus AKI/SKI."""
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder().subject_name(csr.subject).issuer_name(ca.subject)
        .public_key(csr.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
    )
    for ext in csr.extensions:
        builder = builder.add_extension(ext.value, critical=ext.critical)
    ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
    builder = builder.add_extension(
        x509.SubjectKeyIdentifier.from_public_key(csr.public_key()), critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def _csr_identity_files(directory: Path) -> tuple[Path, Path, x509.Certificate]:
    """Run the CSR flow; return (chain file, key file, CA certificate)."""
    csr_pem, key = make_csr("TEST-ONLY Grace Reporter", email="grace@example.test",
                            organization="TEST-ONLY Newsroom")
    csr = x509.load_pem_x509_csr(csr_pem)
    ca, ca_key = _test_ca()
    leaf = _issue_from_csr(csr, ca, ca_key)
    directory.mkdir(parents=True, exist_ok=True)
    chain_file, key_file = directory / "issued-chain.pem", directory / "key.pem"
    chain_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM)
                           + ca.public_bytes(serialization.Encoding.PEM))
    write_private_key(key_file, key, password=None)
    return chain_file, key_file, ca


# -- (a) CSR -> CA -> import -> sign -> trusted -----------------------------------------------


def test_csr_requests_the_c2pa_profile() -> None:
    csr_pem, key = make_csr("TEST-ONLY Grace Reporter", email="grace@example.test",
                            organization="TEST-ONLY Newsroom")
    assert csr_pem.startswith(b"-----BEGIN CERTIFICATE REQUEST-----")
    csr = x509.load_pem_x509_csr(csr_pem)
    assert csr.is_signature_valid
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    assert csr.public_key().public_bytes(der, pub) == key.public_key().public_bytes(der, pub)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == \
        "TEST-ONLY Grace Reporter"
    assert csr.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)[0].value == \
        "grace@example.test"

    ku = csr.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical
    assert ku.value.digital_signature
    assert not ku.value.key_cert_sign
    eku = csr.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert EMAIL_PROTECTION in list(eku.value)
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in list(eku.value)
    assert C2PA_CLAIM_SIGNING in list(eku.value)
    bc = csr.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical
    assert bc.value.ca is False
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.value.get_values_for_type(x509.RFC822Name) == ["grace@example.test"]


def test_csr_issued_certificate_imports_signs_and_verifies(files: dict[str, Path],
                                                          tmp_path: Path) -> None:
    chain_file, key_file, ca = _csr_identity_files(tmp_path / "ca-issued")
    assert key_file.stat().st_mode & 0o777 == 0o600
    chain = x509.load_pem_x509_certificates(chain_file.read_bytes())
    assert check_certificate_profile(chain) == []

    imported = Identity.from_files(chain_file, key_file, password=None)
    assert imported.certificate == chain[0]
    assert imported.info().name == "TEST-ONLY Grace Reporter"
    assert imported.info().issuer == format_dn(ca.subject)

    out = tmp_path / "photo.signed.jpg"
    sign(files["photo.jpg"], out, identity=imported)
    # Nobody trusts the newsroom CA yet: intact but not trusted.
    assert inspect(out, trust=TrustStore()).status == "valid"
    report = verify(out, trust=TrustStore((ca,)))
    assert report.status == "trusted"
    assert report.signer is not None
    assert report.signer.name == "TEST-ONLY Grace Reporter"
    assert report.signer.anchor == format_dn(ca.subject)


# -- (b) renewal ------------------------------------------------------------------------------


def test_renew_local_identity(files: dict[str, Path], tmp_path: Path) -> None:
    d = tmp_path / "id"
    created, where = create_local_identity(
        "TEST-ONLY Grace Hopper", email="grace@example.test", directory=d, password=None,
        validity_days=20,
    )
    assert where == d
    root_key_before = (d / "root.key").read_bytes()
    old_file = tmp_path / "old.jpg"
    sign(files["photo.jpg"], old_file, identity=created)
    assert verify(old_file).status == "trusted"

    renewed = renew_local_identity(d, password=None)
    old_cert, new_cert = created.certificate, renewed.certificate
    assert new_cert.subject == old_cert.subject
    assert new_cert.issuer == old_cert.issuer
    assert new_cert.serial_number != old_cert.serial_number
    assert new_cert.not_valid_after_utc > old_cert.not_valid_after_utc
    assert new_cert.not_valid_after_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=700)
    assert new_cert.public_key() != old_cert.public_key()  # a new key too
    assert check_certificate_profile(renewed.chain) == []

    # Persisted: loading the directory gives the renewed certificate; the root stays.
    loaded = Identity.load(d, password=None)
    assert loaded.certificate == new_cert
    assert loaded.root == created.root
    assert (d / "root.key").read_bytes() == root_key_before
    assert (d / "key.pem").stat().st_mode & 0o777 == 0o600

    # The old signature still verifies; a new one is trusted too.
    assert verify(old_file).status == "trusted"
    new_file = tmp_path / "new.jpg"
    sign(files["photo.png"], new_file.with_suffix(".png"), identity=loaded)
    sign(files["photo.jpg"], new_file, identity=loaded)
    report = verify(new_file)
    assert report.status == "trusted"
    assert report.signer is not None and report.signer.name == "TEST-ONLY Grace Hopper"
    assert verify(new_file.with_suffix(".png")).status == "trusted"


def test_renew_imported_identity_is_refused(tmp_path: Path) -> None:
    chain_file, key_file, _ca = _csr_identity_files(tmp_path / "ca-issued")
    imported = Identity.from_files(chain_file, key_file, password=None)
    d = tmp_path / "imported"
    imported.save(d, password=None)
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    with pytest.raises(IdentityError, match="no local root"):
        renew_local_identity(d, password=None)
    assert {p.name: p.read_bytes() for p in d.iterdir()} == before


def test_renew_without_root_key_is_refused(stranger: Identity, tmp_path: Path) -> None:
    d = tmp_path / "no-root-key"
    stranger.save(d, password=None)  # root.pem but no root.key
    assert (d / "root.pem").is_file() and not (d / "root.key").exists()
    with pytest.raises(IdentityError):
        renew_local_identity(d, password=None)
    assert Identity.load(d, password=None).certificate == stranger.certificate


# -- (c) expired ------------------------------------------------------------------------------


def test_signing_with_expired_identity_is_refused(expired_identity: Identity,
                                                  files: dict[str, Path], tmp_path: Path
                                                  ) -> None:
    work = tmp_path / "work"
    work.mkdir()
    src = Path(shutil.copy2(files["photo.jpg"], work / "photo.jpg"))
    out = work / "photo.signed.jpg"
    with pytest.raises(IdentityError) as info:
        sign(src, out, identity=expired_identity)
    assert "expired" in str(info.value)
    assert not out.exists()
    assert sorted(p.name for p in work.iterdir()) == ["photo.jpg"]
    assert src.read_bytes() == files["photo.jpg"].read_bytes()
