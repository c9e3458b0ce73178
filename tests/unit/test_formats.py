"""Recognising file types from their bytes, refusing mis-named, truncated and unsupported files."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from provenance.errors import InputError, UnsupportedFormat
from provenance.formats import check_structure, identify, repack_zip_stored, sniff
from tests.assets import build

EXPECTED = {
    "photo.jpg": ("image/jpeg", "JPEG"),
    "photo.png": ("image/png", "PNG"),
    "photo.webp": ("image/webp", "WebP"),
    "photo.tif": ("image/tiff", "TIFF"),
    "anim.gif": ("image/gif", "GIF"),
    "photo.avif": ("image/avif", "AVIF"),
    "photo.heic": ("image/heic", "HEIC"),
    "drawing.svg": ("image/svg+xml", "SVG"),
    "essay.pdf": ("application/pdf", "PDF"),
    "letter.docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    "voice.wav": ("audio/wav", "WAV"),
}


@pytest.fixture(scope="module")
def assets() -> dict[str, bytes]:
    return {name: make() for name, make in build.FORMATS.items()}


def _bmp() -> bytes:
    buf = io.BytesIO()
    build.picture((16, 8)).save(buf, "BMP")
    return buf.getvalue()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_identify_every_built_format(name: str, assets: dict[str, bytes]) -> None:
    data = assets[name]
    mtype = identify(name, data)
    assert (mtype.mime, mtype.label) == EXPECTED[name]
    check_structure(name, mtype, data)  # a complete file passes
    # Upper-case extensions name the same type.
    upper = name.rsplit(".", 1)[0] + "." + name.rsplit(".", 1)[1].upper()
    assert identify(upper, data) == mtype


def test_identify_uses_content_when_extension_unknown(assets: dict[str, bytes]) -> None:
    assert identify("download", assets["photo.png"]).mime == "image/png"
    assert identify("blob.bin", assets["photo.jpg"]).mime == "image/jpeg"
    with pytest.raises(UnsupportedFormat, match="unsupported file type"):
        identify("notes.xyz", b"just some words\n")


def test_text_named_jpg() -> None:
    with pytest.raises(InputError, match=r"named \.jpg") as err:
        identify("photo.jpg", b"Dear diary, this is plain text and not a photo.\n")
    assert not isinstance(err.value, UnsupportedFormat)
    assert "text" in err.value.message
    assert err.value.exit_code == 2


def test_png_named_jpg_says_what_it_is(assets: dict[str, bytes]) -> None:
    with pytest.raises(InputError, match=r"named \.jpg") as err:
        identify("photo.jpg", assets["photo.png"])
    assert "PNG" in err.value.message


def test_svg_needs_an_svg_element() -> None:
    with pytest.raises(InputError, match=r"named \.svg"):
        identify("drawing.svg", b'<?xml version="1.0"?>\n<html><body/></html>\n')


def test_empty_file() -> None:
    with pytest.raises(InputError, match="empty") as err:
        identify("photo.jpg", b"")
    assert not isinstance(err.value, UnsupportedFormat)
    with pytest.raises(InputError, match="empty"):
        identify("anything", b"")


@pytest.mark.parametrize("name", ["picture.bmp", "picture.png", "picture.jpg", "picture"])
def test_bmp_is_unsupported(name: str) -> None:
    data = _bmp()
    assert data[:2] == b"BM"
    with pytest.raises(UnsupportedFormat) as err:
        identify(name, data)
    assert "BMP" in err.value.message


def test_other_known_unsupported_extensions() -> None:
    with pytest.raises(UnsupportedFormat, match="Photoshop"):
        identify("art.psd", b"8BPS\x00\x01" + b"\x00" * 40)


def _cut(data: bytes, keep: float = 0.7) -> bytes:
    return data[: int(len(data) * keep)]


def _structure_error(name: str, data: bytes) -> InputError:
    with pytest.raises(InputError) as err:
        check_structure(name, identify(name, data), data)
    return err.value


def test_truncated_jpeg(assets: dict[str, bytes]) -> None:
    err = _structure_error("photo.jpg", _cut(assets["photo.jpg"]))
    assert "not a complete JPEG" in err.message
    assert "truncated" in str(err)


def test_truncated_png(assets: dict[str, bytes]) -> None:
    err = _structure_error("photo.png", _cut(assets["photo.png"]))
    assert "not a complete PNG" in err.message


def test_png_without_iend(assets: dict[str, bytes]) -> None:
    data = assets["photo.png"]
    assert data.endswith(b"IEND\xaeB`\x82")
    err = _structure_error("photo.png", data[:-12])
    assert "IEND" in err.message


def test_truncated_webp(assets: dict[str, bytes]) -> None:
    err = _structure_error("photo.webp", _cut(assets["photo.webp"]))
    assert "not a complete WebP" in err.message
    assert "RIFF" in err.message


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_format_truncated_is_refused(name: str, assets: dict[str, bytes]) -> None:
    """Every signable format cut to 70% is refused before c2pa sees it.

    c2pa itself signs a truncated TIFF or SVG without complaint (the result verifies as
    trusted), so this check is the only guard.
    """
    data = _cut(assets[name], 0.7)
    with pytest.raises(InputError) as err:
        check_structure(name, identify(name, data), data)
    assert "not a complete" in err.value.message


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {"photo.tif", "drawing.svg"}))
def test_every_format_slightly_truncated_is_refused(name: str,
                                                    assets: dict[str, bytes]) -> None:
    data = _cut(assets[name], 0.95)
    with pytest.raises(InputError, match="not a complete"):
        check_structure(name, identify(name, data), data)


def test_truncated_tiff_strips_past_end(assets: dict[str, bytes]) -> None:
    data = assets["photo.tif"]
    with Image.open(io.BytesIO(data)) as img:
        offsets = img.tag_v2[273]  # StripOffsets
        counts = img.tag_v2[279]  # StripByteCounts
    end = max(o + c for o, c in zip(offsets, counts, strict=True))
    assert end == len(data)  # the image data runs to the end of the file...
    cut = data[: end - 100]  # ...so cutting the end loses pixels
    err = _structure_error("photo.tif", cut)
    assert "not a complete TIFF" in err.message


def test_jpeg_cut_after_headers(assets: dict[str, bytes]) -> None:
    data = assets["photo.jpg"]
    sos = data.index(b"\xff\xda")
    err = _structure_error("photo.jpg", data[: sos + 2])
    assert "not a complete JPEG" in err.message


def test_sniff_minimal_signatures() -> None:
    assert sniff(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"RIFF\x00\x00\x00\x00WAVEfmt ") == "audio/wav"
    assert sniff(b"%PDF-1.7") == "application/pdf"
    assert sniff(b"\xef\xbb\xbf  <svg xmlns='x'>") == "text/xml"
    assert sniff(b"hello") is None


# -- zip repacking ----------------------------------------------------------------------------


def _members(data: bytes) -> list[tuple[str, bytes, int]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i.filename), i.compress_type) for i in zf.infolist()]


def test_repack_zip_stored_keeps_content() -> None:
    deflated = build.docx_bytes("TEST-ONLY " + "repetitive text " * 50, deflated=True)
    before = _members(deflated)
    assert any(ct == zipfile.ZIP_DEFLATED for _, _, ct in before)
    repacked = repack_zip_stored(deflated)
    assert repacked != deflated
    after = _members(repacked)
    assert [n for n, _, _ in after] == [n for n, _, _ in before]
    assert [b for _, b, _ in after] == [b for _, b, _ in before]
    assert all(ct == zipfile.ZIP_STORED for _, _, ct in after)
    with zipfile.ZipFile(io.BytesIO(repacked)) as zf:
        assert zf.testzip() is None  # every CRC checks out
        with zipfile.ZipFile(io.BytesIO(deflated)) as orig:
            assert [i.date_time for i in zf.infolist()] == \
                [i.date_time for i in orig.infolist()]
    # Still a DOCX, structurally sound, and repacking again is a no-op.
    mtype = identify("letter.docx", repacked)
    check_structure("letter.docx", mtype, repacked)
    assert repack_zip_stored(repacked) is repacked


def test_repack_zip_stored_returns_same_object_when_stored() -> None:
    stored = build.docx_bytes(deflated=False)
    assert repack_zip_stored(stored) is stored


def test_repack_mixed_compression() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("a.txt"), b"A" * 500)  # stored
        info = zipfile.ZipInfo("dir/b.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, b"<b>" + b"B" * 500 + b"</b>")
        zf.writestr(zipfile.ZipInfo("c.bin"), bytes(range(256)))
    data = buf.getvalue()
    out = repack_zip_stored(data)
    assert out is not data
    assert _members(out) == [
        ("a.txt", b"A" * 500, zipfile.ZIP_STORED),
        ("dir/b.xml", b"<b>" + b"B" * 500 + b"</b>", zipfile.ZIP_STORED),
        ("c.bin", bytes(range(256)), zipfile.ZIP_STORED),
    ]


def test_pillow_can_still_read_what_we_accept(assets: dict[str, bytes]) -> None:
    # Sanity check of the built assets themselves: the formats we call complete decode fully.
    for name in ("photo.jpg", "photo.png", "photo.webp", "photo.tif", "anim.gif"):
        with Image.open(io.BytesIO(assets[name])) as img:
            img.load()
