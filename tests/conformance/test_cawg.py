"""CAWG identity assertions are a layer of their own: real assertions made by c2pa-rs.

Measured with c2pa-python 0.38.1: a manifest signed by a trusted claim signer whose identity
assertion's credential is not trusted gets ``validation_state`` Valid (not Trusted) and the
failure ``cawg.x509.credential.untrusted``. That is "identity not trusted", never tampering:
we report the manifest ``trusted`` and the identity ``valid`` in ``identities``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import provenance
from provenance import TrustStore, inspect
from provenance.identity import Identity
from provenance.policy import IdentityRequired
from tests.cli.helpers import EXIT_FAILED, EXIT_OK, run
from tests.conformance._cawg import sign_with_identity_assertion


@pytest.fixture
def with_identity(files: dict[str, Path], identity: Identity, tmp_path: Path) -> Path:
    person, _ = Identity.create("TEST-ONLY Person Credential", email="person@example.test")
    dest = tmp_path / "photo.cawg.jpg"
    sign_with_identity_assertion(files["photo.jpg"], dest, identity, person)
    return dest


def test_untrusted_identity_does_not_invalidate(with_identity: Path, identity: Identity) -> None:
    report = inspect(with_identity)
    assert report.status == "trusted", [f.code for f in report.failures]
    assert report.failures == ()
    assert len(report.identities) == 1
    ident = report.identities[0]
    assert ident.sig_type == "cawg.x509.cose"
    assert ident.name == "TEST-ONLY Person Credential"
    assert ident.roles == ("cawg.creator",)
    assert ident.status == "valid"
    assert "cawg.x509.credential.untrusted" in ident.codes
    assert "cawg.identity.well-formed" in ident.codes
    doc = report.to_dict()
    assert doc["identities"][0]["status"] == "valid"
    # Without any anchor the manifest is intact and untrusted, still not invalid.
    plain = inspect(with_identity, trust=TrustStore())
    assert plain.status == "valid"
    assert [f.code for f in plain.failures] == ["signingCredential.untrusted"]


def test_default_policy_passes_and_require_identity_says_not_trusted(
        with_identity: Path) -> None:
    provenance.verify(with_identity)  # the default policy does not look at identities
    with pytest.raises(provenance.VerificationFailed) as info:
        provenance.verify(with_identity, policy=provenance.AllOf(
            [provenance.default_policy(), IdentityRequired()]))
    assert info.value.reasons == [
        "identity TEST-ONLY Person Credential not trusted (its credential does not chain to "
        "a trusted root)"]
    provenance.verify(with_identity, policy=IdentityRequired(trusted=False))


def test_require_identity_cli(with_identity: Path, files: dict[str, Path],
                              identity: Identity, tmp_path: Path) -> None:
    from tests.conformance._cawg import sign_without_identity_assertion

    signed_jpeg = tmp_path / "plain.jpg"
    sign_without_identity_assertion(files["photo.jpg"], signed_jpeg, identity)
    assert run("verify", with_identity).returncode == EXIT_OK
    shown = run("inspect", with_identity).stdout
    assert "TEST-ONLY Person Credential (cawg.x509.cose, cawg.creator): not trusted" in shown
    proc = run("verify", "--require-identity", with_identity)
    assert proc.returncode == EXIT_FAILED
    assert "identity TEST-ONLY Person Credential not trusted" in proc.stderr
    proc = run("verify", "--require-identity", signed_jpeg)
    assert proc.returncode == EXIT_FAILED
    assert "no CAWG identity assertion" in proc.stderr


def test_tampered_identity_assertion_is_invalid(with_identity: Path) -> None:
    data = bytearray(with_identity.read_bytes())
    at = data.find(b"TEST-ONLY Person Credential")
    assert at > 0
    data[at + len("TEST-ONLY ")] ^= 0x01  # inside the credential: the identity breaks
    tampered = with_identity.with_name("tampered.jpg")
    tampered.write_bytes(bytes(data))
    report = inspect(tampered)
    assert report.status == "invalid"
