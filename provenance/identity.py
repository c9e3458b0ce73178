"""Author identities: a signing key and its certificate chain, local or behind a callback."""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from provenance import _home
from provenance._dn import format_dn
from provenance._record import record
from provenance.errors import CertificateProfileError, IdentityError, OutputError

__all__ = [
    "ALGORITHMS",
    "Identity",
    "IdentityInfo",
    "check_certificate_profile",
    "check_free",
    "check_usable",
    "create_local_identity",
    "default_identity_dir",
    "env_passphrase",
    "format_dn",
    "identity_info",
    "make_csr",
    "passphrase",
    "renew_local_identity",
]

#: Signing algorithms an identity can use, by their C2PA names.
ALGORITHMS = ("es256", "es384", "es512", "ps256", "ed25519")

_KEY_FILE = "key.pem"
_CHAIN_FILE = "chain.pem"
_ROOT_FILE = "root.pem"
_ROOT_KEY_FILE = "root.key"
_META_FILE = "identity.json"

_C2PA_CLAIM_SIGNING_EKU = x509.ObjectIdentifier("1.3.6.1.4.1.62558.2.1")
# RFC 9336 id-kp-documentSigning, the purpose C2PA's trust model names. (Microsoft's
# 1.3.6.1.4.1.311.10.3.12 "document signing", used before, is a vendor OID no C2PA verifier
# accepts by default.)
_DOCUMENT_SIGNING_EKU = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
#: What our own certificates carry: emailProtection, which every C2PA verifier accepts (even
#: c2pa-rs with no trust configuration, and encypher-c2pa), and documentSigning, which says
#: what the key is for. Not C2PA claim signing: that purpose is granted by CAs of the C2PA
#: conformance programme, and a self-issued certificate should not claim it.
OWN_EKUS: tuple[x509.ObjectIdentifier, ...] = (
    ExtendedKeyUsageOID.EMAIL_PROTECTION, _DOCUMENT_SIGNING_EKU,
)
# Purposes that verify a TSA or an OCSP responder, not a claim signer.
_NOT_FOR_SIGNING = frozenset({"1.3.6.1.5.5.7.3.8", "1.3.6.1.5.5.7.3.9"})
_KNOWN_CRITICAL = {
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.KEY_USAGE,
    ExtensionOID.EXTENDED_KEY_USAGE,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
    ExtensionOID.NAME_CONSTRAINTS,
    ExtensionOID.POLICY_CONSTRAINTS,
    ExtensionOID.CERTIFICATE_POLICIES,
}

SignCallback = Callable[[bytes], bytes]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey | ed25519.Ed25519PublicKey


@record
class IdentityInfo:
    """What `provenance identity show` prints about an identity."""

    subject: str
    name: str | None
    email: str | None
    organization: str | None
    issuer: str
    algorithm: str
    fingerprint: str
    not_after: _dt.datetime
    encrypted: bool

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "subject": self.subject,
            "name": self.name,
            "email": self.email,
            "organization": self.organization,
            "issuer": self.issuer,
            "algorithm": self.algorithm,
            "fingerprint": self.fingerprint,
            "not_after": self.not_after.isoformat(),
            "encrypted": self.encrypted,
        }


