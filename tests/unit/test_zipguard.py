"""ZIP bombs are refused from the central directory, before any member is expanded."""

from __future__ import annotations

import io
import resource
import zipfile

import pytest

from provenance import InputError, zipguard
from provenance.formats import check_structure, identify, repack_zip_stored


def _docx(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_a_bomb_is_refused_before_expansion() -> None:
    # 256 MiB of zeros per member compresses to ~250 KB; 16 of them declare 4 GiB.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        chunk = b"\0" * (1 << 20)
        info = zipfile.ZipInfo("word/document.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:
            for _ in range(256):
                fh.write(chunk)
        first = zf.getinfo("word/document.xml")
    data = buf.getvalue()
    assert len(data) < 1 << 20 and first.file_size == 256 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputError, match=r"ZIP bomb.*expands"):
        repack_zip_stored(data, "bomb.docx")
    with pytest.raises(InputError, match="ZIP bomb"):
        check_structure("bomb.docx", identify("bomb.docx", data), data)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 64 * 1024  # nothing near the 256 MiB member was expanded


def test_too_many_members() -> None:
    data = _docx({f"m/{i}.xml": b"x" for i in range(50)})
    with pytest.raises(InputError, match="51 members"):
        zipguard.check(zipfile.ZipFile(io.BytesIO(data)), name="many.docx",
                       limits=zipguard.ZipLimits(max_members=50))


def test_total_expanded_size() -> None:
    data = _docx({"a.xml": b"a" * 5000, "b.xml": b"b" * 5000}, zipfile.ZIP_STORED)
    with pytest.raises(InputError, match="expands to more than"):
        zipguard.check(zipfile.ZipFile(io.BytesIO(data)), name="big.docx",
                       limits=zipguard.ZipLimits(max_expanded=8000))


def test_a_real_document_passes_and_repacks() -> None:
    data = _docx({"word/document.xml": b"<w:document>" + b"words " * 2000 + b"</w:document>"})
    out = repack_zip_stored(data, "letter.docx")
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        assert zf.read("word/document.xml").startswith(b"<w:document>words ")


def test_not_a_zip() -> None:
    with pytest.raises(InputError, match="not a readable ZIP"):
        zipguard.open_checked(b"PK\x03\x04 broken", name="x.docx")
