"""A small RFC 3161 timestamp authority: its own CA and timeStamping certificate, a responder.

For organisations that want an internal TSA and for offline tests. The ASN.1 is asn1crypto's
(``tsp`` and ``cms`` types); the signatures are pyca/cryptography's.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import secrets
from collections.abc import Callable
from pathlib import Path

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from provenance._dn import format_dn
from provenance._httpserve import Handler, HttpError, Limits, Response, Server
from provenance._record import record
from provenance.errors import IdentityError, InputError, OutputError
from provenance.identity import _write_private

__all__ = ["TimestampAuthority", "serve"]

_CERT = "tsa.pem"
_KEY = "tsa.key"
_ROOT = "root.pem"
_ROOT_KEY = "root.key"
#: Policy OID stamped into every token (a private arc; TSAs must name one).
POLICY_OID = "1.3.6.1.4.1.57264.1.1"
_DIGESTS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


@record(repr=False)
class TimestampAuthority:
    """A TSA: timeStamping certificate + key, and the root that issued it."""

    certificate: x509.Certificate
    root: x509.Certificate
    _key: ec.EllipticCurvePrivateKey

    @classmethod
    def create(cls, name: str = "provenance TSA", *, validity_days: int = 3650
               ) -> tuple[TimestampAuthority, ec.EllipticCurvePrivateKey]:
        """Make a root CA and a TSA certificate (EKU timeStamping, critical). Returns the root
        key too so it can be saved."""
        now = _dt.datetime.now(_dt.UTC)
        root_key = ec.generate_private_key(ec.SECP256R1())
        root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} root")])
        root = (
            x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - _dt.timedelta(minutes=5))
            .not_valid_after(now + _dt.timedelta(days=validity_days * 2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()),
                           critical=False)
            .sign(root_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(root_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _dt.timedelta(minutes=5))
            .not_valid_after(now + _dt.timedelta(days=validity_days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False,
                                         False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                           critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                root_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(root_key, hashes.SHA256())
        )
        return cls(cert, root, key), root_key

    def save(self, directory: Path | str, *, root_key: ec.EllipticCurvePrivateKey | None = None,
             overwrite: bool = False) -> Path:
        """Write tsa.pem, tsa.key (0600), root.pem (and root.key) into ``directory``.

        Raises:
            OutputError: a TSA exists there (without ``overwrite``) or it cannot be written.
        """
        d = Path(directory)
        if (d / _KEY).exists() and not overwrite:
            raise OutputError(f"a timestamp authority already exists in {d}",
                              hint="use --force to replace it")
        pem = serialization.Encoding.PEM
        pkcs8 = serialization.PrivateFormat.PKCS8
        none = serialization.NoEncryption()
        files = {
            _CERT: (self.certificate.public_bytes(pem), 0o644),
            _KEY: (self._key.private_bytes(pem, pkcs8, none), 0o600),
            _ROOT: (self.root.public_bytes(pem), 0o644),
        }
        if root_key is not None:
            files[_ROOT_KEY] = (root_key.private_bytes(pem, pkcs8, none), 0o600)
        try:
            d.mkdir(parents=True, exist_ok=True, mode=0o700)
            for name, (data, mode) in files.items():
                _write_private(d / name, data, mode)
        except OSError as exc:
            raise OutputError(f"cannot write the TSA to {d}: {exc.strerror or exc}") from exc
        return d

    @classmethod
    def load(cls, directory: Path | str) -> TimestampAuthority:
        """Load a TSA saved by :meth:`save`.

        Raises:
            IdentityError: no TSA there, or its files are unusable.
        """
        from provenance import _guards

        d = Path(directory)
        problem = _guards.private_key_problem(d / _KEY)
        if problem:
            raise IdentityError(problem)
        try:
            cert = x509.load_pem_x509_certificate((d / _CERT).read_bytes())
            root = x509.load_pem_x509_certificate((d / _ROOT).read_bytes())
            key = serialization.load_pem_private_key((d / _KEY).read_bytes(), None)
        except FileNotFoundError as exc:
            raise IdentityError(f"no timestamp authority in {d}",
                                hint="create one with `provenance tsa init`") from exc
        except ValueError as exc:
            raise IdentityError(f"the timestamp authority in {d} is unreadable: {exc}") from exc
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise IdentityError(f"the TSA key in {d} is not an EC key")
        return cls(cert, root, key)

    # -- RFC 3161 -------------------------------------------------------------------------------

    def respond(self, request_der: bytes, *, now: _dt.datetime | None = None) -> bytes:
        """Answer a DER TimeStampReq with a DER TimeStampResp (granted or rejection)."""
        try:
            req = tsp.TimeStampReq.load(request_der)
            imprint = req["message_imprint"]
            alg = imprint["hash_algorithm"]["algorithm"].native
            digest = imprint["hashed_message"].native
            if alg not in _DIGESTS or len(digest) != _DIGESTS[alg]().digest_size:
                return _rejection("bad_alg", f"unsupported hash algorithm {alg}")
            nonce = req["nonce"].native
            cert_req = bool(req["cert_req"].native)
        except (ValueError, TypeError, KeyError):
            return _rejection("bad_data_format", "malformed TimeStampReq")
        gen_time = (now or _dt.datetime.now(_dt.UTC)).replace(microsecond=0)
        info = tsp.TSTInfo({
            "version": "v1",
            "policy": POLICY_OID,
            "message_imprint": {"hash_algorithm": {"algorithm": alg}, "hashed_message": digest},
            "serial_number": secrets.randbits(63),
            "gen_time": gen_time,
            "accuracy": {"seconds": 1},
            "nonce": nonce,
        })
        info_der = info.dump()
        cert_der = self.certificate.public_bytes(serialization.Encoding.DER)
        asn1_cert = asn1_x509.Certificate.load(cert_der)
        signed_attrs = cms.CMSAttributes([
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "signing_time", "values": [cms.Time({"utc_time": gen_time})]},
            {"type": "message_digest", "values": [hashlib.sha256(info_der).digest()]},
            {"type": "signing_certificate_v2", "values": [{
                "certs": [{
                    "hash_algorithm": {"algorithm": "sha256"},
                    "cert_hash": hashlib.sha256(cert_der).digest(),
                }],
            }]},
        ])
        signature = self._key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
        signer_info = cms.SignerInfo({
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": {
                "issuer": asn1_cert.issuer, "serial_number": asn1_cert.serial_number,
            }}),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "signed_attrs": signed_attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature": signature,
        })
        certs = [asn1_cert]
        if cert_req:
            certs.append(asn1_x509.Certificate.load(
                self.root.public_bytes(serialization.Encoding.DER)))
        signed_data = cms.SignedData({
            "version": "v3",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {
                "content_type": "tst_info",
                "content": core.ParsableOctetString(info_der),
            },
            "certificates": certs if cert_req else [],
            "signer_infos": [signer_info],
        })
        if not cert_req:
            del signed_data["certificates"]
        resp = tsp.TimeStampResp({
            "status": {"status": "granted"},
            "time_stamp_token": {"content_type": "signed_data", "content": signed_data},
        })
        return bytes(resp.dump())

    def __repr__(self) -> str:
        return f"TimestampAuthority(subject={format_dn(self.certificate.subject)!r})"


class _RejectionResp(core.Sequence):  # type: ignore[misc]
    """TimeStampResp whose token is OPTIONAL, as RFC 3161 says (asn1crypto makes it required,
    which makes a rejection impossible to encode with ``tsp.TimeStampResp``)."""

    _fields = [  # noqa: RUF012 (asn1crypto's declaration style)
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


def _rejection(fail: str, text: str) -> bytes:
    return bytes(_RejectionResp({
        "status": {"status": "rejection", "status_string": [text], "fail_info": {fail}},
    }).dump())


def _handler(tsa: TimestampAuthority) -> Handler:
    def handle(method: str, path: str, headers: dict[str, str], body: bytes) -> Response:
        if not body:
            raise HttpError(400, "expected a TimeStampReq body")
        # A body that is not a TimeStampReq still gets an RFC 3161 answer: a rejection.
        return Response(200, "application/timestamp-reply", tsa.respond(body))

    return handle


def serve(tsa: TimestampAuthority, host: str = "127.0.0.1", port: int = 0, *,
          limits: Limits | None = None, log: Callable[[str], None] | None = None) -> Server:
    """Start an HTTP RFC 3161 responder in background threads; returns the server.

    ``server.server_address`` gives the bound port; stop it with ``server.shutdown()``.
    Slow, idle and malformed clients are bounded by ``limits`` (see
    :mod:`provenance._httpserve`): a request must arrive within ``read_timeout``, idle
    connections are closed, a malformed request gets a 400 and one line on ``log``
    (default stderr).

    Raises:
        InputError: the address cannot be bound.
    """
    try:
        server = Server(host, port, _handler(tsa), limits=limits, name="tsa",
                        **({"log": log} if log is not None else {}))
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         hint="choose another --port") from exc
    return server.start()
