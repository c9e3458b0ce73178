"""Integration: installing trust lists (from a URL, from the published C2PA lists) and the
report naming the anchor and the list a signer chains to. Offline: URLs are 127.0.0.1 only."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization

from provenance import Identity, TrustError, TrustStore, inspect, sign, verify
from provenance import trust as trust_mod
from provenance._dn import format_dn


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web_dir(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory served over HTTP on 127.0.0.1 (free port): (directory, base URL)."""
    d = tmp_path / "www"
    d.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(d))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield d, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _fingerprints(certs: object) -> set[bytes]:
    return {c.fingerprint(hashes.SHA256()) for c in certs}  # type: ignore[attr-defined]


# -- (a) trust add URL ----------------------------------------------------------------------


def test_add_anchor_from_url_makes_signer_trusted(web_dir: tuple[Path, str], home: Path,
                                                  files: dict[str, Path], tmp_path: Path
                                                  ) -> None:
    www, base = web_dir
    newsroom, _ = Identity.create("TEST-ONLY Newsroom Reporter", organization="TEST-ONLY News")
    assert newsroom.root is not None
    (www / "root.pem").write_bytes(newsroom.root.public_bytes(serialization.Encoding.PEM))
    out = tmp_path / "photo.signed.jpg"
    sign(files["photo.jpg"], out, identity=newsroom)
    assert inspect(out, trust=TrustStore.installed()).status == "valid"  # not trusted yet

    installed = trust_mod.add_anchor(f"{base}/root.pem")
    assert installed.name == "root"
    assert installed.path == home / "trust" / "root.pem"
    assert installed.path.is_file()
    assert _fingerprints(installed.certificates) == _fingerprints([newsroom.root])
    assert format_dn(newsroom.root.subject) in [
        a for f in trust_mod.list_anchors() for a in f.subjects()]

    report = verify(out, trust=TrustStore.installed())
    assert report.status == "trusted"
    assert report.signer is not None and report.signer.trusted
    assert report.signer.anchor == format_dn(newsroom.root.subject)
    assert report.signer.trust_list == "root"
    # And without an explicit store (the installed anchors are the default).
    assert inspect(out).status == "trusted"


def test_add_anchor_url_not_found(web_dir: tuple[Path, str], home: Path) -> None:
    _www, base = web_dir
    url = f"{base}/missing.pem"
    with pytest.raises(TrustError) as info:
        trust_mod.add_anchor(url)
    assert url in str(info.value)
    assert "404" in str(info.value)
    assert trust_mod.list_anchors() == []
    leftovers = list((home / "trust").glob("*")) if (home / "trust").exists() else []
    assert leftovers == []


def test_add_anchor_url_without_certificate(web_dir: tuple[Path, str]) -> None:
    www, base = web_dir
    (www / "page.pem").write_text("<html>not a certificate</html>")
    with pytest.raises(TrustError, match="no PEM certificate"):
        trust_mod.add_anchor(f"{base}/page.pem")
    assert trust_mod.list_anchors() == []


# -- (b) the published lists ------------------------------------------------------------------


def test_official_c2pa_trust_list_pem_and_json(shared: Path, tmp_path: Path) -> None:
    official = shared / "trust" / "official_c2pa"
    pem = trust_mod.add_anchor(official / "C2PA-TRUST-LIST.pem", name="c2pa-pem")
    js = trust_mod.add_anchor(official / "C2PA-TRUST-LIST.json", name="c2pa-json")
    assert len(pem.certificates) == 30
    assert len(js.certificates) == 30
    assert _fingerprints(pem.certificates) == _fingerprints(js.certificates)
    names = {a.name: len(a.certificates) for a in trust_mod.list_anchors()}
    assert names == {"c2pa-pem": 30, "c2pa-json": 30}
    # Installed JSON list is re-written as PEM and reads back the same.
    assert _fingerprints(TrustStore.from_pem_files([js.path]).certificates) == \
        _fingerprints(pem.certificates)
    assert len(TrustStore.installed()) == 60
    bundle = TrustStore.installed().pem()
    assert bundle is not None
    assert bundle.count("BEGIN CERTIFICATE") == 30  # deduplicated


def test_cai_interim_anchors(shared: Path) -> None:
    anchors = trust_mod.add_anchor(
        shared / "trust" / "cai_interim_conformance-tool" / "anchors.pem")
    assert anchors.name == "anchors"
    assert len(anchors.certificates) >= 20


# -- (c) the report names anchor and list -----------------------------------------------------


def test_report_names_anchor_and_list(identity: Identity, stranger: Identity,
                                      files: dict[str, Path], tmp_path: Path) -> None:
    assert identity.root is not None
    ca_file = tmp_path / "newsroom-ca.pem"
    ca_file.write_bytes(identity.root.public_bytes(serialization.Encoding.PEM))
    store = TrustStore.from_pem_files([ca_file])

    ours = tmp_path / "ours.jpg"
    sign(files["photo.jpg"], ours, identity=identity)
    report = verify(ours, trust=store)
    assert report.status == "trusted"
    assert report.signer is not None
    assert report.signer.anchor == format_dn(identity.root.subject)
    assert report.signer.trust_list == "newsroom-ca"
    assert report.to_dict()["signer"]["trust_list"] == "newsroom-ca"

    theirs = tmp_path / "theirs.jpg"
    sign(files["photo.jpg"], theirs, identity=stranger)
    report = inspect(theirs, trust=store)
    assert report.status == "valid"
    assert report.signer is not None and not report.signer.trusted
    assert report.signer.anchor is None
    assert report.signer.trust_list is None


def test_report_names_the_right_list_among_several(identity: Identity, stranger: Identity,
                                                   files: dict[str, Path], tmp_path: Path
                                                   ) -> None:
    assert identity.root is not None and stranger.root is not None
    a = tmp_path / "agency-a.pem"
    b = tmp_path / "agency-b.pem"
    a.write_bytes(stranger.root.public_bytes(serialization.Encoding.PEM))
    b.write_bytes(identity.root.public_bytes(serialization.Encoding.PEM))
    store = TrustStore.from_pem_files([a, b])
    out = tmp_path / "ours.jpg"
    sign(files["photo.jpg"], out, identity=identity)
    report = inspect(out, trust=store)
    assert report.signer is not None
    assert report.signer.trust_list == "agency-b"
    assert report.signer.anchor == format_dn(identity.root.subject)