@record(repr=False)
class Identity:
    """A signing identity: certificate chain (end-entity first) plus a way to sign.

    Build one with :meth:`create`, :meth:`load`, :meth:`from_files` or :meth:`from_callback`.
    The private key never appears in ``repr`` or ``str``.
    """

    chain: tuple[x509.Certificate, ...]
    algorithm: str
    _key: PrivateKey | None = field(default=None, compare=False)
    _callback: SignCallback | None = field(default=None, compare=False)
    root: x509.Certificate | None = None
    encrypted: bool = False

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        name: str,
        *,
        email: str | None = None,
        organization: str | None = None,
        algorithm: str = "es256",
        validity_days: int = 730,
        domain: str | None = None,
    ) -> tuple[Identity, PrivateKey]:
        """Make a local root CA and an author certificate that satisfies the C2PA profile.

        Returns the identity and the root CA's private key (keep it to issue new certificates;
        :meth:`save` writes it next to the signing key).

        Raises:
            IdentityError: unknown algorithm or empty name.
        """
        if not name or not name.strip():
            raise IdentityError("an identity needs a name", hint="pass --name 'Your Name'")
        algorithm = _check_algorithm(algorithm)
        now = _dt.datetime.now(_dt.UTC)
        root_key = _generate_key(algorithm)
        root_attrs = [x509.NameAttribute(NameOID.COMMON_NAME, f"{name} provenance root")]
        if organization:
            root_attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
        root_name = x509.Name(root_attrs)
        root = (
            x509.CertificateBuilder()
            .subject_name(root_name)
            .issuer_name(root_name)
            .public_key(root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _dt.timedelta(minutes=5))
            .not_valid_after(now + _dt.timedelta(days=max(validity_days, 1) * 5))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
            )
            .sign(root_key, _hash_for(algorithm))
        )
        identity = cls._issue(
            root, root_key, name=name, email=email, organization=organization,
            algorithm=algorithm, not_before=now - _dt.timedelta(minutes=5),
            not_after=now + _dt.timedelta(days=validity_days), domain=domain,
        )
        return identity, root_key

    @classmethod
    def _issue(
        cls,
        root: x509.Certificate,
        root_key: PrivateKey,
        *,
        name: str,
        email: str | None,
        organization: str | None,
        algorithm: str,
        not_before: _dt.datetime,
        not_after: _dt.datetime,
        ekus: tuple[x509.ObjectIdentifier, ...] = OWN_EKUS,
        domain: str | None = None,
    ) -> Identity:
        """Issue an author certificate from ``root`` (used by create and by tests; ``ekus``
        lets tests issue certificates with other purposes)."""
        key = _generate_key(algorithm)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_subject(name, organization, email))
            .issuer_name(root.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage(list(ekus)), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    root.public_key()  # type: ignore[arg-type]
                ),
                critical=False,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
        )
        alt: list[x509.GeneralName] = [x509.RFC822Name(email)] if email else []
        if domain:
            # The author's web domain (checked by `verify --check-domain`, provenance.domain).
            from provenance._domainname import check_domain_name

            domain = check_domain_name(domain)
            alt += [x509.UniformResourceIdentifier(f"https://{domain}/"), x509.DNSName(domain)]
        if alt:
            builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
        cert = builder.sign(root_key, _hash_for(algorithm))
        return cls(chain=(cert,), algorithm=algorithm, _key=key, root=root)

    @classmethod
    def from_callback(
        cls, sign: SignCallback, chain_pem: bytes, *, algorithm: str
    ) -> Identity:
        """An identity whose key stays elsewhere (KMS, HSM, remote signer).

        ``sign(data) -> signature`` receives the bytes to sign; for ECDSA it must return the raw
        ``r || s`` form (not DER), for PS256 an RSASSA-PSS signature with SHA-256.

        Raises:
            CertificateProfileError: the chain violates the C2PA profile.
        """
        chain = _load_chain(chain_pem, "callback chain")
        problems = check_certificate_profile(chain)
        if problems:
            raise CertificateProfileError(problems)
        return cls(chain=tuple(chain), algorithm=_check_algorithm(algorithm), _callback=sign)

    @classmethod
    def from_files(
        cls, cert: Path | str, key: Path | str, *, password: bytes | str | None
    ) -> Identity:
        """Import an identity from a PEM chain (end-entity first) and a PEM private key.

        Raises:
            IdentityError: unreadable files, wrong passphrase, key does not match certificate.
            CertificateProfileError: the certificate violates the C2PA profile.
        """
        chain = _load_chain(_read(Path(cert).expanduser(), "certificate chain"), str(cert))
        key_pem = _read(Path(key).expanduser(), "private key")
        private = _load_key(key_pem, passphrase(password), str(key))
        _check_key_matches(private, chain[0])
        problems = check_certificate_profile(chain)
        if problems:
            raise CertificateProfileError(problems)
        return cls(
            chain=tuple(chain), algorithm=_algorithm_for(private), _key=private,
            encrypted=b"ENCRYPTED" in key_pem,
        )

    @classmethod
    def load(cls, directory: Path | str, *, password: bytes | str | None) -> Identity:
        """Load an identity saved by :meth:`save` (or ``provenance identity create``).

        Args:
            directory: the folder holding ``key.pem`` and ``chain.pem``; ``~`` is expanded.
            password: the key's passphrase (``str`` or ``bytes``). None falls back to the
                ``PROVENANCE_KEY_PASSWORD`` environment variable, as the command line does;
                it is only used when the key is encrypted.

        Raises:
            IdentityError: no identity there, wrong or missing passphrase. (An expired
                certificate loads; signing with it is refused.)
        """
        d = Path(directory).expanduser()
        _require_files(d)
        _check_permissions(d)
        password = passphrase(password)
        chain = _load_chain(_read(d / _CHAIN_FILE, "certificate chain"), str(d / _CHAIN_FILE))
        key_pem = _read(d / _KEY_FILE, "private key")
        encrypted = b"ENCRYPTED" in key_pem
        private = _load_key(key_pem, password if encrypted else None, str(d / _KEY_FILE))
        _check_key_matches(private, chain[0])
        root = None
        if (d / _ROOT_FILE).is_file():
            root = x509.load_pem_x509_certificate((d / _ROOT_FILE).read_bytes())
        return cls(
            chain=tuple(chain), algorithm=_algorithm_for(private), _key=private, root=root,
            encrypted=encrypted,
        )

    @classmethod
    def default(cls, *, password: bytes | str | None = None) -> Identity:
        """Load the identity in its default place: ``$PROVENANCE_HOME/identity``, else the
        platform's user data directory (``~/.local/share/provenance/identity`` on Linux).

        ``password`` as for :meth:`load` (None: ``PROVENANCE_KEY_PASSWORD``, if set).

        Raises:
            IdentityError: as :meth:`load`.
        """
        return cls.load(default_identity_dir(), password=password)

    # -- persistence ----------------------------------------------------------------------------

    def save(
        self,
        directory: Path | str,
        *,
        password: bytes | None,
        root_key: PrivateKey | None = None,
        overwrite: bool = False,
    ) -> Path:
        """Write the identity to ``directory``: key files with mode 0600, encrypted if a password.

        Raises:
            OutputError: the directory already holds an identity (without ``overwrite``) or
                cannot be written.
        """
        if self._key is None:
            raise IdentityError("a callback identity has no key to save")
        d = Path(directory).expanduser()
        check_free(d, overwrite=overwrite)
        enc: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password) if password
            else serialization.NoEncryption()
        )
        files: dict[str, tuple[bytes, int]] = {
            _KEY_FILE: (
                self._key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc
                ),
                0o600,
            ),
            _CHAIN_FILE: (self.chain_pem(), 0o644),
            _META_FILE: (json.dumps({**self.info().to_dict(), "encrypted": bool(password)},
                                    indent=2).encode() + b"\n", 0o644),
        }
        if self.root is not None:
            files[_ROOT_FILE] = (self.root.public_bytes(serialization.Encoding.PEM), 0o644)
        if root_key is not None:
            files[_ROOT_KEY_FILE] = (
                root_key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc
                ),
                0o600,
            )
        try:
            d.mkdir(parents=True, exist_ok=True, mode=0o700)
            for fname, (data, mode) in files.items():
                _write_private(d / fname, data, mode)
        except OSError as exc:
            raise OutputError(
                f"cannot write identity to {d}: {exc.strerror or exc}",
                hint="choose a writable directory with --dir or PROVENANCE_HOME",
            ) from exc
        return d

    # -- use ------------------------------------------------------------------------------------

    @property
    def certificate(self) -> x509.Certificate:
        """The end-entity (signing) certificate."""
        return self.chain[0]

    @property
    def is_callback(self) -> bool:
        """True when signing goes through a callback rather than a local key."""
        return self._callback is not None

    def chain_pem(self) -> bytes:
        """The chain in PEM, end-entity first, as c2pa wants it."""
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self.chain)

    def private_key_pem(self) -> bytes:
        """Unencrypted PKCS#8 PEM of the key, for handing to c2pa in memory only."""
        if self._key is None:
            raise IdentityError("a callback identity has no local key")
        return self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def sign_callback(self) -> SignCallback | None:
        """The user's callback, when this identity was made with :meth:`from_callback`."""
        return self._callback

    def info(self) -> IdentityInfo:
        """Subject, algorithm, fingerprint and expiry of the signing certificate."""
        return _info_of(self.certificate, self.algorithm, self.encrypted)

    def __repr__(self) -> str:
        kind = "callback" if self._callback else "local key"
        return f"Identity(subject={format_dn(self.certificate.subject)!r}, " \
               f"algorithm={self.algorithm!r}, {kind})"

    __str__ = __repr__


