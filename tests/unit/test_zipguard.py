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


def test_declared_member_count_is_read_from_the_end_record() -> None:
    data = _docx({f"m{i}.xml": b"<w/>" for i in range(30)})
    assert zipguard.declared_members(io.BytesIO(data)) == 31
    with pytest.raises(InputError, match="31 members"):
        zipguard.check_declared(io.BytesIO(data), name="x.docx",
                                limits=zipguard.ZipLimits(max_members=10))
    assert zipguard.declared_members(io.BytesIO(b"not a zip")) is None


def test_declared_member_count_zip64() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", allowZip64=True) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        for i in range(0x10000):  # more than a 16-bit count: a ZIP64 end record
            zf.writestr(zipfile.ZipInfo(f"{i}"), b"")
    assert zipguard.declared_members(io.BytesIO(buf.getvalue())) == 0x10001


def _damaged_offset(data: bytes) -> bytes:
    """The central directory's first local-header offset pointed before the archive."""
    cd = data.rfind(b"PK\x01\x02")
    first = data.find(b"PK\x01\x02")
    assert first <= cd
    at = first + 42
    return data[:at] + (0xFFFFFF00).to_bytes(4, "little") + data[at + 4:]


def test_member_with_impossible_offset_is_input_error_not_a_crash() -> None:
    data = _damaged_offset(_docx({"word/document.xml": b"<w/>" * 10}))
    with pytest.raises(InputError):
        repack_zip_stored(data, "bad.docx")


def test_lying_member_is_input_error() -> None:
    from tests.assets import hostile

    with pytest.raises(InputError, match="not what the ZIP directory says"):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as d:
            liar = hostile.zip_bomb(Path(d) / "liar.docx", expanded=64 << 20, lie=True)
            repack_zip_stored(liar.read_bytes(), "liar.docx")


def test_unknown_zip_version_in_the_directory_is_input_error() -> None:
    """Found by the fuzz suite: zipfile raises NotImplementedError ("zip file version 6.4")
    for a central-directory entry whose 'version needed' byte is unknown."""
    data = bytearray(_docx({"word/document.xml": b"<w/>"}))
    cd = data.find(b"PK\x01\x02")
    data[cd + 6] = 64  # version needed to extract: 6.4
    with pytest.raises(InputError):
        check_structure("x.docx", identify("x.docx", bytes(data)), bytes(data))
    with pytest.raises(InputError):
        repack_zip_stored(bytes(data), "x.docx")
