"""A manifest still in the file but out of c2pa's reach reads ``invalid``, never ``unsigned``
(issue 10). Real signed files; each tamper really changes the file's structure around the
manifest (the manifest bytes stay), and c2pa alone would call the result unsigned."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

import provenance
from provenance import jumbf
from provenance.identity import Identity


def _swap(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        i = data.find(old)
        assert i != -1, old
        return data[:i] + new + data[i + len(old):]
    return edit


def _flip_after(marker: bytes) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        i = data.find(marker) + len(marker)
        return data[:i] + bytes([data[i] ^ 1]) + data[i + 1:]
    return edit


TAMPERS = [
    ("photo.jpg", "APP11 marker", _swap(b"\xff\xeb", b"\xff\xec")),
    ("photo.png", "caBX chunk type", _swap(b"caBX", b"caBx")),
    ("photo.webp", "C2PA chunk FourCC", _swap(b"C2PA", b"C2PB")),
    ("photo.heic", "uuid box type", _flip_after(b"uuid")),
    ("photo.avif", "uuid box type", _flip_after(b"uuid")),
    ("essay.pdf", "catalog /AF key", _swap(b"/AF", b"/AG")),
    ("essay.pdf", "AF relationship", _swap(b"/AFRelationship", b"/AFRelationshiq")),
]


@pytest.mark.parametrize(("name", "what", "tamper"), TAMPERS,
                         ids=[f"{n}-{w}" for n, w, _ in TAMPERS])
def test_structure_changed_around_the_manifest_is_invalid(
        name: str, what: str, tamper: Callable[[bytes], bytes], files: dict[str, Path],
        identity: Identity, tmp_path: Path) -> None:
    signed = provenance.sign(files[name], tmp_path / f"signed-{name}", identity=identity).output
    assert provenance.inspect(signed).status == "trusted"
    broken = tmp_path / f"broken-{name}"
    broken.write_bytes(tamper(signed.read_bytes()))
    report = provenance.inspect(broken)
    assert report.status == "invalid", report
    assert report.failures[0].code == "manifest.unreachable"
    assert "its manifest can no longer be located" in report.failures[0].explanation
    with pytest.raises(provenance.VerificationFailed):
        provenance.verify(broken)


def test_pdf_stream_length_one_bit_is_not_unsigned(files: dict[str, Path], identity: Identity,
                                                   tmp_path: Path) -> None:
    signed = provenance.sign(files["essay.pdf"], tmp_path / "s.pdf", identity=identity).output
    data = signed.read_bytes()
    m = re.search(rb"/Length (\d+)", data)
    assert m
    broken = tmp_path / "b.pdf"
    broken.write_bytes(data[:m.start(1)] + bytes([m.group(1)[0] ^ 1]) + data[m.start(1) + 1:])
    assert provenance.inspect(broken).status == "invalid"


def test_mp4_from_another_tool_with_its_uuid_box_changed(shared: Path, tmp_path: Path) -> None:
    src = shared / "conformance" / "files" / "contentauth_c2pa-python" / "video1.mp4"
    if not src.is_file():
        pytest.skip("video1.mp4 not in ../shared")
    assert provenance.inspect(src).status in ("valid", "trusted", "invalid")
    broken = tmp_path / "video1.mp4"
    broken.write_bytes(_flip_after(b"uuid")(src.read_bytes()))
    report = provenance.inspect(broken)
    assert report.status == "invalid"


@pytest.mark.parametrize("name", ["photo.jpg", "photo.png", "photo.webp", "photo.heic",
                                  "essay.pdf"])
def test_unsigned_file_with_the_bytes_c2pa_and_jumb_stays_unsigned(
        name: str, files: dict[str, Path], tmp_path: Path) -> None:
    """The false positive: the words are there, even a 'jumb' box header with the UUID, but
    no parseable manifest-store superbox."""
    data = files[name].read_bytes()
    decoy = (b"c2pa jumb jumd c2pa" + b"\x00\x00\x00\x10jumb" + b"\x00\x00\x00\x08jumd"
             + jumbf.STORE_UUID + b"c2pa\x00")
    if name == "essay.pdf":
        cut = data.rfind(b"%%EOF")
        data = data[:cut] + b"% " + decoy.replace(b"\x00", b" ") + b"\n" + data[cut:]
    elif name == "photo.jpg":  # a COM segment
        data = data[:2] + b"\xff\xfe" + (len(decoy) + 2).to_bytes(2, "big") + decoy + data[2:]
    elif name == "photo.png":  # an ancillary tEXt chunk after IHDR
        import zlib
        body = b"Comment\x00" + decoy
        chunk = len(body).to_bytes(4, "big") + b"tEXt" + body + \
            zlib.crc32(b"tEXt" + body).to_bytes(4, "big")
        data = data[:33] + chunk + data[33:]
    elif name == "photo.heic":  # a top-level free box at the end
        data = data + (len(decoy) + 8).to_bytes(4, "big") + b"free" + decoy
    else:  # WebP: an unknown chunk at the end, RIFF size updated
        chunk = b"JUNK" + len(decoy).to_bytes(4, "little") + decoy
        data = data[:4] + (len(data) - 8 + len(chunk)).to_bytes(4, "little") + data[8:] + chunk
    f = tmp_path / name
    f.write_bytes(data)
    assert b"c2pa" in data and b"jumb" in data
    assert jumbf.find_manifest_store(io.BytesIO(data)) is None
    try:
        report = provenance.inspect(f)
    except provenance.InputError:
        pytest.skip("c2pa refuses the decoy file outright")  # not 'unsigned', not wrong
    assert report.status == "unsigned", report


def test_find_manifest_store_across_chunk_boundaries() -> None:
    box = (b"\x00\x00\x01\x00jumb" + b"\x00\x00\x00\x1ejumd" + jumbf.STORE_UUID + b"\x03"
           + b"c2pa\x00" + b"\x00" * 200)
    for pad in (0, (1 << 20) - 20, (1 << 20) - 3, (1 << 20) + 7):
        data = b"x" * pad + box + b"y" * 300
        assert jumbf.find_manifest_store(io.BytesIO(data)) == pad
    assert jumbf.find_manifest_store(io.BytesIO(box[:40])) is None  # size past the end