def _info_of(cert: x509.Certificate, algorithm: str, encrypted: bool) -> IdentityInfo:
    return IdentityInfo(
        subject=format_dn(cert.subject),
        name=_attr(cert.subject, NameOID.COMMON_NAME),
        email=_attr(cert.subject, NameOID.EMAIL_ADDRESS),
        organization=_attr(cert.subject, NameOID.ORGANIZATION_NAME),
        issuer=format_dn(cert.issuer),
        algorithm=algorithm,
        fingerprint=cert.fingerprint(hashes.SHA256()).hex(":"),
        not_after=cert.not_valid_after_utc,
        encrypted=encrypted,
    )


def _require_files(d: Path) -> None:
    """Refuse a folder that does not hold an identity's key and chain, saying how to get one."""
    if (d / _CHAIN_FILE).is_file() and (d / _KEY_FILE).is_file():
        return
    default = default_identity_dir()
    raise IdentityError(
        f"no identity found in {d} (it needs {_KEY_FILE} and {_CHAIN_FILE})",
        hint="create one with `provenance identity create --name 'Your Name'`"
        + (", or point PROVENANCE_HOME or --identity DIR at an existing one"
           if d.absolute() == default.absolute() else
           f", or give the folder that holds them (the default is {default}: "
           "Identity.default(), PROVENANCE_HOME, --identity DIR)"),
    )


