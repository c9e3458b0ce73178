"""A free identity through the author's own domain: the certificate names it, the domain file
vouches for the root (rotations, revocations), signed with the identity's key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography import x509

import provenance
from provenance import domain
from provenance.identity import Identity
from tests.cli.helpers import EXIT_OK, EXIT_USAGE, run


def _pen_name(d: Path) -> Identity:
    ident, root_key = Identity.create("TEST-ONLY Pen Name", domain="Example.ORG")
    ident.save(d, password=None, root_key=root_key)
    return Identity.load(d, password=None)


def test_certificate_and_identity_assertion_name_the_domain(tmp_path: Path,
                                                            files: dict[str, Path]) -> None:
    ident = _pen_name(tmp_path / "id")
    san = ident.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["example.org"]
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == ["https://example.org/"]
    assert domain.certificate_domain(ident.certificate) == "example.org"
    assert ident.root is not None
    provenance.trust.add_certificates("pen", [ident.root])
    report = provenance.inspect(provenance.sign(files["photo.jpg"], identity=ident).output)
    assert report.status == "trusted"
    (person,) = report.identities
    assert person.name == "TEST-ONLY Pen Name" and person.status in ("valid", "trusted")
    # The identity assertion's credential is the domain-bearing certificate itself: its DER
    # is in the file twice, in the claim signature and in the cawg.identity COSE signature.
    from cryptography.hazmat.primitives import serialization

    der = ident.certificate.public_bytes(serialization.Encoding.DER)
    assert report.path is not None
    assert Path(report.path).read_bytes().count(der) == 2


@pytest.mark.parametrize("bad", ["https://example.org/", "example", "exa mple.org", "1.2.3.4",
                                 "-x.org", "a/b.org"])
def test_bad_domain_is_one_line(bad: str, tmp_path: Path) -> None:
    proc = run("identity", "create", "--name", "TEST-ONLY X", "--domain", bad,
               "--dir", tmp_path / "id")
    assert proc.returncode == EXIT_USAGE
    assert "not a domain name" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "id").exists()


def test_create_and_publish_cli(tmp_path: Path) -> None:
    d, site = tmp_path / "id", tmp_path / "site"
    site.mkdir()
    assert run("identity", "create", "--name", "TEST-ONLY Pen Name", "--domain", "example.org",
               "--dir", d).returncode == EXIT_OK
    proc = run("identity", "publish-domain", "--out-dir", site, "--dir", d)
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "https://example.org/.well-known/provenance-identity.json" in proc.stderr
    doc = json.loads((site / domain.WELL_KNOWN).read_text())
    ident = Identity.load(d, password=None)
    assert ident.root is not None
    assert doc["name"] == "TEST-ONLY Pen Name" and doc["domain"] == "example.org"
    assert doc["issued"] and doc["updated"]
    assert domain.vouched_roots(doc, "example.org") == {
        domain.fingerprint(ident.root): "current"}
    assert run("identity", "publish-domain", "--out-dir", tmp_path / "nope",
               "--dir", d).returncode == EXIT_USAGE


def test_rotation_and_revocation(tmp_path: Path) -> None:
    site = tmp_path / "site"
    old = _pen_name(tmp_path / "old")
    new = _pen_name(tmp_path / "new")
    assert old.root is not None and new.root is not None
    domain.publish(old, site)
    first = json.loads((site / domain.WELL_KNOWN).read_text())
    domain.publish(new, site)  # the author moved to a new key: the old root is rotated
    doc = json.loads((site / domain.WELL_KNOWN).read_text())
    assert doc["issued"] == first["issued"]
    fp_old, fp_new = domain.fingerprint(old.root), domain.fingerprint(new.root)
    assert domain.vouched_roots(doc, "example.org") == {fp_old: "rotated", fp_new: "current"}
    domain.publish(new, site, revoke=(fp_old,))
    doc = json.loads((site / domain.WELL_KNOWN).read_text())
    assert domain.vouched_roots(doc, "example.org")[fp_old] == "revoked"


def test_impostor_and_tampered_files_do_not_verify(tmp_path: Path) -> None:
    real = _pen_name(tmp_path / "real")
    impostor = _pen_name(tmp_path / "impostor")  # same name and domain, other key
    doc = domain.build_document(real)
    forged = dict(doc, roots=doc["roots"] + domain.build_document(impostor)["roots"])
    with pytest.raises(ValueError, match="signature does not verify"):
        domain.vouched_roots(forged, "example.org")
    # An impostor's own file, signed by the impostor: valid for the impostor's root only.
    assert real.root is not None
    other = domain.vouched_roots(domain.build_document(impostor), "example.org")
    assert domain.fingerprint(real.root) not in other
    with pytest.raises(ValueError, match=r"not example\.net"):
        domain.vouched_roots(doc, "example.net")
    with pytest.raises(ValueError, match="not a provenance"):
        domain.vouched_roots({"schema": "x"}, "example.org")
