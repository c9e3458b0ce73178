"""Identity: creation, persistence, passphrases, key hygiene, the C2PA certificate profile."""

from __future__ import annotations

import datetime as dt
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import provenance
from provenance.errors import CertificateProfileError, IdentityError, OutputError
from provenance.identity import Identity, check_certificate_profile, sign_with_key
from provenance.trust import TrustStore

NO_EKU = ("no extendedKeyUsage C2PA accepts for signing (emailProtection, documentSigning, "
          "C2PA claim signing or one of an installed trust configuration)")

NOW = dt.datetime.now(dt.UTC)
ALGORITHMS = ["es256", "es384", "es512", "ps256", "ed25519"]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _key_pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


# -- create -----------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_create_every_algorithm_meets_profile(algorithm: str) -> None:
    ident, root_key = Identity.create("TEST-ONLY Grace Hopper", email="grace@example.test",
                                      algorithm=algorithm)
    assert ident.algorithm == algorithm
    assert check_certificate_profile(ident.chain) == []
    assert ident.root is not None
    assert check_certificate_profile([*ident.chain, ident.root]) == []
    # The leaf really is issued by the returned root, whose key is the returned root key.
    ident.certificate.verify_directly_issued_by(ident.root)
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    assert root_key.public_key().public_bytes(der, pub) == \
        ident.root.public_key().public_bytes(der, pub)
    leaf_key = ident.certificate.public_key()
    expected = {
        "es256": (ec.EllipticCurvePublicKey, "secp256r1"),
        "es384": (ec.EllipticCurvePublicKey, "secp384r1"),
        "es512": (ec.EllipticCurvePublicKey, "secp521r1"),
        "ps256": (rsa.RSAPublicKey, None),
        "ed25519": (ed25519.Ed25519PublicKey, None),
    }[algorithm]
    assert isinstance(leaf_key, expected[0])
    if expected[1]:
        assert isinstance(leaf_key, ec.EllipticCurvePublicKey)
        assert leaf_key.curve.name == expected[1]
    if isinstance(leaf_key, rsa.RSAPublicKey):
        assert leaf_key.key_size >= 2048
    info = ident.info()
    assert info.name == "TEST-ONLY Grace Hopper"
    assert info.email == "grace@example.test"
    assert info.algorithm == algorithm


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_create_every_algorithm_signs_and_verifies_trusted(
    algorithm: str, files: dict[str, Path]
) -> None:
    ident, _ = Identity.create("TEST-ONLY Signer", algorithm=algorithm)
    assert ident.root is not None
    signed, mtype = (r := provenance.sign_bytes(
        files["photo.jpg"].read_bytes(), name="photo.jpg", identity=ident
    )).data, r.media_type
    assert mtype == "image/jpeg"
    report = provenance.inspect(signed, name="photo.jpg", trust=TrustStore((ident.root,)))
    assert report.status == "trusted", report.failures
    assert report.origin == "human"


def test_create_rejects_unknown_algorithm_and_empty_name() -> None:
    with pytest.raises(IdentityError, match="unknown algorithm"):
        Identity.create("TEST-ONLY X", algorithm="rs1")
    with pytest.raises(IdentityError, match="needs a name"):
        Identity.create("   ")


# -- save / load ------------------------------------------------------------------------------


def test_save_writes_private_files_0600(tmp_path: Path) -> None:
    ident, root_key = Identity.create("TEST-ONLY Modes")
    d = ident.save(tmp_path / "id", password=None, root_key=root_key)
    assert _mode(d / "key.pem") == 0o600
    assert _mode(d / "root.key") == 0o600
    assert _mode(d / "chain.pem") == 0o644
    assert _mode(d) & 0o077 == 0  # the identity directory is private too
    assert b"PRIVATE KEY" in (d / "key.pem").read_bytes()
    assert b"ENCRYPTED" not in (d / "key.pem").read_bytes()
    for public in ("chain.pem", "root.pem", "identity.json"):
        assert b"PRIVATE KEY" not in (d / public).read_bytes()
    loaded = Identity.load(d, password=None)
    assert loaded.certificate == ident.certificate
    assert loaded.root == ident.root
    assert loaded.encrypted is False
    assert loaded.private_key_pem() == ident.private_key_pem()