def identity_info(directory: Path | str) -> IdentityInfo:
    """What :meth:`Identity.info` gives for the identity saved in ``directory``, from its
    public files alone: no passphrase is needed (``identity show`` in a CI job that has no
    secret). The key file is only looked at for whether it is encrypted.

    Raises:
        IdentityError: no identity there, or its certificate chain cannot be read.
    """
    d = Path(directory).expanduser()
    _require_files(d)
    chain = _load_chain(_read(d / _CHAIN_FILE, "certificate chain"), str(d / _CHAIN_FILE))
    encrypted = b"ENCRYPTED" in _read(d / _KEY_FILE, "private key")
    return _info_of(chain[0], _algorithm_for(chain[0].public_key()), encrypted)  # type: ignore[arg-type]


def check_free(directory: Path | str, *, overwrite: bool = False) -> None:
    """Refuse to save over an existing identity (checked before any passphrase is asked for).

    Raises:
        OutputError: ``directory`` holds an identity and ``overwrite`` is not set.
    """
    d = Path(directory).expanduser()
    if (d / _KEY_FILE).exists() and not overwrite:
        raise OutputError(
            f"an identity already exists in {d}",
            hint="use --force to replace it, or choose another --dir",
        )


def passphrase(password: bytes | str | None) -> bytes | None:
    """A key passphrase as bytes: ``str`` encoded as UTF-8; None (or empty) falls back to
    ``PROVENANCE_KEY_PASSWORD``, and is None when that is not set either."""
    if isinstance(password, str):
        password = password.encode("utf-8")
    if not password:
        env = os.environ.get("PROVENANCE_KEY_PASSWORD")
        return env.encode("utf-8") if env else None
    return password


