"""Large files (issue 15): a JPEG/PNG is signed from a memory map (hashed on a thread beside
the fingerprint's decode, written out from the map), an existing output is moved aside before
the new one goes in, a JPEG's manifest is looked for (and, when verifying, taken) only from
its APP11 segments before the scan.

The outputs and verdicts must be exactly what the plain paths give: the soft binding's value
is the fingerprint of the source's bytes, the bytes around the manifest segment are the
source's, and every report of the short verify route equals c2pa's own route's, tampered
files included."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path
from typing import Any

import pytest

from provenance import _c2pa, _files, inspect, jumbf, sign, signing
from provenance.carriers import media
from provenance.errors import OutputError
from provenance.fingerprint import fingerprint
from provenance.fingerprint.assertion import soft_bindings_of
from provenance.formats import has_manifest_store
from provenance.identity import Identity
from provenance.report import Report
from provenance.trust import TrustStore
from tests.assets import build as assets
from tests.integration.test_sign_verify import jpeg_scan_byte


@pytest.fixture(autouse=True)
def _large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file here takes the large-file path (map, hash thread, kernel copy): the test
    images are small, the thresholds are what make it the path of large files only."""
    monkeypatch.setattr(signing, "_MAP_MIN", 0)
    monkeypatch.setattr(media, "_THREADED_HASH", 0)


def test_the_large_path_is_taken(tmp_path: Path, identity: Identity,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    mapped: list[Path] = []
    real_map = signing.mapped_input

    def spy_map(path: Path, what: str = "file") -> Any:
        mapped.append(path)
        return real_map(path, what)

    monkeypatch.setattr(signing, "mapped_input", spy_map)
    src = _photo(tmp_path)
    sign(src, tmp_path / "out.jpg", identity=identity)
    assert mapped == [src]
    monkeypatch.setattr(signing, "_MAP_MIN", 4 << 20)  # a small file is read as before
    sign(src, tmp_path / "small.jpg", identity=identity)
    assert mapped == [src]
    assert inspect(tmp_path / "small.jpg").status == "trusted"
    out, small = (tmp_path / "out.jpg").read_bytes(), (tmp_path / "small.jpg").read_bytes()
    assert _segment(out) == _segment(small)  # the same layout either way


def _segment(data: bytes) -> tuple[int, int]:
    """(offset, length) of the APP11 segments the signer inserted into a JPEG."""
    pos = 2
    start = None
    while data[pos] == 0xFF and data[pos + 1] != 0xDA:
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if data[pos + 1] == 0xEB:
            start = pos if start is None else start
        elif start is not None:
            return start, pos - start
        pos += 2 + length
    raise AssertionError("no APP11 segment")


def _photo(tmp_path: Path, size: tuple[int, int] = (640, 480)) -> Path:
    src = tmp_path / "photo.jpg"
    src.write_bytes(assets.image_bytes("JPEG", size, seed=3))
    return src


def test_signed_jpeg_is_the_source_around_the_manifest(tmp_path: Path,
                                                       identity: Identity) -> None:
    src = _photo(tmp_path)
    data = src.read_bytes()
    result = sign(src, tmp_path / "out.jpg", identity=identity)
    out = result.output.read_bytes()
    start, length = _segment(out)
    assert out[:start] == data[:start]
    assert out[start + length:] == data[start:]  # the tail, written from the map
    assert result.size == len(out) == len(data) + length
    # The soft binding is the fingerprint of the source's bytes, decoded the usual way.
    found = _c2pa.read_manifest("image/jpeg", io.BytesIO(out), trust_pem=None)
    assert found is not None
    active = found.store["manifests"][found.store["active_manifest"]]
    expected = fingerprint(data, "image/jpeg")
    assert expected is not None
    assert soft_bindings_of(active) == [("io.iscc.v0", expected.iscc)]
    assert result.fingerprint == expected
    assert inspect(result.output).status == "trusted"


def test_png_from_a_map_verifies(files: dict[str, Path], identity: Identity,
                                 tmp_path: Path) -> None:
    result = sign(files["photo.png"], tmp_path / "out.png", identity=identity)
    out = result.output.read_bytes()
    assert out.endswith(files["photo.png"].read_bytes()[33:])
    assert inspect(result.output).status == "trusted"
    assert has_manifest_store("image/png", out)
    assert not has_manifest_store("image/png", files["photo.png"].read_bytes())


def test_overwrite_moves_the_old_output_aside(tmp_path: Path, identity: Identity,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_files, "_ASIDE_MIN", 1)
    src = _photo(tmp_path)
    out = tmp_path / "out" / "photo.jpg"
    out.parent.mkdir()
    out.write_bytes(b"TEST-ONLY previous output")
    other = tmp_path / "out" / "hardlink.jpg"
    os.link(out, other)
    sign(src, out, identity=identity, overwrite=True)
    assert inspect(out).status == "trusted"
    assert other.read_bytes() == b"TEST-ONLY previous output"  # a link of its own, kept
    assert sorted(p.name for p in out.parent.iterdir()) == ["hardlink.jpg", "photo.jpg"]


def test_failed_move_keeps_the_old_output(tmp_path: Path, identity: Identity,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_files, "_ASIDE_MIN", 1)
    src = _photo(tmp_path)
    out = tmp_path / "out" / "photo.jpg"
    out.parent.mkdir()
    out.write_bytes(b"TEST-ONLY previous output, must survive")
    real = os.replace

    def replace(a: Any, b: Any) -> None:
        if str(a).endswith(".tmp"):  # the new output's rename into place
            raise OSError(errno.EIO, "TEST-ONLY rename failed")
        real(a, b)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError):
        sign(src, out, identity=identity, overwrite=True)
    assert out.read_bytes() == b"TEST-ONLY previous output, must survive"
    assert [p.name for p in out.parent.iterdir()] == ["photo.jpg"]


