"""Integration: RFC 3161 timestamps from our own TSA, with real c2pa and a real HTTP responder.

The key property: a signature that carries a trusted timestamp keeps validating after the
signing certificate expires; one without a timestamp does not. Expiry is real (a certificate
valid for a few seconds, then ``time.sleep``), no clock is faked. Everything is on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import secrets
import shutil
import socket
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from asn1crypto import cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from provenance import Identity, SigningError, TrustStore, inspect, sign
from provenance.tsa import POLICY_OID, TimestampAuthority, serve

TSA_NAME = "TEST-ONLY Timestamp Authority"


class _TimeStampResp(core.Sequence):  # type: ignore[misc]
    """RFC 3161 TimeStampResp with ``timeStampToken`` OPTIONAL, as the RFC defines it.

    asn1crypto 1.5.1's ``tsp.TimeStampResp`` declares the token mandatory, so it cannot load a
    rejection (which by definition carries no token).
    """

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


# -- fixtures ---------------------------------------------------------------------------------


class RunningTSA:
    def __init__(self, tsa: TimestampAuthority, url: str) -> None:
        self.tsa = tsa
        self.url = url
        self.port = int(url.rsplit(":", 1)[1].strip("/"))


@pytest.fixture
def tsa_server() -> Iterator[RunningTSA]:
    """A TEST-ONLY TSA answering on 127.0.0.1 (a free port), shut down afterwards."""
    tsa, _root_key = TimestampAuthority.create(TSA_NAME)
    server = serve(tsa, "127.0.0.1", 0)
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        yield RunningTSA(tsa, f"http://127.0.0.1:{port}/")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def root_key(_session_identity_dir: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(
        (_session_identity_dir / "root.key").read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


@pytest.fixture
def photo(files: dict[str, Path], tmp_path: Path) -> Path:
    """photo.jpg alone in a clean directory (so stray files are easy to see)."""
    d = tmp_path / "work"
    d.mkdir()
    return Path(shutil.copy2(files["photo.jpg"], d / "photo.jpg"))


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _codes(report: object) -> list[str]:
    return [f.code for f in report.failures]  # type: ignore[attr-defined]


# -- (a) the timestamp outlives the certificate -----------------------------------------------


def test_timestamp_keeps_signature_valid_after_certificate_expiry(
    identity: Identity, root_key: ec.EllipticCurvePrivateKey, tsa_server: RunningTSA,
    photo: Path, tmp_path: Path,
) -> None:
    assert identity.root is not None
    store = TrustStore((identity.root, tsa_server.tsa.root))
    # Warm c2pa up first (contexts, first HTTP connection) so the short certificate is
    # not spent on one-time setup.
    sign(photo, tmp_path / "warm.jpg", identity=identity, tsa_url=tsa_server.url, trust=store)

    now = dt.datetime.now(dt.UTC)
    short = Identity._issue(
        identity.root, root_key, name="TEST-ONLY Short-Lived", email=None, organization=None,
        algorithm="es256", not_before=now - dt.timedelta(minutes=1),
        not_after=now + dt.timedelta(seconds=4),
    )
    expires = short.certificate.not_valid_after_utc
    stamped, bare = tmp_path / "stamped.jpg", tmp_path / "bare.jpg"
    before = dt.datetime.now(dt.UTC)
    sign(photo, stamped, identity=short, tsa_url=tsa_server.url, trust=store)
    sign(photo, bare, identity=short, trust=store)
    after = dt.datetime.now(dt.UTC)
    assert after < expires, "signing took longer than the certificate's life; machine too slow"

    # Both are trusted while the certificate is valid.
    r_stamped, r_bare = inspect(stamped, trust=store), inspect(bare, trust=store)
    assert r_stamped.status == "trusted", _codes(r_stamped)
    assert r_bare.status == "trusted", _codes(r_bare)
    assert r_stamped.timestamp is not None and r_stamped.timestamp.trusted
    assert r_bare.timestamp is None

    # Let the certificate really expire (no clock faking).
    while dt.datetime.now(dt.UTC) < expires + dt.timedelta(seconds=1.5):
        time.sleep(0.25)
    assert short.certificate.not_valid_after_utc < dt.datetime.now(dt.UTC)

    r_stamped = inspect(stamped, trust=store)
    assert r_stamped.status == "trusted", _codes(r_stamped)
    assert r_stamped.failures == ()
    assert r_stamped.signer is not None and r_stamped.signer.trusted
    assert r_stamped.signer.name == "TEST-ONLY Short-Lived"
    ts = r_stamped.timestamp
    assert ts is not None
    assert ts.trusted is True
    assert ts.time
    stamped_at = dt.datetime.fromisoformat(ts.time)
    # The token's genTime (whole seconds, accuracy 1 s) lies within the signing window.
    assert before - dt.timedelta(seconds=2) <= stamped_at <= after + dt.timedelta(seconds=2)
    assert stamped_at < expires
    assert ts.tsa is not None and TSA_NAME in ts.tsa
    assert r_stamped.to_dict()["timestamp"] == {"time": ts.time, "tsa": ts.tsa, "trusted": True}

    r_bare = inspect(bare, trust=store)
    assert r_bare.status == "invalid", _codes(r_bare)
    assert "signingCredential.expired" in _codes(r_bare)
    assert r_bare.timestamp is None


# -- (b) an unreachable TSA -------------------------------------------------------------------


def test_unreachable_tsa_fails_cleanly_and_writes_nothing(identity: Identity, photo: Path
                                                          ) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/tsr"
    out = photo.with_name("photo.signed.jpg")
    before = {p.name: p.read_bytes() for p in photo.parent.iterdir()}
    with pytest.raises(SigningError) as info:
        sign(photo, out, identity=identity, tsa_url=url)
    assert url in str(info.value)
    assert not out.exists()
    after = {p.name: p.read_bytes() for p in photo.parent.iterdir()}
    assert after == before, f"stray files: {sorted(set(after) - set(before))}"


# -- (c) a TSA nobody trusts ------------------------------------------------------------------


def test_untrusted_tsa_is_reported_but_not_trusted(identity: Identity, tsa_server: RunningTSA,
                                                   photo: Path, tmp_path: Path) -> None:
    assert identity.root is not None
    out = tmp_path / "stamped.jpg"
    sign(photo, out, identity=identity, tsa_url=tsa_server.url)
    report = inspect(out, trust=TrustStore((identity.root,)))  # the TSA root is NOT in it
    assert report.status == "trusted", _codes(report)  # the signer itself is trusted
    assert report.timestamp is not None
    assert report.timestamp.trusted is False
    assert report.timestamp.time
    assert report.timestamp.tsa is not None and TSA_NAME in report.timestamp.tsa
    # Same file, TSA root trusted now.
    trusted = inspect(out, trust=TrustStore((identity.root, tsa_server.tsa.root)))
    assert trusted.timestamp is not None and trusted.timestamp.trusted is True


# -- (d) the responder itself -----------------------------------------------------------------


def _request(digest: bytes, nonce: int | None, *, cert_req: bool = True,
             alg: str = "sha256") -> tsp.TimeStampReq:
    fields: dict[str, object] = {
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": alg}, "hashed_message": digest},
        "cert_req": cert_req,
    }
    if nonce is not None:
        fields["nonce"] = nonce
    return tsp.TimeStampReq(fields)


def test_respond_rejects_garbage() -> None:
    tsa, _ = TimestampAuthority.create(TSA_NAME)
    resp = _TimeStampResp.load(tsa.respond(b"\x30\x80 this is not a TimeStampReq"))
    assert resp["status"]["status"].native == "rejection"
    assert resp["status"]["fail_info"].native  # says why (badDataFormat)
    assert not resp["time_stamp_token"].native


def test_respond_rejects_unsupported_hash() -> None:
    tsa, _ = TimestampAuthority.create(TSA_NAME)
    req = _request(bytes(20), 7, alg="sha1")  # SHA-1 digest length, refused
    resp = _TimeStampResp.load(tsa.respond(req.dump()))
    assert resp["status"]["status"].native == "rejection"
    assert "bad_alg" in resp["status"]["fail_info"].native


def test_served_garbage_gets_an_http_rejection(tsa_server: RunningTSA) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", tsa_server.port, timeout=10)
    try:
        conn.request("POST", "/", body=b"garbage!",
                     headers={"Content-Type": "application/timestamp-query"})
        answer = conn.getresponse()
        body = answer.read()
    finally:
        conn.close()
    assert answer.status == 200
    assert answer.getheader("Content-Type") == "application/timestamp-reply"
    assert _TimeStampResp.load(body)["status"]["status"].native == "rejection"


def test_respond_grants_a_verifiable_token() -> None:
    tsa, _ = TimestampAuthority.create(TSA_NAME)
    digest = hashlib.sha256(b"TEST-ONLY claim signature").digest()
    nonce = secrets.randbits(63)
    req = _request(digest, nonce)
    t0 = dt.datetime.now(dt.UTC).replace(microsecond=0)
    resp = tsp.TimeStampResp.load(tsa.respond(req.dump()))
    t1 = dt.datetime.now(dt.UTC)
    assert resp["status"]["status"].native == "granted"

    token = resp["time_stamp_token"]
    assert token["content_type"].native == "signed_data"
    signed = token["content"]
    encap = signed["encap_content_info"]
    assert encap["content_type"].native == "tst_info"
    info_der = encap["content"].contents
    info = tsp.TSTInfo.load(info_der)
    imprint = info["message_imprint"]
    assert imprint["hash_algorithm"]["algorithm"].native == "sha256"
    assert imprint["hashed_message"].native == req["message_imprint"]["hashed_message"].native
    assert imprint.dump() == req["message_imprint"].dump()
    assert info["nonce"].native == nonce
    assert info["policy"].native == POLICY_OID
    assert t0 <= info["gen_time"].native <= t1

    # certReq was true: the TSA certificate (and its root) travel with the token.
    certs = [c.chosen for c in signed["certificates"]]
    tsa_der = tsa.certificate.public_bytes(serialization.Encoding.DER)
    assert tsa_der in [c.dump() for c in certs]

    # The CMS signature: ECDSA-SHA256 over the DER of the signed attributes as a SET.
    assert len(signed["signer_infos"]) == 1
    signer_info = signed["signer_infos"][0]
    sid = signer_info["sid"].chosen
    cert = asn1_x509.Certificate.load(tsa_der)
    assert sid["serial_number"].native == cert.serial_number
    assert sid["issuer"].dump() == cert.issuer.dump()
    attrs = signer_info["signed_attrs"]
    set_der = attrs.untag().dump()
    assert set_der[0] == 0x31 and set_der[1:] == attrs.dump()[1:]
    tsa_pub = tsa.certificate.public_key()
    assert isinstance(tsa_pub, ec.EllipticCurvePublicKey)
    tsa_pub.verify(signer_info["signature"].native, set_der, ec.ECDSA(hashes.SHA256()))
    by_type = {a["type"].native: a["values"][0] for a in attrs}
    assert by_type["content_type"].native == "tst_info"
    assert by_type["message_digest"].native == hashlib.sha256(info_der).digest()
    ess = by_type["signing_certificate_v2"]["certs"][0]
    assert ess["cert_hash"].native == hashlib.sha256(tsa_der).digest()

    # A tampered TSTInfo would no longer match the signed message digest.
    assert by_type["message_digest"].native != hashlib.sha256(info_der + b"\0").digest()

    # And the certificate is fit for timestamping.
    eku = tsa.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    cn = tsa.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == TSA_NAME


def test_respond_without_nonce_or_cert_req() -> None:
    tsa, _ = TimestampAuthority.create(TSA_NAME)
    req = _request(hashlib.sha384(b"x").digest(), None, cert_req=False, alg="sha384")
    resp = tsp.TimeStampResp.load(tsa.respond(req.dump()))
    assert resp["status"]["status"].native == "granted"
    signed = resp["time_stamp_token"]["content"]
    info = tsp.TSTInfo.load(signed["encap_content_info"]["content"].contents)
    assert info["nonce"].native is None
    assert info["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha384"
    assert not signed["certificates"].native  # none asked for, none sent


# -- cost of a timestamp (information, not an assertion) ---------------------------------------


def test_measure_timestamping_cost(identity: Identity, tsa_server: RunningTSA, photo: Path,
                                   tmp_path: Path) -> None:
    runs = 15
    out = tmp_path / "bench.jpg"

    def median_ms(tsa_url: str | None) -> float:
        sign(photo, out, identity=identity, tsa_url=tsa_url)  # warm-up (signer, context)
        samples = []
        for _ in range(runs):
            t = time.perf_counter()
            sign(photo, out, identity=identity, tsa_url=tsa_url)
            samples.append((time.perf_counter() - t) * 1000)
        return statistics.median(samples)

    without = median_ms(None)
    with_tsa = median_ms(tsa_server.url)
    print(f"\n[timestamp cost] median of {runs} sign() calls on a "
          f"{photo.stat().st_size}-byte JPEG: without TSA {without:.1f} ms, "
          f"with local TSA {with_tsa:.1f} ms (+{with_tsa - without:.1f} ms)")
    assert inspect(out).timestamp is not None  # the last file really was timestamped