def env_passphrase() -> bytes | None:
    """The passphrase the environment gives: ``PROVENANCE_KEY_PASSWORD``, else the contents
    of the file ``PROVENANCE_KEY_PASSWORD_FILE`` names (a CI or worker secret; its trailing
    newline dropped); None when neither gives one.

    Raises:
        IdentityError: the named file cannot be read.
    """
    env = os.environ.get("PROVENANCE_KEY_PASSWORD")
    if env:
        return env.encode()
    secret = os.environ.get("PROVENANCE_KEY_PASSWORD_FILE")
    if secret:
        from provenance._files import read_small

        try:
            return read_small(Path(secret), _SECRET_MAX).rstrip(b"\r\n") or None
        except (OSError, ValueError) as exc:  # ValueError: a device, or over the limit
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise IdentityError(f"cannot read PROVENANCE_KEY_PASSWORD_FILE {secret}: {why}",
                                hint="check the path") from exc
    return None


#: The most a passphrase file may hold (a secret of a few bytes; /dev/zero must not be read).
_SECRET_MAX = 64 << 10


def default_identity_dir() -> Path:
    """Where the default identity lives: ``$PROVENANCE_HOME/identity``."""
    return _home.identity_dir()


def create_local_identity(
    name: str,
    *,
    email: str | None = None,
    organization: str | None = None,
    algorithm: str = "es256",
    directory: Path | None = None,
    password: bytes | None,
    overwrite: bool = False,
    validity_days: int = 730,
    domain: str | None = None,
) -> tuple[Identity, Path]:
    """Create an identity, save it, and trust its own root in this provenance home.

    Returns the identity and the directory it was saved in.

    Raises:
        IdentityError: bad name or algorithm.
        OutputError: an identity exists there already (without ``overwrite``) or the directory
            cannot be written.
    """
    from provenance import trust

    identity, root_key = Identity.create(
        name, email=email, organization=organization, algorithm=algorithm,
        validity_days=validity_days, domain=domain,
    )
    target = directory or default_identity_dir()
    identity.save(target, password=password, root_key=root_key, overwrite=overwrite)
    if identity.root is not None:
        fp = identity.root.fingerprint(hashes.SHA256()).hex()[:12]
        trust.add_certificates(f"identity-{fp}", [identity.root])
    return identity, target


def renew_local_identity(
    directory: Path | str | None = None,
    *,
    password: bytes | str | None,
    validity_days: int = 730,
) -> Identity:
    """Issue a new signing certificate (and key) from the identity's own local root.

    The subject stays the same; the old certificate is replaced. Files signed before keep
    verifying until the old certificate expires (for ever when they carry a timestamp).

    Raises:
        IdentityError: no identity or no root key there (an imported identity is renewed by
            its CA: use `identity csr`), or wrong passphrase.
    """
    d = Path(directory).expanduser() if directory is not None else default_identity_dir()
    password = passphrase(password)
    current = Identity.load(d, password=password)
    root_key_file = d / _ROOT_KEY_FILE
    if current.root is None or not root_key_file.is_file():
        raise IdentityError(
            f"the identity in {d} has no local root to renew from",
            hint="ask your CA for a new certificate (`provenance identity csr`) and import it",
        )
    root_key = _load_key(_read(root_key_file, "root key"), password, str(root_key_file))
    info = current.info()
    now = _dt.datetime.now(_dt.UTC)
    renewed = Identity._issue(
        current.root, root_key, name=info.name or "author", email=info.email,
        organization=info.organization, algorithm=current.algorithm,
        not_before=now - _dt.timedelta(minutes=5),
        not_after=now + _dt.timedelta(days=validity_days),
        domain=_domain_of(current.certificate),
    )
    renewed = Identity(chain=renewed.chain, algorithm=renewed.algorithm, _key=renewed._key,
                       root=current.root, encrypted=password is not None)
    renewed.save(d, password=password, overwrite=True)
    return renewed