def test_manifest_looked_for_in_the_header_only(tmp_path: Path, identity: Identity) -> None:
    src = _photo(tmp_path)
    data = src.read_bytes()
    assert not has_manifest_store("image/jpeg", data)
    # The store's type UUID inside the scan data is not a manifest (c2pa writes APP11).
    at = jpeg_scan_byte(data)
    planted = data[:at] + jumbf.STORE_UUID + data[at + 16:]
    assert not has_manifest_store("image/jpeg", planted)
    signed = sign(src, tmp_path / "out.jpg", identity=identity).output.read_bytes()
    assert has_manifest_store("image/jpeg", signed)
    has, store = jumbf.jpeg_header(lambda o, n: signed[o:o + n])
    assert has and store is not None and jumbf.active_label(store)


def _split(signed: bytes, packet: int) -> bytes:
    """The signed JPEG with its one APP11 packet re-cut into packets of ``packet`` bytes."""
    start, length = _segment(signed)
    body = signed[start + 4:start + length]
    ci, en, box = body[:2], body[2:4], body[8:]
    lbox_tbox, payload = box[:8], box[8:]
    parts = [payload[i:i + packet] for i in range(0, len(payload), packet)]
    segs = b""
    for z, part in enumerate(parts, 1):
        seg = ci + en + z.to_bytes(4, "big") + lbox_tbox + part
        segs += b"\xff\xeb" + (len(seg) + 2).to_bytes(2, "big") + seg
    return signed[:start] + segs + signed[start + length:]


def test_multi_packet_store_reassembled(tmp_path: Path, identity: Identity) -> None:
    signed = sign(_photo(tmp_path), tmp_path / "out.jpg",
                  identity=identity).output.read_bytes()
    _, whole = jumbf.jpeg_header(lambda o, n: signed[o:o + n])
    recut = _split(signed, 1000)
    _, again = jumbf.jpeg_header(lambda o, n: recut[o:o + n])
    assert whole is not None and again == whole
    # Packets out of order or from two box instances: not the plain layout, left to c2pa.
    start, _ = _segment(recut)
    swapped = bytearray(recut)
    swapped[start + 8:start + 12] = (2).to_bytes(4, "big")
    assert jumbf.jpeg_header(lambda o, n: bytes(swapped[o:o + n])) == (True, None)


class _Counting(io.RawIOBase):
    """A file that counts the bytes read from it."""

    def __init__(self, data: bytes) -> None:
        self._f = io.BytesIO(data)
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self._f.readinto(b)
        self.read_bytes += n
        return n

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()


def _both_routes(data: bytes, store: TrustStore,
                 monkeypatch: pytest.MonkeyPatch) -> tuple[Report, Report, int, int]:
    short = _Counting(data)
    fast = media.read(short, "x.jpg", "image/jpeg", store)  # type: ignore[arg-type]
    with monkeypatch.context() as m:
        m.setattr(media, "_read_located", lambda *_: None)
        plain = _Counting(data)
        reference = media.read(plain, "x.jpg", "image/jpeg", store)  # type: ignore[arg-type]
    return fast, reference, short.read_bytes, plain.read_bytes


def _tampered(signed: bytes, where: str) -> bytes:
    out = bytearray(signed)
    start, _ = _segment(signed)
    if where == "scan":
        out[jpeg_scan_byte(signed)] ^= 0x01
    elif where == "header":  # a JFIF byte, before the manifest
        out[12] ^= 0x01
    elif where == "manifest":  # inside the claim signature's JUMBF content
        i = signed.index(b"c2pa.signature", start) + 64
        out[i] ^= 0x01
    elif where == "moved":  # a comment segment inserted before it: the exclusion misses it
        out[start:start] = b"\xff\xfe\x00\x03\x00"
    return bytes(out)


@pytest.mark.parametrize("where", ["intact", "untrusted", "scan", "header", "manifest",
                                   "moved"])
def test_short_verify_route_gives_c2pa_s_verdict(where: str, tmp_path: Path,
                                                 identity: Identity, stranger: Identity,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    signer = stranger if where == "untrusted" else identity
    signed = sign(_photo(tmp_path), tmp_path / "out.jpg", identity=signer).output.read_bytes()
    data = signed if where in ("intact", "untrusted") else _tampered(signed, where)
    fast, reference, short_reads, plain_reads = _both_routes(
        data, TrustStore.installed(), monkeypatch)
    assert fast.to_dict() == reference.to_dict()
    if where in ("intact", "untrusted"):
        assert fast.status == ("trusted" if where == "intact" else "valid")
        # c2pa validates the store we hand it: two passes over the file, not three.
        assert short_reads < plain_reads
        assert short_reads <= 2 * len(data) + 65536
    else:
        assert not fast.intact, f"{where}: {fast.status}"


def test_in_place_from_a_map(tmp_path: Path, identity: Identity,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_files, "_ASIDE_MIN", 1)  # the source itself is moved aside
    src = _photo(tmp_path)
    before = src.read_bytes()
    sign(src, identity=identity, in_place=True)
    after = src.read_bytes()
    start, length = _segment(after)
    assert after[:start] + after[start + length:] == before
    assert inspect(src).status == "trusted"
    assert [p.name for p in tmp_path.iterdir()] == ["photo.jpg"]
