"""The ZIP carrier: members untouched, no ballooning, read by c2pa-rs and by c2pa-zip, bounded.

Documents are made here: a Word document with ~250 KB of varied XML deflated to tens of KB
(like a real letter), an ODT and an EPUB whose first member is the stored ``mimetype``.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

import provenance
from provenance import inspect, sign, verify
from provenance.carriers import zip as zipcarrier
from provenance.errors import InputError
from provenance.identity import Identity
from tests.assets import build as assets
from tests.cli.helpers import EXIT_USAGE, assert_one_error_line, run


def _words(n: int, seed: int = 7) -> str:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    vocab = ["provenance", "letter", "human", "written", "signed", "camera", "draft", "river",
             "morning", "ledger", "quiet", "harbour", "editor", "notes", "paper", "stone"]
    return " ".join(rng.choice(vocab) + ("." if rng.random() < 0.1 else "") for _ in range(n))


def big_docx() -> bytes:
    """A DOCX of ~40 KB, deflated like Word writes it, with an image member."""
    base = assets.docx_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, \
            zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                paras = "".join(f"<w:p><w:r><w:t>{_words(60, i)}</w:t></w:r></w:p>"
                                for i in range(400))
                data = data.replace(b"<w:body>", b"<w:body>" + paras.encode())
            dst.writestr(info.filename, data)
        dst.writestr("word/media/image1.png", assets.png_bytes() if hasattr(
            assets, "png_bytes") else bytes(range(256)) * 64)
    return buf.getvalue()


def _opf_zip(mimetype: str, members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        for n, d in members.items():
            zf.writestr(n, d, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _cd_offset(data: bytes) -> int:
    at = data.rfind(b"PK\x05\x06")
    return int(struct.unpack_from("<I", data, at + 16)[0])


@pytest.mark.parametrize("name", ["letter.docx", "story.odt", "book.epub"])
def test_members_untouched_and_no_balloon(name: str, identity: Identity,
                                          tmp_path: Path) -> None:
    if name.endswith(".docx"):
        data = big_docx()
    elif name.endswith(".odt"):
        data = _opf_zip("application/vnd.oasis.opendocument.text", {
            "content.xml": f"<office:document-content>{_words(3000)}"
                           "</office:document-content>".encode(),
            "META-INF/manifest.xml": b"<manifest:manifest/>"})
    else:
        data = _opf_zip("application/epub+zip", {
            "META-INF/container.xml": b"<container/>",
            "OEBPS/chapter1.xhtml": f"<html><body><p>{_words(3000)}</p></body></html>".encode()})
    src = tmp_path / name
    src.write_bytes(data)
    out = sign(src, identity=identity).output
    signed = out.read_bytes()
    # Every original member's bytes (local headers, compressed data) come first, unchanged.
    assert signed[:_cd_offset(data)] == data[:_cd_offset(data)]
    with zipfile.ZipFile(io.BytesIO(data)) as a, zipfile.ZipFile(io.BytesIO(signed)) as b:
        assert b.testzip() is None
        before = {i.filename: (i.compress_type, i.CRC, i.compress_size) for i in a.infolist()}
        after = {i.filename: (i.compress_type, i.CRC, i.compress_size) for i in b.infolist()}
        store_info = b.getinfo(zipcarrier.MANIFEST_NAME)
        assert store_info.compress_type == zipfile.ZIP_STORED
        store = b.read(zipcarrier.MANIFEST_NAME)
    assert after.pop(zipcarrier.MANIFEST_NAME)[0] == zipfile.ZIP_STORED
    assert after == before
    # Target: at most 1.1x the original plus the manifest.
    assert len(signed) <= 1.1 * len(data) + len(store)
    assert len(signed) - len(data) - len(store) < 200  # one local header + one entry
    report = verify(out)
    assert report.status == "trusted", [f.code for f in report.failures]


def test_docx_size_before_and_after(identity: Identity, tmp_path: Path) -> None:
    data = big_docx()
    assert 20_000 < len(data) < 80_000
    src = tmp_path / "letter.docx"
    src.write_bytes(data)
    out = sign(src, identity=identity).output
    # c2pa-rs's own embedding repacked every member stored: the document grew several times.
    assert out.stat().st_size < len(data) + 8_000


def test_c2pa_zip_reads_our_store(files: dict[str, Path], identity: Identity) -> None:
    c2pa_zip = pytest.importorskip("c2pa_zip")
    out = sign(files["letter.docx"], identity=identity).output
    signed = out.read_bytes()
    with zipfile.ZipFile(out) as zf:
        store = zf.read(zipcarrier.MANIFEST_NAME)
    assert c2pa_zip.manifest_path() == zipcarrier.MANIFEST_NAME
    assert c2pa_zip.read_manifest(signed) == store
    assert c2pa_zip.verify(signed) == {"has_manifest": True, "manifest_len": len(store),
                                       "is_valid_zip": True}


def test_tampered_member_and_directory_fail(files: dict[str, Path],
                                            identity: Identity) -> None:
    out = sign(files["letter.docx"], identity=identity).output
    signed = out.read_bytes()
    member = bytearray(signed)
    member[60] ^= 0x01  # inside the first member's compressed data
    assert inspect(bytes(member), name="letter.docx").status == "invalid"
    directory = bytearray(signed)
    at = directory.rfind(b"PK\x01\x02")
    directory[at + 12] ^= 0x01  # the date field of the manifest's central entry
    assert inspect(bytes(directory), name="letter.docx").status == "invalid"


def test_replace_strips_the_old_store(files: dict[str, Path], identity: Identity,
                                      tmp_path: Path) -> None:
    first = sign(files["letter.docx"], identity=identity).output
    with pytest.raises(provenance.AlreadySigned):
        sign(first, tmp_path / "again.docx", identity=identity)
    again = sign(first, tmp_path / "again.docx", identity=identity, replace=True).output
    with zipfile.ZipFile(again) as zf:
        assert zf.namelist().count(zipcarrier.MANIFEST_NAME) == 1
    assert abs(len(again.read_bytes()) - len(first.read_bytes())) < 64  # one store, not two
    assert verify(again).status == "trusted"


def test_force_crc32_reaches_any_value() -> None:
    rng = random.Random(3)  # noqa: S311 (test data, not secrets)
    for _ in range(20):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(8, 400)))
        at = rng.randrange(0, len(data) - 3)
        target = rng.randrange(1 << 32)
        forced = zipcarrier.force_crc32(data, at, target)
        assert zlib.crc32(forced) == target
        assert forced[:at] == data[:at] and forced[at + 4:] == data[at + 4:]


def _bomb() -> bytes:
    """A DOCX whose member says it expands 1000x past the ratio cap (nothing is inflated)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (8 << 20))
    return buf.getvalue()


def test_zip_bomb_is_refused_when_read(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(_bomb())
    with pytest.raises(InputError, match="ZIP bomb"):
        inspect(path)
    assert_one_error_line(run("verify", path), EXIT_USAGE, "ZIP bomb")


def test_zip64_and_damaged_are_refused_for_signing(identity: Identity) -> None:
    data = assets.docx_bytes()
    with pytest.raises(InputError):
        zipcarrier.layout(data[:-10], 100, 0, name="cut.docx")
