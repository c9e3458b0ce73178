"""Trust anchors: PEM bundles, the installed store, and the official C2PA list."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from provenance import trust
from provenance._dn import format_dn
from provenance.errors import TrustError
from provenance.identity import Identity
from provenance.trust import TrustStore


@pytest.fixture(scope="module")
def roots() -> list[x509.Certificate]:
    """Three distinct TEST-ONLY root certificates."""
    out = []
    for i in range(3):
        ident, _ = Identity.create(f"TEST-ONLY Trust {i}")
        assert ident.root is not None
        out.append(ident.root)
    return out


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def test_bundle_with_text_and_a_malformed_block(tmp_path: Path,
                                                roots: list[x509.Certificate]) -> None:
    a, b, _ = roots
    broken = (b"-----BEGIN CERTIFICATE-----\nTUlJQm9ndXNjZXJ0aWZpY2F0ZQ==\n"
              b"-----END CERTIFICATE-----\n")
    bundle = (
        b"# TEST-ONLY trust list\nSubject: first root\n\n" + _pem(a)
        + b"\nsome commentary between blocks\n" + broken
        + b"Issuer: second root\r\n" + _pem(b).replace(b"\n", b"\r\n")
        + b"\ntrailing words\n"
    )
    path = tmp_path / "bundle.pem"
    path.write_bytes(bundle)
    store = TrustStore.from_pem_files([path])
    assert list(store.certificates) == [a, b]
    assert len(store) == 2


def test_file_without_certificates(tmp_path: Path) -> None:
    path = tmp_path / "empty.pem"
    path.write_text("nothing to see here\n")
    with pytest.raises(TrustError, match="no PEM certificate"):
        TrustStore.from_pem_files([path])
    only_broken = tmp_path / "broken.pem"
    only_broken.write_bytes(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(TrustError):
        TrustStore.from_pem_files([only_broken])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TrustError, match="cannot read"):
        TrustStore.from_pem_files([tmp_path / "nope.pem"])


def test_several_files_are_concatenated(tmp_path: Path, roots: list[x509.Certificate]) -> None:
    (tmp_path / "a.pem").write_bytes(_pem(roots[0]))
    (tmp_path / "b.pem").write_bytes(_pem(roots[1]) + _pem(roots[2]))
    store = TrustStore.from_pem_files([tmp_path / "a.pem", str(tmp_path / "b.pem")])
    assert list(store.certificates) == roots


def test_add_list_remove_round_trip(tmp_path: Path, roots: list[x509.Certificate]) -> None:
    d = tmp_path / "trust"
    assert trust.list_anchors(d) == []
    src = tmp_path / "my root.pem"
    src.write_bytes(_pem(roots[0]) + _pem(roots[1]))
    added = trust.add_anchor(src, directory=d)
    assert added.name == "my-root"
    assert added.path == d / "my-root.pem"
    assert added.path.is_file()
    trust.add_anchor(tmp_path / "my root.pem", name="second", directory=d)
    (tmp_path / "third.pem").write_bytes(_pem(roots[2]))
    trust.add_anchor(tmp_path / "third.pem", directory=d)

    listed = trust.list_anchors(d)
    assert [a.name for a in listed] == ["my-root", "second", "third"]
    assert list(listed[0].certificates) == roots[:2]
    assert listed[2].subjects() == [format_dn(roots[2].subject)]
    assert len(TrustStore.installed(d)) == 5

    removed = trust.remove_anchor("second", directory=d)
    assert removed == d / "second.pem"
    assert not removed.exists()
    assert [a.name for a in trust.list_anchors(d)] == ["my-root", "third"]

    with pytest.raises(TrustError, match="no trust anchor named") as err:
        trust.remove_anchor("nobody", directory=d)
    assert "my-root" in str(err.value)
    assert "third" in str(err.value)
    assert [a.name for a in trust.list_anchors(d)] == ["my-root", "third"]


def test_remove_unknown_when_nothing_installed(tmp_path: Path) -> None:
    with pytest.raises(TrustError) as err:
        trust.remove_anchor("x", directory=tmp_path / "none")
    assert "none installed" in str(err.value)


def test_add_anchor_refuses_non_pem(tmp_path: Path) -> None:
    src = tmp_path / "x.pem"
    src.write_text("hello\n")
    with pytest.raises(TrustError):
        trust.add_anchor(src, directory=tmp_path / "trust")
    assert trust.list_anchors(tmp_path / "trust") == []


def test_default_directory_is_in_provenance_home(home: Path,
                                                 roots: list[x509.Certificate]) -> None:
    assert TrustStore.installed().certificates == ()
    trust.add_certificates("../escape attempt", [roots[0]])
    files = sorted(p.name for p in (home / "trust").iterdir())
    assert files == ["escape-attempt.pem"]
    assert list(TrustStore.installed().certificates) == [roots[0]]


def test_pem_deduplicates(roots: list[x509.Certificate]) -> None:
    a, b, _ = roots
    assert TrustStore().pem() is None
    store = TrustStore((a, b, a)).merged(TrustStore((b, a)))
    assert len(store) == 5
    pem = store.pem()
    assert pem is not None
    assert pem.count("-----BEGIN CERTIFICATE-----") == 2
    assert x509.load_pem_x509_certificates(pem.encode()) == [a, b]


def test_official_c2pa_trust_list(shared: Path) -> None:
    path = shared / "trust" / "official_c2pa" / "C2PA-TRUST-LIST.pem"
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    store = TrustStore.from_pem_files([path])
    assert len(store) >= 20
    # Every block of the official list parses (none silently dropped).
    assert len(store) == path.read_bytes().count(b"-----BEGIN CERTIFICATE-----")
    pem = store.pem()
    assert pem is not None and pem.count("BEGIN CERTIFICATE") >= 20
