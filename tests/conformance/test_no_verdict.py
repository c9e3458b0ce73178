"""Honest reasons when there is no verdict: remote manifests, unparsable files, pre-release
manifests, manifest-only files; "corrupt" only for a manifest that is present and broken.

Every file here is made by the suite: remote-manifest assets by c2pa-rs itself
(``Builder.set_remote_url``), served by a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import http.server
import io
import re
import shutil
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import c2pa
import pytest

import provenance
from provenance import _c2pa, inspect
from provenance.carriers import remote
from provenance.identity import Identity
from tests.cli.helpers import EXIT_FAILED, EXIT_OK, run

_MANIFEST = {
    "claim_generator_info": [{"name": "provenance-tests", "version": "1"}],
    "title": "photo.jpg",
    "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [{
        "action": "c2pa.created",
        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
    }]}}],
}


class _Server:
    """A real HTTP server on 127.0.0.1 serving files from a folder (and one that hangs)."""

    def __init__(self, root: Path) -> None:
        handler = type("H", (http.server.SimpleHTTPRequestHandler,), {
            "log_message": lambda *a: None})
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), lambda *a: handler(*a, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[_Server]:
    root = tmp_path / "www"
    root.mkdir()
    s = _Server(root)
    yield s
    s.close()


def _remote_jpeg(src: Path, dest: Path, url: str, identity: Identity) -> bytes:
    """``dest``: ``src`` referencing its manifest at ``url`` (c2pa writes the XMP reference);
    returns the manifest store to publish there."""
    info = c2pa.C2paSignerInfo(identity.algorithm.encode(), identity.chain_pem(),
                               identity.private_key_pem(), None)
    out = io.BytesIO()
    with c2pa.Builder(_MANIFEST, context=c2pa.Context.from_dict(_c2pa.settings(None))) as b, \
            c2pa.Signer.from_info(info) as signer, src.open("rb") as fh:
        b.set_no_embed()
        b.set_remote_url(url)
        store: bytes = b.sign(signer, "image/jpeg", fh, out)
    dest.write_bytes(out.getvalue())
    return store


def test_remote_manifest_offline_and_fetched(files: dict[str, Path], identity: Identity,
                                             server: _Server, tmp_path: Path) -> None:
    url = server.url + "/photo.c2pa"
    asset = tmp_path / "remote.jpg"
    store = _remote_jpeg(files["photo.jpg"], asset, url, identity)
    offline = inspect(asset)
    assert offline.status == "unsigned"
    assert offline.remote_url == url
    assert [f.code for f in offline.failures] == ["manifest.remote"]
    assert "--fetch-remote" in offline.failures[0].explanation
    assert offline.to_dict()["remote_url"] == url
    # Not published yet: fetched, but nothing there.
    missing = inspect(asset, fetch_remote=True)
    assert missing.status == "unsigned"
    assert [f.code for f in missing.failures] == ["manifest.remote.unavailable"]
    assert "HTTP 404" in missing.failures[0].explanation
    (tmp_path / "www" / "photo.c2pa").write_bytes(store)
    fetched = inspect(asset, fetch_remote=True)
    assert fetched.status == "trusted", [f.code for f in fetched.failures]
    assert fetched.carrier == "remote" and fetched.remote_url == url
    # The asset changed after signing: the fetched manifest says so.
    data = bytearray(asset.read_bytes())
    data[-10] ^= 0xFF
    asset.write_bytes(bytes(data))
    assert inspect(asset, fetch_remote=True).status == "invalid"


def test_remote_manifest_cli(files: dict[str, Path], identity: Identity, server: _Server,
                             tmp_path: Path) -> None:
    url = server.url + "/photo.c2pa"
    asset = tmp_path / "remote.jpg"
    (tmp_path / "www" / "photo.c2pa").write_bytes(
        _remote_jpeg(files["photo.jpg"], asset, url, identity))
    proc = run("verify", asset)
    assert proc.returncode == EXIT_FAILED
    assert url in proc.stderr and "--fetch-remote" in proc.stderr
    proc = run("verify", "--fetch-remote", asset)
    assert proc.returncode == EXIT_OK, proc.stderr
    proc = run("inspect", "--fetch-remote", "--json", asset)
    assert proc.returncode == EXIT_OK and '"carrier": "remote"' in proc.stdout


def test_signing_over_a_remote_manifest_reference_is_refused(
        files: dict[str, Path], identity: Identity, identity_dir: Path, tmp_path: Path) -> None:
    """A photo whose XMP names its manifest at a URL carries Content Credentials: signing it
    again would drop that history silently (it did: exit 0). Refused as for an embedded
    manifest, offline (nothing is fetched); --replace discards it; --parent records an edit."""
    url = "http://127.0.0.1:9/never-fetched.c2pa"  # port 9 (discard): a fetch would fail
    asset = tmp_path / "remote.jpg"
    _remote_jpeg(files["photo.jpg"], asset, url, identity)
    before = asset.read_bytes()
    with pytest.raises(provenance.AlreadySigned, match="manifest stored at " + re.escape(url)):
        provenance.sign(asset, tmp_path / "out.jpg", identity=identity)
    assert not (tmp_path / "out.jpg").exists() and asset.read_bytes() == before
    proc = run("sign", "--identity", identity_dir, asset, "-o", tmp_path / "cli.jpg")
    assert proc.returncode == 2 and "--replace" in proc.stderr, proc.stderr
    assert not (tmp_path / "cli.jpg").exists()
    replaced = provenance.sign(asset, tmp_path / "replaced.jpg", identity=identity,
                               replace=True)
    assert inspect(replaced.output).status == "trusted"
    plain = provenance.sign(files["photo.jpg"], tmp_path / "plain.jpg", identity=identity)
    assert inspect(plain.output).status == "trusted"  # no reference: signed as before


def test_remote_fetch_is_bounded(server: _Server, tmp_path: Path) -> None:
    (tmp_path / "www" / "big.c2pa").write_bytes(b"\0" * 4096)
    with pytest.raises(remote.FetchError, match="limit"):
        remote.fetch(server.url + "/big.c2pa", limit=1024)
    assert remote.fetch(server.url + "/big.c2pa", limit=4096) == b"\0" * 4096
    with pytest.raises(remote.FetchError, match="not an http"):
        remote.fetch("file:///etc/passwd")
    # A server that accepts the connection and never answers: the timeout ends it.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        with pytest.raises(remote.FetchError):
            remote.fetch(f"http://127.0.0.1:{silent.getsockname()[1]}/m.c2pa", timeout=0.5)
    finally:
        silent.close()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _nested_mp4(depth: int = 300) -> bytes:
    inner = b""
    for i in range(depth):
        inner = _box(b"moov" if i % 2 else b"trak", inner)
    return _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2") + inner


# A TIFF whose only IFD points back at itself.
_CYCLIC_TIFF = (b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1)
                + struct.pack("<HHII", 256, 3, 1, 1) + struct.pack("<I", 8))


@pytest.mark.parametrize("name, data, what", [
    ("garbage.jpg", b"\xff\xd8\xff\xe0" + b"x" * 200, "image/jpeg"),
    ("broken.wav", b"RIFF\xff\xff\xff\x7fWAVEfmt " + b"\0" * 30, "audio/wav"),
    ("nested.mp4", _nested_mp4(), "video/mp4"),
    ("cyclic.tif", _CYCLIC_TIFF, "image/tiff"),
])
def test_unparsable_file_is_unsigned_with_reason(tmp_path: Path, name: str, data: bytes,
                                                 what: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    report = inspect(path)
    assert report.status == "unsigned"
    assert [f.code for f in report.failures] == ["asset.unparsable"]
    assert f"cannot parse {path} as {what}" in report.failures[0].explanation
    proc = run("verify", path)
    assert proc.returncode == EXIT_FAILED
    assert "cannot parse" in proc.stderr and "corrupt" not in proc.stderr


def _jumbf_app11(label: bytes) -> bytes:
    """A JPEG APP11 segment holding a JUMBF superbox with a description box labelled
    ``label`` (the layout of a CAI pre-release store: label ``cai``)."""
    jumd = b"jumd" + bytes.fromhex("6361690000110010800000aa00389b71") + b"\x03" + label + b"\0"
    jumd = (len(jumd) + 4).to_bytes(4, "big") + jumd
    jumb = (len(jumd) + 8).to_bytes(4, "big") + b"jumb" + jumd
    payload = b"JP" + b"\x00\x00" + (1).to_bytes(4, "big") + jumb
    return b"\xff\xeb" + (len(payload) + 2).to_bytes(2, "big") + payload


def test_prerelease_manifest(files: dict[str, Path], tmp_path: Path) -> None:
    jpeg = files["photo.jpg"].read_bytes()
    path = tmp_path / "old-cai.jpg"
    path.write_bytes(jpeg[:2] + _jumbf_app11(b"cai") + jpeg[2:])
    report = inspect(path)
    assert report.status == "unsigned"
    assert [f.code for f in report.failures] == ["manifest.prerelease"]
    assert report.failures[0].explanation.startswith(
        "not a C2PA manifest: pre-release format")


def test_corrupt_only_when_present_and_broken(files: dict[str, Path],
                                              identity: Identity) -> None:
    signed = provenance.sign(files["photo.jpg"], identity=identity).output
    data = signed.read_bytes()
    at = data.find(b"c2pa.actions.v2")
    assert at > 0
    broken = data[:at + 14] + b"\xff" + data[at + 15:]  # one CBOR/JUMBF byte
    signed.write_bytes(broken)
    report = inspect(signed)
    assert report.status == "invalid"
    assert report.failures


def test_manifest_only_file(files: dict[str, Path], identity_dir: Path,
                            tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    shutil.copy(files["photo.jpg"], photo)
    assert run("sign", "--identity", identity_dir, "--carrier", "sidecar",
               photo).returncode == EXIT_OK
    store = tmp_path / "photo.jpg.c2pa"
    assert store.is_file()
    # Beside its asset: judged against it.
    beside = inspect(store)
    assert beside.status == "trusted" and beside.carrier == "sidecar"
    proc = run("verify", store)
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "no files to handle" not in proc.stderr
    # On its own: signature and trust judged, the binding reported as not checked.
    alone = tmp_path / "alone" / "photo.jpg.c2pa"
    alone.parent.mkdir()
    shutil.copy(store, alone)
    report = inspect(alone)
    assert report.status == "trusted", [f.code for f in report.failures]
    assert report.carrier == "manifest-store"
    assert report.to_dict()["asset_binding"].startswith("not checked")
    assert run("verify", alone).returncode == EXIT_OK
    # The asset changed: judged against it, the sidecar fails.
    photo.write_bytes(photo.read_bytes()[:-20] + b"\0" * 20)
    assert run("verify", store).returncode == EXIT_FAILED
    # A broken store is invalid.
    data = bytearray(alone.read_bytes())
    data[len(data) // 2] ^= 0xFF
    alone.write_bytes(bytes(data))
    assert inspect(alone).status == "invalid"
    assert run("verify", alone).returncode == EXIT_FAILED