def _domain_of(cert: x509.Certificate) -> str | None:
    from provenance._domainname import certificate_domain

    return certificate_domain(cert)


def make_csr(
    name: str,
    *,
    email: str | None = None,
    organization: str | None = None,
    algorithm: str = "es256",
) -> tuple[bytes, PrivateKey]:
    """A PEM certificate signing request for a C2PA claim-signing certificate, and its new key.

    The request asks for keyUsage digitalSignature (critical), extendedKeyUsage emailProtection
    + C2PA claim signing + documentSigning, and basicConstraints cA=FALSE: what c2pa-rs needs.
    """
    algorithm = _check_algorithm(algorithm)
    key = _generate_key(algorithm)
    builder = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(_subject(name, organization, email))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([
            ExtendedKeyUsageOID.EMAIL_PROTECTION, _C2PA_CLAIM_SIGNING_EKU, _DOCUMENT_SIGNING_EKU,
        ]), critical=False)
    )
    if email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
    csr = builder.sign(key, _hash_for(algorithm))
    return csr.public_bytes(serialization.Encoding.PEM), key


def write_private_key(path: Path, key: PrivateKey, *, password: bytes | None) -> None:
    """Write a private key as PKCS#8 PEM, mode 0600, encrypted when ``password`` is given."""
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password
        else serialization.NoEncryption()
    )
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)
    try:
        _write_private(path, data, 0o600)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc


# -- certificate profile ----------------------------------------------------------------------


def check_certificate_profile(
    chain: list[x509.Certificate] | tuple[x509.Certificate, ...],
    *,
    at: _dt.datetime | None = None,
    ekus: tuple[str, ...] | None = None,
) -> list[str]:
    """Check a chain (end-entity first) against the profile c2pa-rs enforces for signing.

    ``ekus``: the accepted extended key usages (dotted OIDs); None means the C2PA defaults plus
    those of the installed trust configurations.

    Returns one plain-language problem per violated rule; an empty list means the chain passes.
    """
    if not chain:
        return ["the chain holds no certificate"]
    now = at or _dt.datetime.now(_dt.UTC)
    leaf = chain[0]
    problems: list[str] = []
    if leaf.version != x509.Version.v3:
        problems.append("not an X.509 v3 certificate")
    if leaf.not_valid_after_utc < now:
        problems.append(f"expired on {leaf.not_valid_after_utc:%Y-%m-%d}")
    if leaf.not_valid_before_utc > now:
        problems.append(f"not valid before {leaf.not_valid_before_utc:%Y-%m-%d}")
    if leaf.issuer == leaf.subject:
        problems.append("self-signed (it must be issued by a CA)")
    exts = {e.oid: e for e in leaf.extensions}
    bc = exts.get(ExtensionOID.BASIC_CONSTRAINTS)
    if bc is not None and isinstance(bc.value, x509.BasicConstraints) and bc.value.ca:
        problems.append("it is a CA certificate (basicConstraints cA=TRUE)")
    ku = exts.get(ExtensionOID.KEY_USAGE)
    if ku is None or not isinstance(ku.value, x509.KeyUsage):
        problems.append("no keyUsage extension")
    else:
        if not ku.critical:
            problems.append("keyUsage is not critical")
        if not ku.value.digital_signature:
            problems.append("keyUsage lacks digitalSignature")
        if ku.value.key_cert_sign:
            problems.append("keyUsage has keyCertSign")
    if ExtensionOID.AUTHORITY_KEY_IDENTIFIER not in exts:
        problems.append("no authorityKeyIdentifier")
    eku = exts.get(ExtensionOID.EXTENDED_KEY_USAGE)
    if eku is None or not isinstance(eku.value, x509.ExtendedKeyUsage):
        problems.append("no extendedKeyUsage extension")
    else:
        accepted = set(ekus if ekus is not None else accepted_ekus()) - _NOT_FOR_SIGNING
        if not {oid.dotted_string for oid in eku.value} & accepted:
            problems.append("no extendedKeyUsage C2PA accepts for signing (emailProtection, "
                            "documentSigning, C2PA claim signing or one of an installed "
                            "trust configuration)")
    unknown = [e.oid.dotted_string for e in leaf.extensions
               if e.critical and e.oid not in _KNOWN_CRITICAL]
    if unknown:
        problems.append("unknown critical extension " + ", ".join(unknown))
    pub = leaf.public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        if pub.key_size < 2048:
            problems.append(f"RSA key of {pub.key_size} bits (at least 2048 needed)")
    elif isinstance(pub, ec.EllipticCurvePublicKey):
        if pub.curve.name not in ("secp256r1", "secp384r1", "secp521r1"):
            problems.append(f"unsupported curve {pub.curve.name}")
    elif not isinstance(pub, ed25519.Ed25519PublicKey):
        problems.append("unsupported key type (use EC P-256/384/521, RSA >= 2048 or Ed25519)")
    for ca in chain[1:]:
        if ExtensionOID.SUBJECT_KEY_IDENTIFIER not in {e.oid for e in ca.extensions}:
            problems.append(f"CA certificate {format_dn(ca.subject)} has no "
                            "subjectKeyIdentifier")
        if ca.not_valid_after_utc < now:
            problems.append(f"CA certificate {format_dn(ca.subject)} expired")
    return problems