def test_save_with_password_encrypts_and_load_needs_it(tmp_path: Path) -> None:
    ident, root_key = Identity.create("TEST-ONLY Secret", algorithm="es256")
    d = ident.save(tmp_path / "id", password=b"correct horse", root_key=root_key)
    assert b"ENCRYPTED" in (d / "key.pem").read_bytes()
    assert b"ENCRYPTED" in (d / "root.key").read_bytes()
    assert _mode(d / "key.pem") == 0o600

    loaded = Identity.load(d, password=b"correct horse")
    assert loaded.encrypted is True
    assert loaded.private_key_pem() == ident.private_key_pem()
    assert loaded.info().encrypted is True

    with pytest.raises(IdentityError, match="wrong passphrase"):
        Identity.load(d, password=b"battery staple")

    with pytest.raises(IdentityError) as missing:
        Identity.load(d, password=None)
    assert "PROVENANCE_KEY_PASSWORD" in str(missing.value)
    assert "no passphrase" in missing.value.message


def test_load_from_empty_dir(tmp_path: Path) -> None:
    with pytest.raises(IdentityError, match="no identity found"):
        Identity.load(tmp_path, password=None)
    with pytest.raises(IdentityError, match="no identity found"):
        Identity.load(tmp_path / "does-not-exist", password=None)


def test_load_rejects_key_of_another_identity(tmp_path: Path) -> None:
    a, _ = Identity.create("TEST-ONLY A")
    b, _ = Identity.create("TEST-ONLY B")
    d = a.save(tmp_path / "a", password=None)
    (d / "key.pem").write_bytes(b.private_key_pem())
    with pytest.raises(IdentityError, match="does not belong"):
        Identity.load(d, password=None)


def test_save_twice_needs_overwrite(tmp_path: Path) -> None:
    first, _ = Identity.create("TEST-ONLY First")
    second, _ = Identity.create("TEST-ONLY Second")
    d = tmp_path / "id"
    first.save(d, password=None)
    with pytest.raises(OutputError, match="already exists"):
        second.save(d, password=None)
    # The refused save changed nothing.
    assert Identity.load(d, password=None).certificate == first.certificate
    second.save(d, password=None, overwrite=True)
    assert Identity.load(d, password=None).certificate == second.certificate


def test_repr_and_str_never_show_the_key() -> None:
    ident, root_key = Identity.create("TEST-ONLY Repr", algorithm="es256")
    key = ident._key
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    pem = ident.private_key_pem().decode()
    body = "".join(pem.strip().splitlines()[1:-1])
    secret = key.private_numbers().private_value
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    for text in (repr(ident), str(ident), f"{ident}", repr([ident]), repr({"id": ident})):
        assert "PRIVATE KEY" not in text
        assert body[:40] not in text
        assert str(secret) not in text
        assert format(secret, "x") not in text
        assert der.hex() not in text
        assert repr(der) not in text
        assert "TEST-ONLY Repr" in text
    assert "PRIVATE KEY" not in str(ident.info().to_dict())
    assert str(root_key.private_numbers().private_value) not in repr(ident)  # type: ignore[union-attr]


# -- the certificate profile ------------------------------------------------------------------


@dataclass
class _CA:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


@pytest.fixture(scope="module")
def ca() -> _CA:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TEST-ONLY Profile Root")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    return _CA(cert, key)


def _ku(*, digital_signature: bool = True, key_cert_sign: bool = False,
        content_commitment: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature, content_commitment=content_commitment,
        key_encipherment=False, data_encipherment=False, key_agreement=False,
        key_cert_sign=key_cert_sign, crl_sign=False, encipher_only=False, decipher_only=False,
    )


def leaf(
    ca: _CA,
    *,
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | None = None,
    self_signed: bool = False,
    is_ca: bool = False,
    ku: x509.KeyUsage | None = None,
    ku_critical: bool = True,
    aki: bool = True,
    ekus: list[x509.ObjectIdentifier] | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    extra: list[tuple[x509.ExtensionType, bool]] = (),  # type: ignore[assignment]
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey]:
    """A TEST-ONLY end-entity certificate that meets the profile unless told otherwise."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, "TEST-ONLY Profile Leaf"),
        x509.NameAttribute(NameOID.EMAIL_ADDRESS, "leaf@example.test"),
    ])
    issuer_key = key if self_signed else ca.key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if self_signed else ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(minutes=5))
        .not_valid_after(not_after or NOW + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=0 if is_ca else None),
                       critical=True)
        .add_extension(ku or _ku(), critical=ku_critical)
        .add_extension(x509.ExtendedKeyUsage(
            ekus if ekus is not None else [ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
    )
    if aki:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer_key.public_key()),  # type: ignore[arg-type]
            critical=False)
    for ext, critical in extra:
        builder = builder.add_extension(ext, critical=critical)
    return builder.sign(issuer_key, hashes.SHA256()), key


def test_profile_baseline_leaf_passes(ca: _CA) -> None:
    cert, _ = leaf(ca)
    assert check_certificate_profile([cert]) == []
    assert check_certificate_profile([cert, ca.cert]) == []


def test_profile_empty_chain() -> None:
    assert check_certificate_profile([]) == ["the chain holds no certificate"]


def test_profile_no_email_protection_eku(ca: _CA) -> None:
    cert, _ = leaf(ca, ekus=[ExtendedKeyUsageOID.SERVER_AUTH])
    assert check_certificate_profile([cert]) == [NO_EKU]


@pytest.mark.parametrize("oid", ["1.3.6.1.5.5.7.3.36", "1.3.6.1.4.1.62558.2.1"])
def test_profile_accepts_document_and_claim_signing(ca: _CA, oid: str) -> None:
    cert, _ = leaf(ca, ekus=[x509.ObjectIdentifier(oid)])
    assert check_certificate_profile([cert]) == []


def test_profile_vendor_eku_needs_a_trust_configuration(ca: _CA, tmp_path: Path) -> None:
    vendor = "1.3.6.1.4.1.311.76.59.1.9"
    cert, _ = leaf(ca, ekus=[x509.ObjectIdentifier(vendor)])
    assert check_certificate_profile([cert]) == [NO_EKU]
    cfg = tmp_path / "store.cfg"
    cfg.write_text(f"// MS C2PA Signing\n{vendor}\n")
    provenance.trust.add_config(cfg)
    assert check_certificate_profile([cert]) == []
    # timeStamping alone is a TSA's purpose, never a claim signer's
    ts, _ = leaf(ca, ekus=[ExtendedKeyUsageOID.TIME_STAMPING])
    assert check_certificate_profile([ts]) == [NO_EKU]


def test_own_certificates_carry_email_protection_and_document_signing() -> None:
    ident, _ = Identity.create("TEST-ONLY Eku")
    eku = ident.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert [o.dotted_string for o in eku] == ["1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.36"]


def test_profile_self_signed(ca: _CA) -> None:
    cert, _ = leaf(ca, self_signed=True)
    assert check_certificate_profile([cert]) == ["self-signed (it must be issued by a CA)"]


def test_profile_ca_certificate_as_leaf(ca: _CA) -> None:
    cert, _ = leaf(ca, is_ca=True)
    assert check_certificate_profile([cert]) == [
        "it is a CA certificate (basicConstraints cA=TRUE)"
    ]
    # The real root used as a leaf breaks several rules at once.
    problems = check_certificate_profile([ca.cert])
    assert "it is a CA certificate (basicConstraints cA=TRUE)" in problems
    assert "self-signed (it must be issued by a CA)" in problems
    assert "keyUsage has keyCertSign" in problems
    assert "keyUsage lacks digitalSignature" in problems


def test_profile_key_usage_not_critical(ca: _CA) -> None:
    cert, _ = leaf(ca, ku_critical=False)
    assert check_certificate_profile([cert]) == ["keyUsage is not critical"]


def test_profile_missing_digital_signature(ca: _CA) -> None:
    cert, _ = leaf(ca, ku=_ku(digital_signature=False, content_commitment=True))
    assert check_certificate_profile([cert]) == ["keyUsage lacks digitalSignature"]


def test_profile_key_cert_sign(ca: _CA) -> None:
    cert, _ = leaf(ca, ku=_ku(key_cert_sign=True))
    assert check_certificate_profile([cert]) == ["keyUsage has keyCertSign"]


def test_profile_no_authority_key_identifier(ca: _CA) -> None:
    cert, _ = leaf(ca, aki=False)
    assert check_certificate_profile([cert]) == ["no authorityKeyIdentifier"]


def test_profile_expired(ca: _CA) -> None:
    end = NOW - dt.timedelta(days=2)
    cert, _ = leaf(ca, not_before=NOW - dt.timedelta(days=40), not_after=end)
    assert check_certificate_profile([cert]) == [f"expired on {end:%Y-%m-%d}"]
    # ...but not at a time when it was still valid.
    assert check_certificate_profile([cert], at=NOW - dt.timedelta(days=10)) == []


def test_profile_not_yet_valid(ca: _CA) -> None:
    start = NOW + dt.timedelta(days=2)
    cert, _ = leaf(ca, not_before=start, not_after=NOW + dt.timedelta(days=40))
    assert check_certificate_profile([cert]) == [f"not valid before {start:%Y-%m-%d}"]


def test_profile_rsa_1024(ca: _CA) -> None:
    cert, _ = leaf(ca, key=rsa.generate_private_key(public_exponent=65537, key_size=1024))  # noqa: S505
    assert check_certificate_profile([cert]) == ["RSA key of 1024 bits (at least 2048 needed)"]


def test_profile_unknown_critical_extension(ca: _CA) -> None:
    oid = x509.ObjectIdentifier("1.3.6.1.4.1.55555.1.2")
    cert, _ = leaf(ca, extra=[(x509.UnrecognizedExtension(oid, b"\x05\x00"), True)])
    assert check_certificate_profile([cert]) == [
        "unknown critical extension 1.3.6.1.4.1.55555.1.2"
    ]
    # The same extension, not critical, is fine.
    cert2, _ = leaf(ca, extra=[(x509.UnrecognizedExtension(oid, b"\x05\x00"), False)])
    assert check_certificate_profile([cert2]) == []


def test_profile_unsupported_curve(ca: _CA) -> None:
    cert, _ = leaf(ca, key=ec.generate_private_key(ec.SECP256K1()))
    assert check_certificate_profile([cert]) == ["unsupported curve secp256k1"]


def test_profile_ca_in_chain_without_ski(ca: _CA) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TEST-ONLY No SKI")])
    bare_ca = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1)).not_valid_after(NOW + dt.timedelta(days=9))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert, _ = leaf(ca)
    assert check_certificate_profile([cert, bare_ca]) == [
        "CA certificate CN=TEST-ONLY No SKI has no subjectKeyIdentifier"
    ]


def test_profile_reports_every_problem(ca: _CA) -> None:
    cert, _ = leaf(ca, ku_critical=False, aki=False, ekus=[ExtendedKeyUsageOID.CODE_SIGNING])
    assert check_certificate_profile([cert]) == [
        "keyUsage is not critical", "no authorityKeyIdentifier", NO_EKU,
    ]


# -- from_files -------------------------------------------------------------------------------


def test_from_files_imports_a_good_chain(ca: _CA, tmp_path: Path) -> None:
    cert, key = leaf(ca)
    (tmp_path / "chain.pem").write_bytes(_pem(cert, ca.cert))
    (tmp_path / "key.pem").write_bytes(_key_pem(key))
    ident = Identity.from_files(tmp_path / "chain.pem", tmp_path / "key.pem", password=None)
    assert ident.certificate == cert
    assert ident.chain == (cert, ca.cert)
    assert ident.algorithm == "es256"
    assert ident.encrypted is False


def test_from_files_encrypted_flag_follows_the_key_file(ca: _CA, tmp_path: Path) -> None:
    """A passphrase given for an unencrypted key (e.g. from the environment) is not used."""
    cert, key = leaf(ca)
    (tmp_path / "chain.pem").write_bytes(_pem(cert))
    (tmp_path / "key.pem").write_bytes(_key_pem(key))
    ident = Identity.from_files(tmp_path / "chain.pem", tmp_path / "key.pem", password=b"pw")
    assert ident.encrypted is False
    assert ident.info().encrypted is False
    (tmp_path / "enc.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw")))
    enc = Identity.from_files(tmp_path / "chain.pem", tmp_path / "enc.pem", password=b"pw")
    assert enc.encrypted is True
    with pytest.raises(IdentityError, match="wrong passphrase"):
        Identity.from_files(tmp_path / "chain.pem", tmp_path / "enc.pem", password=b"nope")


def test_from_files_key_mismatch(ca: _CA, tmp_path: Path) -> None:
    cert, _ = leaf(ca)
    other = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "chain.pem").write_bytes(_pem(cert))
    (tmp_path / "key.pem").write_bytes(_key_pem(other))
    with pytest.raises(IdentityError, match="does not belong") as err:
        Identity.from_files(tmp_path / "chain.pem", tmp_path / "key.pem", password=None)
    assert not isinstance(err.value, CertificateProfileError)


def test_from_files_violating_certificate(ca: _CA, tmp_path: Path) -> None:
    cert, key = leaf(ca, ekus=[ExtendedKeyUsageOID.SERVER_AUTH], aki=False)
    (tmp_path / "chain.pem").write_bytes(_pem(cert))
    (tmp_path / "key.pem").write_bytes(_key_pem(key))
    with pytest.raises(CertificateProfileError) as err:
        Identity.from_files(tmp_path / "chain.pem", tmp_path / "key.pem", password=None)
    assert err.value.problems == ["no authorityKeyIdentifier", NO_EKU]
    assert NO_EKU in str(err.value)
    assert isinstance(err.value, IdentityError)
    assert err.value.exit_code == 2


def test_from_files_missing_and_non_pem(tmp_path: Path) -> None:
    (tmp_path / "junk.pem").write_text("not a certificate\n")
    with pytest.raises(IdentityError, match="not found"):
        Identity.from_files(tmp_path / "nope.pem", tmp_path / "nope.key", password=None)
    with pytest.raises(IdentityError, match="no PEM certificate"):
        Identity.from_files(tmp_path / "junk.pem", tmp_path / "junk.pem", password=None)


# -- from_callback ----------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["es256", "es384", "ps256", "ed25519"])
def test_from_callback_signs_a_real_jpeg(algorithm: str, files: dict[str, Path]) -> None:
    local, _ = Identity.create("TEST-ONLY Remote Signer", algorithm=algorithm)
    assert local.root is not None
    key = local._key
    assert key is not None
    calls: list[int] = []

    def remote_sign(data: bytes) -> bytes:
        calls.append(len(data))
        return sign_with_key(key, data)

    ident = Identity.from_callback(remote_sign, local.chain_pem(), algorithm=algorithm.upper())
    assert ident.is_callback
    assert ident.algorithm == algorithm
    assert "callback" in repr(ident)
    with pytest.raises(IdentityError):
        ident.private_key_pem()
    with pytest.raises(IdentityError):
        ident.save(Path("unused"), password=None)

    signed = provenance.sign_bytes(
        files["photo.jpg"].read_bytes(), name="photo.jpg", identity=ident
    ).data
    assert calls, "the callback was never called"
    trusted = provenance.inspect(signed, name="photo.jpg", trust=TrustStore((local.root,)))
    assert trusted.status == "trusted", trusted.failures
    assert trusted.origin == "human"
    assert trusted.signer is not None and trusted.signer.name == "TEST-ONLY Remote Signer"
    # Without its root among the anchors the same file is intact but not trusted.
    assert provenance.inspect(signed, name="photo.jpg", trust=TrustStore()).status == "valid"


def test_from_callback_with_conftest_identity(identity: Identity,
                                              files: dict[str, Path]) -> None:
    key = identity._key
    assert key is not None and identity.root is not None
    ident = Identity.from_callback(lambda data: sign_with_key(key, data), identity.chain_pem(),
                                   algorithm=identity.algorithm)
    signed = provenance.sign_bytes(
        files["photo.png"].read_bytes(), name="photo.png", identity=ident
    ).data
    report = provenance.verify(signed, name="photo.png", trust=TrustStore((identity.root,)))
    assert report.status == "trusted"


def test_from_callback_wrong_signature_does_not_verify(identity: Identity,
                                                       files: dict[str, Path]) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    assert identity.root is not None
    ident = Identity.from_callback(lambda data: sign_with_key(other, data),
                                   identity.chain_pem(), algorithm="es256")
    try:
        signed = provenance.sign_bytes(
            files["photo.jpg"].read_bytes(), name="photo.jpg", identity=ident
        ).data
    except provenance.ProvenanceError:
        return  # refusing to sign is as good as producing an invalid file
    report = provenance.inspect(signed, name="photo.jpg", trust=TrustStore((identity.root,)))
    assert report.status == "invalid"


def test_from_callback_rejects_violating_chain_and_bad_algorithm(ca: _CA,
                                                                 identity: Identity) -> None:
    cert, _ = leaf(ca, self_signed=True)
    with pytest.raises(CertificateProfileError) as err:
        Identity.from_callback(lambda d: d, _pem(cert), algorithm="es256")
    assert err.value.problems == ["self-signed (it must be issued by a CA)"]
    with pytest.raises(IdentityError, match="unknown algorithm"):
        Identity.from_callback(lambda d: d, identity.chain_pem(), algorithm="md5")