def accepted_ekus() -> tuple[str, ...]:
    """The EKUs a signing certificate may carry: C2PA's defaults and the installed ones."""
    from provenance import trust

    return tuple(dict.fromkeys(trust.DEFAULT_EKUS + trust.installed_ekus()))


# -- helpers ----------------------------------------------------------------------------------


def _check_algorithm(algorithm: str) -> str:
    alg = algorithm.lower()
    if alg not in ALGORITHMS:
        raise IdentityError(f"unknown algorithm {algorithm!r}",
                            hint=f"choose one of {', '.join(ALGORITHMS)}")
    return alg


def _subject(name: str, organization: str | None, email: str | None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attrs)


def _generate_key(algorithm: str) -> PrivateKey:
    if algorithm == "es256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "es384":
        return ec.generate_private_key(ec.SECP384R1())
    if algorithm == "es512":
        return ec.generate_private_key(ec.SECP521R1())
    if algorithm == "ps256":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    return ed25519.Ed25519PrivateKey.generate()


def _hash_for(algorithm: str) -> hashes.SHA256 | hashes.SHA384 | hashes.SHA512 | None:
    if algorithm == "ed25519":
        return None
    if algorithm == "es384":
        return hashes.SHA384()
    if algorithm == "es512":
        return hashes.SHA512()
    return hashes.SHA256()


def _algorithm_for(key: PrivateKey | PublicKey) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}.get(
            key.curve.name, "es256"
        )
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "ps256"
    return "ed25519"


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign,
        crl_sign=cert_sign, encipher_only=False, decipher_only=False,
    )


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def _read(path: Path, what: str) -> bytes:
    from provenance._files import read_small

    try:
        return read_small(path)
    except ValueError as exc:  # /dev/zero, a socket, 64 MiB
        raise IdentityError(f"{what} {exc}", hint="give the PEM file") from exc
    except FileNotFoundError as exc:
        raise IdentityError(f"{what} not found: {path}", hint="check the path") from exc
    except IsADirectoryError as exc:
        raise IdentityError(f"{what} path is a directory: {path}",
                            hint="give the PEM file") from exc
    except OSError as exc:
        raise IdentityError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc


def _load_chain(data: bytes, where: str) -> list[x509.Certificate]:
    try:
        chain = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise IdentityError(f"{where} holds no PEM certificate",
                            hint="give a PEM file, end-entity certificate first") from exc
    return chain


def _load_key(data: bytes, password: bytes | None, where: str) -> PrivateKey:
    encrypted = b"ENCRYPTED" in data
    if encrypted and not password:
        raise IdentityError(
            f"the private key {where} is encrypted and no passphrase was given",
            hint="set PROVENANCE_KEY_PASSWORD (or PROVENANCE_KEY_PASSWORD_FILE), or run the "
            "command on a terminal to be prompted (from Python: password=...)",
        )
    try:
        key = serialization.load_pem_private_key(data, password if encrypted else None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        from provenance._guards import pem_damage

        damage = pem_damage(data)
        if damage:
            raise IdentityError(f"the private key {where} is damaged: {damage}",
                                hint="restore it from a backup; a passphrase cannot help") \
                from exc
        if encrypted:  # the hint names where the passphrase came from (it wins a prompt)
            source = next((v for v in ("PROVENANCE_KEY_PASSWORD", "PROVENANCE_KEY_PASSWORD_FILE")
                           if os.environ.get(v)), None)
            raise IdentityError(
                f"wrong passphrase for the private key {where}",
                hint=f"check {source}" if source is not None
                else "check the passphrase given when the identity was made, and try again",
            ) from exc
        raise IdentityError(f"{where} holds no usable PEM private key",
                            hint="give an unencrypted or passphrase-protected PKCS#8 PEM key") \
            from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
                      | ed25519.Ed25519PrivateKey):
        raise IdentityError(f"{where}: unsupported key type",
                            hint="use EC P-256/384/521, RSA >= 2048 or Ed25519")
    return key


def _check_permissions(d: Path) -> None:
    """Refuse an identity whose key others can read or whose folder others can write."""
    from provenance import _guards

    problem = _guards.writable_problem(d, "identity folder") or next(
        (p for name in (_KEY_FILE, _ROOT_KEY_FILE)
         if (p := _guards.private_key_problem(d / name))), None)
    if problem:
        raise IdentityError(problem)


def _check_key_matches(key: PrivateKey, cert: x509.Certificate) -> None:
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    if key.public_key().public_bytes(enc, pub) != cert.public_key().public_bytes(enc, pub):
        raise IdentityError(
            "the private key does not belong to the signing certificate",
            hint="give the key that was used for the certificate request",
        )


def _write_private(path: Path, data: bytes, mode: int) -> None:
    """Write atomically with ``mode`` from the start (the key is never world-readable)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def sign_with_key(key: PrivateKey, data: bytes) -> bytes:
    """Sign ``data`` the way c2pa expects a callback to (raw r||s for ECDSA).

    Handy for tests and for wrapping a KMS that returns DER ECDSA signatures.
    """
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    if isinstance(key, ec.EllipticCurvePrivateKey):
        h = {"secp384r1": hashes.SHA384(), "secp521r1": hashes.SHA512()}.get(
            key.curve.name, hashes.SHA256()
        )
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(h)))
        size = (key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(
            data,
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
            hashes.SHA256(),
        )
    return key.sign(data)


def check_usable(identity: Identity, *, at: _dt.datetime | None = None) -> None:
    """Refuse an identity whose signing certificate is expired or not yet valid.

    Raises:
        IdentityError: the certificate is outside its validity period.
    """
    now = at or _dt.datetime.now(_dt.UTC)
    cert = identity.certificate
    if cert.not_valid_after_utc < now:
        raise IdentityError(
            f"the signing certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}",
            hint="issue a new one with `provenance identity renew` or import a current one",
        )
    if cert.not_valid_before_utc > now:
        raise IdentityError(
            f"the signing certificate is not valid before {cert.not_valid_before_utc:%Y-%m-%d}",
            hint="check the computer's clock or the certificate",
        )
